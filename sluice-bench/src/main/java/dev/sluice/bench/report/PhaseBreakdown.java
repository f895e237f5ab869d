package dev.sluice.bench.report;

import dev.sluice.api.timing.StepPhase;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.StepResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the steps' time went, by {@link StepPhase}, over the measured runs: for each step the
 * median over the runs of each phase, and per phase the median over the steps. A step's phases add
 * up to its whole time, from the start of its record in the run store to the end of it.
 */
public final class PhaseBreakdown {
  /** The row of the breakdown that gives each phase's median over the steps. */
  public static final String MEDIAN_OVER_STEPS = "median over steps";

  /** The column of a row that gives the step's whole time (the sum of its phases). */
  public static final String WHOLE_STEP = "whole step";

  private final Map<String, Map<String, List<Double>>> samples = new LinkedHashMap<>();

  /** Adds the phases of every step of a measured run. */
  public void add(RunResult run) {
    run.steps().forEach(this::add);
  }

  /** Adds the phases of one step of a measured run; a step that did not run here adds nothing. */
  public void add(StepResult step) {
    if (step.phases().isEmpty()) {
      return;
    }
    Map<String, List<Double>> phases =
        samples.computeIfAbsent(step.asset(), asset -> new LinkedHashMap<>());
    double whole = 0;
    for (StepPhase phase : StepPhase.values()) {
      double millis = step.phases().getOrDefault(phase, Duration.ZERO).toNanos() / 1e6;
      whole += millis;
      phases.computeIfAbsent(phase.label(), label -> new ArrayList<>()).add(millis);
    }
    phases.computeIfAbsent(WHOLE_STEP, label -> new ArrayList<>()).add(whole);
  }

  public boolean isEmpty() {
    return samples.isEmpty();
  }

  /**
   * Milliseconds by phase label (and {@link #WHOLE_STEP}): one row per step, the median over the
   * runs, then {@link #MEDIAN_OVER_STEPS}.
   */
  public Map<String, Map<String, Double>> medians() {
    Map<String, Map<String, Double>> rows = new LinkedHashMap<>();
    Map<String, List<Double>> perPhase = new LinkedHashMap<>();
    samples.forEach(
        (step, phases) -> {
          Map<String, Double> row = new LinkedHashMap<>();
          phases.forEach(
              (phase, millis) -> {
                double median = median(millis);
                row.put(phase, median);
                perPhase.computeIfAbsent(phase, label -> new ArrayList<>()).add(median);
              });
          rows.put(step, row);
        });
    Map<String, Double> overSteps = new LinkedHashMap<>();
    perPhase.forEach((phase, medians) -> overSteps.put(phase, median(medians)));
    rows.put(MEDIAN_OVER_STEPS, overSteps);
    return rows;
  }

  /** The medians over the steps alone (the last row of {@link #medians}). */
  public Map<String, Double> medianOverSteps() {
    return medians().get(MEDIAN_OVER_STEPS);
  }

  /**
   * The columns of a row in report order: the phases as {@link StepPhase} orders them, then the
   * whole step.
   */
  static List<String> columns(Map<String, Double> row) {
    List<String> columns = new ArrayList<>();
    for (StepPhase phase : StepPhase.values()) {
      if (row.containsKey(phase.label())) {
        columns.add(phase.label());
      }
    }
    if (row.containsKey(WHOLE_STEP)) {
      columns.add(WHOLE_STEP);
    }
    return columns;
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    int middle = sorted.size() / 2;
    return sorted.size() % 2 == 1
        ? sorted.get(middle)
        : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
  }
}
