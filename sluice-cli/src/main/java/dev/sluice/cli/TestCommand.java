package dev.sluice.cli;

import dev.sluice.core.Workspace;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "test",
    description = "Run the checks against the published data, without building anything.")
final class TestCommand extends BaseCommand {
  @Mixin SelectionOptions selection = new SelectionOptions();

  @Override
  public Integer call() {
    try (Workspace workspace = openWorkspace()) {
      RunResult result =
          runner(workspace)
              .test(
                  new RunOptions(selection.select, selection.exclude, false),
                  new ProgressPrinter(output(), ProgressPrinter.onTerminal()));
      long checks = result.steps().stream().mapToLong(s -> s.checks().size()).sum();
      long failed =
          result.steps().stream()
              .flatMap(s -> s.checks().stream())
              .filter(c -> !c.passed())
              .count();
      output().message(checks + " checks, " + failed + " not passed (run " + result.runId() + ")");
      return RunCommand.finish(
          workspace,
          result,
          output(),
          json(),
          "Blocking checks failed: see above, or 'sluice runs show " + result.runId() + "'");
    }
  }
}
