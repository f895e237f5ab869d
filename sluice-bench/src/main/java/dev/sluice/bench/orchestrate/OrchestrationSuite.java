package dev.sluice.bench.orchestrate;

import dev.sluice.bench.BenchSettings;
import dev.sluice.bench.report.Measurement;
import dev.sluice.bench.report.SuiteResult;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.Project;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
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
      result.add(
          new Measurement(
              NAME, "load+validate " + assets, "sluice", load, Map.of("assets", assets)));
      result.add(new Measurement(NAME, "plan " + assets, "sluice", plan, Map.of("assets", assets)));
      Measurement both =
          new Measurement(
              NAME, "load+validate+plan " + assets, "sluice", total, Map.of("assets", assets));
      result.add(both);
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
    result.note(
        "No-op models select one row; the shapes are chains of ten, a wide fan-out and diamonds."
            + " Per-asset overhead is the run's wall time divided by its assets (threads: 2), which"
            + " includes the engine query, the Iceberg commit in the SQLite catalog and the run"
            + " store's records. Trigger-to-first-step: from Runner.run to the first step starting."
            + " Not measured yet: a 365-partition backfill (Sluice has no partitions yet).");
    return result;
  }

  private void runNoOps(SuiteResult result, Path project, String materialized) {
    int assets = SyntheticProject.write(project, runSize, materialized);
    List<Double> perAsset = new ArrayList<>();
    List<Double> firstStep = new ArrayList<>();
    for (int run = 0; run < settings.runs(); run++) {
      try (Workspace workspace = Workspace.open(project)) {
        AtomicLong firstStepAt = new AtomicLong();
        long started = System.nanoTime();
        RunResult outcome =
            new Runner(workspace)
                .run(
                    RunOptions.all(),
                    new RunListener() {
                      @Override
                      public void stepStarted(String asset, String kind) {
                        firstStepAt.compareAndSet(0, System.nanoTime());
                      }
                    });
        long finished = System.nanoTime();
        if (!outcome.succeeded()) {
          throw new IllegalStateException("The no-op " + materialized + " run failed");
        }
        if (!settings.isWarmup(run)) {
          perAsset.add((finished - started) / 1e6 / assets);
          firstStep.add((firstStepAt.get() - started) / 1e6);
        }
      }
    }
    result.add(
        new Measurement(
            NAME,
            "per no-op " + materialized + " asset",
            "sluice",
            perAsset,
            Map.of("assets", assets)));
    result.add(
        new Measurement(
            NAME, "trigger to first step (" + materialized + ")", "sluice", firstStep, Map.of()));
    Measurement overhead =
        result.find("per no-op " + materialized + " asset", "sluice").orElseThrow();
    result.target(
        "under 2 ms overhead per no-op asset (" + materialized + " models)",
        String.format(Locale.ROOT, "%.1f ms", overhead.medianMillis()),
        overhead.medianMillis() < 2);
    Measurement latency =
        result.find("trigger to first step (" + materialized + ")", "sluice").orElseThrow();
    result.target(
        "trigger to first step under 100 ms (" + materialized + " models)",
        String.format(Locale.ROOT, "%.1f ms", latency.medianMillis()),
        latency.medianMillis() < 100);
  }
}
