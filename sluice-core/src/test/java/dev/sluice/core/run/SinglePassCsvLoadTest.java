package dev.sluice.core.run;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.TableName;
import dev.sluice.core.Workspace;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.state.StepStatus;
import dev.sluice.lake.ReadPoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CSV files with declared columns and one header are read in one pass, while the table's data file
 * is written: bad records found by that pass are still attributed to their file and line,
 * quarantined or failing the load before anything is committed.
 */
class SinglePassCsvLoadTest {
  @TempDir Path project;

  private void writeProject(String onError) throws IOException {
    write(project, "sluice.yaml", "name: shop\n");
    write(
        project,
        "sources/shop.yaml",
        """
        connector: file
        tables:
          - name: orders
            path: data/*.csv
            mode: append
            on_error: %s
            columns:
              - {name: order_id, type: bigint}
              - {name: amount, type: "decimal(10,2)"}
        """
            .formatted(onError));
    write(project, "data/a.csv", "order_id,amount\n1,1.50\n2,2.50\n");
    write(project, "data/b.csv", "order_id,amount\n3,3.50\n4,oops\n5,5.50\n6\n");
  }

  @Test
  void badRecordsOfEveryFileAreQuarantinedWithTheirFileAndLine() throws Exception {
    writeProject("quarantine");
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = run(workspace);
      StepResult step = step(result);
      assertThat(step.status()).isEqualTo(StepStatus.SUCCEEDED);
      assertThat(step.rowsIn()).isEqualTo(6);
      assertThat(step.rejectedRows()).isEqualTo(2);
      QueryService queries = new QueryService(workspace);
      assertThat(rows(queries, "select order_id, _source_file from raw.shop_orders order by 1"))
          .containsExactly(
              List.of("1", "data/a.csv"),
              List.of("2", "data/a.csv"),
              List.of("3", "data/b.csv"),
              List.of("5", "data/b.csv"));
      assertThat(
              rows(
                  queries,
                  "select _source_file, _line, _raw_record from raw.shop_orders__rejected"
                      + " order by _line"))
          .containsExactly(List.of("data/b.csv", "3", "4,oops"), List.of("data/b.csv", "5", "6"));
    }
  }

  @Test
  void aBadRecordFailsTheLoadAndLeavesTheTableAsItWas() throws Exception {
    writeProject("fail");
    write(project, "data/b.csv", "order_id,amount\n3,3.50\n");
    try (Workspace workspace = Workspace.open(project)) {
      assertThat(step(run(workspace)).status()).isEqualTo(StepStatus.SUCCEEDED);
      long loaded =
          workspace
              .lake()
              .currentSnapshot(new TableName("raw", "shop_orders"))
              .orElseThrow()
              .snapshotId();
      long dataFiles = dataFiles();

      write(project, "data/c.csv", "order_id,amount\n7,7.50\n8,eight\n");
      StepResult failed = step(run(workspace));

      assertThat(failed.status()).isEqualTo(StepStatus.FAILED);
      assertThat(failed.error())
          .contains("Malformed record in data/c.csv at line 3")
          .contains("amount")
          .contains("on_error: quarantine");
      assertThat(
              workspace
                  .lake()
                  .currentSnapshot(new TableName("raw", "shop_orders"))
                  .orElseThrow()
                  .snapshotId())
          .isEqualTo(loaded);
      assertThat(rows(new QueryService(workspace), "select count(*) from raw.shop_orders"))
          .containsExactly(List.of("3"));
      // the data file written by the failed pass is deleted, not left behind
      assertThat(dataFiles()).isEqualTo(dataFiles);
    }
  }

  private long dataFiles() throws IOException {
    try (Stream<Path> files = Files.walk(project.resolve("warehouse"))) {
      return files.filter(p -> p.toString().endsWith(".parquet")).count();
    }
  }

  private static RunResult run(Workspace workspace) {
    return new Runner(workspace)
        .run(new RunOptions(List.of("shop.orders"), false), RunListener.NONE);
  }

  private static StepResult step(RunResult result) {
    return result.steps().stream()
        .filter(s -> s.asset().equals("shop.orders"))
        .findFirst()
        .orElseThrow();
  }

  private static List<List<String>> rows(QueryService queries, String sql) {
    List<List<String>> rows = new ArrayList<>();
    for (List<Object> row : queries.query(sql, ReadPoint.main(), 1000).rows()) {
      rows.add(row.stream().map(String::valueOf).toList());
    }
    return rows;
  }
}
