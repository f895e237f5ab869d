package dev.sluice.bench.orchestrate;

import dev.sluice.bench.BenchSettings;
import dev.sluice.bench.ChildProcess;
import dev.sluice.bench.connectors.BenchPostgres;
import dev.sluice.bench.report.Measurement;
import dev.sluice.bench.report.SuiteResult;
import dev.sluice.core.Workspace;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import dev.sluice.core.run.Worker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The orchestration overhead of running on workers ({@code sluice serve --worker}): a chain of
 * {@value #STEPS} trivial models ({@value #SMOKE_STEPS} below scale 0.1, for the tests) (each reads
 * the one before, so that the steps run one after the other and the run's time is the sum of its
 * steps' latencies) on a PostgreSQL catalog and state (an embedded server), run in the benchmark's
 * process, then handed to 1 and to 3 worker processes ({@code sluice run --on-workers} as a library
 * call). The overhead per step is the run's extra time on workers divided by its steps: queueing
 * the step, a worker claiming it, and the run seeing it done.
 */
public final class WorkersSuite {
  public static final String NAME = "workers";
  static final int STEPS = 20;
  static final int SMOKE_STEPS = 3;

  private final BenchSettings settings;
  private final int steps;

  public WorkersSuite(BenchSettings settings) {
    this.settings = settings;
    this.steps = settings.scale() < 0.1 ? SMOKE_STEPS : STEPS;
  }

  public SuiteResult run() {
    SuiteResult result = new SuiteResult(NAME);
    try (BenchPostgres postgres = BenchPostgres.start()) {
      Path project = settings.workDirectory().resolve("workers");
      write(project, postgres);
      try (Workspace workspace = Workspace.open(project)) {
        Measurement local =
            result.add(
                "chain of " + steps + " steps",
                "in process",
                time(() -> new Runner(workspace).run(RunOptions.all(), RunListener.NONE)),
                Map.of("steps", steps));
        double perStepLocal = local.medianMillis() / steps;
        for (int workers : List.of(1, 3)) {
          List<Process> started = startWorkers(project, workers, workspace);
          try {
            Measurement onWorkers =
                result.add(
                    "chain of " + steps + " steps",
                    workers + (workers == 1 ? " worker" : " workers"),
                    time(
                        () ->
                            new Runner(workspace)
                                .onWorkers()
                                .run(RunOptions.all(), RunListener.NONE)),
                    Map.of("steps", steps, "workers", workers));
            double overhead = (onWorkers.medianMillis() - local.medianMillis()) / steps;
            result.target(
                "orchestration overhead per step on "
                    + workers
                    + (workers == 1 ? " worker" : " workers")
                    + " under 500 ms",
                String.format(
                    Locale.ROOT,
                    "%.0f ms (%.0f ms a step on workers, %.0f ms in process)",
                    overhead,
                    onWorkers.medianMillis() / steps,
                    perStepLocal),
                overhead < 500);
          } finally {
            stop(started);
          }
        }
      }
    }
    result.note(
        "A chain of "
            + steps
            + " models (`select` of one row from the model before), so that one step runs at a"
            + " time: the run's time is the sum of its steps' latencies. Catalog and run state on"
            + " an embedded PostgreSQL 17 (fsync off), warehouse in a local directory. Workers are"
            + " `sluice serve --worker --slots 2` child JVMs on the same machine; the run is"
            + " `Runner.onWorkers()` in the benchmark's process (what `sluice run --on-workers`"
            + " does). The run polls its queued step every "
            + 50
            + " ms and an idle worker the queue every 200 ms: the overhead is mostly these waits"
            + " and the queue's round trips to PostgreSQL.");
    return result;
  }

  private List<Double> time(Supplier<RunResult> run) {
    List<Double> samples = new ArrayList<>();
    int repetitions = settings.repetitions();
    for (int i = 0; i < settings.warmups() + repetitions; i++) {
      long started = System.nanoTime();
      RunResult result = run.get();
      double millis = (System.nanoTime() - started) / 1e6;
      if (!result.succeeded()) {
        throw new IllegalStateException("The workers suite's run failed: " + result.steps());
      }
      if (i >= settings.warmups()) {
        samples.add(millis);
      }
    }
    return samples;
  }

  /** Starts {@code count} workers and waits until every one is alive in the state database. */
  private static List<Process> startWorkers(Path project, int count, Workspace workspace) {
    List<Process> started = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        started.add(
            new ProcessBuilder(
                    ChildProcess.javaExecutable(),
                    "--add-opens=java.base/java.nio=ALL-UNNAMED",
                    "-Xmx1g",
                    "-cp",
                    System.getProperty("java.class.path"),
                    "dev.sluice.cli.SluiceCommand",
                    "-p",
                    project.toString(),
                    "serve",
                    "--worker",
                    "--slots",
                    "2")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(project.resolve("worker-" + i + ".log").toFile())
                .start());
      }
      Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
      while (workspace.runStore().workers().alive(Instant.now(), Worker.ALIVE_TIMEOUT).size()
          < count) {
        if (Instant.now().isAfter(deadline)) {
          throw new IllegalStateException(
              "The workers did not start within 3 minutes: see " + project + "/worker-*.log");
        }
        Thread.sleep(200);
      }
      return started;
    } catch (IOException e) {
      stop(started);
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      stop(started);
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Stops the workers (SIGTERM: each records that it stopped) and waits for them. */
  private static void stop(List<Process> workers) {
    workers.forEach(Process::destroy);
    for (Process worker : workers) {
      try {
        if (!worker.waitFor(60, TimeUnit.SECONDS)) {
          worker.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        worker.destroyForcibly();
      }
    }
  }

  /** The chain of models, with its catalog and state in {@code postgres}. */
  void write(Path project, BenchPostgres postgres) {
    try {
      Files.createDirectories(project.resolve("models/curated"));
      Files.createDirectories(project.resolve("secrets"));
      Files.writeString(project.resolve("secrets/user"), postgres.user() + "\n");
      Files.writeString(project.resolve("secrets/password"), postgres.password() + "\n");
      Files.writeString(
          project.resolve("sluice.yaml"),
          """
          name: workers_bench
          threads: 2
          catalog:
            url: %s
            user: ${file:secrets/user}
            password: ${file:secrets/password}
          state:
            url: %s
            user: ${file:secrets/user}
            password: ${file:secrets/password}
          """
              .formatted(postgres.jdbcUrl(), postgres.jdbcUrl()));
      Files.writeString(project.resolve("models/curated/step_0.sql"), "select 0 as x\n");
      for (int i = 1; i < steps; i++) {
        Files.writeString(
            project.resolve("models/curated/step_" + i + ".sql"),
            "select x + 1 as x from {{ ref('step_" + (i - 1) + "') }}\n");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
