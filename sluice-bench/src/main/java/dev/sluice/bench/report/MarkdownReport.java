package dev.sluice.bench.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

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
    report
        .machine()
        .forEach(
            (key, value) -> md.append("| ").append(key).append(" | ").append(value).append(" |\n"));
    md.append(
        "\nMethod: warm-up runs first (not counted), then the timed repetitions; times are the"
            + " median with min–max over the repetitions. Sluice and DuckDB-direct run alternately"
            + " (which goes first alternates too) in this one JVM. Spark runs in a child JVM with"
            + " its own warm-up and repetitions. Ratios compare medians. A load average above the number of"
            + " cores means other work shared the machine: the numbers are then noisier and"
            + " slower than on an idle machine.\n\n");
    md.append("## Targets\n\n| suite | target | measured | met |\n|---|---|---|---|\n");
    for (SuiteResult suite : report.suites()) {
      for (TargetCheck target : suite.targets()) {
        md.append("| ")
            .append(suite.suite())
            .append(" | ")
            .append(target.target())
            .append(" | ")
            .append(target.measured())
            .append(" | ")
            .append(target.met() ? "yes" : "**no**")
            .append(" |\n");
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
      if (!suite.notes().isEmpty()) {
        md.append('\n');
        suite.notes().forEach(note -> md.append("- ").append(note).append('\n'));
      }
    }
    return md.toString();
  }

  private static void table(StringBuilder md, SuiteResult suite) {
    List<String> systems = suite.systems();
    md.append("| name |");
    systems.forEach(system -> md.append(' ').append(system).append(" ms (min–max) |"));
    boolean hasDuckDb = systems.contains("duckdb") && systems.contains("sluice");
    boolean hasSpark = systems.contains("spark") && systems.contains("sluice");
    if (hasDuckDb) {
      md.append(" sluice / duckdb |");
    }
    if (hasSpark) {
      md.append(" spark / sluice |");
    }
    md.append(" other |\n|---|");
    systems.forEach(system -> md.append("---|"));
    if (hasDuckDb) {
      md.append("---|");
    }
    if (hasSpark) {
      md.append("---|");
    }
    md.append("---|\n");
    for (String name : suite.names()) {
      md.append("| ").append(name).append(" |");
      StringBuilder other = new StringBuilder();
      for (String system : systems) {
        Optional<Measurement> measurement = suite.find(name, system);
        md.append(' ').append(measurement.map(MarkdownReport::cell).orElse("")).append(" |");
        measurement.ifPresent(m -> metrics(other, system, m.metrics()));
      }
      if (hasDuckDb) {
        md.append(' ')
            .append(ratio(suite.find(name, "sluice"), suite.find(name, "duckdb")))
            .append(" |");
      }
      if (hasSpark) {
        md.append(' ')
            .append(ratio(suite.find(name, "spark"), suite.find(name, "sluice")))
            .append(" |");
      }
      md.append(' ').append(other).append(" |\n");
    }
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

  private static String ratio(Optional<Measurement> numerator, Optional<Measurement> denominator) {
    if (numerator.isEmpty() || denominator.isEmpty()) {
      return "";
    }
    double ratio = numerator.get().medianMillis() / denominator.get().medianMillis();
    return String.format(Locale.ROOT, "%.2f", ratio);
  }
}
