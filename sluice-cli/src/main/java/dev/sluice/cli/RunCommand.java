package dev.sluice.cli;

import dev.sluice.api.RunFailedException;
import dev.sluice.core.Workspace;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "run",
    description = "Ingest sources, load seeds and build models, in dependency order, with checks.")
final class RunCommand extends BaseCommand {
  @Mixin SelectionOptions selection = new SelectionOptions();

  @Option(
      names = "--full-refresh",
      description = "Rebuild incremental models and reload append sources from scratch.")
  boolean fullRefresh;

  @Override
  public Integer call() {
    try (Workspace workspace = Workspace.open(projectDirectory())) {
      RunResult result =
          run(
              workspace,
              new RunOptions(selection.select, selection.exclude, fullRefresh),
              output(),
              json());
      if (!result.succeeded()) {
        throw new RunFailedException(
            "Run " + result.runId() + " failed: see 'sluice runs show " + result.runId() + "'");
      }
      return ExitCodes.OK;
    }
  }

  private static int finish(RunResult result) {
    if (!result.succeeded()) {
      throw new RunFailedException(
          "Run " + result.runId() + " failed: see 'sluice runs show " + result.runId() + "'");
    }
    return ExitCodes.OK;
  }

  /** Resumes a run, drawing progress, and prints the summary (or JSON). */
  static RunResult resume(Workspace workspace, String runId, Output output, boolean json) {
    ProgressPrinter progress = new ProgressPrinter(output, System.console() != null);
    return summarize(workspace, new Runner(workspace).resume(runId, progress), output, json);
  }

  /** Runs, drawing progress, and prints the summary (or JSON). */
  static RunResult run(Workspace workspace, RunOptions options, Output output, boolean json) {
    ProgressPrinter progress = new ProgressPrinter(output, System.console() != null);
    return summarize(workspace, new Runner(workspace).run(options, progress), output, json);
  }

  private static RunResult summarize(
      Workspace workspace, RunResult result, Output output, boolean json) {
    if (json) {
      output.json(RunsCommand.toJson(workspace.runStore().findRun(result.runId()).orElseThrow()));
    }
    long failed =
        result.steps().stream()
            .filter(s -> s.status() == dev.sluice.core.state.StepStatus.FAILED)
            .count();
    long skipped =
        result.steps().stream()
            .filter(s -> s.status() == dev.sluice.core.state.StepStatus.SKIPPED)
            .count();
    output.message(
        (result.succeeded() ? "Done" : "FAILED")
            + " in "
            + formatDuration(result.duration())
            + ": "
            + (result.steps().size() - failed - skipped)
            + " succeeded, "
            + failed
            + " failed, "
            + skipped
            + " skipped (run "
            + result.runId()
            + ")");
    return result;
  }
}
