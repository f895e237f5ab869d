package dev.sluice.bench;

import dev.sluice.core.Workspace;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import dev.sluice.core.run.StepResult;
import java.util.List;
import java.util.StringJoiner;

/**
 * In-process Sluice runs, as {@code sluice run --select ...} does them, that fail the benchmark
 * when a step fails.
 */
public final class SluiceLoad {
  private SluiceLoad() {}

  /**
   * Runs {@code assets}.
   *
   * @param what what the run does, for the error, e.g. {@code ingest}
   * @throws IllegalStateException when the run fails, with each failed step's error
   */
  public static RunResult run(Runner runner, List<String> assets, String what) {
    RunResult run = runner.run(new RunOptions(assets, false), RunListener.NONE);
    if (!run.succeeded()) {
      throw new IllegalStateException("The Sluice " + what + " failed: " + failures(run));
    }
    return run;
  }

  /** Each failed step of {@code run} with its error, e.g. {@code raw.a: boom; raw.b: ...}. */
  public static String failures(RunResult run) {
    StringJoiner errors = new StringJoiner("; ");
    run.steps().stream()
        .filter(step -> step.error() != null)
        .forEach(step -> errors.add(step.asset() + ": " + step.error()));
    return errors.toString();
  }

  /**
   * Runs {@code asset} and returns its step.
   *
   * @throws IllegalStateException when the run fails, with each failed step's error
   */
  public static StepResult run(Runner runner, String asset) {
    return run(runner, List.of(asset), "load of " + asset).steps().stream()
        .filter(step -> step.asset().equals(asset))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("The run has no step " + asset));
  }

  /** Opens the workspace, loads {@code asset} and closes the workspace again. */
  public static StepResult openRunClose(java.nio.file.Path project, String asset) {
    try (Workspace workspace = Workspace.open(project)) {
      return run(new Runner(workspace), asset);
    }
  }
}
