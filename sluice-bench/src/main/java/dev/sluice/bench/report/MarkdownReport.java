package dev.sluice.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/** Renders a {@link Report} as Markdown: machine, method, one section per suite, targets. */
final class MarkdownReport {
  private final Report report;
  private final List<String> charts;

  MarkdownReport(Report report, List<String> charts) {
    this.report = report;
    this.charts = charts;
  }

  String render() {
    StringBuilder md = new StringBuilder();
    md.append("# Sluice benchmark report\n\n");
    md.append("Run ").append(report.started()).append(" with `./sluice bench");
    report
        .settings()
        .forEach((key, value) -> md.append(" --").append(key).append(' ').append(value));
    md.append("`.\n\n");
    md.append("## Machine\n\n| | |\n|---|---|\n");
    report.machine().forEach((key, value) -> row(md, List.of(key, value)));
    md.append(
        "\nMethod: warm-up runs first (not counted), then the timed repetitions; times are the"
            + " median with min–max over the repetitions. Sluice and DuckDB-direct run alternately"
            + " (which goes first alternates too) in this one JVM. Spark runs in a child JVM with"
            + " its own warm-up and repetitions. Ratios compare medians. A load average above the number of"
            + " cores means other work shared the machine: the numbers are then noisier and"
            + " slower than on an idle machine.\n\n");
    md.append("## Targets\n\n");
    header(md, List.of("suite", "target", "measured", "met"));
    for (SuiteResult suite : report.suites()) {
      for (TargetCheck target : suite.targets()) {
        row(
            md,
            List.of(
                suite.suite(),
                target.target(),
                target.measured(),
                target.met() ? "yes" : "**no**"));
      }
    }
    for (SuiteResult suite : report.suites()) {
      md.append("\n## ").append(suite.suite()).append("\n\n");
      table(md, suite);
      for (String chart : charts) {
        if (chart.startsWith(suite.suite())) {
          md.append("\n![").append(chart).append("](").append(chart).append(")\n");
        }
      }
      if (!suite.phases().isEmpty()) {
        phases(md, suite.phases());
      }
      if (!suite.notes().isEmpty()) {
        md.append('\n');
        suite.notes().forEach(note -> md.append("- ").append(note).append('\n'));
      }
    }
    return md.toString();
  }

  private static void table(StringBuilder md, SuiteResult suite) {
    List<String> systems = suite.systems();
    boolean hasDuckDb = systems.contains("duckdb") && systems.contains("sluice");
    boolean hasSpark = systems.contains("spark") && systems.contains("sluice");
    List<String> header = new ArrayList<>(List.of("name"));
    systems.forEach(system -> header.add(system + " ms (min–max)"));
    if (hasDuckDb) {
      header.add("sluice / duckdb");
    }
    if (hasSpark) {
      header.add("spark / sluice");
    }
    header.add("other");
    header(md, header);
    for (String name : suite.names()) {
      List<String> cells = new ArrayList<>(List.of(name));
      StringBuilder other = new StringBuilder();
      for (String system : systems) {
        Optional<Measurement> measurement = suite.find(name, system);
        cells.add(measurement.map(MarkdownReport::cell).orElse(""));
        measurement.ifPresent(m -> metrics(other, system, m.metrics()));
      }
      if (hasDuckDb) {
        cells.add(ratio(suite, name, "sluice", "duckdb"));
      }
      if (hasSpark) {
        cells.add(ratio(suite, name, "spark", "sluice"));
      }
      cells.add(other.toString());
      row(md, cells);
    }
  }

  /** Where the steps' time went: one row per step, one column per phase, in milliseconds. */
  private static void phases(StringBuilder md, Map<String, Map<String, Double>> rows) {
    List<String> columns = PhaseBreakdown.columns(rows.values().iterator().next());
    md.append(
        "\nWhere a step's time goes, by phase (ms, the median over the runs; each phase without"
            + " the phases inside it; the whole step runs from its record's start in the run"
            + " store to its end):\n\n");
    List<String> header = new ArrayList<>(List.of("step"));
    header.addAll(columns);
    header(md, header);
    rows.forEach(
        (row, millis) -> {
          List<String> cells = new ArrayList<>(List.of(row));
          columns.forEach(column -> cells.add(Report.millis(millis.getOrDefault(column, 0.0))));
          row(md, cells);
        });
  }

  /** A table's header row and the row under it. */
  private static void header(StringBuilder md, List<String> names) {
    row(md, names);
    md.append("|---".repeat(names.size())).append("|\n");
  }

  private static void row(StringBuilder md, List<String> cells) {
    md.append("| ").append(String.join(" | ", cells)).append(" |\n");
  }

  private static String cell(Measurement measurement) {
    return Report.millis(measurement.medianMillis())
        + " ("
        + Report.millis(measurement.minMillis())
        + "–"
        + Report.millis(measurement.maxMillis())
        + ")";
  }

  private static void metrics(StringBuilder out, String system, Map<String, Number> metrics) {
    metrics.forEach(
        (key, value) -> {
          if (out.length() > 0) {
            out.append("; ");
          }
          out.append(system).append(' ').append(key).append(' ').append(format(key, value));
        });
  }

  private static String format(String key, Number value) {
    if (key.endsWith("Bytes") || key.equals("bytes")) {
      return String.format(Locale.ROOT, "%,d MiB", value.longValue() >> 20);
    }
    if (value instanceof Double d && d != Math.rint(d)) {
      return String.format(Locale.ROOT, "%,.1f", d);
    }
    return String.format(Locale.ROOT, "%,d", value.longValue());
  }

  private static String ratio(
      SuiteResult suite, String name, String numerator, String denominator) {
    OptionalDouble ratio = suite.ratio(name, numerator, denominator);
    return ratio.isPresent() ? String.format(Locale.ROOT, "%.2f", ratio.getAsDouble()) : "";
  }
}
