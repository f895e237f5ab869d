package dev.sluice.core.run;

import dev.sluice.core.state.RunStatus;
import java.time.Duration;
import java.util.List;

/** What a run did: its id in the run store, its status, and each step. */
public record RunResult(String runId, RunStatus status, Duration duration, List<StepResult> steps) {
  public RunResult {
    steps = List.copyOf(steps);
  }

  public boolean succeeded() {
    return status == RunStatus.SUCCEEDED;
  }
}
