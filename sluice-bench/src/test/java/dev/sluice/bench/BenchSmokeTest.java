package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.bench.BenchSettings.Baseline;
import dev.sluice.bench.BenchSettings.Suite;
import dev.sluice.bench.report.Report;
import dev.sluice.bench.report.SuiteResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tiny runs of every suite (TPC-H scale 0.01, one repetition), to keep the benchmarks working.
 * Nothing here is timed: the assertions are about what was measured and written, never how fast.
 */
class BenchSmokeTest {
  private static final Path SLUICE_HOME = Path.of("").toAbsolutePath().getParent();

  private static BenchSettings settings(Path dir, Set<Suite> suites, Set<Baseline> baselines) {
    return new BenchSettings(
        0.01, suites, baselines, 1, 0, dir.resolve("report"), dir.resolve("work"), SLUICE_HOME);
  }

  @Test
  void ingestAndTransformAgainstDuckDb(@TempDir Path dir) throws Exception {
    Report report =
        new Benchmark(
                settings(dir, Set.of(Suite.INGEST, Suite.TRANSFORM), Set.of(Baseline.DUCKDB)),
                List.of(),
                0)
            .run();

    SuiteResult ingest = report.suites().get(0);
    assertThat(ingest.find("total", "sluice")).isPresent();
    assertThat(ingest.find("total", "duckdb")).isPresent();
    assertThat(ingest.find("total", "sluice").orElseThrow().metrics()).containsKey("rowsPerSecond");
    SuiteResult transform = report.suites().get(1);
    assertThat(transform.names()).contains("total", "q01", "q22");
    assertThat(transform.find("q22", "duckdb")).isPresent();
    // The suite fails on a mismatch, so reaching here means the cross-check passed.
    assertThat(transform.notes()).anyMatch(note -> note.startsWith("Cross-check: all 22"));
    assertThat(dir.resolve("report/report.md")).exists();
    assertThat(Files.readString(dir.resolve("report/results.json"))).contains("\"transform\"");
  }

  @Test
  void orchestrationAndStartup(@TempDir Path dir) {
    Report report =
        new Benchmark(
                settings(dir, Set.of(Suite.ORCHESTRATE, Suite.STARTUP), Set.of()), List.of(100), 12)
            .run();

    SuiteResult orchestrate = report.suites().get(0);
    assertThat(orchestrate.names())
        .contains(
            "load+validate+plan 100",
            "per no-op view asset",
            "scheduling overhead per view asset",
            "per no-op table asset",
            "scheduling overhead per table asset",
            "backfill 4 daily partitions, batch 1",
            "backfill 4 daily partitions, batch 30");
    SuiteResult startup = report.suites().get(1);
    assertThat(startup.names())
        .containsExactly("sluice --help", "sluice validate (demo)", "sluice run (one model)");
    assertThat(startup.targets()).hasSize(2);
  }

  /**
   * The Spark baseline: builds the Spark runner (downloading Spark) and starts Spark twice, which
   * takes minutes, so it runs only with {@code -Dsluice.bench.spark=true}.
   */
  @Test
  @EnabledIfSystemProperty(named = "sluice.bench.spark", matches = "true")
  void sparkBaseline(@TempDir Path dir) {
    Report report =
        new Benchmark(
                settings(dir, Set.of(Suite.INGEST, Suite.TRANSFORM), Set.of(Baseline.SPARK)),
                List.of(),
                0)
            .run();

    assertThat(report.suites().get(0).find("total", "spark")).isPresent();
    assertThat(report.suites().get(1).find("q01", "spark")).isPresent();
  }
}
