package dev.sluice.bench.connectors;

import dev.sluice.core.Workspace;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import dev.sluice.core.run.StepResult;
import java.util.List;
import java.util.StringJoiner;

/** One Sluice load of one source table, as {@code sluice run --select source.table} does it. */
final class SluiceLoad {
  private SluiceLoad() {}

  /**
   * Runs {@code asset} and returns its step.
   *
   * @throws IllegalStateException when the run fails, with each failed step's error
   */
  static StepResult run(Runner runner, String asset) {
    RunResult run = runner.run(new RunOptions(List.of(asset), false), RunListener.NONE);
    if (!run.succeeded()) {
      StringJoiner errors = new StringJoiner("; ");
      run.steps().stream()
          .filter(step -> step.error() != null)
          .forEach(step -> errors.add(step.asset() + ": " + step.error()));
      throw new IllegalStateException("The Sluice load of " + asset + " failed: " + errors);
    }
    return run.steps().stream()
        .filter(step -> step.asset().equals(asset))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("The run has no step " + asset));
  }

  /** Opens the workspace, loads {@code asset} and closes the workspace again. */
  static StepResult openRunClose(java.nio.file.Path project, String asset) {
    try (Workspace workspace = Workspace.open(project)) {
      return run(new Runner(workspace), asset);
    }
  }
}
