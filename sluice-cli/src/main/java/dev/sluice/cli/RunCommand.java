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
      description = "Rebuild incremental models and source tables from scratch (one commit each).")
  boolean fullRefresh;

  @Option(
      names = "--partition",
      arity = "1..*",
      paramLabel = "KEY",
      description =
          "Build only these partitions of the selected partitioned models, e.g. 2024-03-01 or"
              + " '2024-03-01|eu' (default: the missing and failed ones).")
  java.util.List<String> partitions = new java.util.ArrayList<>();

  @Option(
      names = "--resume",
      paramLabel = "RUN_ID",
      description =
          "Finish a run that was interrupted (killed) or failed: what it committed is not redone.")
  String resume;

  @Override
  public Integer call() {
    try (Workspace workspace = Workspace.open(projectDirectory())) {
      if (resume != null) {
        if (!selection.select.isEmpty() || fullRefresh || !partitions.isEmpty()) {
          throw new dev.sluice.api.InvalidInputException(
              "--resume takes no --select, --full-refresh or --partition: it finishes the run as"
                  + " it was started");
        }
        return finish(resume(workspace, resume, output(), json()));
      }
      RunResult result =
          run(
              workspace,
              new RunOptions(
                  selection.select,
                  selection.exclude,
                  fullRefresh,
                  partitions.isEmpty()
                      ? dev.sluice.core.run.PartitionSelection.DUE
                      : new dev.sluice.core.run.PartitionSelection(
                          dev.sluice.core.run.PartitionSelection.Mode.ALL,
                          null,
                          null,
                          partitions,
                          1),
                  0),
              output(),
              json());
      if (!result.succeeded()) {
        throw new RunFailedException(
            "Run " + result.runId() + " failed: see 'sluice runs show " + result.runId() + "'");
      }
      return ExitCodes.OK;
    }
  }

  static int finish(RunResult result) {
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
    return run(workspace, options, output, json, "run");
  }

  /** Runs as {@code command} (e.g. a backfill), drawing progress, and prints the summary. */
  static RunResult run(
      Workspace workspace, RunOptions options, Output output, boolean json, String command) {
    ProgressPrinter progress = new ProgressPrinter(output, System.console() != null);
    return summarize(
        workspace, new Runner(workspace).run(options, progress, command), output, json);
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
