package dev.sluice.core.cost;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.state.RunStore;
import dev.sluice.core.state.StepKind;
import dev.sluice.core.state.StepUsage;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cost-jump band: median plus six scaled MADs of an asset's recent steps, on a real store. */
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
