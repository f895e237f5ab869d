package dev.sluice.bench.micro;

import dev.sluice.bench.BenchSettings;
import dev.sluice.bench.report.Measurement;
import dev.sluice.bench.report.SuiteResult;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link MicroBenchmarks} with JMH in one forked JVM: the bench's warm-ups and repetitions
 * become JMH's warm-up and measurement iterations (at least three of each, one second each).
 */
public final class MicroSuite {
  private static final Logger LOG = LoggerFactory.getLogger(MicroSuite.class);
  public static final String NAME = "micro";

  private final BenchSettings settings;
  private final TimeValue iteration;

  /**
   * @param iteration how long each JMH iteration runs
   */
  public MicroSuite(BenchSettings settings, TimeValue iteration) {
    this.settings = settings;
    this.iteration = iteration;
  }

  public SuiteResult run() {
    Options options =
        new OptionsBuilder()
            .include(MicroBenchmarks.class.getName())
            .forks(1)
            .warmupIterations(Math.max(3, settings.warmups()))
            .warmupTime(iteration)
            .measurementIterations(Math.max(3, settings.repetitions()))
            .measurementTime(iteration)
            .shouldFailOnError(true)
            .verbosity(org.openjdk.jmh.runner.options.VerboseMode.SILENT)
            .build();
    Collection<RunResult> results;
    try {
      results = new Runner(options).run();
    } catch (RunnerException e) {
      throw new IllegalStateException("JMH failed: " + e.getMessage(), e);
    }
    SuiteResult suite = new SuiteResult(NAME);
    for (RunResult result : results) {
      String method = result.getParams().getBenchmark();
      String name = method.substring(method.lastIndexOf('.') + 1);
      List<Double> millis = new ArrayList<>();
      for (BenchmarkResult benchmark : result.getBenchmarkResults()) {
        for (IterationResult iterationResult : benchmark.getIterationResults()) {
          // the benchmarks report microseconds per operation
          millis.add(iterationResult.getPrimaryResult().getScore() / 1000);
        }
      }
      suite.add(new Measurement(NAME, name, "sluice", millis, Map.of()));
      LOG.info("micro: {} {} µs/op", name, result.getPrimaryResult().getScore());
    }
    suite.note(
        "JMH (one fork, average time per operation; the samples are its measurement iterations):"
            + " the fixed costs of one step. footerWith*: reading a 100-row data file's footer for"
            + " Iceberg's column metrics, with Iceberg's reader (a Hadoop Configuration per file) and"
            + " with the plain Parquet configuration the lake uses. engineSessionOpenAndClose: a"
            + " DuckDB session (ATTACH and DETACH of its catalog) around one query, as every step"
            + " opens. runStoreStepTransitions: a step's start and finish persisted in SQLite.");
    return suite;
  }
}
