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

  public Report(
      Instant started,
      Map<String, String> machine,
      Map<String, String> settings,
      List<SuiteResult> suites) {
    this.started = requireNonNull(started, "started is null");
    this.machine = new java.util.LinkedHashMap<>(machine);
    this.settings = settings;
    this.suites = List.copyOf(suites);
  }

  public List<SuiteResult> suites() {
    return suites;
  }

  /** Writes results.json, report.md and the charts into {@code directory}. */
  public void write(Path directory) {
    try {
      Files.createDirectories(directory);
      List<String> charts = Charts.write(this, directory);
      JSON.writeValue(directory.resolve("results.json").toFile(), toJson());
      Files.writeString(directory.resolve("report.md"), new MarkdownReport(this, charts).render());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the report to " + directory, e);
    }
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

  ObjectNode toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("started", started.toString());
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
    return root;
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
