package dev.sluice.bench.micro;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.bench.BenchSettings;
import dev.sluice.bench.BenchSettings.Suite;
import dev.sluice.bench.report.Measurement;
import dev.sluice.bench.report.SuiteResult;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.runner.options.TimeValue;

/** A short JMH run of the micro-benchmarks, to keep them working (nothing here is timed). */
class MicroSuiteTest {
  @Test
  void everyMicroBenchmarkRunsInAForkedJvm(@TempDir Path dir) {
    BenchSettings settings =
        new BenchSettings(
            0.01,
            Set.of(Suite.MICRO),
            Set.of(),
            1,
            0,
            dir.resolve("report"),
            dir.resolve("work"),
            Path.of("").toAbsolutePath().getParent());

    SuiteResult result = new MicroSuite(settings, TimeValue.milliseconds(100)).run();

    assertThat(result.names())
        .containsExactlyInAnyOrder(
            "footerWithHadoopConfiguration",
            "footerWithPlainConfiguration",
            "engineSessionOpenAndClose",
            "runStoreStepTransitions");
    assertThat(result.measurements())
        .allSatisfy(
            measurement -> {
              assertThat(measurement.samplesMillis()).hasSize(3);
              assertThat(measurement.medianMillis()).isPositive();
            });
    assertThat(result.measurements()).extracting(Measurement::system).containsOnly("sluice");
  }
}
