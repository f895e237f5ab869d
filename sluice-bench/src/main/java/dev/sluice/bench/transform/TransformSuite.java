package dev.sluice.bench.transform;

import dev.sluice.api.TableName;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.api.sql.SqlLiterals;
import dev.sluice.bench.AlternatingRuns;
import dev.sluice.bench.BenchSettings;
import dev.sluice.bench.BenchSettings.Baseline;
import dev.sluice.bench.Machine;
import dev.sluice.bench.TpchSuite;
import dev.sluice.bench.TpchWorkspace;
import dev.sluice.bench.report.PhaseBreakdown;
import dev.sluice.bench.report.SuiteResult;
import dev.sluice.bench.spark.SparkBaseline;
import dev.sluice.bench.tpch.TpchProject;
import dev.sluice.bench.tpch.TpchQueries;
import dev.sluice.bench.tpch.TpchTables;
import dev.sluice.core.Workspace;
import dev.sluice.core.query.QueryService;
import dev.sluice.lake.ReadPoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The 22 TPC-H queries: as Sluice table models in the published zone, built by an in-process {@code
 * sluice run}, against the same SQL run directly in DuckDB over the same Parquet files (the data
 * files of the raw Iceberg tables), alternating run by run, and Spark local[2] reading the same
 * Iceberg tables through the same SQLite catalog. Every Sluice result is compared row for row with
 * DuckDB's; a difference fails the suite.
 */
public final class TransformSuite extends TpchSuite {
  public static final String NAME = "transform";

  public TransformSuite(BenchSettings settings, TpchWorkspace tpch) {
    super(settings, tpch);
  }

  @Override
  public SuiteResult run() {
    ensureIngested();
    Map<String, List<String>> files = dataFiles();
    List<TpchQueries.Query> queries = TpchQueries.all();
    boolean duckdb = compares(Baseline.DUCKDB);
    Map<String, List<List<Object>>> directResults = new HashMap<>();
    PhaseBreakdown phases = new PhaseBreakdown();
    AtomicInteger sluiceRuns = new AtomicInteger();
    AlternatingRuns runs =
        AlternatingRuns.run(
            settings,
            NAME,
            () ->
                tpch.runSluice(
                    TpchProject.modelAssets(),
                    "transform run",
                    run -> {
                      if (!settings.isWarmup(sluiceRuns.getAndIncrement())) {
                        phases.add(run);
                      }
                    }),
            duckdb ? () -> runDuckDb(files, queries, directResults) : null);
    SuiteResult result = new SuiteResult(NAME);
    List<String> names = new ArrayList<>(List.of("total"));
    queries.forEach(query -> names.add(query.name()));
    names.forEach(name -> result.add(name, "sluice", runs.sluice(name), Map.of()));
    if (duckdb) {
      names.forEach(name -> result.add(name, "duckdb", runs.baseline(name), Map.of()));
      crossCheck(queries, directResults, result);
    }
    if (!phases.isEmpty()) {
      result.phases(phases.medians());
    }
    if (compares(Baseline.SPARK)) {
      runSpark(queries, directResults, result);
    }
    result.targetRatio(
        "22 TPC-H models in at most 1.2 × DuckDB-direct's time",
        "total",
        "sluice",
        "duckdb",
        r -> r <= 1.2);
    result.targetRatio(
        "22 TPC-H models at least 5 × faster than Spark local",
        "total",
        "spark",
        "sluice",
        r -> r >= 5);
    result.note(
        "Sluice: an in-process `sluice run` of the 22 models (threads: 1, so one query at a time"
            + " like the direct run; DuckDB itself uses every core), each materialized as an Iceberg"
            + " table with write-audit-publish; workspace opened and closed inside the total."
            + " DuckDB-direct: one in-memory connection per run, views over the same Parquet data"
            + " files, every result fetched. Peak RSS of the benchmark JVM: "
            + Machine.peakRssOfThisProcessText()
            + ".");
    return result;
  }

  /** The Parquet data files of each raw table, from Iceberg scan planning. */
  private Map<String, List<String>> dataFiles() {
    Map<String, List<String>> files = new LinkedHashMap<>();
    try (Workspace workspace = Workspace.open(tpch.project())) {
      for (String table : TpchTables.names()) {
        files.put(
            table,
            workspace
                .lake()
                .scan(TableName.parse(TpchProject.rawTable(table)), ReadPoint.main())
                .dataFiles());
      }
    }
    return files;
  }

  private static Map<String, Double> runDuckDb(
      Map<String, List<String>> files,
      List<TpchQueries.Query> queries,
      Map<String, List<List<Object>>> results) {
    Map<String, Double> times = new LinkedHashMap<>();
    long started = System.nanoTime();
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = connection.createStatement()) {
      for (Map.Entry<String, List<String>> table : files.entrySet()) {
        StringJoiner list = new StringJoiner(", ", "[", "]");
        table.getValue().forEach(file -> list.add(SqlLiterals.literal(file)));
        statement.execute(
            "CREATE VIEW " + table.getKey() + " AS SELECT * FROM read_parquet(" + list + ")");
      }
      for (TpchQueries.Query query : queries) {
        long queryStarted = System.nanoTime();
        List<List<Object>> rows = new ArrayList<>();
        try (ResultSet resultSet = statement.executeQuery(query.render(table -> table))) {
          int columns = resultSet.getMetaData().getColumnCount();
          while (resultSet.next()) {
            List<Object> row = new ArrayList<>(columns);
            for (int i = 1; i <= columns; i++) {
              row.add(resultSet.getObject(i));
            }
            rows.add(row);
          }
        }
        times.put(query.name(), (System.nanoTime() - queryStarted) / 1e6);
        results.put(query.name(), rows);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("A DuckDB-direct query failed: " + e.getMessage(), e);
    }
    Map<String, Double> ordered = new LinkedHashMap<>();
    ordered.put("total", (System.nanoTime() - started) / 1e6);
    ordered.putAll(times);
    return ordered;
  }

  /** Compares every published model table with DuckDB's result; a difference fails the suite. */
  private void crossCheck(
      List<TpchQueries.Query> queries,
      Map<String, List<List<Object>>> expected,
      SuiteResult result) {
    List<String> mismatches = new ArrayList<>();
    long rows = 0;
    try (Workspace workspace = Workspace.open(tpch.project())) {
      QueryService service = new QueryService(workspace);
      for (TpchQueries.Query query : queries) {
        QueryResult actual =
            service.query(
                "select * from published." + query.name(), ReadPoint.main(), Integer.MAX_VALUE);
        rows += actual.rows().size();
        Optional<String> difference =
            ResultComparison.difference(expected.get(query.name()), actual.rows());
        difference.ifPresent(d -> mismatches.add(query.name() + ": " + d));
      }
    }
    if (!mismatches.isEmpty()) {
      throw new IllegalStateException(
          "Sluice's results differ from DuckDB-direct's: " + String.join("\n", mismatches));
    }
    result.note(
        "Cross-check: all 22 published tables equal DuckDB-direct's results row for row ("
            + rows
            + " rows; floating point within a relative 1e-9).");
  }

  private void runSpark(
      List<TpchQueries.Query> queries,
      Map<String, List<List<Object>>> directResults,
      SuiteResult result) {
    Path work = tpch.root().resolve("spark-transform");
    Path queryDirectory = work.resolve("queries");
    try {
      Files.createDirectories(queryDirectory);
      for (TpchQueries.Query query : queries) {
        Files.writeString(
            queryDirectory.resolve(query.name() + ".sql"),
            query.render(table -> "sluice.raw.tpch_" + table));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path project = tpch.project().toAbsolutePath();
    Map<String, String> job = new HashMap<>();
    job.put("mode", "transform");
    job.put("catalog.uri", "jdbc:sqlite:" + project.resolve(".sluice/catalog.db"));
    job.put("warehouse", project.resolve("warehouse").toString());
    job.put("queries", queryDirectory.toString());
    SparkBaseline.Result spark = runSpark(job, work);
    spark
        .millis()
        .forEach(
            (name, samples) -> {
              Map<String, Number> metrics = new LinkedHashMap<>();
              if (name.equals("total")) {
                metrics.put("peakRssBytes", spark.peakRssBytes());
              } else {
                metrics.put("rows", spark.rows().get(name));
              }
              result.add(name, "spark", samples, metrics);
            });
    List<String> differentCounts = new ArrayList<>();
    directResults.forEach(
        (name, rows) -> {
          Long sparkRows = spark.rows().get(name);
          if (sparkRows == null || sparkRows != rows.size()) {
            differentCounts.add(name + " (spark " + sparkRows + ", duckdb " + rows.size() + ")");
          }
        });
    result.note(
        differentCounts.isEmpty()
            ? "Spark returned the same number of rows as DuckDB-direct for every query."
            : "Spark's row counts differ for: " + String.join(", ", differentCounts));
  }
}
