package dev.sluice.bench.report;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/** Renders a {@link Report} as Markdown: machine, method, one section per suite, targets. */
final class MarkdownReport {
  private static final double THRESHOLD_PERCENT = RegressionCheck.THRESHOLD * 100;

  private final Report report;
  private final List<String> charts;
  private final Path directory;

  /**
   * A report to render.
   *
   * @param directory where the report is written (links to the reference are relative to it)
   */
  MarkdownReport(Report report, List<String> charts, Path directory) {
    this.report = report;
    this.charts = charts;
    this.directory = directory;
  }

  String render() {
    StringBuilder md = new StringBuilder();
    md.append("# Sluice benchmark report\n\n");
    md.append("Run ").append(report.started()).append(" with `./sluice bench");
    report
        .settings()
        .forEach((key, value) -> md.append(" --").append(key).append(' ').append(value));
    md.append("`.");
    if (report.reference()) {
      md.append(" **A reference report**: later runs at this scale compare with it.");
    }
    md.append("\n\n");
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
    report.comparison().ifPresent(check -> comparison(md, check));
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

  /** The figures more than 10 % worse than the reference report's. */
  private void comparison(StringBuilder md, RegressionCheck check) {
    String reference = Report.relative(directory, check.reference().directory());
    md.append("\n## Compared with the reference report\n\n")
        .append("Reference: [")
        .append(reference)
        .append("](")
        .append(reference)
        .append("/report.md), run ")
        .append(check.reference().started())
        .append(" (load average at its end ")
        .append(check.reference().loadAverage())
        .append("; this run's: ")
        .append(report.machine().getOrDefault(ReportFigures.LOAD_AT_END, "?"))
        .append("). ")
        .append(check.compared())
        .append(" figures in both (each median time, each Sluice / DuckDB-direct ratio; lower is")
        .append(" better); ");
    if (check.regressions().isEmpty()) {
      md.append(
          String.format(Locale.ROOT, "none is more than %.0f %% worse.%n", THRESHOLD_PERCENT));
      return;
    }
    md.append(
        String.format(
            Locale.ROOT,
            "**%d more than %.0f %% worse** (a time measured under more load than the"
                + " reference's is slower for that alone; a ratio of two systems measured side by"
                + " side much less so):%n%n",
            check.regressions().size(),
            THRESHOLD_PERCENT));
    header(md, List.of("suite", "name", "figure", "reference", "now", "worse"));
    for (RegressionCheck.Regression regression : check.regressions()) {
      ReportFigures.Figure now = regression.current();
      row(
          md,
          List.of(
              now.suite(),
              now.name(),
              now.measure(),
              figure(regression.reference()),
              figure(now),
              String.format(Locale.ROOT, "+%.0f %%", regression.worse() * 100)));
    }
  }

  private static String figure(ReportFigures.Figure figure) {
    return figure.isRatio()
        ? String.format(Locale.ROOT, "%.2f", figure.value())
        : Report.millis(figure.value());
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
