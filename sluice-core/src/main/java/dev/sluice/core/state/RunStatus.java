package dev.sluice.core.state;

/** Where a run is in its life: running until it is finished once, as succeeded or failed. */
public enum RunStatus {
  RUNNING,
  SUCCEEDED,
  FAILED,
  /** Stopped on request ({@code sluice runs cancel}). */
  CANCELLED
}
