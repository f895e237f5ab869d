package dev.sluice.bench.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Bar charts (PNG, drawn with XChart) of each suite's medians, per name and system. */
final class Charts {
  private static final Logger LOG = LoggerFactory.getLogger(Charts.class);

  private Charts() {}

  /** Writes one chart per suite; returns their file names. */
  static List<String> write(Report report, Path directory) throws IOException {
    System.setProperty("java.awt.headless", "true");
    List<String> written = new ArrayList<>();
    for (SuiteResult suite : report.suites()) {
      if (suite.measurements().isEmpty()) {
        continue;
      }
      String file = suite.suite() + ".png";
      try {
        BitmapEncoder.saveBitmap(chart(suite), directory.resolve(file).toString(), BitmapEncoder.BitmapFormat.PNG);
        written.add(file);
      } catch (RuntimeException | Error e) {
        // Charts are a convenience: a JVM without fonts must not lose the measurements.
        LOG.warn("Cannot draw the {} chart: {}", suite.suite(), e.toString());
      }
    }
    return written;
  }

  private static CategoryChart chart(SuiteResult suite) {
    List<String> names = suite.names();
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(Math.max(800, 60 * names.size() * Math.max(1, suite.systems().size())))
            .height(500)
            .title("sluice bench: " + suite.suite() + " (median ms, log scale)")
            .xAxisTitle("")
            .yAxisTitle("milliseconds")
            .build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    chart.getStyler().setYAxisLogarithmic(true);
    chart.getStyler().setXAxisLabelRotation(45);
    for (String system : suite.systems()) {
      List<String> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (String name : names) {
        x.add(name);
        y.add(suite.find(name, system).map(m -> Math.max(0.01, m.medianMillis())).orElse(0.01));
      }
      chart.addSeries(system, x, y);
    }
    return chart;
  }
}
