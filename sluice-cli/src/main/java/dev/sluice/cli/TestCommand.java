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
        "Run the checks against the published data, without building anything (in a dbt project,"
            + " the selected models' unit tests too, as dbt test: --select test_type:unit for only"
            + " them, --exclude test_type:unit for none); with --unit, run only the unit tests"
            + " (unit_tests:) on given rows in an in-memory engine.")
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
      if (!result.unitTests().isEmpty()) {
        // a dbt project's unit tests, which sluice test runs as dbt test does
        UnitTests.Report unitReport =
            new UnitTests.Report(
                result.unitTests(),
                result.unitTests().stream()
                    .map(UnitTests.Result::duration)
                    .reduce(java.time.Duration.ZERO, java.time.Duration::plus));
        if (!json()) {
          UnitTestOutput.print(output(), unitReport);
        }
        output().message(UnitTestOutput.summary(unitReport));
      }
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
          (failed > 0 ? "Blocking checks failed" : "Unit tests did not pass")
              + ": see above, or 'sluice runs show "
              + result.runId()
              + "'");
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
