package dev.sluice.core.schedule;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.ProjectException;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.Project;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunResult;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Schedules evaluated with a clock the test moves; one scheduler at a time holds the lease. */
class SchedulerTest {
  @TempDir Path project;

  /** A clock the test sets. */
  static final class TestClock extends Clock {
    private Instant now;

    TestClock(Instant now) {
      this.now = now;
    }

    void set(Instant instant) {
      now = instant;
    }

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private void writeProject(String schedules) throws IOException {
    write(project, "sluice.yaml", "name: scheduled\nschedules:\n" + schedules);
    write(project, "models/curated/hello.sql", "select 1 as x\n");
    write(project, "models/curated/other.sql", "select 2 as y\n");
  }

  private static List<Instant> ticks(List<Scheduler.Trigger> triggers) {
    return triggers.stream().map(Scheduler.Trigger::tick).toList();
  }

  @Test
  void hourlyScheduleWithEachCatchUpPolicy() throws IOException {
    writeProject(
        """
          - {name: latest, cron: "0 * * * *", select: [hello]}
          - {name: all, cron: "0 * * * *", catch_up: all}
          - {name: skip, cron: "0 * * * *", catch_up: skip}
        """);
    TestClock clock = new TestClock(Instant.parse("2026-03-01T10:20:00Z"));
    try (Workspace workspace = Workspace.open(project)) {
      Scheduler scheduler = new Scheduler(workspace, "a", clock, Duration.ofMinutes(1));
      assertThat(scheduler.evaluate()).as("first sight: nothing from the past").isEmpty();

      clock.set(Instant.parse("2026-03-01T11:00:30Z"));
      List<Scheduler.Trigger> onTime = scheduler.evaluate();
      assertThat(onTime)
          .extracting(Scheduler.Trigger::schedule)
          .containsExactlyInAnyOrder("latest", "all", "skip");
      assertThat(onTime)
          .allSatisfy(t -> assertThat(t.tick()).isEqualTo(Instant.parse("2026-03-01T11:00:00Z")));
      assertThat(
              onTime.stream()
                  .filter(t -> t.schedule().equals("latest"))
                  .findFirst()
                  .orElseThrow()
                  .select())
          .containsExactly("hello");
      assertThat(scheduler.evaluate()).as("nothing new due").isEmpty();

      // the scheduler was down from 11:00:30 to 15:30: four ticks were missed
      clock.set(Instant.parse("2026-03-01T15:30:00Z"));
      List<Scheduler.Trigger> late = scheduler.evaluate();
      assertThat(ticks(late.stream().filter(t -> t.schedule().equals("all")).toList()))
          .containsExactly(
              Instant.parse("2026-03-01T12:00:00Z"),
              Instant.parse("2026-03-01T13:00:00Z"),
              Instant.parse("2026-03-01T14:00:00Z"),
              Instant.parse("2026-03-01T15:00:00Z"));
      assertThat(ticks(late.stream().filter(t -> t.schedule().equals("latest")).toList()))
          .containsExactly(Instant.parse("2026-03-01T15:00:00Z"));
      assertThat(late).noneMatch(t -> t.schedule().equals("skip"));
    }
  }

  @Test
  void cronIsReadInTheScheduleTimeZone() throws IOException {
    writeProject("  - {name: nightly, cron: \"0 2 * * *\", time_zone: Europe/Berlin}\n");
    TestClock clock = new TestClock(Instant.parse("2026-01-10T12:00:00Z"));
    try (Workspace workspace = Workspace.open(project)) {
      Scheduler scheduler = new Scheduler(workspace, "a", clock, Duration.ofMinutes(1));
      scheduler.evaluate();
      clock.set(Instant.parse("2026-01-11T00:59:00Z"));
      assertThat(scheduler.evaluate()).isEmpty();
      clock.set(Instant.parse("2026-01-11T01:00:10Z"));
      assertThat(ticks(scheduler.evaluate()))
          .containsExactly(Instant.parse("2026-01-11T01:00:00Z"));
      // summer time: 02:00 in Berlin is 00:00 UTC
      clock.set(Instant.parse("2026-07-01T00:00:20Z"));
      assertThat(ticks(scheduler.evaluate()))
          .containsExactly(Instant.parse("2026-07-01T00:00:00Z"));
    }
  }

  @Test
  void onlyTheLeaseHolderActsAndAnotherTakesOverWhenItStops() throws IOException {
    writeProject("  - {name: minutely, cron: \"* * * * *\"}\n");
    TestClock clock = new TestClock(Instant.parse("2026-03-01T10:00:00Z"));
    try (Workspace first = Workspace.open(project);
        Workspace second = Workspace.open(project)) {
      Scheduler a = new Scheduler(first, "host-a:1", clock, Duration.ofSeconds(90));
      Scheduler b = new Scheduler(second, "host-b:2", clock, Duration.ofSeconds(90));
      a.evaluate();
      clock.advance(Duration.ofSeconds(61));
      assertThat(b.evaluate())
          .as("b stands by: a's lease is not renewed yet, but not expired")
          .isEmpty();
      assertThat(a.evaluate()).hasSize(1);
      clock.advance(Duration.ofSeconds(20));
      assertThat(b.takeLease()).isFalse();
      // a dies: it stops renewing; after the lease expires b takes over and catches up
      clock.advance(Duration.ofSeconds(75));
      List<Scheduler.Trigger> takenOver = b.evaluate();
      assertThat(takenOver).hasSize(1);
      assertThat(a.takeLease()).isFalse();
    }
  }

  @Test
  void firingATriggerRunsTheSelectionAndNamesTheSchedule() throws IOException {
    writeProject("  - {name: hourly, cron: \"0 * * * *\", select: [hello]}\n");
    try (Workspace workspace = Workspace.open(project)) {
      Scheduler scheduler = new Scheduler(workspace, "a", Clock.systemUTC(), Duration.ofMinutes(1));
      RunResult result =
          scheduler.fire(
              new Scheduler.Trigger(
                  "hourly", Instant.parse("2026-03-01T11:00:00Z"), List.of("hello")),
              RunListener.NONE);
      assertThat(result.succeeded()).isTrue();
      assertThat(result.steps()).extracting(s -> s.asset()).containsExactly("hello");
      assertThat(
              workspace.runStore().runs().findRun(result.runId()).orElseThrow().summary().command())
          .isEqualTo("schedule hourly @ 2026-03-01T11:00:00Z");
    }
  }

  @Test
  void badSchedulesAreProjectErrorsWithLines() throws IOException {
    writeProject(
        """
          - {name: broken, cron: "61 * * * *"}
          - {name: zoned, cron: "0 * * * *", time_zone: Mars/Olympus}
          - {name: policy, cron: "0 * * * *", catch_up: sometimes}
        """);
    assertThatThrownBy(() -> Project.load(project))
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining("sluice.yaml:3")
        .hasMessageContaining("Invalid cron expression")
        .hasMessageContaining("Unknown time zone 'Mars/Olympus'")
        .hasMessageContaining("Unknown catch_up 'sometimes'");
  }

  @Test
  void repeatedAndMissingNamesOfSchedulesAndSensorsAreProjectErrorsWithLines() throws IOException {
    write(
        project,
        "sluice.yaml",
        """
        name: scheduled
        schedules:
          - {name: hourly, cron: "0 * * * *"}
          - {name: hourly, cron: "30 * * * *"}
          - {cron: "0 0 * * *"}
        sensors:
          - {name: fresh, type: freshness, select: [hello], max_age: 60m}
          - {name: fresh, type: upstream_updated, select: [hello]}
          - {type: freshness, select: [hello], max_age: 60m}
        """);
    assertThatThrownBy(() -> Project.load(project))
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining("sluice.yaml:4")
        .hasMessageContaining("Schedule 'hourly' is declared twice")
        .hasMessageContaining("sluice.yaml:5")
        .hasMessageContaining("Missing 'name' in a schedule")
        .hasMessageContaining("sluice.yaml:8")
        .hasMessageContaining("Sensor 'fresh' is declared twice")
        .hasMessageContaining("sluice.yaml:9")
        .hasMessageContaining("Missing 'name' in a sensor");
  }
}
