package dev.sluice.bench;

import dev.sluice.bench.tpch.TpchData;
import dev.sluice.bench.tpch.TpchProject;
import dev.sluice.core.Workspace;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import dev.sluice.core.run.StepResult;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TPC-H data and Sluice project that the ingest and transform suites share, generated on first
 * use under the work directory ({@code tpch-sf<scale>/}).
 */
public final class TpchWorkspace {
  private static final Logger LOG = LoggerFactory.getLogger(TpchWorkspace.class);

  private final BenchSettings settings;
  private TpchData data;
  private boolean ingested;

  public TpchWorkspace(BenchSettings settings) {
    this.settings = settings;
  }

  public Path root() {
    String scale = String.format(Locale.ROOT, "%s", settings.scale()).replace('.', '_');
    return settings.workDirectory().resolve("tpch-sf" + scale);
  }

  /** The CSV files, generated on first use. */
  public synchronized TpchData data() {
    if (data == null) {
      long started = System.nanoTime();
      LOG.info("Generating TPC-H data at scale {} (first use only) ...", settings.scale());
      data =
          TpchData.generate(
              root().resolve("data"), settings.scale(), Runtime.getRuntime().availableProcessors());
      LOG.info(
          "TPC-H data ready: {} rows, {} MB, in {} s",
          data.totalRows(),
          data.totalBytes() >> 20,
          (System.nanoTime() - started) / 1_000_000_000);
      TpchProject.write(project(), data);
    }
    return data;
  }

  /** The Sluice project directory. */
  public Path project() {
    return root().resolve("project");
  }

  /** Whether the raw tables were loaded in this invocation. */
  public synchronized boolean ingested() {
    return ingested;
  }

  public synchronized void markIngested() {
    ingested = true;
  }

  /**
   * One in-process {@code sluice run} of {@code assets} in the project, the workspace opened and
   * closed inside the timing.
   *
   * @param what what the run does, for the error, e.g. {@code ingest}
   * @return milliseconds: {@code total}, then each step's, by its asset
   * @throws IllegalStateException if a step failed
   */
  public Map<String, Double> runSluice(List<String> assets, String what) {
    return runSluice(project(), assets, what, run -> {});
  }

  /** As {@link #runSluice(List, String)}, handing the run's result to {@code result}. */
  public Map<String, Double> runSluice(
      List<String> assets, String what, java.util.function.Consumer<RunResult> result) {
    return runSluice(project(), assets, what, result);
  }

  /** As {@link #runSluice(List, String)}, in another project (one sharing this one's tables). */
  public static Map<String, Double> runSluice(Path project, List<String> assets, String what) {
    return runSluice(project, assets, what, run -> {});
  }

  private static Map<String, Double> runSluice(
      Path project,
      List<String> assets,
      String what,
      java.util.function.Consumer<RunResult> result) {
    Map<String, Double> times = new LinkedHashMap<>();
    long started = System.nanoTime();
    RunResult run;
    try (Workspace workspace = Workspace.open(project)) {
      run = SluiceLoad.run(new Runner(workspace), assets, what);
    }
    times.put("total", (System.nanoTime() - started) / 1e6);
    result.accept(run);
    for (StepResult step : run.steps()) {
      times.put(step.asset(), step.duration().toNanos() / 1e6);
    }
    return times;
  }
}
