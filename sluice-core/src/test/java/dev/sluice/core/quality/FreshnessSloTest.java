package dev.sluice.core.quality;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.InvalidInputException;
import dev.sluice.core.Workspace;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.Runner;
import dev.sluice.core.state.FreshnessBreaches;
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

/**
 * Freshness SLOs judged from real runs (DuckDB, Iceberg, the SQLite state database) on a clock the
 * test moves: by the last successful write, or by the newest value of {@code loaded_at_field};
 * breaches are recorded once, and closed by the write that makes the asset fresh again.
 */
class FreshnessSloTest {
  private static final Instant T0 = Instant.parse("2026-11-02T00:00:00Z");

  @TempDir Path project;

  /** A clock that stays where the test puts it. */
  private static final class TestClock extends Clock {
    private Instant now;

    TestClock(Instant now) {
      this.now = now;
    }

    void set(Instant instant) {
      now = instant;
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

  private void writeProject(String freshness, String csv) throws IOException {
    write(project, "sluice.yaml", "name: shop\n");
    write(project, "data/orders.csv", csv);
    write(
        project,
        "sources/shop.yaml",
        "tables:\n  - name: orders\n    path: data/orders.csv\n" + freshness);
  }

  private static void run(Workspace workspace, TestClock clock, Instant at) {
    clock.set(at);
    assertThat(new Runner(workspace, clock).run(RunOptions.all(), RunListener.NONE).succeeded())
        .isTrue();
  }

  @Test
  void aLateLoadIsABreachRecordedOnceAndClosedByTheNextWrite() throws Exception {
    writeProject(
        "    freshness: {warn_after: 2h, error_after: 6h}\n    slo: {fresh: 90%, window: 1d}\n",
        "id\n1\n2\n");
    TestClock clock = new TestClock(T0);
    try (Workspace workspace = Workspace.open(project)) {
      FreshnessSlos slos = new FreshnessSlos(workspace.project(), workspace.runStore());
      assertThat(slos.evaluate(T0).get(0).result().state())
          .isEqualTo(FreshnessTimeline.State.NEVER_LOADED);
      run(workspace, clock, T0);
      // new data an hour later (with the file unchanged, the second run recorded no write)
      write(project, "data/orders.csv", "id\n1\n2\n3\n");
      run(workspace, clock, T0.plus(Duration.ofHours(1)));

      Instant late = T0.plus(Duration.ofHours(10));
      FreshnessSlos.AssetFreshness stale = slos.evaluate(late).get(0);
      assertThat(stale.asset()).isEqualTo("shop.orders");
      assertThat(stale.tier()).isEqualTo(FreshnessSlos.NO_TIER);
      assertThat(stale.result().state()).isEqualTo(FreshnessTimeline.State.ERROR);
      assertThat(stale.result().age()).isEqualTo(Duration.ofHours(9));
      // older than 6h from 7h on: 3 of the 10 hours observed
      assertThat(stale.result().stale()).isEqualTo(Duration.ofHours(3));
      assertThat(stale.result().attainment())
          .isCloseTo(0.7, org.assertj.core.api.Assertions.within(1e-9));
      assertThat(stale.breached()).isTrue();
      slos.evaluate(late.plusSeconds(60)); // evaluated again: the same breaches, not new ones

      List<FreshnessBreaches.Breach> open =
          workspace.runStore().freshnessBreaches().since("shop.orders", T0);
      assertThat(open)
          .extracting(FreshnessBreaches.Breach::level, FreshnessBreaches.Breach::startedAt)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("warn", T0.plus(Duration.ofHours(3))),
              org.assertj.core.groups.Tuple.tuple("error", T0.plus(Duration.ofHours(7))));
      assertThat(open).allSatisfy(breach -> assertThat(breach.endedAt()).isNull());
      assertThat(open.get(1).detail()).contains("older than its error_after 6h");

      Instant reloaded = T0.plus(Duration.ofHours(11));
      write(project, "data/orders.csv", "id\n1\n2\n3\n4\n");
      run(workspace, clock, reloaded);
      FreshnessSlos.AssetFreshness fresh = slos.evaluate(reloaded.plusSeconds(60)).get(0);
      assertThat(fresh.result().state()).isEqualTo(FreshnessTimeline.State.FRESH);
      assertThat(workspace.runStore().freshnessBreaches().since("shop.orders", T0))
          .hasSize(2)
          .allSatisfy(breach -> assertThat(breach.endedAt()).isEqualTo(reloaded));
    }
  }

  @Test
  void loadedAtFieldJudgesByTheDataAndAnUnknownOneIsAnErrorAtItsLine() throws Exception {
    writeProject(
        "    freshness: {warn_after: 2h, loaded_at_field: updated_at}\n",
        "id,updated_at\n1,2026-11-01 20:00:00\n2,2026-11-01 22:00:00\n");
    TestClock clock = new TestClock(T0);
    try (Workspace workspace = Workspace.open(project)) {
      run(workspace, clock, T0);
      FreshnessSlos.AssetFreshness judged =
          new FreshnessSlos(workspace.project(), workspace.runStore())
              .evaluate("shop.orders", T0.plus(Duration.ofMinutes(30)))
              .orElseThrow();
      // just written, but its newest row is from 22:00 the day before
      assertThat(judged.result().newestData()).isEqualTo(Instant.parse("2026-11-01T22:00:00Z"));
      assertThat(judged.result().state()).isEqualTo(FreshnessTimeline.State.WARN);
      assertThat(judged.result().attainment()).isNull();
    }
    writeProject(
        "    freshness: {warn_after: 2h, loaded_at_field: loaded}\n",
        "id,updated_at\n1,2026-11-01 20:00:00\n");
    try (Workspace workspace = Workspace.open(project)) {
      FreshnessSlos slos = new FreshnessSlos(workspace.project(), workspace.runStore());
      assertThatThrownBy(() -> slos.evaluate(T0))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("sources/shop.yaml:4")
          .hasMessageContaining("Unknown column 'loaded' in loaded_at_field of shop.orders")
          .hasMessageContaining("id, updated_at");
    }
  }
}
