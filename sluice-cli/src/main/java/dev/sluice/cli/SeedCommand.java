package dev.sluice.cli;

import dev.sluice.core.Workspace;
import dev.sluice.core.run.RunOptions;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sluice seed}: loads the seeds, with their checks, as dbt's {@code seed} does. */
@Command(
    name = "seed",
    description = "Load the seeds (all, or those --select picks) with their checks; dbt's seed.")
final class SeedCommand extends BaseCommand {
  @Mixin SelectionOptions selection = new SelectionOptions();

  @Mixin RunFlags flags = new RunFlags();

  @Option(names = "--full-refresh", description = "Accepted for dbt: seeds are always reloaded.")
  boolean fullRefresh;

  @Override
  public Integer call() {
    try (Workspace workspace = openWorkspace()) {
      if (workspace.project().seeds().isEmpty()) {
        output().message("The project has no seeds.");
        return ExitCodes.OK;
      }
      return RunCommand.finish(
          workspace,
          RunCommand.run(
              runner(workspace),
              flags.apply(
                  new RunOptions(
                      onlySeeds(selection.select(workspace.project())),
                      selection.exclude,
                      fullRefresh)),
              output()),
          output(),
          json());
    }
  }

  /** Each selector intersected with every seed: {@code a b} is {@code resource_type:seed,a ...}. */
  static List<String> onlySeeds(List<String> select) {
    return onlyOfType("seed", select);
  }

  /**
   * Each selector intersected with every resource of a type: {@code a b} is {@code
   * resource_type:<type>,a ...}; no selector is every resource of the type.
   */
  static List<String> onlyOfType(String resourceType, List<String> select) {
    String ofType = "resource_type:" + resourceType;
    if (select.isEmpty()) {
      return List.of(ofType);
    }
    List<String> selectors = new ArrayList<>();
    for (String argument : select) {
      for (String selector : argument.trim().split("\\s+", -1)) {
        if (!selector.isEmpty()) {
          selectors.add(ofType + "," + selector);
        }
      }
    }
    return selectors;
  }
}
