package dev.sluice.bench.report;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The figures of one benchmark report, as its {@code results.json} gives them: each measurement's
 * median time per system and, where Sluice and DuckDB-direct both measured a name, the ratio of
 * their medians. For every figure lower is better. What {@link RegressionCheck} compares, read the
 * same way from the report just written and from a committed one.
 *
 * @param directory the report's directory
 * @param started when the run started (ISO-8601), which orders reports
 * @param scale the TPC-H scale factor of the run
 * @param reference whether the report is marked as a reference ({@code "reference": true})
 * @param loadAverage the machine's load average at the end of the run, as the report gives it
 * @param figures the figures, in the report's order
 */
public record ReportFigures(
    Path directory,
    String started,
    double scale,
    boolean reference,
    String loadAverage,
    List<Figure> figures) {
  /** The field of results.json that marks a reference report. */
  public static final String REFERENCE = "reference";

  /** The machine's entry that gives the load average at the end of the run. */
  public static final String LOAD_AT_END = "load average at end (1, 5, 15 min)";

  private static final ObjectMapper JSON = new ObjectMapper();

  public ReportFigures {
    requireNonNull(directory, "directory is null");
    requireNonNull(started, "started is null");
    requireNonNull(loadAverage, "loadAverage is null");
    figures = List.copyOf(figures);
  }

  /**
   * One figure of a report: lower is better.
   *
   * @param suite the suite, e.g. {@code transform}
   * @param name what was measured, e.g. {@code q01}
   * @param measure {@code sluice ms}, {@code duckdb ms}, ... or {@code sluice / duckdb}
   * @param value milliseconds, or the ratio
   */
  public record Figure(String suite, String name, String measure, double value) {
    /** The figure's identity across reports. */
    String key() {
      return suite + '\u0000' + name + '\u0000' + measure;
    }

    /** Whether the figure is a ratio of two systems' medians rather than a time. */
    public boolean isRatio() {
      return measure.contains("/");
    }
  }

  /** The suites the report measured. */
  public Set<String> suites() {
    Set<String> suites = new java.util.LinkedHashSet<>();
    figures.forEach(figure -> suites.add(figure.suite()));
    return suites;
  }

  /**
   * Reads the report in {@code directory}.
   *
   * @throws IllegalArgumentException if it has no results.json or one that is not a report's
   */
  public static ReportFigures read(Path directory) {
    Path file = directory.resolve("results.json");
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          "No benchmark report in "
              + directory
              + ": results.json is missing; give the directory a `sluice bench` run wrote");
    }
    try {
      return of(directory, JSON.readTree(file.toFile()));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file, e);
    }
  }

  /** The figures of the results.json tree {@code root} of the report in {@code directory}. */
  static ReportFigures of(Path directory, JsonNode root) {
    if (!root.path("suites").isObject() || !root.path("settings").isObject()) {
      throw new IllegalArgumentException(
          directory.resolve("results.json")
              + " is not a benchmark report's results: it has no 'suites' or 'settings' object");
    }
    List<Figure> figures = new ArrayList<>();
    for (Map.Entry<String, JsonNode> suite : root.path("suites").properties()) {
      Map<String, Map<String, Double>> mediansByName = new LinkedHashMap<>();
      for (JsonNode measurement : suite.getValue().path("measurements")) {
        double median = measurement.path("medianMillis").asDouble(Double.NaN);
        if (measurement.path("samplesMillis").isEmpty() || !(median > 0)) {
          continue; // counted, not timed (the anomaly suite), or nothing measured
        }
        String name = measurement.path("name").asText();
        String system = measurement.path("system").asText();
        figures.add(new Figure(suite.getKey(), name, system + " ms", median));
        mediansByName.computeIfAbsent(name, n -> new LinkedHashMap<>()).put(system, median);
      }
      mediansByName.forEach(
          (name, medians) -> {
            if (medians.containsKey("sluice") && medians.containsKey("duckdb")) {
              figures.add(
                  new Figure(
                      suite.getKey(),
                      name,
                      "sluice / duckdb",
                      medians.get("sluice") / medians.get("duckdb")));
            }
          });
    }
    return new ReportFigures(
        directory,
        root.path("started").asText(""),
        root.path("settings").path("scale").asDouble(Double.NaN),
        root.path(REFERENCE).asBoolean(false),
        root.path("machine").path(LOAD_AT_END).asText(""),
        figures);
  }
}
