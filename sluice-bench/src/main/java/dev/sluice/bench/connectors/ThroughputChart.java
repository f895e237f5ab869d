package dev.sluice.bench.connectors;

import dev.sluice.bench.report.Measurement;
import dev.sluice.bench.report.SuiteResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A second chart of the connectors suite, drawn with XChart like the report's: rows per second of
 * each read (Sluice's, COPY's and the memory load's), which the report's chart of median times
 * cannot compare, since the reads move different numbers of rows.
 */
final class ThroughputChart {
  static final String FILE = ConnectorsSuite.NAME + "-rows-per-second.png";

  private static final Logger LOG = LoggerFactory.getLogger(ThroughputChart.class);

  private ThroughputChart() {}

  /** Draws the chart into {@code directory}; returns whether it was written. */
  static boolean write(SuiteResult result, Path directory) {
    System.setProperty("java.awt.headless", "true");
    List<String> names = new ArrayList<>();
    List<Double> rowsPerSecond = new ArrayList<>();
    for (Measurement measurement : result.measurements()) {
      Optional.ofNullable(measurement.metrics().get("rowsPerSecond"))
          .ifPresent(
              value -> {
                names.add(measurement.name() + " (" + measurement.system() + ")");
                rowsPerSecond.add(value.doubleValue());
              });
    }
    if (names.isEmpty()) {
      return false;
    }
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(800)
            .height(500)
            .title("sluice bench: PostgreSQL reads (rows per second; higher is better)")
            .xAxisTitle("")
            .yAxisTitle("rows per second")
            .build();
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setXAxisLabelRotation(45);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    chart.addSeries("rows per second", names, rowsPerSecond);
    try {
      Files.createDirectories(directory);
      // what XChart's deprecated saveBitmap did
      ImageIO.write(BitmapEncoder.getBufferedImage(chart), "png", directory.resolve(FILE).toFile());
      return true;
    } catch (IOException | RuntimeException | Error e) {
      // a convenience, as the report's charts are: a JVM without fonts keeps the measurements
      LOG.warn("Cannot draw the chart {}: {}", FILE, e.toString());
      return false;
    }
  }
}
