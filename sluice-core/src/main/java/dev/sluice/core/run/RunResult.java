package dev.sluice.core.run;

import dev.sluice.core.quality.UnitTests;
import dev.sluice.core.state.RunStatus;
import java.time.Duration;
import java.util.List;

/**
 * What a run did: its id in the run store, its status, each step, and the unit tests it ran (a dbt
 * project's {@code build} and {@code test} run them, as dbt does).
 */
public record RunResult(
    String runId,
    RunStatus status,
    Duration duration,
    List<StepResult> steps,
    List<UnitTests.Result> unitTests) {
  public RunResult {
    steps = List.copyOf(steps);
    unitTests = List.copyOf(unitTests);
  }

  /** A run that ran no unit tests. */
  public RunResult(String runId, RunStatus status, Duration duration, List<StepResult> steps) {
    this(runId, status, duration, steps, List.of());
  }

  public boolean succeeded() {
    return status == RunStatus.SUCCEEDED;
  }

  /**
   * Why each failed step failed, in step order: its exception, or null where a blocking check
   * failed it.
   */
  public List<Throwable> failures() {
    return steps.stream()
        .filter(step -> step.status() == dev.sluice.core.state.StepStatus.FAILED)
        .map(StepResult::failure)
        .collect(java.util.stream.Collectors.toList());
  }
}
