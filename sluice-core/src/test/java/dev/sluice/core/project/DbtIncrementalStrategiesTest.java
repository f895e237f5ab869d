package dev.sluice.core.project;

import static dev.sluice.core.project.DbtMaterializationsTest.rows;
import static dev.sluice.core.project.TestProjects.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Workspace;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dbt's incremental strategies give the rows dbt-duckdb's give: two runs, the second with a batch
 * that repeats a key, changes a row and repeats a key within itself. The expected rows are
 * dbt-duckdb's (its {@code append} inserts every new row whatever the {@code unique_key}; {@code
 * merge} and {@code delete+insert} delete the existing rows of each new key and insert the new
 * rows).
 */
class DbtIncrementalStrategiesTest {
  @TempDir Path project;

  private static final String FIRST = "id,v,batch\n1,a,1\n2,b,1\n";
  private static final String SECOND = FIRST + "2,b2,2\n3,c,2\n3,c2,2\n";

  @Test
  void eachStrategyGivesDbtDuckdbsRowsOnASecondRun() {
    write(project, "dbt_project.yml", "name: shop\n");
    write(project, "seeds/events.csv", FIRST);
    model("appended", "incremental_strategy='append', unique_key='id'");
    model("appended_without_key", "incremental_strategy='append'");
    model("default_without_key", null);
    model("merged", "incremental_strategy='merge', unique_key='id'");
    model("deleted_and_inserted", "incremental_strategy='delete+insert', unique_key='id'");
    model("default_with_key", "unique_key='id'");
    model("merged_on_two_columns", "incremental_strategy='merge', unique_key=['id', 'batch']");

    try (Workspace workspace = Workspace.open(project)) {
      run(workspace);
    }
    write(project, "seeds/events.csv", SECOND);
    try (Workspace workspace = Workspace.open(project)) {
      run(workspace);
      QueryService queries = new QueryService(workspace);
      List<List<String>> everyRow =
          List.of(
              List.of("1", "a", "1"),
              List.of("2", "b", "1"),
              List.of("2", "b2", "2"),
              List.of("3", "c", "2"),
              List.of("3", "c2", "2"));
      List<List<String>> byKey =
          List.of(
              List.of("1", "a", "1"),
              List.of("2", "b2", "2"),
              List.of("3", "c", "2"),
              List.of("3", "c2", "2"));
      assertThat(rowsOf(queries, "appended")).isEqualTo(everyRow);
      assertThat(rowsOf(queries, "appended_without_key")).isEqualTo(everyRow);
      assertThat(rowsOf(queries, "default_without_key")).isEqualTo(everyRow);
      assertThat(rowsOf(queries, "merged")).isEqualTo(byKey);
      assertThat(rowsOf(queries, "deleted_and_inserted")).isEqualTo(byKey);
      assertThat(rowsOf(queries, "default_with_key")).isEqualTo(byKey);
      assertThat(rowsOf(queries, "merged_on_two_columns")).isEqualTo(everyRow);
    }
  }

  private void model(String name, String strategy) {
    write(
        project,
        "models/" + name + ".sql",
        "{{ config(materialized='incremental'"
            + (strategy == null ? "" : ", " + strategy)
            + ") }}\n"
            + "select id, v, batch from {{ ref('events') }}\n"
            + "{% if is_incremental() %}"
            + " where batch > (select max(batch) from {{ this }})"
            + " {% endif %}\n");
  }

  private static void run(Workspace workspace) {
    RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
    assertThat(result.succeeded()).as(result.toString()).isTrue();
  }

  private static List<List<String>> rowsOf(QueryService queries, String model) {
    return rows(queries, "select id, v, batch from main." + model + " order by id, v");
  }
}
