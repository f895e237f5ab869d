package dev.sluice.core.run;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.engine.QueryResult;
import dev.sluice.connector.testkit.ChildJava;
import dev.sluice.core.Workspace;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.state.StepStatus;
import dev.sluice.lake.ReadPoint;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A load with quarantined records commits two tables, the rejected records and the data. Killed
 * (SIGKILL) just before either commit, the next run leaves each good row in the table once and each
 * bad record in {@code __rejected} once: none is lost, none duplicated.
 */
class KillBetweenRejectedAndDataTest {
  @TempDir Path project;

  @ParameterizedTest
  @ValueSource(strings = {"shop_orders", "shop_orders__rejected"})
  void aLoadKilledBeforeEitherCommitIsLoadedOnceByTheNextRun(String killedAt) throws Exception {
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
            on_error: quarantine
            columns:
              - {name: order_id, type: bigint}
              - {name: amount, type: "decimal(10,2)"}
        """);
    write(project, "data/a.csv", "order_id,amount\n1,1.50\n2,oops\n3,3.50\n");

    Process child =
        new ProcessBuilder(
                ChildJava.command(RunUntilCommit.class, project.toString(), "raw." + killedAt))
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    String runId = null;
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line = lines.readLine();
      while (line != null && !line.startsWith("committing")) {
        if (line.startsWith("run ")) {
          runId = line.substring(4);
        }
        line = lines.readLine();
      }
      assertThat(line).as("the child reached the commit").isEqualTo("committing raw." + killedAt);
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    try (Workspace workspace = Workspace.open(project)) {
      // the killed run died holding the table's lock: its resumption takes it over
      workspace
          .runStore()
          .locks()
          .tryLock(
              "table:raw.shop_orders",
              runId,
              java.time.Duration.ofMinutes(5),
              java.time.Instant.now());
      RunResult again = new Runner(workspace).resume(runId, RunListener.NONE);
      assertThat(again.succeeded()).as(String.valueOf(again.steps())).isTrue();
      write(project, "data/b.csv", "order_id,amount\n4,4.50\n5,x\n");
      RunResult next = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      StepResult step = next.steps().get(0);
      assertThat(step.status()).isEqualTo(StepStatus.SUCCEEDED);
      assertThat(step.detail()).startsWith("1 file appended");

      assertThat(rows(workspace, "select order_id from raw.shop_orders order by 1"))
          .containsExactly(List.of("1"), List.of("3"), List.of("4"));
      assertThat(
              rows(
                  workspace,
                  "select _source_file, _line from raw.shop_orders__rejected order by 1, 2"))
          .containsExactly(List.of("data/a.csv", "3"), List.of("data/b.csv", "3"));
    }
  }

  private static List<List<String>> rows(Workspace workspace, String sql) {
    QueryResult result = new QueryService(workspace).query(sql, ReadPoint.main(), 1000);
    List<List<String>> rows = new ArrayList<>();
    for (List<Object> row : result.rows()) {
      rows.add(row.stream().map(String::valueOf).toList());
    }
    return rows;
  }
}
