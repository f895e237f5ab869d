package dev.sluice.core.cost;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.state.RunStore;
import dev.sluice.core.state.StepUsage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the steps of a run whose CPU time jumped far above their asset's history: a robust band of
 * the median and the median absolute deviation (MAD) of the asset's steps of the last 30 days,
 * explainable in one line. A step is flagged when its CPU time is above the median plus six scaled
 * MADs, at least twice the median and a second more than it, with at least five earlier steps.
 */
public final class CostJumps {
  static final int MIN_HISTORY = 5;
  private static final double SCALED_MADS = 6;
  private static final double MAD_SCALE = 1.4826;
  private static final long MIN_JUMP_MILLIS = 1000;
  private static final Duration WINDOW = Duration.ofDays(30);

  private final RunStore store;

  public CostJumps(RunStore store) {
    this.store = requireNonNull(store, "store is null");
  }

  /** The steps of {@code runId} that jumped, as events for the alert rules ({@code on: budget}). */
  public List<BudgetEvent> inRun(String runId, Instant now) {
    Map<String, List<Long>> history = new HashMap<>();
    List<StepUsage> run = new ArrayList<>();
    for (StepUsage step : store.costs().steps(now.minus(WINDOW), now.plusMillis(1))) {
      if (step.runId().equals(runId)) {
        run.add(step);
      } else {
        history.computeIfAbsent(step.asset(), ignored -> new ArrayList<>()).add(step.cpuMillis());
      }
    }
    List<BudgetEvent> jumps = new ArrayList<>();
    for (StepUsage step : run) {
      List<Long> earlier = history.getOrDefault(step.asset(), List.of());
      if (earlier.size() < MIN_HISTORY) {
        continue;
      }
      double median = median(earlier);
      List<Long> deviations = new ArrayList<>();
      earlier.forEach(value -> deviations.add(Math.round(Math.abs(value - median))));
      double band = median + SCALED_MADS * MAD_SCALE * median(deviations);
      long cpu = step.cpuMillis();
      if (cpu > band && cpu >= 2 * median && cpu - median >= MIN_JUMP_MILLIS) {
        jumps.add(
            new BudgetEvent(
                BudgetEvent.Kind.COST_JUMP,
                step.asset(),
                Budgets.period(now),
                "the cost of " + step.asset() + " jumped: " + cpu + " ms of CPU",
                "step of "
                    + step.asset()
                    + " in run "
                    + runId
                    + " used "
                    + cpu
                    + " ms of CPU; its "
                    + earlier.size()
                    + " steps of the last 30 days used a median of "
                    + Math.round(median)
                    + " ms, expected at most "
                    + Math.round(band)
                    + " ms (median + 6 scaled MADs)",
                runId,
                now));
      }
    }
    return jumps;
  }

  static double median(List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    sorted.sort(null);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
  }
}
