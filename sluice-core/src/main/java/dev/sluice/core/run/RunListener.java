package dev.sluice.core.run;

/** Hears about a run's progress, e.g. to draw it. Called from worker threads. */
public interface RunListener {
  default void runStarted(String runId, int steps) {}

  default void stepStarted(String asset, String kind) {}

  default void stepFinished(StepResult result) {}

  RunListener NONE = new RunListener() {};
}
