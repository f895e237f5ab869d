package dev.sluice.core.state;

import dev.sluice.api.SluiceException;

/**
 * A process wrote the state of a run that another process has taken over in the meantime (this one
 * was paused or cut off past its heartbeat, and the run was marked interrupted and resumed). The
 * write was refused; the process must stop working on the run.
 */
public final class RunTakenOverException extends SluiceException {
  private static final long serialVersionUID = 1L;

  private final String runId;

  public RunTakenOverException(String runId) {
    super(
        "Run "
            + runId
            + " was taken over by another process while this one gave no sign of life (paused or"
            + " cut off for longer than its heartbeat allows): it was marked interrupted, so this"
            + " process stopped without recording anything more. What it published stays;"
            + " 'sluice runs' shows the run that takes up the rest ('sluice run --resume "
            + runId
            + "' starts it when no server does).");
    this.runId = runId;
  }

  public String runId() {
    return runId;
  }
}
