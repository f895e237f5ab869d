package dev.sluice.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --select} and {@code --exclude}, shared by the commands that take a selection. */
final class SelectionOptions {
  @Option(
      names = {"-s", "--select"},
      arity = "1..*",
      paramLabel = "SELECTOR",
      description =
          "Only these assets: name, +name (with upstream), name+ (with downstream), 2+name,"
              + " tag:x, zone:x, path:x, source:x; a,b intersects.")
  List<String> select = new ArrayList<>();

  @Option(
      names = {"-x", "--exclude"},
      arity = "1..*",
      paramLabel = "SELECTOR",
      description = "Leave out these assets (same syntax as --select).")
  List<String> exclude = new ArrayList<>();

  @Option(
      names = "--selector",
      paramLabel = "NAME",
      description =
          "The assets the selector NAME of selectors.yml selects (dbt's YAML selectors); without"
              + " --select or --selector, the selector with default: true applies.")
  String selector;

  @Option(
      names = "--state",
      paramLabel = "DIR",
      description =
          "The directory of a previous run's manifest.json (a copy of its target/), which"
              + " state:modified and state:new compare with.")
  java.nio.file.Path state;

  /**
   * The selection: {@code --select}, or the {@code --selector}; without either, the default
   * selector of selectors.yml, else everything.
   *
   * @throws dev.sluice.api.InvalidInputException for both --select and --selector
   */
  List<String> select(dev.sluice.core.project.Project project) {
    if (selector != null) {
      if (!select.isEmpty()) {
        throw new dev.sluice.api.InvalidInputException(
            "Give --select or --selector, not both (as dbt): a selector of selectors.yml can hold"
                + " a union with the other selection");
      }
      return List.of("selector:" + selector);
    }
    if (!select.isEmpty()) {
      return select;
    }
    return new dev.sluice.core.project.Selector(project)
        .defaultSelector()
        .map(name -> List.of("selector:" + name))
        .orElse(List.of());
  }
}
