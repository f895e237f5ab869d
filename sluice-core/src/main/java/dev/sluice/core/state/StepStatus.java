package dev.sluice.core.state;

/**
 * Where a step is in its life: running until it is finished once. A skipped step did not run, for
 * example because an upstream step failed.
 */
public enum StepStatus {
  RUNNING,
  SUCCEEDED,
  FAILED,
  SKIPPED
}
