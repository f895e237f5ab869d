package dev.sluice.bench;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Set;

/**
 * What one {@code sluice bench} invocation measures and where it writes.
 *
 * @param scale the TPC-H scale factor
 * @param suites the suites to run
 * @param baselines the systems Sluice is compared with: {@code duckdb}, {@code spark}
 * @param repetitions timed runs of each measurement
 * @param warmups untimed runs before them
 * @param outputDirectory where the report, results.json and charts go
 * @param workDirectory generated data and projects, reused across invocations
 * @param sluiceHome the Sluice checkout (for the CLI jar and the Spark runner project)
 */
public record BenchSettings(
    double scale,
    Set<Suite> suites,
    Set<Baseline> baselines,
    int repetitions,
    int warmups,
    Path outputDirectory,
    Path workDirectory,
    Path sluiceHome) {
  public BenchSettings {
    requireNonNull(suites, "suites is null");
    requireNonNull(baselines, "baselines is null");
    requireNonNull(outputDirectory, "outputDirectory is null");
    requireNonNull(workDirectory, "workDirectory is null");
    requireNonNull(sluiceHome, "sluiceHome is null");
    if (scale <= 0) {
      throw new IllegalArgumentException("scale must be positive: " + scale);
    }
    if (repetitions < 1) {
      throw new IllegalArgumentException("repetitions must be at least 1: " + repetitions);
    }
    if (warmups < 0) {
      throw new IllegalArgumentException("warmups must not be negative: " + warmups);
    }
    suites = Set.copyOf(suites);
    baselines = Set.copyOf(baselines);
  }

  /** The runs of each measurement: warm-ups first, then the timed repetitions. */
  public int runs() {
    return warmups + repetitions;
  }

  /** Whether run {@code index} (from 0) is a warm-up. */
  public boolean isWarmup(int index) {
    return index < warmups;
  }

  /** The benchmark suites. */
  public enum Suite {
    INGEST,
    TRANSFORM,
    ORCHESTRATE,
    STARTUP,
    /** Not run by default: see docs/benchmarks.md. */
    CONNECTORS,
    /** JMH micro-benchmarks; not run by default. */
    MICRO,
    /** Table maintenance after many small commits; not run by default. */
    MAINTENANCE,
    /** Precision and recall of anomaly checks on synthetic histories; not run by default. */
    ANOMALY,
    /** 100 unit tests of models in one {@code sluice test --unit}; not run by default. */
    UNIT,
    /** The HTTP API's and the UI's latency over 10,000 assets; not run by default. */
    SERVER,
    /**
     * The connectors suite's memory ceiling alone (a 10-million-row load with a 512 MB heap); not
     * run by default.
     */
    MEMORY,
    /** The TPC-H models on the Spark engine against the DuckDB engine; not run by default. */
    ENGINES,
    /** Orchestration overhead per step on 1 and 3 workers; not run by default. */
    WORKERS,
    /**
     * Environments: creating one for one changed model of 1,000, promoting 100 tables, a diff of
     * two 10-million-row versions (sizes times {@code --scale}); not run by default.
     */
    ENVIRONMENTS
  }

  /** The systems Sluice is compared with. */
  public enum Baseline {
    DUCKDB,
    SPARK
  }
}
