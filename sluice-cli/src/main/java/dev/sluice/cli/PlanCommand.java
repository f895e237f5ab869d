package dev.sluice.cli;

import dev.sluice.core.Workspace;
import dev.sluice.core.env.ChangeCategory;
import dev.sluice.core.env.ChangePlanner;
import dev.sluice.core.env.ModelChange;
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

@Command(
    name = "plan",
    description =
        "Show what 'sluice run' would build, in order, and why, and classify each model's change"
            + " against what production (or --env NAME) was built from: breaking, non-breaking or"
            + " metadata-only, with the downstream models and columns it affects.")
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
    // policies.yaml at git HEAD, which the access changes compare with: a git process, run while
    // the plan is made
    java.util.function.Supplier<String> committedPolicies =
        json() ? () -> null : AccessCommand.committedPoliciesLater(projectDirectory());
    // the warehouse, engine and state database open while the project loads
    try (Workspace workspace =
        Workspace.open(startLoadingProject(), target(), clock(), Workspace.localPrincipal())) {
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
      List<ModelChange> changes = new ChangePlanner(workspace).plan(environment);
      // once the environment is built, what its changes did to the rows of each table
      List<Map<String, Object>> dataDiff =
          environment != null && workspace.runStore().environments().find(environment).isPresent()
              ? dataDiff(workspace, environment)
              : null;
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
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("against", environment == null ? "production" : environment);
        document.put("steps", json);
        document.put("changes", changes.stream().map(PlanCommand::changeJson).toList());
        document.put("dataDiff", dataDiff);
        output().json(document);
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
      printChanges(changes);
      if (dataDiff != null) {
        printDataDiff(dataDiff);
      }
      AccessCommand.printChanges(output(), workspace, committedPolicies.get());
      return ExitCodes.OK;
    }
  }

  /**
   * The data diff of every table the environment built with production's version (by its model's
   * unique key, else whole rows), as {@code sluice diff} computes it; a table that cannot be
   * compared says why.
   */
  private static List<Map<String, Object>> dataDiff(Workspace workspace, String environment) {
    List<Map<String, Object>> diffs = new ArrayList<>();
    for (dev.sluice.core.state.EnvironmentRecords.EnvironmentTable table :
        new dev.sluice.core.env.Environments(workspace).show(environment).built()) {
      dev.sluice.core.project.ModelDef model =
          table.model() == null ? null : workspace.project().models().get(table.model());
      List<String> keys = model == null ? List.of() : model.uniqueKey();
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("table", table.table());
      entry.put("key", keys);
      try {
        dev.sluice.core.env.DataDiff.Result diff =
            new dev.sluice.core.env.DataDiff(workspace)
                .diff(dev.sluice.api.TableName.parse(table.table()), environment, keys);
        DiffCommand.putCounts(entry, diff);
        entry.put("error", null);
      } catch (dev.sluice.api.SluiceException e) {
        entry.put("error", e.getMessage());
      }
      diffs.add(entry);
    }
    return diffs;
  }

  private void printDataDiff(List<Map<String, Object>> diffs) {
    List<List<String>> rows = new ArrayList<>();
    for (Map<String, Object> diff : diffs) {
      if (diff.get("error") != null) {
        rows.add(
            List.of((String) diff.get("table"), "", "", "", "", "", (String) diff.get("error")));
        continue;
      }
      rows.add(
          List.of(
              (String) diff.get("table"),
              String.valueOf(diff.get("productionRows")),
              String.valueOf(diff.get("environmentRows")),
              String.valueOf(diff.get("onlyInProduction")),
              String.valueOf(diff.get("onlyInEnvironment")),
              diff.get("changed") == null ? "(no key)" : String.valueOf(diff.get("changed")),
              ""));
    }
    output().line("");
    output().line("Data diff of environment " + environment + " against production:");
    output()
        .table(
            List.of(
                "table",
                "production rows",
                "environment rows",
                "only in production",
                "only in environment",
                "changed",
                "problem"),
            rows);
  }

  private void printChanges(List<ModelChange> changes) {
    String against = environment == null ? "production" : "environment " + environment;
    if (changes.isEmpty()) {
      output().message("No model differs from what " + against + " was built from.");
      return;
    }
    List<List<String>> rows = new ArrayList<>();
    for (ModelChange change : changes) {
      rows.add(
          List.of(
              change.model(),
              change.category().label(),
              describe(change),
              change.downstreamSummary()));
    }
    output().line("");
    output().line("Changes against " + against + ":");
    output().table(List.of("model", "category", "change", "affected downstream"), rows);
    for (ModelChange change : changes) {
      if (change.history() != null && change.category() != ChangeCategory.METADATA_ONLY) {
        output()
            .message(
                change.model()
                    + " is "
                    + change.history().materialization()
                    + ": forward-only with '"
                    + change.history().forwardOnly()
                    + "', or rebuild its history with '"
                    + change.history().rebuild()
                    + "'");
      }
      if (change.note() != null) {
        output().message(change.model() + ": " + change.note());
      }
    }
  }

  /** One line saying what changed in a model. */
  static String describe(ModelChange change) {
    return change.summary();
  }

  static Map<String, Object> changeJson(ModelChange change) {
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("model", change.model());
    entry.put("table", change.table().toString());
    entry.put("category", change.category().label());
    entry.put("kind", change.kind());
    entry.put("added_columns", change.addedColumns());
    entry.put("removed_columns", change.removedColumns());
    entry.put("modified_columns", change.modifiedColumns());
    entry.put("rows_changed", change.rowsChanged());
    entry.put("metadata", change.metadata());
    List<Map<String, Object>> downstream = new ArrayList<>();
    for (ModelChange.AffectedModel affected : change.downstream()) {
      Map<String, Object> model = new LinkedHashMap<>();
      model.put("model", affected.model());
      model.put("columns", affected.columns());
      model.put("all_rows", affected.allRows());
      model.put("history", historyJson(affected.history()));
      downstream.add(model);
    }
    entry.put("downstream", downstream);
    entry.put("history", historyJson(change.history()));
    entry.put("note", change.note());
    return entry;
  }

  private static Map<String, Object> historyJson(ModelChange.HistoryChoice history) {
    if (history == null) {
      return null;
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("materialization", history.materialization());
    json.put("partitions", history.partitions());
    json.put("rows", history.rows());
    json.put("forward_only", history.forwardOnly());
    json.put("rebuild", history.rebuild());
    return json;
  }
}
