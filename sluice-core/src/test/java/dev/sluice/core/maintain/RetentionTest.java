package dev.sluice.core.maintain;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.ProjectException;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.Project;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.Runner;
import dev.sluice.core.state.AuditAction;
import dev.sluice.core.state.AuditFilter;
import dev.sluice.core.state.AuditRecord;
import dev.sluice.lake.ReadPoint;
import dev.sluice.lake.TableScanFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention deletes expired rows in one commit per table, and time travel cannot bring them back:
 * the snapshots before the delete are expired and the files that held the rows are gone from disk.
 */
class RetentionTest {
  private static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final TableName EVENTS = new TableName("raw", "shop_events");

  @TempDir Path project;

  private void source(String retention) throws IOException {
    write(project, "sluice.yaml", "name: kept\n");
    write(
        project,
        "sources/shop.yaml",
        "connector: file\n"
            + "tables:\n"
            + "  - name: events\n"
            + "    path: data/*.csv\n"
            + "    mode: append\n"
            + retention
            + "    columns:\n"
            + "      - {name: id, type: bigint}\n"
            + "      - {name: event_time, type: timestamp}\n");
  }

  @Test
  void deletesExpiredRowsAndTheFilesAndSnapshotsThatHeldThem() throws Exception {
    source("    retention: {column: event_time, keep: 30d}\n");
    // the first load's file holds expired rows only, the second's one expired row, one kept, one
    // without a time (never expired)
    write(project, "data/a.csv", "id,event_time\n1,2026-01-01 10:00:00\n2,2026-02-01 10:00:00\n");
    try (Workspace workspace = Workspace.open(Project.load(project), CLOCK, "ops")) {
      Runner runner = new Runner(workspace, CLOCK);
      assertThat(runner.run(RunOptions.all(), RunListener.NONE).succeeded()).isTrue();
      TableScanFiles first = workspace.lake().scan(EVENTS, ReadPoint.main());
      write(
          project,
          "data/b.csv",
          "id,event_time\n3,2026-03-01 10:00:00\n4,2026-12-01 10:00:00\n5,\n");
      assertThat(runner.run(RunOptions.all(), RunListener.NONE).succeeded()).isTrue();
      TableScanFiles second = workspace.lake().scan(EVENTS, ReadPoint.main());
      assertThat(first.dataFiles()).hasSize(1);
      assertThat(second.dataFiles()).hasSize(2);
      String expiredOnly = first.dataFiles().get(0);
      String mixed =
          second.dataFiles().stream().filter(file -> !file.equals(expiredOnly)).findFirst().get();

      List<RetentionOutcome> outcomes = new Maintenance(workspace, CLOCK).applyRetention();

      assertThat(outcomes).hasSize(1);
      RetentionOutcome outcome = outcomes.get(0);
      assertThat(outcome.table()).isEqualTo(EVENTS);
      assertThat(outcome.cutoff()).isEqualTo(Instant.parse("2026-11-06T10:00:00Z"));
      assertThat(outcome.rowsDeleted()).isEqualTo(3);
      assertThat(outcome.filesRemoved()).isEqualTo(2);
      assertThat(outcome.filesWritten()).isEqualTo(1);
      assertThat(outcome.snapshotsExpired()).isEqualTo(2);
      assertThat(ids(workspace, ReadPoint.main())).containsExactly(4L, 5L);
      assertThat(workspace.lake().loadTable(EVENTS).snapshots()).hasSize(1);
      // time travel to before the delete fails: those snapshots are gone
      assertThatThrownBy(() -> ids(workspace, ReadPoint.snapshot(first.snapshotId())))
          .hasMessageContaining(Long.toString(first.snapshotId()));
      assertThatThrownBy(() -> ids(workspace, ReadPoint.snapshot(second.snapshotId())))
          .hasMessageContaining(Long.toString(second.snapshotId()));
      // and the files that held expired rows are deleted from disk
      assertThat(Path.of(expiredOnly)).doesNotExist();
      assertThat(Path.of(mixed)).doesNotExist();

      List<AuditRecord> audit =
          workspace.runStore().audit().records(AuditFilter.all().withTable(EVENTS.toString()));
      AuditRecord delete = audit.get(audit.size() - 2);
      assertThat(delete.action()).isEqualTo(AuditAction.COMMIT);
      assertThat(delete.details())
          .contains("\"operation\":\"delete_rows\"", "\"snapshot_id\":" + outcome.snapshotId());
      AuditRecord maintenance = audit.get(audit.size() - 1);
      assertThat(maintenance.action()).isEqualTo(AuditAction.MAINTENANCE);
      assertThat(maintenance.principal()).isEqualTo("ops");
      assertThat(maintenance.details())
          .contains("\"rows_deleted\":3", "\"operation\":\"retention\"", "\"snapshots_expired\":2");

      // nothing more has expired: no commit
      RetentionOutcome again = new Maintenance(workspace, CLOCK).applyRetention().get(0);
      assertThat(again.rowsDeleted()).isZero();
      assertThat(again.snapshotId()).isNull();

      // the delete carried the load state: the next append load reads only a new file, it does
      // not load a.csv and b.csv again (their expired rows would come back, the others twice)
      write(project, "data/c.csv", "id,event_time\n6,2026-12-05 10:00:00\n");
      assertThat(runner.run(RunOptions.all(), RunListener.NONE).succeeded()).isTrue();
      assertThat(ids(workspace, ReadPoint.main())).containsExactly(4L, 5L, 6L);
    }
  }

  @Test
  void aZoneRetentionAppliesToTheZonesTablesWithItsColumn() throws Exception {
    source("");
    write(
        project,
        "sluice.yaml",
        "name: kept\nzones:\n  raw:\n    retention: {column: event_time, keep: 2w}\n");
    write(project, "data/a.csv", "id,event_time\n1,2026-01-01 10:00:00\n2,2026-12-05 10:00:00\n");
    write(project, "seeds/countries.csv", "code\nDE\n");
    try (Workspace workspace = Workspace.open(Project.load(project), CLOCK, "ops")) {
      assertThat(new Runner(workspace, CLOCK).run(RunOptions.all(), RunListener.NONE).succeeded())
          .isTrue();

      List<RetentionOutcome> outcomes = new Maintenance(workspace, CLOCK).applyRetention();

      assertThat(outcomes).extracting(RetentionOutcome::table).containsExactly(EVENTS);
      assertThat(outcomes.get(0).rowsDeleted()).isEqualTo(1);
      assertThat(ids(workspace, ReadPoint.main())).containsExactly(2L);
    }
  }

  @Test
  void keepSnapshotsExpiresOldSnapshotsOfTheZone() throws Exception {
    source("");
    write(project, "sluice.yaml", "name: kept\nzones:\n  raw: {keep_snapshots: 1h}\n");
    write(project, "data/a.csv", "id,event_time\n1,2026-01-01 10:00:00\n");
    try (Workspace workspace = Workspace.open(Project.load(project))) {
      Runner runner = new Runner(workspace);
      runner.run(RunOptions.all(), RunListener.NONE);
      long first = workspace.lake().currentSnapshot(EVENTS).orElseThrow().snapshotId();
      write(project, "data/b.csv", "id,event_time\n2,2026-01-02 10:00:00\n");
      runner.run(RunOptions.all(), RunListener.NONE);

      // two hours later, both snapshots are older than keep_snapshots; the current one stays
      Clock later = Clock.offset(Clock.systemUTC(), java.time.Duration.ofHours(2));
      List<SnapshotExpiry> expiries = new Maintenance(workspace, later).expireSnapshots();

      assertThat(expiries).extracting(SnapshotExpiry::table).containsExactly(EVENTS);
      assertThat(expiries.get(0).snapshotsExpired()).isEqualTo(1);
      assertThatThrownBy(() -> ids(workspace, ReadPoint.snapshot(first)))
          .hasMessageContaining(Long.toString(first));
      assertThat(ids(workspace, ReadPoint.main())).containsExactly(1L, 2L);
    }
  }

  @Test
  void aRetentionColumnTheTableLacksIsNamedWithItsFileAndLine() throws Exception {
    write(project, "sluice.yaml", "name: kept\n");
    write(
        project,
        "sources/shop.yaml",
        "connector: file\n"
            + "tables:\n"
            + "  - name: events\n"
            + "    path: data/*.csv\n"
            + "    retention: {column: happened_at, keep: 30d}\n");
    write(project, "data/a.csv", "id,event_time\n1,2026-01-01 10:00:00\n");
    try (Workspace workspace = Workspace.open(Project.load(project), CLOCK, "ops")) {
      new Runner(workspace, CLOCK).run(RunOptions.all(), RunListener.NONE);

      assertThatThrownBy(() -> new Maintenance(workspace, CLOCK).applyRetention())
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("sources/shop.yaml:5")
          .hasMessageContaining("retention column 'happened_at' is not a column of raw.shop_events")
          .hasMessageContaining("id, event_time");
    }
  }

  @Test
  void badRetentionSettingsAreProjectErrorsWithFileAndLine() throws Exception {
    source("    retention: {column: evnt_time, keep: forever}\n");
    write(
        project,
        "sluice.yaml",
        "name: kept\nzones:\n  gold: {keep_snapshots: 7d}\n  raw:\n"
            + "    keep_snapshots: 0d\n    retention: {keeps: 7d}\n");
    write(project, "models/curated/ids.sql", "select id from {{ source('shop', 'events') }}\n");
    write(
        project,
        "models/curated/ids.yaml",
        "models:\n  - name: ids\n    columns:\n      - {name: id, type: bigint}\n"
            + "    retention: {column: id, keep: 7d}\n");

    assertThatThrownBy(() -> Project.load(project))
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining("sluice.yaml:3: Unknown key 'gold' in 'zones:' of sluice.yaml")
        .hasMessageContaining("sluice.yaml:5: 'keep_snapshots' must be a positive age")
        .hasMessageContaining("sluice.yaml:6: Unknown key 'keeps'")
        .hasMessageContaining("Missing 'column' in 'retention:' of zone 'raw'")
        .hasMessageContaining(
            "sources/shop.yaml:6: 'keep' must be a positive age in hours, days or"
                + " weeks, got 'forever'")
        .hasMessageContaining(
            "models/curated/ids.yaml:5: Retention column 'id' of model ids is a" + " bigint");
  }

  @Test
  void aRetentionColumnMissingFromDeclaredColumnsSuggestsTheNearestOne() throws Exception {
    source("    retention: {column: evnt_time, keep: 30d}\n");

    assertThatThrownBy(() -> Project.load(project))
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining(
            "sources/shop.yaml:6: Retention column 'evnt_time' is not a column of source table"
                + " shop.events")
        .hasMessageContaining("event_time");
  }

  private static List<Long> ids(Workspace workspace, ReadPoint point) {
    TableScanFiles files = workspace.lake().scan(EVENTS, point);
    try (EngineSession session = workspace.engine().openSession()) {
      session.registerTable(EVENTS, files.schema(), files.dataFiles(), files.columnMapping());
      return session
          .query("SELECT id FROM " + EVENTS.quoted() + " ORDER BY id", 100)
          .rows()
          .stream()
          .map(row -> ((Number) row.get(0)).longValue())
          .toList();
    }
  }
}
