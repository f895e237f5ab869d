package dev.sluice.cli;

import dev.sluice.api.InvalidInputException;
import dev.sluice.core.Workspace;
import dev.sluice.core.run.RunResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "rerun",
    description = "Run again what a run did not finish: its failed, skipped and interrupted steps.")
final class RerunCommand extends BaseCommand {
  @Parameters(paramLabel = "RUN_ID", description = "A run id, or a unique prefix of one.")
  String runId;

  @Option(
      names = "--from-failure",
      required = true,
      description = "Redo only the steps that did not succeed (required: the only mode so far).")
  boolean fromFailure;

  @Override
  public Integer call() {
    if (!fromFailure) {
      throw new InvalidInputException("Add --from-failure");
    }
    try (Workspace workspace = openWorkspace()) {
      RunResult result = RunCommand.resume(runner(workspace), runId, output());
      return RunCommand.finish(workspace, result, output(), json());
    }
  }
}
