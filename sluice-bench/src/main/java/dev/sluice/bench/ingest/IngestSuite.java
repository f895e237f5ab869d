package dev.sluice.bench.ingest;

import dev.sluice.api.engine.ParquetCompression;
import dev.sluice.bench.AlternatingRuns;
import dev.sluice.bench.BenchSettings;
import dev.sluice.bench.BenchSettings.Baseline;
import dev.sluice.bench.Machine;
import dev.sluice.bench.TpchSuite;
import dev.sluice.bench.TpchWorkspace;
import dev.sluice.bench.report.Measurement;
import dev.sluice.bench.report.PhaseBreakdown;
import dev.sluice.bench.report.SuiteResult;
import dev.sluice.bench.spark.SparkBaseline;
import dev.sluice.bench.tpch.TpchData;
import dev.sluice.bench.tpch.TpchProject;
import dev.sluice.bench.tpch.TpchTables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * TPC-H CSV files → tables: Sluice's file source into raw Iceberg tables (a {@code sluice run} of
 * the eight source tables) against DuckDB's own {@code COPY (SELECT * FROM read_csv(...)) TO
 * 'x.parquet'} of the same files, alternating run by run, and Spark local writing Iceberg tables.
 */
public final class IngestSuite extends TpchSuite {
  public static final String NAME = "ingest";

  /** DuckDB's {@code COPY} with its own default codec, reported beside the equal-work baseline. */
  static final String SNAPPY_SYSTEM = "duckdb-snappy";

  private static final String SNAPPY_PREFIX = "snappy:";
  private static final ParquetCompression SNAPPY = new ParquetCompression("snappy", null);

  public IngestSuite(BenchSettings settings, TpchWorkspace tpch) {
    super(settings, tpch);
  }

  @Override
  public SuiteResult run() {
    TpchData data = tpch.data();
    long rows = data.totalRows();
    long bytes = data.totalBytes();
    SuiteResult result = new SuiteResult(NAME);
    boolean duckdb = compares(Baseline.DUCKDB);
    PhaseBreakdown phases = new PhaseBreakdown();
    AtomicInteger sluiceRuns = new AtomicInteger();
    AlternatingRuns runs =
        AlternatingRuns.run(
            settings,
            NAME,
            () -> runSluice(settings.isWarmup(sluiceRuns.getAndIncrement()) ? null : phases),
            duckdb ? () -> runDuckDb(data) : null);
    tpch.markIngested();
    Map<String, Number> volume = Map.of("rows", rows, "bytes", bytes);
    result.add(measurement("total", "sluice", runs.sluice("total"), volume));
    for (String table : TpchTables.names()) {
      result.add(measurement(table, "sluice", runs.sluice(table), Map.of()));
    }
    if (duckdb) {
      result.add(measurement("total", "duckdb", runs.baseline("total"), volume));
      for (String table : TpchTables.names()) {
        result.add(measurement(table, "duckdb", runs.baseline(table), Map.of()));
      }
      result.add(
          measurement("total", SNAPPY_SYSTEM, runs.baseline(SNAPPY_PREFIX + "total"), volume));
      for (String table : TpchTables.names()) {
        result.add(
            measurement(table, SNAPPY_SYSTEM, runs.baseline(SNAPPY_PREFIX + table), Map.of()));
      }
    }
    if (!phases.isEmpty()) {
      result.phases(phases.medians());
    }
    if (compares(Baseline.SPARK)) {
      runSpark(data, result, volume);
    }
    result.targetRatio(
        "ingest throughput at least 0.8 × DuckDB COPY", "total", "duckdb", "sluice", r -> r >= 0.8);
    result.targetRatio(
        "ingest throughput at least 5 × Spark local", "total", "spark", "sluice", r -> r >= 5);
    result.note(
        "Sluice: an in-process `sluice run` of the 8 source tables (Runner, file source with declared"
            + " columns, write-audit-publish commit to raw.tpch_*), workspace opened and closed"
            + " inside the timing. DuckDB: one in-memory connection per run, one COPY per table,"
            + " compressed as Sluice compresses ("
            + ParquetCompression.DEFAULT
            + ", the same work); "
            + SNAPPY_SYSTEM
            + ": the same COPYs with DuckDB's default, snappy (files about half again as large),"
            + " in the same runs, for comparison."
            + " Peak RSS of the benchmark JVM (Sluice and DuckDB in-process): "
            + Machine.peakRssOfThisProcessText()
            + ".");
    return result;
  }

  private static Measurement measurement(
      String name, String system, List<Double> samples, Map<String, Number> volume) {
    Map<String, Number> metrics = new LinkedHashMap<>(volume);
    if (volume.containsKey("rows")) {
      double seconds = new Measurement(NAME, name, system, samples, Map.of()).medianMillis() / 1000;
      metrics.put("rowsPerSecond", Math.round(volume.get("rows").doubleValue() / seconds));
      metrics.put(
          "megabytesPerSecond",
          Math.round(volume.get("bytes").doubleValue() / (1 << 20) / seconds * 10) / 10.0);
    }
    return new Measurement(NAME, name, system, samples, metrics);
  }

  /**
   * One Sluice load of all source tables: the time per table (its source table's name) and in
   * total.
   *
   * @param phases where the steps' phases go, or null for a warm-up run
   */
  private Map<String, Double> runSluice(PhaseBreakdown phases) {
    Map<String, Double> times = new LinkedHashMap<>();
    tpch.runSluice(
            TpchProject.sourceAssets(),
            "ingest",
            run -> {
              if (phases != null) {
                phases.add(run);
              }
            })
        .forEach((asset, millis) -> times.put(asset.substring(asset.indexOf('.') + 1), millis));
    return times;
  }

  /** One DuckDB COPY of every table's CSV files to a Parquet file. */
  private Map<String, Double> runDuckDb(TpchData data) {
    Path output = tpch.root().resolve("duckdb-copy");
    Map<String, Double> times = new LinkedHashMap<>();
    try {
      Files.createDirectories(output);
      long started = System.nanoTime();
      try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
          Statement statement = connection.createStatement()) {
        for (String table : TpchTables.names()) {
          long tableStarted = System.nanoTime();
          statement.execute(
              copySql(data, table, output.resolve(table + ".parquet"), ParquetCompression.DEFAULT));
          times.put(table, (System.nanoTime() - tableStarted) / 1e6);
        }
        times.put("total", (System.nanoTime() - started) / 1e6);
        // DuckDB's own default, snappy, outside the equal-work total: for comparison
        long snappyStarted = System.nanoTime();
        for (String table : TpchTables.names()) {
          long tableStarted = System.nanoTime();
          statement.execute(
              copySql(data, table, output.resolve(table + "-snappy.parquet"), SNAPPY));
          times.put(SNAPPY_PREFIX + table, (System.nanoTime() - tableStarted) / 1e6);
        }
        times.put(SNAPPY_PREFIX + "total", (System.nanoTime() - snappyStarted) / 1e6);
      }
      return reorder(times);
    } catch (SQLException e) {
      throw new IllegalStateException("The DuckDB COPY failed: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, Double> reorder(Map<String, Double> times) {
    Map<String, Double> ordered = new LinkedHashMap<>();
    ordered.put("total", times.get("total"));
    times.forEach(ordered::putIfAbsent);
    return ordered;
  }

  /**
   * DuckDB's {@code COPY} of a table's CSV files to one Parquet file, compressed as {@code
   * compression} (Sluice's: the same work; or snappy, DuckDB's default, for comparison).
   */
  static String copySql(TpchData data, String table, Path target, ParquetCompression compression) {
    StringJoiner columns = new StringJoiner(", ", "{", "}");
    for (TpchTables.Column column : TpchTables.columns(table)) {
      columns.add("'" + column.name() + "': '" + column.duckDbType() + "'");
    }
    return String.format(
        Locale.ROOT,
        "COPY (SELECT * FROM read_csv('%s/*.csv', header = true, auto_detect = false,"
            + " delim = ',', quote = '\"', columns = %s)) TO '%s' (FORMAT parquet, COMPRESSION %s%s)",
        data.tableDirectory(table),
        columns,
        target,
        compression.codec(),
        compression.level() == null ? "" : ", COMPRESSION_LEVEL " + compression.level());
  }

  private void runSpark(TpchData data, SuiteResult result, Map<String, Number> volume) {
    Path work = tpch.root().resolve("spark-ingest");
    Map<String, String> job = new HashMap<>();
    job.put("mode", "ingest");
    job.put("catalog.uri", "jdbc:sqlite:" + work.resolve("catalog.db"));
    job.put("warehouse", work.resolve("warehouse").toString());
    job.put("tables", String.join(",", TpchTables.names()));
    for (String table : TpchTables.names()) {
      StringJoiner schema = new StringJoiner(", ");
      TpchTables.columns(table).forEach(c -> schema.add(c.name() + " " + c.sparkType()));
      job.put("schema." + table, schema.toString());
      job.put("csv." + table, data.tableDirectory(table).toString());
    }
    job.put("rows.total", String.valueOf(volume.get("rows")));
    SparkBaseline.Result spark = runSpark(job, work);
    Map<String, Number> totals = new LinkedHashMap<>(volume);
    Measurement total = measurement("total", "spark", spark.millis().get("total"), totals);
    Map<String, Number> metrics = new LinkedHashMap<>(total.metrics());
    metrics.put("peakRssBytes", spark.peakRssBytes());
    result.add("total", "spark", total.samplesMillis(), metrics);
    spark
        .millis()
        .forEach(
            (table, samples) -> {
              if (!table.equals("total")) {
                result.add(table, "spark", samples, Map.of());
              }
            });
  }
}
