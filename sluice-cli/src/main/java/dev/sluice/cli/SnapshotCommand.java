package dev.sluice.cli;

import dev.sluice.core.Workspace;
import dev.sluice.core.run.RunOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code sluice snapshot}: takes the snapshots (models materialized as snapshots: dbt's snapshot
 * blocks, Sluice's {@code materialized: snapshot}), with their checks, as dbt's {@code snapshot}
 * does.
 */
@Command(
    name = "snapshot",
    description =
        "Take the snapshots (all, or those --select picks) with their checks; dbt's snapshot.")
final class SnapshotCommand extends BaseCommand {
  @Mixin SelectionOptions selection = new SelectionOptions();

  @Mixin RunFlags flags = new RunFlags();

  @Override
  public Integer call() {
    try (Workspace workspace = openWorkspace()) {
      boolean none =
          workspace.project().models().values().stream()
              .noneMatch(model -> model.snapshot() != null);
      if (none) {
        output().message("The project has no snapshots.");
        return ExitCodes.OK;
      }
      return RunCommand.finish(
          workspace,
          RunCommand.run(
              runner(workspace),
              flags.apply(
                  new RunOptions(
                      SeedCommand.onlyOfType("snapshot", selection.select(workspace.project())),
                      selection.exclude,
                      false)),
              output()),
          output(),
          json());
    }
  }
}
