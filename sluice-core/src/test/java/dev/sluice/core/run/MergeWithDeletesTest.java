package dev.sluice.core.run;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.engine.QueryResult;
import dev.sluice.core.Workspace;
import dev.sluice.core.query.QueryService;
import dev.sluice.lake.ReadPoint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A merge with a delete column ({@code StagedData.Write.mergeWithDeletes}), as a change stream
 * stages it: staged rows marked deleted remove the table's row of their key and are not written,
 * the others replace the row of their key, and the delete column never reaches the table.
 */
class MergeWithDeletesTest {
  @TempDir Path project;

  @Test
  void deletesUpdatesAndInsertsInOneCommit() throws Exception {
    // the first load creates the table: rows marked deleted are left out
    writeProject("(1, 'a', false), (2, 'b', false), (3, 'c', false), (4, NULL, true)");
    try (Workspace workspace = Workspace.open(project)) {
      run(workspace);
      assertThat(rows(workspace, "SELECT id, name FROM raw.shop_people ORDER BY id"))
          .containsExactly(List.of("1", "a"), List.of("2", "b"), List.of("3", "c"));
    }
    writeProject("(1, NULL, true), (2, 'B', false), (5, 'e', false), (6, NULL, true)");
    try (Workspace workspace = Workspace.open(project)) {
      RunResult merged = run(workspace);
      assertThat(merged.steps().get(0).detail()).isEqualTo("4 rows merged on id");
      assertThat(rows(workspace, "SELECT id, name FROM raw.shop_people ORDER BY id"))
          .containsExactly(List.of("2", "B"), List.of("3", "c"), List.of("5", "e"));
      assertThat(
              new QueryService(workspace)
                  .query("SELECT * FROM raw.shop_people", ReadPoint.main(), 1)
                  .columns())
          .containsExactly("id", "name", "_loaded_at");
    }
  }

  private static RunResult run(Workspace workspace) {
    RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
    assertThat(result.succeeded()).as(String.valueOf(result.steps())).isTrue();
    return result;
  }

  private void writeProject(String changes) throws IOException {
    write(project, "sluice.yaml", "name: shop\n");
    write(
        project,
        "sources/shop.yaml",
        """
        connector: change_list
        tables:
          - name: people
            options:
              changes: "%s"
        """
            .formatted(changes));
  }

  private static List<List<String>> rows(Workspace workspace, String sql) {
    QueryResult result = new QueryService(workspace).query(sql, ReadPoint.main(), 100);
    List<List<String>> rows = new ArrayList<>();
    for (List<Object> row : result.rows()) {
      rows.add(row.stream().map(String::valueOf).toList());
    }
    return rows;
  }
}
