package dev.sluice.core.run;

import dev.sluice.core.state.StepKind;

/** Hears about a run's progress, e.g. to draw it. Called from worker threads. */
public interface RunListener {
  default void runStarted(String runId, int steps) {}

  default void stepStarted(String asset, StepKind kind) {}

  default void stepFinished(StepResult result) {}

  /** A step failed transiently and will be attempted again after {@code delay}. */
  default void stepRetrying(String asset, int attempt, java.time.Duration delay, String reason) {}

  /**
   * The run ended: every step finished, or the run failed as a whole (then {@code result} has no
   * steps).
   */
  default void runFinished(RunResult result) {}

  RunListener NONE = new RunListener() {};
}
