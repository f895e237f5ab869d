package dev.sluice.bench.env;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.bench.BenchSettings;
import dev.sluice.bench.report.Measurement;
import dev.sluice.bench.report.SuiteResult;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The environments suite, run tiny ({@code --scale 0.001}: 10 models, 2 promoted tables, a diff of
 * 10,000 rows with 100 changed): every measurement is taken on real data and every target judged.
 */
class EnvironmentSuiteTest {
  @TempDir Path root;

  @Test
  void theSuiteMeasuresCreationPromotionAndDiffAtATinyScale() {
    BenchSettings settings =
        new BenchSettings(
            0.001,
            Set.of(BenchSettings.Suite.ENVIRONMENTS),
            Set.of(),
            1,
            0,
            root.resolve("out"),
            root.resolve("work"),
            root);
    SuiteResult result = new EnvironmentSuite(settings).run();
    assertThat(result.measurements())
        .extracting(Measurement::name)
        .contains(
            "create an environment (1 changed model of 10)",
            "promote 2 tables",
            "diff of two 10000-row versions, 100 rows changed");
    assertThat(result.measurements())
        .allSatisfy(measurement -> assertThat(measurement.samplesMillis()).hasSize(1));
    assertThat(result.targets()).hasSize(2);
  }
}
