package dev.sluice.bench;

import static java.util.Objects.requireNonNull;

import dev.sluice.bench.BenchSettings.Baseline;
import dev.sluice.bench.report.SuiteResult;
import dev.sluice.bench.spark.SparkBaseline;
import dev.sluice.bench.tpch.TpchProject;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A suite over the TPC-H data and project that the ingest and transform suites share: Sluice
 * against the baselines the settings ask for, with the bench's warm-ups and repetitions.
 */
public abstract class TpchSuite {
  private static final Logger LOG = LoggerFactory.getLogger(TpchSuite.class);

  protected final BenchSettings settings;
  protected final TpchWorkspace tpch;

  protected TpchSuite(BenchSettings settings, TpchWorkspace tpch) {
    this.settings = requireNonNull(settings, "settings is null");
    this.tpch = requireNonNull(tpch, "tpch is null");
  }

  public abstract SuiteResult run();

  /** Loads the TPC-H tables into Sluice once per invocation (untimed). */
  protected void ensureIngested() {
    tpch.data();
    if (!tpch.ingested()) {
      LOG.info("Loading the TPC-H tables into Sluice (once, untimed) ...");
      tpch.runSluice(TpchProject.sourceAssets(), "load of the TPC-H tables");
      tpch.markIngested();
    }
  }

  /** Whether the settings ask for {@code baseline}. */
  protected boolean compares(Baseline baseline) {
    return settings.baselines().contains(baseline);
  }

  /**
   * Runs {@code job} in Spark local (8 GB of heap), with the bench's warm-ups and repetitions.
   *
   * @param work the directory of Spark's files
   */
  protected SparkBaseline.Result runSpark(Map<String, String> job, Path work) {
    return new SparkBaseline(settings.sluiceHome(), "8g")
        .run(job, settings.warmups(), settings.repetitions(), work);
  }
}
