package dev.sluice.cli;

import dev.sluice.core.Workspace;
import dev.sluice.core.run.PlannedStep;
import dev.sluice.core.run.Planner;
import dev.sluice.core.run.RunOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "plan", description = "Show what 'sluice run' would build, in order, and why.")
final class PlanCommand extends BaseCommand {
  @Mixin SelectionOptions selection = new SelectionOptions();

  @Option(names = "--full-refresh", description = "Plan a full refresh.")
  boolean fullRefresh;

  @Option(
      names = "--env",
      paramLabel = "NAME",
      description =
          "Plan 'sluice run --env NAME': the models that differ from production and their"
              + " downstream, which the environment would build into its branches.")
  String environment;

  @Override
  public Integer call() {
    try (Workspace workspace = Workspace.open(projectDirectory())) {
      List<PlannedStep> steps;
      if (environment != null) {
        if (fullRefresh) {
          throw new dev.sluice.api.InvalidInputException(
              "--env takes no --full-refresh: an environment rebuilds what it builds in full");
        }
        steps =
            new dev.sluice.core.env.Environments(workspace)
                .changes(environment, selection.select, selection.exclude).stream()
                    .map(
                        change ->
                            new PlannedStep(
                                change.model(),
                                dev.sluice.core.state.StepKind.MODEL,
                                change.table().toString(),
                                List.of(change.reason())))
                    .toList();
      } else {
        steps =
            new Planner(workspace, clock())
                .plan(new RunOptions(selection.select, selection.exclude, fullRefresh));
      }
      if (json()) {
        List<Map<String, Object>> json = new ArrayList<>();
        for (PlannedStep step : steps) {
          Map<String, Object> entry = new LinkedHashMap<>();
          entry.put("asset", step.asset());
          entry.put("kind", step.kind().label());
          entry.put("table", step.table());
          entry.put("reasons", step.reasons());
          json.add(entry);
        }
        output().json(json);
        return ExitCodes.OK;
      }
      List<List<String>> rows = new ArrayList<>();
      int position = 1;
      for (PlannedStep step : steps) {
        rows.add(
            List.of(
                Integer.toString(position++),
                step.asset(),
                step.kind().label(),
                step.table(),
                String.join("; ", step.reasons())));
      }
      output().table(List.of("#", "asset", "kind", "table", "why"), rows);
      output()
          .message(
              steps.size()
                  + (steps.size() == 1 ? " asset" : " assets")
                  + (environment == null
                      ? " would run."
                      : " would be built into environment "
                          + environment
                          + "; every other table is read from production."));
      AccessCommand.printChanges(output(), workspace, projectDirectory());
      return ExitCodes.OK;
    }
  }
}
