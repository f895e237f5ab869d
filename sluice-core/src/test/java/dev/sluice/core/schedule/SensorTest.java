package dev.sluice.core.schedule;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Workspace;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.Runner;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Data-aware sensors: upstream updated, and freshness. */
class SensorTest {
  @TempDir Path project;

  @Test
  void sensorsFireOnNewUpstreamDataAndOnStaleAssets() throws Exception {
    write(
        project,
        "sluice.yaml",
        """
        name: sensors
        sensors:
          - {name: marts_follow, type: upstream_updated, select: [mart], min_interval: 5m}
          - {name: mart_fresh, type: freshness, select: [mart], max_age: 60m}
        """);
    write(project, "models/curated/base.sql", "select 1 as x\n");
    write(project, "models/published/mart.sql", "select * from {{ ref('base') }}\n");
    SchedulerTest.TestClock clock = new SchedulerTest.TestClock(Instant.now());
    try (Workspace workspace = Workspace.open(project)) {
      Scheduler scheduler = new Scheduler(workspace, "a", clock, Duration.ofMinutes(10));
      List<Scheduler.Trigger> unbuilt = scheduler.evaluate();
      assertThat(unbuilt).extracting(Scheduler.Trigger::schedule).containsExactly("mart_fresh");
      assertThat(unbuilt.get(0).select()).containsExactly("+mart");
      scheduler.fire(unbuilt.get(0), RunListener.NONE);
      long martBuilt = System.currentTimeMillis();

      clock.advance(Duration.ofMinutes(10));
      assertThat(scheduler.evaluate()).as("everything built and fresh").isEmpty();

      // base's next snapshot is stamped (by Iceberg, on the wall clock) later than mart's
      dev.sluice.core.testing.WallClock.awaitPast(martBuilt);
      new Runner(workspace).run(new RunOptions(List.of("base"), false), RunListener.NONE);
      clock.set(Instant.now());
      List<Scheduler.Trigger> updated = scheduler.evaluate();
      assertThat(updated).extracting(Scheduler.Trigger::schedule).containsExactly("marts_follow");
      assertThat(updated.get(0).select()).containsExactly("mart");
      assertThat(scheduler.evaluate()).as("min_interval").isEmpty();
      clock.advance(Duration.ofMinutes(6));
      assertThat(scheduler.evaluate()).as("still behind, interval passed").hasSize(1);
      scheduler.fire(updated.get(0), RunListener.NONE);
      clock.advance(Duration.ofMinutes(6));
      assertThat(scheduler.evaluate()).as("caught up").isEmpty();

      clock.advance(Duration.ofHours(2));
      assertThat(scheduler.evaluate())
          .extracting(Scheduler.Trigger::schedule)
          .containsExactly("mart_fresh");
    }
  }

  @Test
  void newDataSensorFiresForNewOrChangedFiles() throws Exception {
    write(
        project,
        "sluice.yaml",
        "name: arrivals\nsensors:\n  - {name: arrivals, type: new_data, select: [app.events], min_interval: 1m}\n");
    write(
        project,
        "sources/app.yaml",
        "connector: file\ntables:\n  - name: events\n    path: data/*.csv\n    mode: append\n");
    write(project, "data/1.csv", "id\n1\n");
    write(project, "models/curated/events.sql", "select * from {{ source('app', 'events') }}\n");
    SchedulerTest.TestClock clock = new SchedulerTest.TestClock(Instant.now());
    try (Workspace workspace = Workspace.open(project)) {
      Scheduler scheduler = new Scheduler(workspace, "a", clock, Duration.ofMinutes(10));
      List<Scheduler.Trigger> first = scheduler.evaluate();
      assertThat(first).hasSize(1);
      assertThat(first.get(0).select()).containsExactly("app.events+");
      assertThat(scheduler.fire(first.get(0), RunListener.NONE).steps())
          .extracting(step -> step.asset())
          .containsExactly("app.events", "events");

      clock.advance(Duration.ofMinutes(2));
      assertThat(scheduler.evaluate()).as("everything loaded").isEmpty();

      write(project, "data/2.csv", "id\n2\n");
      clock.advance(Duration.ofMinutes(2));
      assertThat(scheduler.evaluate()).hasSize(1);
    }
  }
}
