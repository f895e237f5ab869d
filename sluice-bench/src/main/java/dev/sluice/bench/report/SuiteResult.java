package dev.sluice.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What one suite measured, the targets it was judged against and notes for the report. */
public final class SuiteResult {
  private final String suite;
  private final List<Measurement> measurements = new ArrayList<>();
  private final List<TargetCheck> targets = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

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

  public void target(String target, String measured, boolean met) {
    targets.add(new TargetCheck(target, measured, met));
  }

  public void note(String note) {
    notes.add(note);
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
