package dev.sluice.bench.spark;

import dev.sluice.api.engine.QueryResult;
import dev.sluice.bench.AlternatingRuns;
import dev.sluice.bench.BenchSettings;
import dev.sluice.bench.Machine;
import dev.sluice.bench.TpchSuite;
import dev.sluice.bench.TpchWorkspace;
import dev.sluice.bench.report.SuiteResult;
import dev.sluice.bench.tpch.TpchProject;
import dev.sluice.bench.transform.ResultComparison;
import dev.sluice.core.Workspace;
import dev.sluice.core.query.QueryService;
import dev.sluice.engine.spark.LocalSparkConnectServer;
import dev.sluice.lake.ReadPoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The 22 TPC-H models built by Sluice on its two engines, alternating run by run: DuckDB in
 * process, and Spark through a Spark Connect server on this machine ({@code local[N]} over every
 * core, started by the suite from the {@code sluice-spark-connect-server} module's class path).
 * Both read the same raw Iceberg tables and write the same published ones: the Spark runs use a
 * second project whose catalog and warehouse are the TPC-H project's and whose models say {@code
 * config(engine='spark')}. Every table the Spark engine builds is compared row for row with the
 * DuckDB engine's; a difference fails the suite.
 */
public final class EngineSuite extends TpchSuite {
  private static final Logger LOG = LoggerFactory.getLogger(EngineSuite.class);
  public static final String NAME = "engines";

  /**
   * Spark averages a decimal exactly, to 6 places ({@code DECIMAL(p+4, s+4)}); DuckDB averages it
   * as a double: the two agree to 1e-6.
   */
  private static final double AVERAGE_SCALE = 1e-6;

  public EngineSuite(BenchSettings settings, TpchWorkspace tpch) {
    super(settings, tpch);
  }

  @Override
  public SuiteResult run() {
    ensureIngested();
    List<String> models = TpchProject.modelAssets();
    int cores = Runtime.getRuntime().availableProcessors();
    Path classpath =
        settings
            .sluiceHome()
            .resolve("sluice-spark-connect-server/target/spark-connect-server.classpath");
    LOG.info("Starting a Spark Connect server (local[{}]) ...", cores);
    try (LocalSparkConnectServer server =
        LocalSparkConnectServer.start(
            classpath, tpch.root().resolve("spark-connect-server"), "8g", cores)) {
      Path sparkProject = writeSparkProject(server.remote());
      Map<String, List<List<Object>>> onDuckDb = new HashMap<>();
      Map<String, List<List<Object>>> onSpark = new HashMap<>();
      AlternatingRuns runs =
          AlternatingRuns.run(
              settings,
              NAME,
              readingTables(
                  () -> tpch.runSluice(models, "DuckDB engine run"), tpch.project(), onDuckDb),
              readingTables(
                  () -> TpchWorkspace.runSluice(sparkProject, models, "Spark engine run"),
                  sparkProject,
                  onSpark));
      SuiteResult result = new SuiteResult(NAME);
      List<String> names = new ArrayList<>(List.of("total"));
      names.addAll(models);
      names.forEach(name -> result.add(name, "duckdb-engine", runs.sluice(name), Map.of()));
      names.forEach(name -> result.add(name, "spark-engine", runs.baseline(name), Map.of()));
      crossCheck(models, onDuckDb, onSpark, result);
      result.note(
          "Both engines build the 22 TPC-H models as Sluice table models (write-audit-publish,"
              + " Iceberg commits by Sluice, threads: 1), alternating run by run over the same raw"
              + " Iceberg tables. DuckDB: in the benchmark JVM. Spark: a Spark Connect server on"
              + " this machine, local["
              + cores
              + "], 8 GB of heap, reading the same Parquet files by path and writing each result"
              + " as one Parquet file that Sluice commits. The ratio spark-engine / duckdb-engine"
              + " is what moving a model of this size to a one-machine Spark costs; a cluster"
              + " divides Spark's compute, not its fixed cost per step (docs/scale-out.md). Peak"
              + " RSS of the benchmark JVM: "
              + Machine.peakRssOfThisProcessText()
              + ".");
      return result;
    }
  }

  /**
   * A run that, after it is timed, reads the 22 published tables into {@code into} (the last run's
   * rows are kept).
   */
  private static Supplier<Map<String, Double>> readingTables(
      Supplier<Map<String, Double>> run, Path project, Map<String, List<List<Object>>> into) {
    return () -> {
      Map<String, Double> times = run.get();
      try (Workspace workspace = Workspace.open(project)) {
        QueryService service = new QueryService(workspace);
        for (String model : TpchProject.modelAssets()) {
          QueryResult rows =
              service.query(
                  "select * from published." + model, ReadPoint.main(), Integer.MAX_VALUE);
          into.put(model, rows.rows());
        }
      }
      return times;
    };
  }

  private static void crossCheck(
      List<String> models,
      Map<String, List<List<Object>>> onDuckDb,
      Map<String, List<List<Object>>> onSpark,
      SuiteResult result) {
    List<String> mismatches = new ArrayList<>();
    long rows = 0;
    for (String model : models) {
      rows += onSpark.get(model).size();
      Optional<String> difference =
          ResultComparison.difference(onDuckDb.get(model), onSpark.get(model), AVERAGE_SCALE);
      difference.ifPresent(d -> mismatches.add(model + ": " + d));
    }
    if (!mismatches.isEmpty()) {
      throw new IllegalStateException(
          "The Spark engine's tables differ from the DuckDB engine's: "
              + String.join("\n", mismatches));
    }
    result.note(
        "Cross-check: the 22 tables built on Spark equal those built on DuckDB row for row ("
            + rows
            + " rows; an average within 1e-6: Spark averages decimals exactly to 6 places, DuckDB as"
            + " doubles).");
  }

  /**
   * The TPC-H project again, on the same catalog and warehouse, with every model on Spark; its run
   * state is its own.
   */
  private Path writeSparkProject(String remote) {
    Path project = tpch.root().resolve("spark-engine-project");
    Path tpchProject = tpch.project().toAbsolutePath();
    try {
      Files.createDirectories(project.resolve("models/published"));
      Files.createDirectories(project.resolve("sources"));
      Files.writeString(
          project.resolve("sluice.yaml"),
          "# Generated by sluice bench: the TPC-H project's models on the Spark engine.\n"
              + "name: tpch_bench\n"
              + "threads: 1\n"
              + "warehouse: "
              + tpchProject.resolve("warehouse")
              + "\n"
              + "catalog: {url: \"jdbc:sqlite:"
              + tpchProject.resolve(".sluice/catalog.db")
              + "\"}\n"
              + "spark:\n"
              + "  remote: \""
              + remote
              + "\"\n");
      Path sources = Path.of("sources", TpchProject.SOURCE + ".yaml");
      Files.copy(
          tpchProject.resolve(sources),
          project.resolve(sources),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      try (Stream<Path> files = Files.list(tpchProject.resolve("models/published"))) {
        for (Path model : files.toList()) {
          Files.writeString(
              project.resolve("models/published").resolve(model.getFileName()),
              Files.readString(model)
                  .replace(
                      "{{ config(materialized='table') }}",
                      "{{ config(materialized='table', engine='spark') }}"));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the Spark engine's project in " + project, e);
    }
    return project;
  }
}
