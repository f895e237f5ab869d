package dev.sluice.cli;

import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.sluice.api.InvalidInputException;
import dev.sluice.core.cost.CostAccounting;
import dev.sluice.core.cost.CostDimension;
import dev.sluice.core.cost.CostLine;
import dev.sluice.core.cost.CostReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * The cost over time of {@code sluice cost --output DIR}: the period cut into hours, days or weeks,
 * each priced like the report, the costliest groups stacked and the rest as {@code (other)}. Drawn
 * as a PNG with XChart, with the figures behind it as CSV.
 */
final class CostChart {
  /** The groups drawn on their own; the others are summed as {@code (other)}. */
  static final int GROUPS = 8;

  private static final String OTHER = "(other)";

  private final CostAccounting accounting;
  private final CostDimension by;

  CostChart(CostAccounting accounting, CostDimension by) {
    this.accounting = accounting;
    this.by = by;
  }

  /** The files written: the chart and its figures. */
  record Written(Path png, Path csv, int buckets) {}

  /**
   * Prices each bucket of {@code report}'s period and writes {@code cost-by-<by>.png} and {@code
   * cost-by-<by>.csv} to {@code directory}, creating it.
   */
  Written write(CostReport report, Path directory) {
    Duration period = Duration.between(report.from(), report.to());
    Duration bucket = bucketOf(period);
    List<String> groups = groupsOf(report);
    boolean priced = report.pricesDeclared();
    List<String> labels = new ArrayList<>();
    Map<String, List<Double>> series = new LinkedHashMap<>();
    for (String group : groups) {
      series.put(group, new ArrayList<>());
    }
    DateTimeFormatter label =
        DateTimeFormatter.ofPattern(
                bucket.toHours() < 24 ? "MM-dd HH:00" : "yyyy-MM-dd", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    for (Instant start = report.from(); start.isBefore(report.to()); start = start.plus(bucket)) {
      Instant end = start.plus(bucket).isAfter(report.to()) ? report.to() : start.plus(bucket);
      CostReport slice = accounting.report(by, Duration.between(start, end), end, 0);
      labels.add(label.format(start));
      Map<String, Double> values = new LinkedHashMap<>();
      for (CostLine line : slice.lines()) {
        String group = groups.contains(line.key()) ? line.key() : OTHER;
        values.merge(group, measure(line, priced), Double::sum);
      }
      for (String group : groups) {
        series.get(group).add(values.getOrDefault(group, 0.0));
      }
    }
    if (series.containsKey(OTHER) && series.get(OTHER).stream().allMatch(v -> v == 0.0)) {
      series.remove(OTHER);
    }
    String unit = priced ? report.currency() : "CPU seconds";
    try {
      Files.createDirectories(directory);
      String name = "cost-by-" + by.name().toLowerCase(Locale.ROOT);
      Path csv = directory.resolve(name + ".csv");
      writeCsv(csv, labels, series, unit);
      Path png = directory.resolve(name + ".png");
      System.setProperty("java.awt.headless", "true");
      ImageIO.write(
          BitmapEncoder.getBufferedImage(chart(report, labels, series, unit, bucket)),
          "png",
          png.toFile());
      return new Written(png, csv, labels.size());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the cost chart to " + directory, e);
    }
  }

  /** Hours for up to two days, days for up to 92 days, weeks beyond. */
  static Duration bucketOf(Duration period) {
    if (period.compareTo(Duration.ofDays(2)) <= 0) {
      return Duration.ofHours(1);
    }
    return period.compareTo(Duration.ofDays(92)) <= 0 ? Duration.ofDays(1) : Duration.ofDays(7);
  }

  /** The costliest groups of the whole period (the report's lines come costliest first). */
  private static List<String> groupsOf(CostReport report) {
    List<String> groups = new ArrayList<>();
    for (CostLine line : report.lines()) {
      if (groups.size() == GROUPS) {
        break;
      }
      groups.add(line.key());
    }
    groups.add(OTHER);
    return groups;
  }

  /** The amount, or without prices the CPU seconds, which are measured all the same. */
  private static double measure(CostLine line, boolean priced) {
    return priced ? line.total().doubleValue() : line.cpuMillis() / 1000.0;
  }

  private CategoryChart chart(
      CostReport report,
      List<String> labels,
      Map<String, List<Double>> series,
      String unit,
      Duration bucket) {
    String per = bucket.toHours() < 24 ? "hour" : bucket.toDays() < 7 ? "day" : "week";
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(Math.max(800, Math.min(1600, 30 * labels.size())))
            .height(500)
            .title(
                "sluice cost by "
                    + by.name().toLowerCase(Locale.ROOT)
                    + ", per "
                    + per
                    + " ("
                    + unit
                    + "), "
                    + report.from()
                    + " to "
                    + report.to())
            .xAxisTitle("")
            .yAxisTitle(unit)
            .build();
    chart.getStyler().setStacked(true);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    chart.getStyler().setXAxisLabelRotation(45);
    chart.getStyler().setOverlapped(false);
    if (series.isEmpty()) {
      chart.addSeries("nothing measured", labels, labels.stream().map(l -> 0.0).toList());
    }
    series.forEach((group, values) -> chart.addSeries(group, labels, values));
    return chart;
  }

  private static void writeCsv(
      Path csv, List<String> labels, Map<String, List<Double>> series, String unit)
      throws IOException {
    CsvMapper mapper = new CsvMapper();
    CsvSchema schema =
        CsvSchema.builder()
            .addColumn("bucket")
            .addColumn("group")
            .addColumn("value")
            .addColumn("unit")
            .build()
            .withHeader();
    try (SequenceWriter writer = mapper.writer(schema).writeValues(csv.toFile())) {
      for (int i = 0; i < labels.size(); i++) {
        for (Map.Entry<String, List<Double>> entry : series.entrySet()) {
          writer.write(
              List.of(
                  labels.get(i),
                  entry.getKey(),
                  BigDecimal.valueOf(entry.getValue().get(i)).toPlainString(),
                  unit));
        }
      }
    }
  }

  /** Refuses an output path that exists and is not a directory. */
  static void checkDirectory(Path directory) {
    if (Files.exists(directory) && !Files.isDirectory(directory)) {
      throw new InvalidInputException(
          "--output " + directory + " is a file: give a directory for the cost chart");
    }
  }
}
