package dev.sluice.core.run;

import dev.sluice.core.Workspace;
import dev.sluice.core.state.StepKind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The installed {@link RunObserver}s of a workspace, told about each run next to its listener. */
public final class RunObservers implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RunObservers.class);

  private final List<RunObserver> observers;

  private RunObservers(List<RunObserver> observers) {
    this.observers = List.copyOf(observers);
  }

  /** Opens the observers the installed providers make for {@code workspace}. */
  public static RunObservers open(Workspace workspace) {
    List<RunObserver> observers = new ArrayList<>();
    for (RunObserverProvider provider : ServiceLoader.load(RunObserverProvider.class)) {
      provider.open(workspace).ifPresent(observers::add);
    }
    return new RunObservers(observers);
  }

  /**
   * The listener of a run that started: {@code listener}, followed by each observer's. An
   * observer's failure is logged, never thrown into the run.
   */
  RunListener runStarted(String runId, String command, Instant startedAt, RunListener listener) {
    if (observers.isEmpty()) {
      return listener;
    }
    List<RunListener> heard = new ArrayList<>();
    for (RunObserver observer : observers) {
      try {
        heard.add(observer.runStarted(runId, command, startedAt));
      } catch (RuntimeException e) {
        LOG.warn(
            "Run observer {} failed at the start of run {}: {}", observer, runId, e.toString());
      }
    }
    return new Both(listener, heard);
  }

  /** Tells each observer that the scheduler evaluated at {@code now}; failures are logged. */
  public void tick(Instant now) {
    for (RunObserver observer : observers) {
      try {
        observer.tick(now);
      } catch (RuntimeException e) {
        LOG.warn("Run observer {} failed on the scheduler's tick: {}", observer, e.toString());
      }
    }
  }

  /** Tells every observer of a budget event; an observer's failure is logged. */
  public void budget(dev.sluice.core.cost.BudgetEvent event) {
    for (RunObserver observer : observers) {
      try {
        observer.budget(event);
      } catch (RuntimeException e) {
        LOG.warn("Run observer {} failed on a budget event: {}", observer, e.toString());
      }
    }
  }

  @Override
  public void close() {
    for (RunObserver observer : observers) {
      try {
        observer.close();
      } catch (RuntimeException e) {
        LOG.warn("Run observer {} failed to close: {}", observer, e.toString());
      }
    }
  }

  /** The run's own listener, then the observers', whose failures are logged. */
  private record Both(RunListener first, List<RunListener> observers) implements RunListener {
    @Override
    public void runStarted(String runId, int steps) {
      first.runStarted(runId, steps);
      each(listener -> listener.runStarted(runId, steps));
    }

    @Override
    public void stepStarted(String asset, StepKind kind) {
      first.stepStarted(asset, kind);
      each(listener -> listener.stepStarted(asset, kind));
    }

    @Override
    public void stepFinished(StepResult result) {
      first.stepFinished(result);
      each(listener -> listener.stepFinished(result));
    }

    @Override
    public void stepRetrying(String asset, int attempt, Duration delay, String reason) {
      first.stepRetrying(asset, attempt, delay, reason);
      each(listener -> listener.stepRetrying(asset, attempt, delay, reason));
    }

    @Override
    public void runFinished(RunResult result) {
      first.runFinished(result);
      each(listener -> listener.runFinished(result));
    }

    private void each(Consumer<RunListener> call) {
      for (RunListener listener : observers) {
        try {
          call.accept(listener);
        } catch (RuntimeException e) {
          LOG.warn("Run observer {} failed: {}", listener, e.toString());
        }
      }
    }
  }
}
