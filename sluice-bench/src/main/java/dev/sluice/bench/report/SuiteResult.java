package dev.sluice.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.DoublePredicate;

/** What one suite measured, the targets it was judged against and notes for the report. */
public final class SuiteResult {
  private final String suite;
  private final List<Measurement> measurements = new ArrayList<>();
  private final List<TargetCheck> targets = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private final Map<String, Map<String, Double>> phases = new java.util.LinkedHashMap<>();

  public SuiteResult(String suite) {
    this.suite = suite;
  }

  public String suite() {
    return suite;
  }

  public List<Measurement> measurements() {
    return measurements;
  }

  public List<TargetCheck> targets() {
    return targets;
  }

  public List<String> notes() {
    return notes;
  }

  public void add(Measurement measurement) {
    measurements.add(measurement);
  }

  /** Adds the measurement of {@code name} on {@code system} in this suite and returns it. */
  public Measurement add(
      String name, String system, List<Double> samplesMillis, Map<String, Number> metrics) {
    Measurement measurement = new Measurement(suite, name, system, samplesMillis, metrics);
    add(measurement);
    return measurement;
  }

  public void target(String target, String measured, boolean met) {
    targets.add(new TargetCheck(target, measured, met));
  }

  /**
   * The ratio of two systems' median times of {@code name}, {@code numerator}'s over {@code
   * denominator}'s; empty when either was not measured.
   */
  public OptionalDouble ratio(String name, String numerator, String denominator) {
    Optional<Measurement> over = find(name, numerator);
    Optional<Measurement> under = find(name, denominator);
    return over.isPresent() && under.isPresent()
        ? OptionalDouble.of(over.get().medianMillis() / under.get().medianMillis())
        : OptionalDouble.empty();
  }

  /**
   * Judges {@code target} by the {@link #ratio} of two systems' median times of {@code name}, shown
   * as {@code 1.23 ×}; nothing when either system was not measured.
   */
  public void targetRatio(
      String target, String name, String numerator, String denominator, DoublePredicate met) {
    ratio(name, numerator, denominator)
        .ifPresent(
            ratio -> target(target, String.format(Locale.ROOT, "%.2f ×", ratio), met.test(ratio)));
  }

  public void note(String note) {
    notes.add(note);
  }

  /**
   * Adds rows of the breakdown of steps' time by phase ({@link PhaseBreakdown}): milliseconds by
   * phase label, one row per step (or per kind of step).
   */
  public void phases(Map<String, Map<String, Double>> rows) {
    rows.forEach((row, millis) -> phases.put(row, Map.copyOf(millis)));
  }

  /** The breakdown of steps' time by phase, by row; empty when none was measured. */
  public Map<String, Map<String, Double>> phases() {
    return java.util.Collections.unmodifiableMap(phases);
  }

  public Optional<Measurement> find(String name, String system) {
    return measurements.stream()
        .filter(m -> m.name().equals(name) && m.system().equals(system))
        .findFirst();
  }

  /** The systems measured, in order of first appearance. */
  public List<String> systems() {
    return measurements.stream().map(Measurement::system).distinct().toList();
  }

  /** The names measured, in order of first appearance. */
  public List<String> names() {
    return measurements.stream().map(Measurement::name).distinct().toList();
  }
}
