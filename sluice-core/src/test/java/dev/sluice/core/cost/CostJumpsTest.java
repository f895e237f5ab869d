package dev.sluice.core.cost;

import static java.time.DayOfWeek.SUNDAY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.state.RunStore;
import dev.sluice.core.state.StepKind;
import dev.sluice.core.state.StepUsage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cost-jump band, the anomaly checks' {@code AnomalyBand} over an asset's recent steps, on a
 * real store.
 */
class CostJumpsTest {
  private static final Instant NOW = Instant.parse("2026-12-15T12:00:00Z");

  @TempDir Path directory;

  @Test
  void aStepFarAboveItsAssetsHistoryIsFlaggedAndOneWithinItIsNot() {
    try (RunStore store = RunStore.open("jdbc:sqlite:" + directory.resolve("state.db"), Map.of())) {
      long[] history = {100, 120, 90, 110, 105, 95};
      for (int i = 0; i < history.length; i++) {
        step(store, "orders", history[i], NOW.minusSeconds(3600L * (i + 1)));
      }
      step(store, "young", 50, NOW.minusSeconds(60));
      String run = step(store, "orders", 5_000, NOW.minusSeconds(5));
      step(store, run, "young", 9_000, NOW.minusSeconds(4));

      List<BudgetEvent> jumps = new CostJumps(store).inRun(run, NOW);

      assertThat(jumps).as("an asset with less than 5 earlier steps is never flagged").hasSize(1);
      BudgetEvent jump = jumps.get(0);
      assertThat(jump.kind()).isEqualTo(BudgetEvent.Kind.COST_JUMP);
      assertThat(jump.subject()).isEqualTo("orders");
      assertThat(jump.period()).isEqualTo("2026-12");
      assertThat(jump.detail())
          .contains(
              "used 5000 ms of CPU", "its 6 steps of the last 30 days used a median of 103 ms");

      String usual = step(store, "orders", 130, NOW.minusSeconds(2));
      assertThat(new CostJumps(store).inRun(usual, NOW)).isEmpty();
    }
  }

  @Test
  void theBandIsSeasonalByWeekdayOnceEveryWeekdayHasFourSteps() {
    try (RunStore store = RunStore.open("jdbc:sqlite:" + directory.resolve("state.db"), Map.of())) {
      // four weeks of daily steps: the Sunday rebuild is heavy, the other days are light
      for (int day = 1; day <= 28; day++) {
        Instant at = NOW.minus(Duration.ofDays(day));
        step(
            store,
            "orders",
            at.atOffset(ZoneOffset.UTC).getDayOfWeek() == SUNDAY ? 20_000 : 1_000,
            at);
      }
      String sunday = step(store, "orders", 20_500, Instant.parse("2026-12-13T12:30:00Z"));
      String monday = step(store, "orders", 20_000, Instant.parse("2026-12-14T12:30:00Z"));

      assertThat(new CostJumps(store).inRun(sunday, NOW))
          .as("a Sunday is compared with Sundays")
          .isEmpty();
      List<BudgetEvent> jumps = new CostJumps(store).inRun(monday, NOW);
      assertThat(jumps).hasSize(1);
      assertThat(jumps.get(0).detail())
          .contains(
              "used a median of 1000 ms on a MONDAY, expected at most 2000 ms",
              "sensitivity low: median + 5 scaled MADs");
    }
  }

  private static String step(RunStore store, String asset, long cpuMillis, Instant at) {
    String run = store.runs().startRun("run", List.of(), at.minusSeconds(1));
    step(store, run, asset, cpuMillis, at);
    return run;
  }

  private static void step(RunStore store, String run, String asset, long cpuMillis, Instant at) {
    long id = store.steps().startStep(run, asset, StepKind.MODEL, at.minusSeconds(1));
    store
        .costs()
        .recordStep(
            id,
            new StepUsage(
                run, asset, "curated." + asset, at, 1000, cpuMillis, 1, 0, 0, 0, 0, 0, 0));
  }
}
