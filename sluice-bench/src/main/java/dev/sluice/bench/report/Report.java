package dev.sluice.bench.report;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The outcome of one {@code sluice bench} invocation: the machine, the settings, every suite's
 * measurements and targets. Written as {@code results.json}, {@code report.md} and charts.
 */
public final class Report {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Instant started;
  private final Map<String, String> machine;
  private final Map<String, String> settings;
  private final List<SuiteResult> suites;
  private final boolean reference;
  private final Optional<RegressionCheck> comparison;

  public Report(
      Instant started,
      Map<String, String> machine,
      Map<String, String> settings,
      List<SuiteResult> suites) {
    this(started, machine, settings, suites, false, Optional.empty());
  }

  private Report(
      Instant started,
      Map<String, String> machine,
      Map<String, String> settings,
      List<SuiteResult> suites,
      boolean reference,
      Optional<RegressionCheck> comparison) {
    this.started = requireNonNull(started, "started is null");
    this.machine = new java.util.LinkedHashMap<>(machine);
    this.settings = settings;
    this.suites = List.copyOf(suites);
    this.reference = reference;
    this.comparison = requireNonNull(comparison, "comparison is null");
  }

  public List<SuiteResult> suites() {
    return suites;
  }

  /**
   * This report marked (in results.json, {@code "reference": true}) as a reference report, which
   * later runs compare with by default.
   */
  public Report asReference() {
    return new Report(started, machine, settings, suites, true, comparison);
  }

  /** Whether this report is marked as a reference report. */
  public boolean reference() {
    return reference;
  }

  /**
   * This report compared with {@code reference} figure by figure ({@link RegressionCheck}); this
   * report as it is when there is none.
   *
   * @param directory where this report is written
   */
  public Report comparedWith(Optional<ReportFigures> reference, Path directory) {
    Optional<RegressionCheck> check =
        reference.map(
            old -> RegressionCheck.compare(ReportFigures.of(directory, toJson(directory)), old));
    return new Report(started, machine, settings, suites, this.reference, check);
  }

  /** The comparison with a reference report, if there was one. */
  public Optional<RegressionCheck> comparison() {
    return comparison;
  }

  /** Writes results.json, report.md and the charts into {@code directory}. */
  public void write(Path directory) {
    try {
      Files.createDirectories(directory);
      List<String> charts = Charts.write(this, directory);
      JSON.writeValue(directory.resolve("results.json").toFile(), toJson(directory));
      Files.writeString(
          directory.resolve("report.md"), new MarkdownReport(this, charts, directory).render());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the report to " + directory, e);
    }
  }

  /** Where {@code other} is seen from {@code directory}: relative when they share a root. */
  static String relative(Path directory, Path other) {
    Path from = directory.toAbsolutePath().normalize();
    Path to = other.toAbsolutePath().normalize();
    return from.getRoot() != null && from.getRoot().equals(to.getRoot())
        ? from.relativize(to).toString()
        : to.toString();
  }

  Instant started() {
    return started;
  }

  Map<String, String> machine() {
    return machine;
  }

  Map<String, String> settings() {
    return settings;
  }

  ObjectNode toJson(Path directory) {
    ObjectNode root = JSON.createObjectNode();
    root.put("started", started.toString());
    root.put(ReportFigures.REFERENCE, reference);
    ObjectNode machineNode = root.putObject("machine");
    machine.forEach(machineNode::put);
    ObjectNode settingsNode = root.putObject("settings");
    settings.forEach(settingsNode::put);
    ObjectNode suitesNode = root.putObject("suites");
    for (SuiteResult suite : suites) {
      ObjectNode suiteNode = suitesNode.putObject(suite.suite());
      ArrayNode measurements = suiteNode.putArray("measurements");
      for (Measurement measurement : suite.measurements()) {
        ObjectNode node = measurements.addObject();
        node.put("name", measurement.name());
        node.put("system", measurement.system());
        node.put("medianMillis", round(measurement.medianMillis()));
        node.put("minMillis", round(measurement.minMillis()));
        node.put("maxMillis", round(measurement.maxMillis()));
        ArrayNode samples = node.putArray("samplesMillis");
        measurement.samplesMillis().forEach(s -> samples.add(round(s)));
        measurement.metrics().forEach((key, value) -> node.put(key, value.doubleValue()));
      }
      ArrayNode targets = suiteNode.putArray("targets");
      for (TargetCheck target : suite.targets()) {
        targets
            .addObject()
            .put("target", target.target())
            .put("measured", target.measured())
            .put("met", target.met());
      }
      if (!suite.phases().isEmpty()) {
        ObjectNode phases = suiteNode.putObject("phasesMillis");
        suite
            .phases()
            .forEach(
                (row, millis) -> {
                  ObjectNode rowNode = phases.putObject(row);
                  PhaseBreakdown.columns(millis).forEach(c -> rowNode.put(c, round(millis.get(c))));
                });
      }
      ArrayNode notes = suiteNode.putArray("notes");
      suite.notes().forEach(notes::add);
    }
    comparison.ifPresent(check -> comparisonJson(root.putObject("comparison"), check, directory));
    return root;
  }

  private static void comparisonJson(ObjectNode node, RegressionCheck check, Path directory) {
    node.put("reference", relative(directory, check.reference().directory()));
    node.put("referenceStarted", check.reference().started());
    node.put("referenceLoadAverage", check.reference().loadAverage());
    node.put("threshold", RegressionCheck.THRESHOLD);
    node.put("figuresCompared", check.compared());
    ArrayNode regressions = node.putArray("regressions");
    for (RegressionCheck.Regression regression : check.regressions()) {
      regressions
          .addObject()
          .put("suite", regression.current().suite())
          .put("name", regression.current().name())
          .put("figure", regression.current().measure())
          .put("reference", round(regression.reference().value()))
          .put("current", round(regression.current().value()))
          .put("worse", round(regression.worse()));
    }
  }

  static double round(double value) {
    return Math.round(value * 1000) / 1000.0;
  }

  static String millis(double value) {
    if (Double.isNaN(value)) {
      return "–";
    }
    return value >= 100
        ? String.format(Locale.ROOT, "%,.0f", value)
        : String.format(Locale.ROOT, "%.2f", value);
  }
}
