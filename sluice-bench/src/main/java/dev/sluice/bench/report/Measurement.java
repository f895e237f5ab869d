package dev.sluice.bench.report;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The repeated timings of one thing measured on one system, in milliseconds, with what else was
 * measured (rows, bytes, peak RSS, ...). Warm-up runs are not among the samples.
 *
 * @param suite ingest, transform, orchestrate or startup
 * @param name what was measured, e.g. {@code q01} or {@code total}
 * @param system sluice, duckdb or spark
 * @param samplesMillis one time per repetition
 * @param metrics other numbers, by name
 */
public record Measurement(
    String suite,
    String name,
    String system,
    List<Double> samplesMillis,
    Map<String, Number> metrics) {
  public Measurement {
    requireNonNull(suite, "suite is null");
    requireNonNull(name, "name is null");
    requireNonNull(system, "system is null");
    samplesMillis = List.copyOf(samplesMillis);
    metrics = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
  }

  public double medianMillis() {
    List<Double> sorted = new ArrayList<>(samplesMillis);
    sorted.sort(null);
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    int middle = sorted.size() / 2;
    return sorted.size() % 2 == 1
        ? sorted.get(middle)
        : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
  }

  public double minMillis() {
    return samplesMillis.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  public double maxMillis() {
    return samplesMillis.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }
}
