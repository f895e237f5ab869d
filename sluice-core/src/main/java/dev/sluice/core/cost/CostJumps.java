package dev.sluice.core.cost;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.quality.AnomalyBand;
import dev.sluice.core.quality.AnomalyBand.Point;
import dev.sluice.core.quality.AnomalyBand.Sensitivity;
import dev.sluice.core.quality.AnomalyBand.Verdict;
import dev.sluice.core.state.RunStore;
import dev.sluice.core.state.StepUsage;
import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the steps of a run whose CPU time jumped far above their asset's history, with the anomaly
 * checks' method ({@link AnomalyBand}): the band of the median and the scaled median absolute
 * deviation (MAD) of the asset's steps of the last 30 days, seasonal by weekday once every weekday
 * has enough of them, at the {@code low} sensitivity (five scaled MADs). Only a jump upwards is
 * flagged, and only one that is at least twice the median and a second more (the band's floor), so
 * that a cheap step's noise is never a cost alarm. At least five earlier steps are needed.
 */
public final class CostJumps {
  static final int MIN_HISTORY = 5;
  private static final Sensitivity SENSITIVITY = Sensitivity.LOW;
  private static final long MIN_JUMP_MILLIS = 1000;
  private static final Duration WINDOW = Duration.ofDays(30);

  private final RunStore store;

  public CostJumps(RunStore store) {
    this.store = requireNonNull(store, "store is null");
  }

  /** The steps of {@code runId} that jumped, as events for the alert rules ({@code on: budget}). */
  public List<BudgetEvent> inRun(String runId, Instant now) {
    Map<String, List<Point>> history = new HashMap<>();
    List<StepUsage> run = new ArrayList<>();
    for (StepUsage step : store.costs().steps(now.minus(WINDOW), now.plusMillis(1))) {
      if (step.runId().equals(runId)) {
        run.add(step);
      } else {
        history
            .computeIfAbsent(step.asset(), ignored -> new ArrayList<>())
            .add(new Point(weekday(step.finishedAt()), step.cpuMillis()));
      }
    }
    List<BudgetEvent> jumps = new ArrayList<>();
    for (StepUsage step : run) {
      List<Point> earlier = history.getOrDefault(step.asset(), List.of());
      long cpu = step.cpuMillis();
      Verdict verdict =
          AnomalyBand.judge(
              (double) cpu,
              weekday(step.finishedAt()),
              earlier,
              SENSITIVITY,
              MIN_HISTORY,
              (double) MIN_JUMP_MILLIS);
      double median = verdict.median();
      if (!verdict.anomalous() || cpu < verdict.high() || cpu < 2 * median) {
        continue;
      }
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
                  + verdict.used()
                  + " steps of the last 30 days used a median of "
                  + Math.round(median)
                  + " ms"
                  + (verdict.seasonal() ? " on a " + weekday(step.finishedAt()) : "")
                  + ", expected at most "
                  + Math.round(verdict.high())
                  + " ms (the anomaly checks' band at sensitivity "
                  + SENSITIVITY.label()
                  + ": median + "
                  + BigDecimal.valueOf(SENSITIVITY.width()).stripTrailingZeros().toPlainString()
                  + " scaled MADs, and at least twice the median and a second more)",
              runId,
              now));
    }
    return jumps;
  }

  private static DayOfWeek weekday(Instant at) {
    return at.atOffset(ZoneOffset.UTC).getDayOfWeek();
  }
}
