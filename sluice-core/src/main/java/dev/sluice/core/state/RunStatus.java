package dev.sluice.core.state;

/**
 * Where a run is in its life: running until it is finished once: succeeded, failed, cancelled or
 * interrupted.
 */
public enum RunStatus {
  RUNNING,
  SUCCEEDED,
  FAILED,
  /** Stopped on request ({@code sluice runs cancel}). */
  CANCELLED,
  /**
   * Its process is gone (killed, crashed, or silent past its heartbeat): taken over and marked so
   * by another process; {@code sluice run --resume} runs what it left undone.
   */
  INTERRUPTED
}
