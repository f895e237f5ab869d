package dev.sluice.cli;

import dev.sluice.core.Workspace;
import dev.sluice.core.project.Project;
import dev.sluice.core.quality.UnitTests;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "test",
    description =
        "Run the checks against the published data, without building anything; with --unit, run"
            + " the models' unit tests (unit_tests:) on given rows in an in-memory engine instead.")
final class TestCommand extends BaseCommand {
  @Mixin SelectionOptions selection = new SelectionOptions();

  @Mixin RunFlags flags = new RunFlags();

  @Option(
      names = "--unit",
      description =
          "Run the unit tests of the selected models (or the unit tests named) in an in-memory"
              + " DuckDB: no warehouse, catalog or state database is opened; a failed test prints"
              + " its missing and unexpected rows.")
  boolean unit;

  @Override
  public Integer call() {
    if (unit) {
      return unitTests();
    }
    try (Workspace workspace = openWorkspace()) {
      RunResult result =
          runner(workspace)
              .test(
                  flags.apply(
                      new RunOptions(
                          selection.select(workspace.project()), selection.exclude, false)),
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

  private Integer unitTests() {
    // the target's vars apply; its warehouse, catalog and state database are never opened
    Project project = loadProject();
    UnitTests.Report report = UnitTests.run(project, selection.select(project), selection.exclude);
    if (json()) {
      output().json(UnitTestOutput.json(report));
    } else {
      UnitTestOutput.print(output(), report);
    }
    output().message(UnitTestOutput.summary(report));
    return report.failed() == 0 ? ExitCodes.OK : ExitCodes.RUN_FAILED;
  }
}
