package dev.sluice.bench.connectors;

import dev.sluice.bench.BenchSettings;
import dev.sluice.bench.SluiceLoad;
import dev.sluice.bench.report.Measurement;
import dev.sluice.bench.report.SuiteResult;
import dev.sluice.core.run.StepResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL → Iceberg rows per second: full loads of one table by Sluice's {@code postgres} source
 * read in one stream (parallelism 1) and in two key-range chunks at once (parallelism 2), against
 * {@code COPY (SELECT * FROM table) TO STDOUT} of the same table, the three alternating run by run
 * so that none always goes first.
 */
final class ReadThroughput extends PostgresMeasurement {
  static final String TABLE = "items";
  static final String BASELINE = "postgres-copy";

  private static final Logger LOG = LoggerFactory.getLogger(ReadThroughput.class);
  private static final List<Integer> PARALLELISM = List.of(1, 2);

  private final BenchSettings settings;
  private final long rows;

  ReadThroughput(BenchSettings settings, BenchPostgres postgres, Path project, long rows) {
    super(postgres, project);
    this.settings = settings;
    this.rows = rows;
  }

  /** Generates the table and writes the project: one source table per parallelism. */
  @Override
  void prepare() {
    generate(TABLE, rows);
    StringBuilder tables = new StringBuilder();
    for (int parallelism : PARALLELISM) {
      tables.append(
          """
            - name: %s
              options:
                table: %s
                parallelism: %d
          """
              .formatted(sourceTable(parallelism), TABLE, parallelism));
    }
    ConnectorsProject.writePostgres(project, postgres, tables.toString());
  }

  @Override
  void measure(SuiteResult result) {
    Map<String, List<Double>> samples = new LinkedHashMap<>();
    long bytes = -1;
    List<String> systems = new ArrayList<>();
    systems.add(BASELINE);
    PARALLELISM.forEach(parallelism -> systems.add(sourceTable(parallelism)));
    for (int run = 0; run < settings.runs(); run++) {
      // rotate the order, so that each system goes first as often as the others
      for (int i = 0; i < systems.size(); i++) {
        String system = systems.get((run + i) % systems.size());
        long started = System.nanoTime();
        if (system.equals(BASELINE)) {
          CopyBaseline.Copied copied = CopyBaseline.copy(postgres, TABLE);
          checkRows(BASELINE, copied.rows());
          bytes = copied.bytes();
        } else {
          StepResult step =
              SluiceLoad.openRunClose(project, ConnectorsProject.POSTGRES_SOURCE + "." + system);
          checkRows(system, step.rowsOut());
        }
        double millis = (System.nanoTime() - started) / 1e6;
        if (!settings.isWarmup(run)) {
          samples.computeIfAbsent(system, k -> new ArrayList<>()).add(millis);
        }
      }
      LOG.info("connectors: read run {}/{} done", run + 1, settings.runs());
    }
    Measurement copy = measurement(copyName(), BASELINE, samples.get(BASELINE), bytes, null);
    for (int parallelism : PARALLELISM) {
      result.add(
          measurement(
              sluiceName(parallelism),
              "sluice",
              samples.get(sourceTable(parallelism)),
              bytes,
              copy));
    }
    result.add(copy);
    result.note(
        "PostgreSQL → Iceberg: "
            + String.format(Locale.ROOT, "%,d", rows)
            + " rows of a generated table ("
            + SyntheticTable.COLUMNS
            + "). Sluice: an in-process `sluice run` of one `postgres` source table in mode full"
            + " (JDBC fetch_size 10000 → DuckDB appender → Parquet → Iceberg commit to"
            + " raw.pg_items_p*), workspace opened and closed inside the timing; parallelism 2 reads"
            + " two key-range chunks at once, on two connections sharing one snapshot. Baseline:"
            + " `COPY (SELECT * FROM items) TO STDOUT` through the JDBC driver's CopyManager on a"
            + " new connection, bytes counted and discarded. MB/s is the COPY text size per second"
            + " for all three; ratioToCopy is Sluice's median time over COPY's.");
  }

  private void checkRows(String system, long actual) {
    if (actual != rows) {
      throw new IllegalStateException(
          system + " read " + actual + " rows of " + TABLE + ", expected " + rows);
    }
  }

  private Measurement measurement(
      String name, String system, List<Double> samples, long bytes, Measurement copy) {
    Measurement timing = new Measurement(ConnectorsSuite.NAME, name, system, samples, Map.of());
    double seconds = timing.medianMillis() / 1000;
    Map<String, Number> metrics = new LinkedHashMap<>();
    metrics.put("rows", rows);
    metrics.put("bytes", bytes);
    metrics.put("rowsPerSecond", Math.round(rows / seconds));
    metrics.put("megabytesPerSecond", Math.round(bytes / (double) (1 << 20) / seconds * 10) / 10.0);
    if (copy != null) {
      metrics.put(
          "ratioToCopy", Math.round(timing.medianMillis() / copy.medianMillis() * 100) / 100.0);
    }
    return new Measurement(ConnectorsSuite.NAME, name, system, samples, metrics);
  }

  static String sluiceName(int parallelism) {
    return "postgres → iceberg, parallelism " + parallelism;
  }

  static String copyName() {
    return "COPY TO STDOUT (baseline)";
  }

  private static String sourceTable(int parallelism) {
    return "items_p" + parallelism;
  }
}
