package dev.sluice.core.run;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.Location;
import dev.sluice.api.TableName;
import dev.sluice.api.TransientException;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.CheckDef;
import dev.sluice.core.project.Severity;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.state.StepStatus;
import dev.sluice.lake.ReadPoint;
import dev.sluice.lake.SchemaChange;
import dev.sluice.lake.WriteOperation;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.ContentFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotChanges;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Merges rewrite only the data files that hold a staged key (Iceberg's copy-on-write): the commit
 * removes those files and adds one with their other rows and the staged rows; the table reads as a
 * rewrite of the whole table would have left it.
 */
class FileMergeTest {
  private static final TableName PEOPLE = new TableName("raw", "shop_people");

  @TempDir Path project;

  @Test
  void aMergeRewritesOnlyTheFileThatHoldsItsKey() throws Exception {
    load("(1, 'a', false), (2, 'b', false), (3, 'c', false)", "");
    load("(4, 'd', false), (5, 'e', false), (6, 'f', false)", "");
    Set<String> secondLoad = addedFiles();
    load("(7, 'g', false), (8, 'h', false), (9, 'i', false)", "");
    load("(5, 'E', false)", "position: lsn-42");
    try (Workspace workspace = Workspace.open(project)) {
      Table table = workspace.lake().loadTable(PEOPLE);
      Snapshot merge = table.currentSnapshot();
      assertThat(merge.summary())
          .containsEntry("added-data-files", "1")
          .containsEntry("deleted-data-files", "1")
          .containsEntry("total-data-files", "3")
          .containsEntry("deleted-records", "3")
          .containsEntry("added-records", "3")
          .containsEntry(SourceStep.SOURCE_STATE, "{\"position\":\"lsn-42\"}");
      assertThat(
              paths(SnapshotChanges.builderFor(table).snapshot(merge).build().removedDataFiles()))
          .isEqualTo(secondLoad);
      try (EngineSession session = workspace.engine().openSession()) {
        session.createTemporaryTable("staged", "SELECT 5 AS id, 'x' AS name");
        FileMerge.Plan plan =
            FileMerge.plan(
                workspace.lake(), session, PEOPLE, "staged", List.of("id"), "SELECT * FROM staged");
        assertThat(plan.filesRead()).as("files left by the bounds").isEqualTo(1);
        assertThat(plan.rewrite().removed()).hasSize(1);
      }
      assertThat(rows(workspace))
          .containsExactly("1 a", "2 b", "3 c", "4 d", "5 E", "6 f", "7 g", "8 h", "9 i");
    }
  }

  @Test
  void deletesKeyChangesAndAKeyInSeveralFilesReadAsAFullRewrite() throws Exception {
    load("(1, 'a', false), (2, 'b', false), (3, 'c', false)", "");
    // an append puts key 1 in a second file
    load("(1, 'a again'), (4, 'd')", "append: true\n      columns: id, name");
    load("(5, 'e', false), (6, 'f', false)", "");
    Set<String> untouched = addedFiles();
    // 1 updated (two files), 2 deleted, 3 renamed to 30, 7 inserted, 8 deleted though absent
    load(
        "(1, 'one', false), (2, NULL, true), (3, NULL, true), (30, 'c', false), (7, 'g', false),"
            + " (8, NULL, true)",
        "");
    try (Workspace workspace = Workspace.open(project)) {
      Table table = workspace.lake().loadTable(PEOPLE);
      Snapshot merge = table.currentSnapshot();
      assertThat(merge.summary())
          .containsEntry("added-data-files", "1")
          .containsEntry("deleted-data-files", "2")
          .containsEntry("total-data-files", "2");
      Set<String> files = new HashSet<>();
      table.newScan().planFiles().forEach(task -> files.add(task.file().location()));
      assertThat(files).containsAll(untouched);
      // what the whole-table rewrite (staged rows, plus the table's rows of other keys) gives
      assertThat(rows(workspace)).containsExactly("1 one", "4 d", "5 e", "6 f", "7 g", "30 c");
    }
  }

  @Test
  void untouchedFilesReadANewColumnAsNull() throws Exception {
    load("(1, 'a', false), (2, 'b', false)", "");
    load("(3, 'c', false)", "");
    load("(3, 'C', false, 10)", "columns: id, name, deleted, extra");
    try (Workspace workspace = Workspace.open(project)) {
      Table table = workspace.lake().loadTable(PEOPLE);
      assertThat(table.currentSnapshot().summary())
          .containsEntry("deleted-data-files", "1")
          .containsEntry("total-data-files", "2");
      assertThat(
              rows(
                  workspace,
                  "SELECT id || ' ' || name || ' ' || coalesce(CAST(extra AS VARCHAR), '-')"))
          .containsExactly("1 a -", "2 b -", "3 C 10");
    }
  }

  @Test
  void aMergeWhoseCheckFailsPublishesNothing() throws Exception {
    String checks = "\n    columns:\n      - name: name\n        checks: [not_null]";
    load("(1, 'a', false), (2, 'b', false)", "", checks);
    load("(3, 'c', false)", "", checks);
    // audited and published: the first file rewritten
    load("(2, 'B', false)", "", checks);
    long published;
    try (Workspace workspace = Workspace.open(project)) {
      Table table = workspace.lake().loadTable(PEOPLE);
      published = table.currentSnapshot().snapshotId();
      assertThat(table.currentSnapshot().summary()).containsEntry("deleted-data-files", "1");
      assertThat(rows(workspace)).containsExactly("1 a", "2 B", "3 c");
    }
    writeProject("(3, NULL, false), (4, 'd', false)", "", checks);
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(result.succeeded()).isFalse();
      assertThat(result.steps().get(0).status()).isEqualTo(StepStatus.FAILED);
      Table table = workspace.lake().loadTable(PEOPLE);
      assertThat(table.currentSnapshot().snapshotId()).isEqualTo(published);
      assertThat(table.refs()).containsOnlyKeys("main");
      assertThat(rows(workspace)).containsExactly("1 a", "2 B", "3 c");
    }
  }

  @Test
  void manyStagedKeysPruneByTheirRange() {
    try (Workspace workspace = Workspace.open(writeMinimalProject());
        EngineSession session = workspace.engine().openSession()) {
      org.apache.iceberg.Schema schema =
          new org.apache.iceberg.Schema(
              org.apache.iceberg.types.Types.NestedField.optional(
                  1, "id", org.apache.iceberg.types.Types.LongType.get()));
      session.createTemporaryTable("few", "SELECT range AS id FROM range(3)");
      assertThat(FileMerge.keyFilter(session, schema, "few", List.of("id")).toString())
          .isEqualTo("ref(name=\"id\") in (0, 1, 2)");
      session.createTemporaryTable(
          "many", "SELECT range AS id FROM range(" + (FileMerge.MAX_LISTED_KEYS + 1) + ")");
      assertThat(FileMerge.keyFilter(session, schema, "many", List.of("id")).toString())
          .isEqualTo("(ref(name=\"id\") >= 0 and ref(name=\"id\") <= 10000)");
      session.createTemporaryTable("nulls", "SELECT NULL::BIGINT AS id");
      assertThat(FileMerge.keyFilter(session, schema, "nulls", List.of("id")).toString())
          .isEqualTo("true");
    }
  }

  private Path writeMinimalProject() {
    try {
      write(project, "sluice.yaml", "name: shop\n");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return project;
  }

  /**
   * Another run commits between the merge's read and its commit: the merge fails as transient (the
   * executor retries it), keeps nothing of its own, and the other run's rows stay; the retry then
   * merges on top of them. Both commit paths: straight to main (no checks) and through the audit
   * branch.
   */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aCommitBetweenReadAndCommitFailsTheMergeAsTransient(boolean audited) throws Exception {
    load("(1, 'a', false), (2, 'b', false)", "");
    load("(3, 'c', false)", "");
    List<CheckDef> checks =
        audited
            ? List.of(
                new CheckDef(
                    "not_null",
                    "name_not_null",
                    "name",
                    Map.of(),
                    Severity.ERROR,
                    Location.of("sources/shop.yaml")))
            : List.of();
    try (Workspace workspace = Workspace.open(project);
        EngineSession session = workspace.engine().openSession()) {
      CheckRunner checkRunner = new CheckRunner(name -> null, check -> null);
      session.createTemporaryTable(
          "staged", "SELECT * FROM (VALUES (2, 'B'), (4, 'd')) AS staged(id, name)");
      FileMerge.Plan stale =
          FileMerge.plan(
              workspace.lake(), session, PEOPLE, "staged", List.of("id"), "SELECT * FROM staged");
      // the other run appends a row of key 2 after the merge read the table
      new AuditedWrite(workspace.lake(), session, checkRunner)
          .write(
              PEOPLE,
              "SELECT 2 AS id, 'b from another run' AS name",
              SchemaChange.UNION,
              WriteOperation.append(),
              Map.of(),
              Map.of(),
              Map.of(),
              List.of(),
              "other");
      assertThatThrownBy(() -> merge(workspace, session, stale, checks))
          .isInstanceOf(TransientException.class)
          .hasMessageContaining("was changed by another run");
      assertThat(rows(workspace)).containsExactly("1 a", "2 b", "2 b from another run", "3 c");
      assertThat(workspace.lake().loadTable(PEOPLE).refs()).containsOnlyKeys("main");

      FileMerge.Plan retry =
          FileMerge.plan(
              workspace.lake(), session, PEOPLE, "staged", List.of("id"), "SELECT * FROM staged");
      merge(workspace, session, retry, checks);
      assertThat(rows(workspace)).containsExactly("1 a", "2 B", "3 c", "4 d");
      assertThat(workspace.lake().loadTable(PEOPLE).currentSnapshot().summary())
          .containsEntry("deleted-data-files", "2")
          .containsEntry("sluice.run-id", "retry");
    }
  }

  private static void merge(
      Workspace workspace, EngineSession session, FileMerge.Plan plan, List<CheckDef> checks) {
    AuditedWrite.Outcome outcome =
        new AuditedWrite(workspace.lake(), session, new CheckRunner(name -> null, check -> null))
            .write(
                PEOPLE,
                plan.rows(),
                SchemaChange.UNION,
                WriteOperation.rewriteFiles(plan.rewrite()),
                Map.of(),
                Map.of(),
                Map.of("sluice.run-id", "retry"),
                checks,
                "audit");
    assertThat(outcome.published()).isTrue();
  }

  /** The data files the table's current snapshot added. */
  private Set<String> addedFiles() {
    try (Workspace workspace = Workspace.open(project)) {
      Table table = workspace.lake().loadTable(PEOPLE);
      return paths(SnapshotChanges.builderFor(table).build().addedDataFiles());
    }
  }

  private static Set<String> paths(Iterable<? extends ContentFile<?>> files) {
    Set<String> paths = new HashSet<>();
    files.forEach(file -> paths.add(file.location()));
    return paths;
  }

  private void load(String changes, String options) throws IOException {
    load(changes, options, "");
  }

  private void load(String changes, String options, String tableExtras) throws IOException {
    writeProject(changes, options, tableExtras);
    try (Workspace workspace = Workspace.open(project)) {
      RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(result.succeeded()).as(String.valueOf(result.steps())).isTrue();
    }
  }

  private void writeProject(String changes, String options, String tableExtras) throws IOException {
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
              %s%s
        """
            .formatted(changes, options, tableExtras));
  }

  private static List<String> rows(Workspace workspace) {
    return rows(workspace, "SELECT id || ' ' || name");
  }

  private static List<String> rows(Workspace workspace, String select) {
    QueryResult result =
        new QueryService(workspace)
            .query(select + " FROM raw.shop_people ORDER BY id, name", ReadPoint.main(), 100);
    List<String> rows = new ArrayList<>();
    for (List<Object> row : result.rows()) {
      rows.add(String.valueOf(row.get(0)));
    }
    return rows;
  }
}
