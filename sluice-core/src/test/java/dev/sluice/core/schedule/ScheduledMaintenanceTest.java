package dev.sluice.core.schedule;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.ProjectException;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.core.Workspace;
import dev.sluice.core.maintain.RetentionOutcome;
import dev.sluice.core.project.Project;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.Runner;
import dev.sluice.core.schedule.Scheduler.Kind;
import dev.sluice.core.schedule.Scheduler.ScheduledMaintenance;
import dev.sluice.core.schedule.Scheduler.Trigger;
import dev.sluice.core.schedule.SchedulerTest.TestClock;
import dev.sluice.core.state.AuditAction;
import dev.sluice.core.state.AuditFilter;
import dev.sluice.core.state.AuditRecord;
import dev.sluice.lake.ReadPoint;
import dev.sluice.lake.TableScanFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code maintenance: schedule} under the scheduler: retention and the other maintenance operations
 * run on the tables whose schedule is due, a table's own schedule over sluice.yaml's, missed ticks
 * once, and every change in the audit log.
 */
class ScheduledMaintenanceTest {
  private static final TableName EVENTS = new TableName("raw", "shop_events");
  private static final TableName CLICKS = new TableName("raw", "shop_clicks");

  @TempDir Path project;

  private void writeProject(String maintenance) throws IOException {
    write(project, "sluice.yaml", "name: kept\n" + maintenance);
    write(
        project,
        "sources/shop.yaml",
        """
        connector: file
        tables:
          - name: events
            path: data/events/*.csv
            mode: append
            retention: {column: event_time, keep: 30d}
            columns:
              - {name: id, type: bigint}
              - {name: event_time, type: timestamp}
          - name: clicks
            path: data/clicks/*.csv
            mode: append
            retention: {column: event_time, keep: 30d}
            maintenance: {schedule: "0 * * * *"}
            columns:
              - {name: id, type: bigint}
              - {name: event_time, type: timestamp}
        """);
    String rows = "id,event_time\n1,2026-01-01 10:00:00\n2,2026-12-05 10:00:00\n";
    write(project, "data/events/a.csv", rows);
    write(project, "data/clicks/a.csv", rows);
  }

  @Test
  void theSchedulerMaintainsTheTablesWhoseScheduleIsDue() throws Exception {
    writeProject("maintenance: {schedule: \"0 3 * * *\", keep_snapshots: 1d, min_snapshots: 1}\n");
    TestClock clock = new TestClock(Instant.parse("2026-12-06T10:00:00Z"));
    try (Workspace workspace = Workspace.open(Project.load(project), clock, "scheduler")) {
      assertThat(new Runner(workspace, clock).run(RunOptions.all(), RunListener.NONE).succeeded())
          .isTrue();
      Scheduler scheduler = new Scheduler(workspace, "a", clock, Duration.ofMinutes(1));
      assertThat(scheduler.evaluate()).as("first sight: nothing from the past").isEmpty();

      // the hourly schedule of clicks is due; the nightly one of sluice.yaml is not
      clock.set(Instant.parse("2026-12-06T11:00:30Z"));
      Trigger hourly = maintenanceTrigger(scheduler.evaluate());
      assertThat(hourly.tick()).isEqualTo(Instant.parse("2026-12-06T11:00:00Z"));
      assertThat(hourly.select()).containsExactly(CLICKS.toString());
      ScheduledMaintenance done = scheduler.maintain(hourly);
      assertThat(done.retention())
          .singleElement()
          .satisfies(
              outcome -> {
                assertThat(outcome.table()).isEqualTo(CLICKS);
                assertThat(outcome.rowsDeleted()).isEqualTo(1);
              });
      assertThat(ids(workspace, CLICKS)).containsExactly(2L);
      assertThat(ids(workspace, EVENTS)).as("not due yet").containsExactly(1L, 2L);
      assertThat(scheduler.evaluate()).as("nothing new due").isEmpty();

      // the server was down from 11:00 to the next morning: each schedule runs once
      clock.set(Instant.parse("2026-12-07T05:10:00Z"));
      Trigger nightly = maintenanceTrigger(scheduler.evaluate());
      assertThat(nightly.tick()).isEqualTo(Instant.parse("2026-12-07T05:00:00Z"));
      assertThat(nightly.select()).containsExactlyInAnyOrder(EVENTS.toString(), CLICKS.toString());
      done = scheduler.maintain(nightly);
      assertThat(done.retention())
          .extracting(RetentionOutcome::table, RetentionOutcome::rowsDeleted)
          .containsExactlyInAnyOrder(
              org.assertj.core.groups.Tuple.tuple(EVENTS, 1L),
              org.assertj.core.groups.Tuple.tuple(CLICKS, 0L));
      assertThat(done.tables())
          .as("the other operations ran on both tables")
          .hasSize(2)
          .allSatisfy(report -> assertThat(report.expiry()).isNotNull());
      assertThat(ids(workspace, EVENTS)).containsExactly(2L);
      assertThat(scheduler.evaluate()).isEmpty();

      List<AuditRecord> audited =
          workspace
              .runStore()
              .audit()
              .records(AuditFilter.all().withAction(AuditAction.MAINTENANCE));
      assertThat(audited)
          .filteredOn(record -> record.details().contains("\"operation\":\"retention\""))
          .extracting(AuditRecord::tables)
          .containsExactlyInAnyOrder(List.of(CLICKS.toString()), List.of(EVENTS.toString()));
      assertThat(audited)
          .allSatisfy(record -> assertThat(record.principal()).isEqualTo("scheduler"));
    }
  }

  @Test
  void aSchedulerWithoutTheLeaseMaintainsNothing() throws Exception {
    writeProject("maintenance: {schedule: \"0 * * * *\"}\n");
    TestClock clock = new TestClock(Instant.parse("2026-12-06T10:00:00Z"));
    try (Workspace workspace = Workspace.open(Project.load(project), clock, "scheduler")) {
      assertThat(new Runner(workspace, clock).run(RunOptions.all(), RunListener.NONE).succeeded())
          .isTrue();
      Scheduler leader = new Scheduler(workspace, "a", clock, Duration.ofHours(2));
      Scheduler other = new Scheduler(workspace, "b", clock, Duration.ofHours(2));
      assertThat(leader.evaluate()).isEmpty();
      clock.set(Instant.parse("2026-12-06T11:00:30Z"));
      assertThat(other.evaluate()).as("the lease is held by a").isEmpty();
      assertThat(maintenanceTrigger(leader.evaluate()).select())
          .containsExactlyInAnyOrder(EVENTS.toString(), CLICKS.toString());
    }
  }

  @Test
  void aBadMaintenanceScheduleIsAProjectErrorAtItsLine() throws Exception {
    writeProject("maintenance:\n  schedule: \"every night\"\n");
    assertThatThrownBy(() -> Project.load(project))
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining("sluice.yaml:3")
        .hasMessageContaining("Invalid cron expression 'every night'")
        .hasMessageContaining("30 2 * * *");

    writeProject("maintenance:\n  schedule: \"0 3 * * *\"\n  time_zone: Mars/Olympus\n");
    assertThatThrownBy(() -> Project.load(project))
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining("sluice.yaml:4")
        .hasMessageContaining("Unknown time zone 'Mars/Olympus'");

    writeProject("maintenance:\n  time_zone: Europe/Berlin\n");
    assertThatThrownBy(() -> Project.load(project))
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining("sluice.yaml:3")
        .hasMessageContaining("has no 'schedule'");
  }

  @Test
  void theScheduleIsReadInItsTimeZone() throws Exception {
    writeProject("maintenance: {schedule: \"0 3 * * *\", time_zone: Europe/Berlin}\n");
    TestClock clock = new TestClock(Instant.parse("2026-12-06T10:00:00Z"));
    try (Workspace workspace = Workspace.open(Project.load(project), clock, "scheduler")) {
      assertThat(new Runner(workspace, clock).run(RunOptions.all(), RunListener.NONE).succeeded())
          .isTrue();
      Scheduler scheduler = new Scheduler(workspace, "a", clock, Duration.ofHours(48));
      scheduler.evaluate();
      clock.set(Instant.parse("2026-12-07T01:59:00Z"));
      assertThat(scheduler.evaluate())
          .filteredOn(trigger -> trigger.select().contains(EVENTS.toString()))
          .isEmpty();
      clock.set(Instant.parse("2026-12-07T02:00:30Z"));
      assertThat(maintenanceTrigger(scheduler.evaluate()).select()).contains(EVENTS.toString());
    }
  }

  private static Trigger maintenanceTrigger(List<Trigger> triggers) {
    assertThat(triggers).singleElement().extracting(Trigger::kind).isEqualTo(Kind.MAINTENANCE);
    return triggers.get(0);
  }

  private static List<Long> ids(Workspace workspace, TableName table) {
    TableScanFiles files = workspace.lake().scan(table, ReadPoint.main());
    try (EngineSession session = workspace.engine().openSession()) {
      session.registerTable(table, files.schema(), files.dataFiles(), files.columnMapping());
      return session.query("SELECT id FROM " + table.quoted() + " ORDER BY id", 100).rows().stream()
          .map(row -> ((Number) row.get(0)).longValue())
          .toList();
    }
  }
}
