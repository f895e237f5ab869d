package dev.sluice.bench.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * How the cost of ingest and transform grows with the data (issue 20 item 6): the reports of one or
 * more runs at different TPC-H scales, each suite's total for Sluice and DuckDB-direct against the
 * scale, the ratio of the two, and a straight line fitted through each ({@code time = fixed + per
 * SF × scale}) so that the fixed cost and the cost per unit of data show apart. Written as {@code
 * report.md}, {@code results.json} and two charts.
 */
public final class ScaleReport {
  /** The suites whose totals are compared across scales. */
  static final List<String> SUITES = List.of("ingest", "transform");

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final String RATIO_CHART = "cost-vs-scale.png";
  private static final String TIME_CHART = "time-vs-scale.png";

  private final List<ReportFigures> reports;

  private ScaleReport(List<ReportFigures> reports) {
    this.reports = reports;
  }

  /**
   * The reports in {@code directories}, one per scale.
   *
   * @throws IllegalArgumentException if a directory holds no report, two have the same scale, or
   *     none measured ingest or transform against DuckDB-direct
   */
  public static ScaleReport of(List<Path> directories) {
    List<ReportFigures> reports = new ArrayList<>();
    for (Path directory : directories) {
      ReportFigures report = ReportFigures.read(directory);
      for (ReportFigures other : reports) {
        if (other.scale() == report.scale()) {
          throw new IllegalArgumentException(
              String.format(
                  Locale.ROOT,
                  "Two reports at scale %s: %s and %s; give one report per scale",
                  scaleText(report.scale()),
                  other.directory(),
                  report.directory()));
        }
      }
      reports.add(report);
    }
    reports.sort(Comparator.comparingDouble(ReportFigures::scale));
    ScaleReport scaleReport = new ScaleReport(reports);
    if (SUITES.stream().allMatch(suite -> scaleReport.points(suite).isEmpty())) {
      throw new IllegalArgumentException(
          "None of "
              + directories
              + " measured the ingest or transform total of Sluice and DuckDB-direct; run them"
              + " with --suite ingest,transform --baselines duckdb");
    }
    return scaleReport;
  }

  /** The directory of the report at {@code scale} in a run over several: {@code sf-0.1}. */
  public static String directoryName(double scale) {
    return "sf-" + scaleText(scale);
  }

  private static String scaleText(double scale) {
    return BigDecimal.valueOf(scale).stripTrailingZeros().toPlainString();
  }

  /**
   * One scale's totals of a suite.
   *
   * @param sluiceMillis Sluice's median total
   * @param duckDbMillis DuckDB-direct's median total
   */
  record Point(double scale, double sluiceMillis, double duckDbMillis, String loadAverage) {
    double ratio() {
      return sluiceMillis / duckDbMillis;
    }

    double overheadMillis() {
      return sluiceMillis - duckDbMillis;
    }
  }

  /**
   * A least-squares line through times against scale.
   *
   * @param fixedMillis where it meets scale 0: the cost that does not grow with the data
   * @param millisPerScale its slope: the cost of each unit of scale (about 1 GB of CSV)
   */
  record Line(double fixedMillis, double millisPerScale) {
    static Optional<Line> fit(List<Double> scales, List<Double> millis) {
      int n = scales.size();
      if (n < 2) {
        return Optional.empty();
      }
      double meanX = scales.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
      double meanY = millis.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
      double covariance = 0;
      double variance = 0;
      for (int i = 0; i < n; i++) {
        covariance += (scales.get(i) - meanX) * (millis.get(i) - meanY);
        variance += (scales.get(i) - meanX) * (scales.get(i) - meanX);
      }
      double slope = covariance / variance;
      return Optional.of(new Line(meanY - slope * meanX, slope));
    }
  }

  /** The scales at which {@code suite}'s total was measured on both systems, smallest first. */
  List<Point> points(String suite) {
    List<Point> points = new ArrayList<>();
    for (ReportFigures report : reports) {
      Map<String, Double> totals = new LinkedHashMap<>();
      report.figures().stream()
          .filter(f -> f.suite().equals(suite) && f.name().equals("total") && !f.isRatio())
          .forEach(f -> totals.put(f.measure(), f.value()));
      if (totals.containsKey("sluice ms") && totals.containsKey("duckdb ms")) {
        points.add(
            new Point(
                report.scale(),
                totals.get("sluice ms"),
                totals.get("duckdb ms"),
                report.loadAverage()));
      }
    }
    return points;
  }

  /** The lines through Sluice's times, DuckDB-direct's and their difference (the overhead). */
  static Map<String, Line> lines(List<Point> points) {
    List<Double> scales = points.stream().map(Point::scale).toList();
    Map<String, Line> lines = new LinkedHashMap<>();
    Line.fit(scales, points.stream().map(Point::sluiceMillis).toList())
        .ifPresent(line -> lines.put("sluice", line));
    Line.fit(scales, points.stream().map(Point::duckDbMillis).toList())
        .ifPresent(line -> lines.put("duckdb", line));
    Line.fit(scales, points.stream().map(Point::overheadMillis).toList())
        .ifPresent(line -> lines.put("sluice overhead", line));
    return lines;
  }

  /** Writes report.md, results.json and the charts into {@code directory}. */
  public void write(Path directory) {
    try {
      Files.createDirectories(directory);
      List<String> charts = new ArrayList<>();
      Charts.save(ratioChart(), directory, RATIO_CHART, charts);
      Charts.save(timeChart(), directory, TIME_CHART, charts);
      JSON.writeValue(directory.resolve("results.json").toFile(), toJson(directory));
      Files.writeString(directory.resolve("report.md"), markdown(directory, charts));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the scale report to " + directory, e);
    }
  }

  ObjectNode toJson(Path directory) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode sources = root.putArray("reports");
    reports.forEach(
        report ->
            sources
                .addObject()
                .put("scale", report.scale())
                .put("report", Report.relative(directory, report.directory()))
                .put("started", report.started()));
    ObjectNode suites = root.putObject("suites");
    for (String suite : SUITES) {
      List<Point> points = points(suite);
      if (points.isEmpty()) {
        continue;
      }
      ObjectNode suiteNode = suites.putObject(suite);
      ArrayNode pointsNode = suiteNode.putArray("scales");
      for (Point point : points) {
        pointsNode
            .addObject()
            .put("scale", point.scale())
            .put("sluiceMillis", Report.round(point.sluiceMillis()))
            .put("duckdbMillis", Report.round(point.duckDbMillis()))
            .put("sluiceOverDuckdb", Report.round(point.ratio()))
            .put("loadAverageAtEnd", point.loadAverage());
      }
      ObjectNode linesNode = suiteNode.putObject("fits");
      lines(points)
          .forEach(
              (system, line) ->
                  linesNode
                      .putObject(system)
                      .put("fixedMillis", Report.round(line.fixedMillis()))
                      .put("millisPerScale", Report.round(line.millisPerScale())));
    }
    return root;
  }

  String markdown(Path directory, List<String> charts) {
    StringBuilder md = new StringBuilder("# Sluice benchmark: cost against scale\n\n");
    md.append(
        "Each suite's total at each TPC-H scale (1 ≈ 1 GB of CSV), Sluice against DuckDB-direct"
            + " measured side by side in one run, from these reports:");
    reports.forEach(
        report -> {
          String link = Report.relative(directory, report.directory());
          md.append(" [SF ")
              .append(scaleText(report.scale()))
              .append("](")
              .append(link)
              .append("/report.md)");
        });
    md.append(
        ".\nA ratio falling towards 1.0 as the scale grows is a fixed cost being amortized; a"
            + " ratio that stays put is a cost per byte. The lines are least-squares fits of"
            + " `time = fixed + per SF × scale`: the overhead's fixed part is what every run pays"
            + " whatever its size, its per-SF part what each unit of data adds over DuckDB.\n");
    for (String suite : SUITES) {
      List<Point> points = points(suite);
      if (points.isEmpty()) {
        continue;
      }
      md.append("\n## ").append(suite).append("\n\n");
      md.append(
          "| scale | sluice ms | duckdb ms | sluice / duckdb | overhead ms | load at end |\n");
      md.append("|---|---|---|---|---|---|\n");
      for (Point point : points) {
        md.append(
            String.format(
                Locale.ROOT,
                "| %s | %s | %s | %.2f | %s | %s |%n",
                scaleText(point.scale()),
                Report.millis(point.sluiceMillis()),
                Report.millis(point.duckDbMillis()),
                point.ratio(),
                Report.millis(point.overheadMillis()),
                point.loadAverage()));
      }
      Map<String, Line> lines = lines(points);
      if (!lines.isEmpty()) {
        md.append("\n| fit | fixed ms | ms per SF |\n|---|---|---|\n");
        lines.forEach(
            (system, line) ->
                md.append(
                    String.format(
                        Locale.ROOT,
                        "| %s | %s | %s |%n",
                        system,
                        Report.millis(line.fixedMillis()),
                        Report.millis(line.millisPerScale()))));
      }
    }
    md.append('\n');
    charts.forEach(chart -> md.append("![").append(chart).append("](").append(chart).append(")\n"));
    return md.toString();
  }

  private XYChart ratioChart() {
    XYChart chart =
        base("Sluice / DuckDB-direct against scale (1.0 = no overhead)", "Sluice / DuckDB-direct");
    for (String suite : SUITES) {
      List<Point> points = points(suite);
      if (!points.isEmpty()) {
        chart
            .addSeries(
                suite,
                points.stream().map(Point::scale).toList(),
                points.stream().map(Point::ratio).toList())
            .setMarker(SeriesMarkers.CIRCLE);
      }
    }
    return chart;
  }

  private XYChart timeChart() {
    XYChart chart = base("Total time against scale (median; lower is better)", "seconds");
    chart.getStyler().setYAxisLogarithmic(true);
    for (String suite : SUITES) {
      List<Point> points = points(suite);
      if (points.isEmpty()) {
        continue;
      }
      List<Double> scales = points.stream().map(Point::scale).toList();
      chart
          .addSeries(
              suite + " sluice", scales, points.stream().map(p -> p.sluiceMillis() / 1000).toList())
          .setMarker(SeriesMarkers.CIRCLE);
      chart
          .addSeries(
              suite + " duckdb", scales, points.stream().map(p -> p.duckDbMillis() / 1000).toList())
          .setMarker(SeriesMarkers.DIAMOND);
    }
    return chart;
  }

  private XYChart base(String title, String yAxis) {
    XYChart chart =
        new XYChartBuilder()
            .width(900)
            .height(500)
            .title("sluice bench: " + title)
            .xAxisTitle("TPC-H scale factor")
            .yAxisTitle(yAxis)
            .build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    // a single scale cannot be drawn on a logarithmic axis's range
    chart.getStyler().setXAxisLogarithmic(reports.size() > 1);
    return chart;
  }
}
