package dev.sluice.core.run;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.TableName;
import dev.sluice.core.Workspace;
import dev.sluice.core.state.StepStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code on_schema_change} of incremental models, as in dbt: a column added to the SQL after the
 * first build, through the real runner; the step's detail says what happened.
 */
class OnSchemaChangeTest {
  private static final TableName EVENTS = TableName.parse("curated.events");

  @TempDir Path project;

  private StepResult build(String sql, String onSchemaChange) throws IOException {
    write(project, "sluice.yaml", "name: changes\n");
    write(
        project,
        "models/curated/events.sql",
        "{{ config(materialized='incremental'"
            + (onSchemaChange == null ? "" : ", on_schema_change='" + onSchemaChange + "'")
            + ") }}\n"
            + sql);
    try (Workspace workspace = Workspace.open(project)) {
      return new Runner(workspace).run(RunOptions.all(), RunListener.NONE).steps().get(0);
    }
  }

  private List<String> columns() {
    try (Workspace workspace = Workspace.open(project)) {
      return workspace.lake().loadTable(EVENTS).schema().columns().stream()
          .map(Types.NestedField::name)
          .toList();
    }
  }

  @Test
  void ignoreIsTheDefaultAndSaysSo() throws IOException {
    assertThat(build("select 1 as id\n", null).status()).isEqualTo(StepStatus.SUCCEEDED);
    StepResult second = build("select 2 as id, 'x' as note\n", null);
    assertThat(second.status()).as(second.error()).isEqualTo(StepStatus.SUCCEEDED);
    assertThat(second.detail())
        .contains("appended 1 new rows")
        .contains("added note")
        .contains("on_schema_change: ignore");
    assertThat(columns()).containsExactly("id");
  }

  @Test
  void appendNewColumnsAddsThemAndSaysEarlierRowsAreNull() throws IOException {
    build("select 1 as id\n", "append_new_columns");
    StepResult second = build("select 2 as id, 'x' as note\n", "append_new_columns");
    assertThat(second.status()).as(second.error()).isEqualTo(StepStatus.SUCCEEDED);
    assertThat(second.detail()).contains("added note").contains("NULL in earlier rows");
    assertThat(columns()).containsExactly("id", "note");
  }

  @Test
  void syncAllColumnsDropsRemovedOnes() throws IOException {
    build("select 1 as id, 'a' as old\n", "sync_all_columns");
    StepResult second = build("select 2 as id, 'x' as note\n", "sync_all_columns");
    assertThat(second.status()).as(second.error()).isEqualTo(StepStatus.SUCCEEDED);
    assertThat(second.detail()).contains("schema synced").contains("removed old");
    assertThat(columns()).containsExactly("id", "note");
  }

  @Test
  void failStopsTheStepAndWritesNothing() throws IOException {
    build("select 1 as id\n", "fail");
    StepResult second = build("select 2 as id, 'x' as note\n", "fail");
    assertThat(second.status()).isEqualTo(StepStatus.FAILED);
    assertThat(second.error())
        .contains("models/curated/events.sql")
        .contains("on_schema_change is fail")
        .contains("added note");
    assertThat(columns()).containsExactly("id");
  }

  @Test
  void aMergeOnAUniqueKeyMeetsTheChangedColumnsByName() throws IOException {
    write(project, "sluice.yaml", "name: changes\n");
    String config =
        "{{ config(materialized='incremental', unique_key='id',"
            + " on_schema_change='append_new_columns') }}\n";
    write(
        project,
        "models/curated/events.sql",
        config + "select * from (values (1, 'a'), (2, 'b')) as t(id, old)\n");
    assertThat(runAll().succeeded()).isTrue();
    // row 2 changes and gains a column, row 3 is new, row 1 is kept with NULL in the new column
    write(
        project,
        "models/curated/events.sql",
        config + "select * from (values ('y', 'B', 2), ('z', 'C', 3)) as t(note, old, id)\n");
    RunResult second = runAll();
    assertThat(second.succeeded()).as(String.valueOf(second.steps())).isTrue();
    assertThat(second.steps().get(0).detail()).contains("merged 2 new or changed rows on id");
    assertThat(columns()).containsExactly("id", "old", "note");
    try (Workspace workspace = Workspace.open(project)) {
      assertThat(
              new dev.sluice.core.query.QueryService(workspace)
                  .query(
                      "select id, old, note from curated.events order by id",
                      dev.sluice.lake.ReadPoint.main(),
                      10)
                  .rows())
          .containsExactly(
              java.util.Arrays.asList(1, "a", null), List.of(2, "B", "y"), List.of(3, "C", "z"));
    }
  }

  private RunResult runAll() {
    try (Workspace workspace = Workspace.open(project)) {
      return new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
    }
  }
}
