package dev.sluice.core.run;

import static java.util.Objects.requireNonNull;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import dev.sluice.api.QueryCancelledException;
import dev.sluice.api.SluiceException;
import dev.sluice.api.TransientException;
import dev.sluice.api.TransientQueryException;
import dev.sluice.api.engine.Engine;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.timing.PhaseTimer;
import dev.sluice.api.timing.StepPhase;
import dev.sluice.core.project.Execution;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Runs one step's attempts: each in a fresh engine session, cancelled when it outlasts the step's
 * timeout, and retried after a transient failure with exponential backoff and jitter (a Failsafe
 * retry policy), as often as the step's {@code retries} allow.
 */
final class StepAttempts {
  /** Hears about each retry, before its delay. */
  interface RetryListener {
    void retrying(int nextAttempt, Duration delay, Throwable failure);
  }

  private final Function<Execution, Engine> engines;
  private final ScheduledExecutorService watchdog;
  private final Duration baseDelay;
  private final Duration maxDelay;
  private final UnaryOperator<RuntimeException> explain;

  StepAttempts(
      Engine engine, ScheduledExecutorService watchdog, Duration baseDelay, Duration maxDelay) {
    this(execution -> engine, watchdog, baseDelay, maxDelay, UnaryOperator.identity());
  }

  /**
   * @param engines the engine of a step's {@link Execution#engine()} (null: the project's) with its
   *     {@link Execution#memoryLimit()}, started within the attempt, so that an engine that cannot
   *     be reached fails the attempt as transient and is retried
   * @param explain turns a failure into one that explains its cause (e.g. the warehouse's storage
   *     could not be reached), before it is retried or reported
   */
  StepAttempts(
      Function<Execution, Engine> engines,
      ScheduledExecutorService watchdog,
      Duration baseDelay,
      Duration maxDelay,
      UnaryOperator<RuntimeException> explain) {
    this.explain = requireNonNull(explain, "explain is null");
    this.engines = requireNonNull(engines, "engines is null");
    this.watchdog = requireNonNull(watchdog, "watchdog is null");
    this.baseDelay = requireNonNull(baseDelay, "baseDelay is null");
    this.maxDelay = requireNonNull(maxDelay, "maxDelay is null");
  }

  <T> T run(
      Execution execution,
      RunControl control,
      Function<EngineSession, T> attempt,
      RetryListener listener) {
    if (execution.retries() == 0) {
      // nothing to retry: no policy to build and run (a tenth of a millisecond a step)
      return attempt(execution, control, attempt);
    }
    RetryPolicy<T> retry =
        RetryPolicy.<T>builder()
            .handleIf(StepAttempts::isTransient)
            .withMaxRetries(execution.retries())
            .withBackoff(
                baseDelay, maxDelay.compareTo(baseDelay) > 0 ? maxDelay : baseDelay.multipliedBy(2))
            .withJitter(0.25)
            .onRetryScheduled(
                event ->
                    listener.retrying(
                        event.getAttemptCount() + 1, event.getDelay(), event.getLastException()))
            .build();
    try {
      return Failsafe.with(retry).get(() -> attempt(execution, control, attempt));
    } catch (FailsafeException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new SluiceException(cause.getMessage(), cause);
    }
  }

  private <T> T attempt(
      Execution execution, RunControl control, Function<EngineSession, T> attempt) {
    Duration timeout = execution.timeout();
    try (EngineSession session =
        new TimedEngineSession(
            PhaseTimer.time(StepPhase.ENGINE, () -> engines.apply(execution).openSession()))) {
      control.started(session);
      AtomicBoolean timedOut = new AtomicBoolean();
      ScheduledFuture<?> alarm =
          timeout == null
              ? null
              : watchdog.schedule(
                  () -> {
                    timedOut.set(true);
                    session.cancel();
                  },
                  timeout.toMillis(),
                  TimeUnit.MILLISECONDS);
      try {
        return attempt.apply(session);
      } catch (RuntimeException e) {
        if (control.cancelled()) {
          throw new RunControl.RunCancelledException(e);
        }
        if (timedOut.get()) {
          throw new StepTimeoutException(
              "timed out after " + describe(timeout) + " and was cancelled; nothing was published",
              e);
        }
        throw explain.apply(e);
      } finally {
        control.finished(session);
        if (alarm != null) {
          alarm.cancel(false);
        }
      }
    }
  }

  /**
   * Whether a failure may pass when tried again, judged by its type and those of its causes: a
   * {@link TransientException} (raised by connectors, the lake and the run store), a {@link
   * TransientQueryException} (the engine could not read or write a file). The lake turns its
   * catalog's transient failures (a lost commit, a busy SQLite file) into {@link
   * TransientException}s when it explains a failed attempt ({@code Lake.explain}), so core needs no
   * knowledge of Iceberg's or SQLite's exceptions. Anything else, an {@link java.io.IOException}
   * included, is not retried.
   */
  static boolean isTransient(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof StepTimeoutException
          || cause instanceof RunControl.RunCancelledException
          || cause instanceof QueryCancelledException) {
        return false;
      }
      if (cause instanceof TransientException || cause instanceof TransientQueryException) {
        return true;
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return false;
  }

  static String describe(Duration duration) {
    long millis = duration.toMillis();
    if (millis % 3_600_000 == 0) {
      return millis / 3_600_000 + "h";
    }
    if (millis % 60_000 == 0) {
      return millis / 60_000 + "m";
    }
    return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
  }

  /** A step attempt that ran longer than its timeout. */
  static final class StepTimeoutException extends SluiceException {
    private static final long serialVersionUID = 1L;

    StepTimeoutException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
