package dev.sluice.bench.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Bar charts (PNG, drawn with XChart) of each suite's medians, per name and system. */
final class Charts {
  private static final Logger LOG = LoggerFactory.getLogger(Charts.class);

  private Charts() {}

  /** Writes one chart per suite that timed something; returns their file names. */
  static List<String> write(Report report, Path directory) {
    System.setProperty("java.awt.headless", "true");
    List<String> written = new ArrayList<>();
    for (SuiteResult suite : report.suites()) {
      // a suite that times nothing (the anomaly suite counts) has no chart: it would be empty
      if (suite.measurements().stream().allMatch(m -> m.samplesMillis().isEmpty())) {
        continue;
      }
      List<String> names = suite.names().stream().filter(n -> !n.equals("total")).toList();
      // a suite that measured its total alone has only the total's chart (XChart refuses no bars)
      if (!names.isEmpty()) {
        save(chart(suite, suite.suite(), names), directory, suite.suite() + ".png", written);
      }
      if (suite.names().contains("total") && suite.systems().size() > 1) {
        save(
            chart(suite, suite.suite() + " total", List.of("total")),
            directory,
            suite.suite() + "-total.png",
            written);
      }
    }
    return written;
  }

  /** Writes {@code chart} as {@code file} in {@code directory} and adds it to {@code written}. */
  static void save(Chart<?, ?> chart, Path directory, String file, List<String> written) {
    try {
      // what XChart's deprecated saveBitmap did
      ImageIO.write(BitmapEncoder.getBufferedImage(chart), "png", directory.resolve(file).toFile());
      written.add(file);
    } catch (IOException | RuntimeException | Error e) {
      // Charts are a convenience: a JVM without fonts must not lose the measurements.
      LOG.warn("Cannot draw the chart {}: {}", file, e.toString());
    }
  }

  private static CategoryChart chart(SuiteResult suite, String title, List<String> names) {
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(Math.max(800, Math.min(1600, 40 * names.size() * suite.systems().size())))
            .height(500)
            .title("sluice bench: " + title + " (median ms; lower is better)")
            .xAxisTitle("")
            .yAxisTitle("milliseconds")
            .build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    chart.getStyler().setXAxisLabelRotation(45);
    for (String system : suite.systems()) {
      List<String> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (String name : names) {
        x.add(name);
        y.add(suite.find(name, system).map(Measurement::medianMillis).orElse(0.0));
      }
      chart.addSeries(system, x, y);
    }
    return chart;
  }
}
