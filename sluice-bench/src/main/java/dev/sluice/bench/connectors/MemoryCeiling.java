package dev.sluice.bench.connectors;

import dev.sluice.bench.ChildProcess;
import dev.sluice.bench.report.Measurement;
import dev.sluice.bench.report.SuiteResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The memory ceiling: the postgres source loads a 10-million-row table (at scale 1) in a child JVM
 * started with {@code -Xmx512m}, in parallel key-range chunks, while its peak resident set size
 * (VmHWM) is sampled. Running out of memory is a result (the target is missed), not a failure of
 * the benchmark.
 */
final class MemoryCeiling extends PostgresMeasurement {
  static final String TABLE = "big_items";

  /** The heap of the child JVM: the ceiling. */
  static final String HEAP = "-Xmx512m";

  /** Issue 20: the heap, DuckDB's bounded memory and the JVM's own together under 1.5 GB. */
  private static final long PEAK_RSS_TARGET_BYTES = 1_500_000_000L;

  private static final Logger LOG = LoggerFactory.getLogger(MemoryCeiling.class);
  private static final String ASSET = ConnectorsProject.POSTGRES_SOURCE + ".big";
  private static final long TIMEOUT_SECONDS = TimeUnit.HOURS.toSeconds(2);

  private final long rows;
  private final String heap;

  /**
   * @param heap the child JVM's heap option, {@value #HEAP} in the suite
   */
  MemoryCeiling(BenchPostgres postgres, Path project, long rows, String heap) {
    super(postgres, project);
    this.rows = rows;
    this.heap = heap;
  }

  /** Generates the table and writes the project: parallelism 2, about ten chunks. */
  @Override
  void prepare() {
    generate(TABLE, rows);
    ConnectorsProject.writePostgres(
        project,
        postgres,
        """
          - name: big
            options:
              table: %s
              parallelism: 2
              chunk_rows: %d
        """
            .formatted(TABLE, Math.max(10_000, rows / 10)));
  }

  @Override
  void measure(SuiteResult result) {
    List<String> command = new ArrayList<>();
    command.add(ChildProcess.javaExecutable());
    command.add(heap);
    command.add("-XX:+ExitOnOutOfMemoryError");
    command.add("-XX:+UseParallelGC");
    command.add("-Dlogback.configurationFile=sluice-bench-logback.xml");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(LoadInChildProcess.class.getName());
    command.add(project.toAbsolutePath().toString());
    command.add(ASSET);
    String name = String.format(Locale.ROOT, "%,d-row load, %s (child JVM)", rows, heap);
    String target =
        String.format(Locale.ROOT, "a %,d-row PostgreSQL table ingests with %s", rows, heap);
    LOG.info("connectors: loading {} rows in a child JVM with {} ...", rows, heap);
    ChildProcess.Outcome outcome;
    try {
      outcome = ChildProcess.run(command, project, TIMEOUT_SECONDS);
    } catch (IllegalStateException e) {
      result.target(target, "no result: " + e.getMessage(), false);
      return;
    }
    String expected = LoadInChildProcess.LOADED + " " + ASSET + " SUCCEEDED " + rows;
    boolean loaded = outcome.exitCode() == 0 && outcome.output().contains(expected);
    Map<String, Number> metrics = new LinkedHashMap<>();
    metrics.put("rows", rows);
    metrics.put("rowsPerSecond", Math.round(rows / (outcome.millis() / 1000)));
    metrics.put("peakRssBytes", outcome.peakRssBytes());
    metrics.put("exitCode", outcome.exitCode());
    result.add(
        new Measurement(ConnectorsSuite.NAME, name, "sluice", List.of(outcome.millis()), metrics));
    String peak = (outcome.peakRssBytes() >> 20) + " MiB peak RSS";
    String seconds = String.format(Locale.ROOT, "%.1f s", outcome.millis() / 1000);
    if (loaded) {
      result.target(target, "loaded in " + seconds + ", " + peak, true);
      result.target(
          String.format(
              Locale.ROOT, "the %,d-row load with %s peaks under 1.5 GB of RSS", rows, heap),
          peak,
          outcome.peakRssBytes() < PEAK_RSS_TARGET_BYTES);
    } else {
      String why =
          outcome.output().contains("OutOfMemoryError")
              ? "out of memory"
              : "failed (exit code " + outcome.exitCode() + ")";
      result.target(target, why + " after " + seconds + ", " + peak, false);
      result.note("The memory load's child JVM printed: " + lastLines(outcome.output(), 10));
    }
    result.note(
        "Memory ceiling: one `sluice run` of a postgres source table in a child JVM started with "
            + heap
            + " -XX:+ExitOnOutOfMemoryError (parallelism 2, chunks of a tenth of the key range),"
            + " from start to exit; peak RSS is the child's VmHWM (heap, DuckDB's native memory,"
            + " the JVM itself). The table has the same columns as the throughput table.");
  }

  private static String lastLines(String output, int count) {
    List<String> lines = output.lines().toList();
    return String.join(" | ", lines.subList(Math.max(0, lines.size() - count), lines.size()));
  }
}
