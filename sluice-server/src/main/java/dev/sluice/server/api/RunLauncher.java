package dev.sluice.server.api;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.SluiceException;
import dev.sluice.core.Workspace;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs launched through the API, one at a time on a thread of their own: the request answers once
 * the run is recorded (its id), and the run goes on after it. Closing cancels nothing: the run is
 * recorded in the state database, and a stop of {@code sluice serve} interrupts it like any other.
 */
public final class RunLauncher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RunLauncher.class);

  private final Supplier<Workspace> workspace;
  private final Clock clock;
  private final ExecutorService runs =
      Executors.newSingleThreadExecutor(
          work -> {
            Thread thread = new Thread(work, "sluice-api-run");
            thread.setDaemon(true);
            return thread;
          });

  public RunLauncher(Supplier<Workspace> workspace, Clock clock) {
    this.workspace = requireNonNull(workspace, "workspace is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  /**
   * Starts a run and returns its id once it is recorded.
   *
   * @throws SluiceException when the run cannot start (an unknown selection, for instance)
   */
  public String launch(RunOptions options, String command) throws InterruptedException {
    return start(
        (runner, listener) -> runner.run(options, listener, command),
        "Run launched through the API");
  }

  /**
   * Runs again what a run did not finish (its failed, skipped and interrupted steps), as {@code
   * sluice rerun --from-failure} does, and returns the new run's id once it is recorded.
   *
   * @throws SluiceException when the run is unknown, still running, or nothing is left to do
   */
  public String rerun(String runId) throws InterruptedException {
    return start(
        (runner, listener) -> runner.resume(runId, listener), "Rerun launched through the API");
  }

  private String start(BiFunction<Runner, RunListener, RunResult> work, String what)
      throws InterruptedException {
    CompletableFuture<String> started = new CompletableFuture<>();
    runs.execute(
        () -> {
          try {
            RunResult finished =
                work.apply(
                    new Runner(workspace.get(), clock),
                    new RunListener() {
                      @Override
                      public void runStarted(String runId, int steps) {
                        started.complete(runId);
                      }
                    });
            log.debug("{}: run {} {}", what, finished.runId(), finished.status());
          } catch (RuntimeException e) {
            if (!started.completeExceptionally(e)) {
              log.warn("{} failed: {}", what, e.getMessage());
            }
          }
        });
    try {
      return started.get(5, TimeUnit.MINUTES);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException failure) {
        throw failure;
      }
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new ApiException(
          503, "The run did not start within 5 minutes: another run may hold it up");
    }
  }

  @Override
  public void close() {
    runs.shutdown();
  }
}
