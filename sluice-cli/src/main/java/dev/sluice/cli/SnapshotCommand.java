package dev.sluice.cli;

import dev.sluice.core.Workspace;
import dev.sluice.core.run.RunOptions;
import java.util.ArrayList;
import java.util.List;
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
              new RunOptions(onlySnapshots(selection.select), selection.exclude, false),
              output()),
          output(),
          json());
    }
  }

  /** Each selector intersected with every snapshot: {@code resource_type:snapshot,a ...}. */
  static List<String> onlySnapshots(List<String> select) {
    String snapshots = "resource_type:snapshot";
    if (select.isEmpty()) {
      return List.of(snapshots);
    }
    List<String> selectors = new ArrayList<>();
    for (String argument : select) {
      for (String selector : argument.trim().split("\\s+", -1)) {
        if (!selector.isEmpty()) {
          selectors.add(snapshots + "," + selector);
        }
      }
    }
    return selectors;
  }
}
