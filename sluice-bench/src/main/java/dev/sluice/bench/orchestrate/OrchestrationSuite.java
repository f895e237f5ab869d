package dev.sluice.bench.orchestrate;

import static dev.sluice.core.run.RunListener.NONE;

import dev.sluice.bench.BenchSettings;
import dev.sluice.bench.SluiceLoad;
import dev.sluice.bench.report.Measurement;
import dev.sluice.bench.report.PhaseBreakdown;
import dev.sluice.bench.report.SuiteResult;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.Project;
import dev.sluice.core.run.PartitionSelection;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import dev.sluice.core.state.StepKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What orchestration costs: load + validate + plan of synthetic 1,000 and 10,000-asset projects,
 * and the per-asset overhead and trigger-to-first-step latency of running no-op view and table
 * models.
 */
public final class OrchestrationSuite {
  private static final Logger LOG = LoggerFactory.getLogger(OrchestrationSuite.class);
  public static final String NAME = "orchestrate";

  private final BenchSettings settings;
  private final List<Integer> planSizes;
  private final int runSize;

  /**
   * @param planSizes the project sizes to load and plan (the report uses 1,000 and 10,000)
   * @param runSize the number of no-op models to run, per materialization
   */
  public OrchestrationSuite(BenchSettings settings, List<Integer> planSizes, int runSize) {
    this.settings = settings;
    this.planSizes = List.copyOf(planSizes);
    this.runSize = runSize;
  }

  public SuiteResult run() {
    SuiteResult result = new SuiteResult(NAME);
    Path root = settings.workDirectory().resolve("orchestrate");
    for (int size : planSizes) {
      Path project = root.resolve("plan-" + size);
      int assets = SyntheticProject.write(project, size, "view");
      List<Double> load = new ArrayList<>();
      List<Double> plan = new ArrayList<>();
      List<Double> total = new ArrayList<>();
      for (int run = 0; run < settings.runs(); run++) {
        long started = System.nanoTime();
        Project loaded = Project.load(project);
        long loadedAt = System.nanoTime();
        List<String> order;
        try (Workspace workspace = Workspace.open(loaded)) {
          long planStarted = System.nanoTime();
          order = new Runner(workspace).plan(RunOptions.all());
          long planned = System.nanoTime();
          if (order.size() != assets) {
            throw new IllegalStateException(
                "Planned " + order.size() + " of " + assets + " assets");
          }
          if (!settings.isWarmup(run)) {
            load.add((loadedAt - started) / 1e6);
            plan.add((planned - planStarted) / 1e6);
            total.add((loadedAt - started + planned - planStarted) / 1e6);
          }
        }
      }
      result.add("load+validate " + assets, "sluice", load, Map.of("assets", assets));
      result.add("plan " + assets, "sluice", plan, Map.of("assets", assets));
      Measurement both =
          result.add("load+validate+plan " + assets, "sluice", total, Map.of("assets", assets));
      if (size == 10_000) {
        result.target(
            "10,000 assets loaded, validated and planned in under 2 s",
            String.format(Locale.ROOT, "%.2f s", both.medianMillis() / 1000),
            both.medianMillis() < 2000);
      }
      LOG.info("orchestrate: planned {} assets", assets);
    }
    for (String materialized : List.of("view", "table")) {
      runNoOps(result, root.resolve("run-" + materialized), materialized);
    }
    int days = BackfillProject.days(settings.scale());
    backfill(result, root.resolve("backfill"), days, 1);
    backfill(result, root.resolve("backfill"), days, 30);
    result.note(
        "No-op models select one row; the shapes are chains of ten, a wide fan-out and diamonds."
            + " They run with threads: 1, so the run's wall time is the steps' own time plus the"
            + " scheduler's. Per-asset time is the run's wall time divided by its assets: the"
            + " engine query, the Iceberg commits in the SQLite catalog, the run store. Scheduling"
            + " overhead per asset is the run's wall time less the time spent inside the steps"
            + " (each step's measured duration: rendering, the engine, the lake), divided by the"
            + " assets: planning, dispatch, opening the step's engine session, the table lock, and"
            + " persisting every state transition and timeline event in the run store before work"
            + " proceeds. Trigger-to-first-step: from Runner.run to the first step starting, in a"
            + " workspace whose run store is open (as in the scheduler and the server).");
    result.note(
        "Backfill: a model partitioned by day (incremental_by_time_range) over a raw table of "
            + BackfillProject.ROWS_PER_DAY
            + " rows per day, "
            + days
            + " daily partitions backfilled with --concurrency 2, by batches of 1 (one step and one"
            + " Iceberg commit per partition) and of 30; each repetition starts from a new"
            + " warehouse and run store, the raw table loaded before the timing.");
    return result;
  }

  /** Times a backfill of every partition of {@link BackfillProject}'s model. */
  private void backfill(SuiteResult result, Path project, int days, int batchSize) {
    List<Double> total = new ArrayList<>();
    List<Double> perPartition = new ArrayList<>();
    for (int run = 0; run < settings.runs(); run++) {
      BackfillProject.write(project, days);
      try (Workspace workspace = Workspace.open(project)) {
        SluiceLoad.run(
            new Runner(workspace), List.of("app.events"), "load of the backfill's source");
        RunOptions backfill =
            new RunOptions(
                List.of("daily"),
                List.of(),
                false,
                PartitionSelection.days(
                    PartitionSelection.Mode.ALL,
                    BackfillProject.START,
                    BackfillProject.START.plusDays(days),
                    List.of(),
                    batchSize),
                2);
        long started = System.nanoTime();
        RunResult outcome = new Runner(workspace).run(backfill, NONE);
        long finished = System.nanoTime();
        int expected = (days + batchSize - 1) / batchSize;
        if (!outcome.succeeded() || outcome.steps().size() != expected) {
          throw new IllegalStateException(
              "The backfill failed or ran "
                  + outcome.steps().size()
                  + " of "
                  + expected
                  + " steps: "
                  + SluiceLoad.failures(outcome));
        }
        BackfillProject.checkResult(workspace, days);
        if (!settings.isWarmup(run)) {
          total.add((finished - started) / 1e6);
          perPartition.add((finished - started) / 1e6 / days);
        }
      }
    }
    String name = "backfill " + days + " daily partitions, batch " + batchSize;
    result.add(name, "sluice", total, Map.of("partitions", days, "batchSize", batchSize));
    result.add(
        "per partition, batch " + batchSize, "sluice", perPartition, Map.of("partitions", days));
    LOG.info("orchestrate: backfilled {} partitions by batches of {}", days, batchSize);
  }

  private void runNoOps(SuiteResult result, Path project, String materialized) {
    int assets = SyntheticProject.write(project, runSize, materialized);
    List<Double> perAsset = new ArrayList<>();
    List<Double> overhead = new ArrayList<>();
    List<Double> firstStep = new ArrayList<>();
    PhaseBreakdown phases = new PhaseBreakdown();
    RunOptions serial = new RunOptions(List.of(), List.of(), false, PartitionSelection.DUE, 1);
    for (int run = 0; run < settings.runs(); run++) {
      try (Workspace workspace = Workspace.open(project)) {
        // a trigger reaches a process whose run store is open (the scheduler, the server): the
        // workspace opens it on first use, and its migration check is not the run's to pay
        workspace.runStore();
        AtomicLong firstStepAt = new AtomicLong();
        long started = System.nanoTime();
        RunResult outcome =
            new Runner(workspace)
                .run(
                    serial,
                    new RunListener() {
                      @Override
                      public void stepStarted(String asset, StepKind kind) {
                        firstStepAt.compareAndSet(0, System.nanoTime());
                      }
                    });
        long finished = System.nanoTime();
        if (!outcome.succeeded()) {
          throw new IllegalStateException("The no-op " + materialized + " run failed");
        }
        if (!settings.isWarmup(run)) {
          double wall = (finished - started) / 1e6;
          double inSteps =
              outcome.steps().stream().mapToDouble(step -> step.duration().toNanos() / 1e6).sum();
          perAsset.add(wall / assets);
          overhead.add((wall - inSteps) / assets);
          firstStep.add((firstStepAt.get() - started) / 1e6);
          phases.add(outcome);
        }
      }
    }
    Measurement total =
        result.add(
            "per no-op " + materialized + " asset", "sluice", perAsset, Map.of("assets", assets));
    Measurement scheduling =
        result.add(
            "scheduling overhead per " + materialized + " asset",
            "sluice",
            overhead,
            Map.of("assets", assets));
    Measurement latency =
        result.add("trigger to first step (" + materialized + ")", "sluice", firstStep, Map.of());
    result.target(
        "under 2 ms scheduling overhead per no-op asset (" + materialized + " models)",
        String.format(
            Locale.ROOT,
            "%.2f ms (the whole asset, with its engine and lake work: %.1f ms)",
            scheduling.medianMillis(),
            total.medianMillis()),
        scheduling.medianMillis() < 2);
    result.target(
        "trigger to first step under 100 ms (" + materialized + " models)",
        String.format(Locale.ROOT, "%.1f ms", latency.medianMillis()),
        latency.medianMillis() < 100);
    if (!phases.isEmpty()) {
      result.phases(
          Map.of(
              "no-op " + materialized + " model (median over " + assets + " steps)",
              phases.medianOverSteps()));
    }
    if (materialized.equals("table")) {
      Measurement statement =
          result.add(
              "DuckDB's own time for a no-op model's statement",
              "duckdb",
              duckDbStatementMillis(),
              Map.of());
      double fixed = total.medianMillis() - statement.medianMillis();
      result.target(
          "fixed cost of a table step under 15 ms (a no-op table model's whole-asset time less"
              + " DuckDB's own time for its statement)",
          String.format(
              Locale.ROOT,
              "%.1f ms (%.1f ms less %.2f ms)",
              fixed,
              total.medianMillis(),
              statement.medianMillis()),
          fixed < 15);
    }
  }

  /**
   * DuckDB's own time for a no-op model's statement ({@code select 1 as x}, fetched), in one
   * connection, one sample per run of the suite, each the median of 100 executions.
   */
  private List<Double> duckDbStatementMillis() {
    List<Double> samples = new ArrayList<>();
    try (java.sql.Connection connection = java.sql.DriverManager.getConnection("jdbc:duckdb:");
        java.sql.Statement statement = connection.createStatement()) {
      for (int run = 0; run < settings.runs(); run++) {
        List<Double> executions = new ArrayList<>();
        for (int execution = 0; execution < 100; execution++) {
          long started = System.nanoTime();
          try (java.sql.ResultSet rows = statement.executeQuery("select 1 as x")) {
            while (rows.next()) {
              rows.getInt(1);
            }
          }
          executions.add((System.nanoTime() - started) / 1e6);
        }
        if (!settings.isWarmup(run)) {
          executions.sort(null);
          samples.add(executions.get(executions.size() / 2));
        }
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("DuckDB failed a no-op statement: " + e.getMessage(), e);
    }
    return samples;
  }
}
