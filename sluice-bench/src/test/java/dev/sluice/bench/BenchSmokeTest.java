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

  /**
   * The server suite at scale 0.01: 200 assets, every endpoint timed over 20 requests, then 50
   * clients during a run; the targets are reported (met or not), never asserted.
   */
  @Test
  void server(@TempDir Path dir) {
    Report report =
        new Benchmark(settings(dir, Set.of(Suite.SERVER), Set.of()), List.of(), 0).run();
    SuiteResult server = report.suites().get(0);
    assertThat(server.names())
        .contains(
            "asset list, first page",
            "one asset",
            "search, one word",
            "ui: asset page",
            "50 clients during a run: asset list");
    assertThat(server.find("asset list, last page", "sluice").orElseThrow().metrics())
        .containsKeys("p50Millis", "p99Millis")
        .containsEntry("requests", 20);
    assertThat(
            server.find("50 clients during a run: search", "sluice").orElseThrow().samplesMillis())
        .hasSizeGreaterThanOrEqualTo(250);
    assertThat(server.targets()).hasSize(3);
    assertThat(server.notes()).anyMatch(note -> note.contains("ended succeeded"));
  }

  /**
   * The maintenance suite at scale 0.01: 20 small commits, the queries before and after compaction
   * and clustering, and the maintenance's own time; the suite checks that every step kept every
   * row.
   */
  @Test
  void maintenance(@TempDir Path dir) {
    Report report =
        new Benchmark(settings(dir, Set.of(Suite.MAINTENANCE), Set.of()), List.of(), 0).run();

    SuiteResult maintenance = report.suites().get(0);
    assertThat(maintenance.suite()).isEqualTo("maintenance");
    assertThat(maintenance.systems()).contains("before", "compacted", "clustered", "sluice");
    assertThat(maintenance.find("one customer", "clustered")).isPresent();
    assertThat(
            maintenance
                .find("maintenance: compaction and manifests", "sluice")
                .orElseThrow()
                .metrics())
        .containsEntry("dataFilesBefore", 20L)
        .containsEntry("manifestsAfter", 1);
    assertThat(maintenance.targets()).hasSize(2);
    assertThat(dir.resolve("report/report.md")).exists();
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
        .containsExactly(
            "sluice --version",
            "sluice --help",
            "sluice query",
            "sluice tables",
            "sluice runs",
            "sluice validate (demo)",
            "sluice plan (100 models)",
            "sluice validate (100 models)",
            "sluice run (one model)");
    // below scale 1 the 10,000-model targets are not judged
    assertThat(startup.targets()).hasSize(5);
  }

  /**
   * The connectors suite at scale 0.01: an embedded PostgreSQL, 10,000 rows read three ways, a
   * 100,000-row load in a child JVM with a 512 MB heap, and 5 s of updates followed by CDC loads.
   */
  @Test
  void connectorsAgainstPostgres(@TempDir Path dir) throws Exception {
    Report report =
        new Benchmark(settings(dir, Set.of(Suite.CONNECTORS), Set.of()), List.of(), 0).run();

    SuiteResult connectors = report.suites().get(0);
    assertThat(connectors.suite()).isEqualTo("connectors");
    assertThat(connectors.find("postgres → iceberg, parallelism 1", "sluice")).isPresent();
    assertThat(connectors.find("postgres → iceberg, parallelism 2", "sluice")).isPresent();
    assertThat(
            connectors.find("COPY TO STDOUT (baseline)", "postgres-copy").orElseThrow().metrics())
        .containsEntry("rows", 10_000L);
    assertThat(
            connectors.find("postgres → iceberg, parallelism 2", "sluice").orElseThrow().metrics())
        .containsKeys("rowsPerSecond", "megabytesPerSecond", "ratioToCopy");
    // the load in a child JVM with -Xmx512m loaded every row, under its RSS ceiling: both met
    assertThat(connectors.targets())
        .extracting(target -> target.target())
        .containsExactly(
            "a 100,000-row PostgreSQL table ingests with -Xmx512m",
            "the 100,000-row load with -Xmx512m peaks under 1.5 GB of RSS");
    assertThat(connectors.targets())
        .allSatisfy(target -> assertThat(target.met()).as(target.measured()).isTrue());
    assertThat(connectors.find("100,000-row load, -Xmx512m (child JVM)", "sluice").orElseThrow())
        .satisfies(load -> assertThat(load.metrics().get("peakRssBytes").longValue()).isPositive());
    // every change of the update load was seen in the lake, each with a lag
    var lag = connectors.find("cdc lag per change, 100 updates/s", "sluice").orElseThrow();
    assertThat(lag.metrics()).doesNotContainKey("unseenChanges");
    assertThat(lag.samplesMillis()).hasSize(lag.metrics().get("changes").intValue()).isNotEmpty();
    assertThat(lag.samplesMillis()).allSatisfy(millis -> assertThat(millis).isPositive());
    // the merge cost: both merges of both batches, with the ratio of their medians
    assertThat(
            connectors
                .find("merge 100 changed rows, keys across the table", "sluice")
                .orElseThrow()
                .metrics())
        .containsKeys("filesRewritten", "wholeTableRewriteOverFileMerge");
    assertThat(connectors.find("merge 100 changed rows, recent keys", "sluice-whole-table-rewrite"))
        .isPresent();
    assertThat(Files.readString(dir.resolve("report/report.md"))).contains("## connectors");
    assertThat(Files.readString(dir.resolve("report/results.json"))).contains("\"connectors\"");
  }

  /**
   * The workers suite at scale 0.01: a chain of three models on an embedded PostgreSQL, run in
   * process, then on one and on three {@code sluice serve --worker} child JVMs; each run must
   * succeed (the suite fails otherwise), and the overhead per step is reported, never asserted.
   */
  @Test
  void workers(@TempDir Path dir) throws Exception {
    Report report =
        new Benchmark(settings(dir, Set.of(Suite.WORKERS), Set.of()), List.of(), 0).run();

    SuiteResult workers = report.suites().get(0);
    assertThat(workers.suite()).isEqualTo("workers");
    assertThat(workers.find("chain of 3 steps", "in process")).isPresent();
    assertThat(workers.find("chain of 3 steps", "1 worker").orElseThrow().metrics())
        .containsEntry("workers", 1);
    assertThat(workers.find("chain of 3 steps", "3 workers").orElseThrow().metrics())
        .containsEntry("steps", 3);
    assertThat(workers.targets()).hasSize(2);
    assertThat(Files.readString(dir.resolve("report/report.md"))).contains("## workers");
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
