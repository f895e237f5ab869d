package dev.sluice.cli;

import dev.sluice.api.InvalidInputException;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.CheckDef;
import dev.sluice.core.state.CheckHistoryEntry;
import dev.sluice.core.state.CheckRecord;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "checks",
    description =
        "The history of data checks: 'checks history NAME' lists every result of a check, per run"
            + " and partition, with its masked sample of failing rows; 'checks accept NAME' marks"
            + " what an anomaly check flagged as expected (docs/quality.md).",
    subcommands = {ChecksCommand.History.class, ChecksCommand.Accept.class})
final class ChecksCommand extends GroupCommand {
  @Command(
      name = "history",
      description =
          "Every result of the checks named NAME (e.g. not_null(order_id)), newest first: the run,"
              + " the partition, the status, the failing rows and a sample of them, masked as"
              + " policies.yaml says.")
  static final class History implements java.util.concurrent.Callable<Integer> {
    @ParentCommand ChecksCommand checks;

    @Parameters(
        paramLabel = "NAME",
        description = "The check's name, as 'sluice runs show' gives it.")
    String name;

    @Option(
        names = "--asset",
        paramLabel = "ASSET",
        description = "Only the results on this model, seed or source table.")
    String asset;

    @Option(
        names = "--limit",
        defaultValue = "50",
        description = "At most this many results, the newest (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
      if (limit < 1) {
        throw new InvalidInputException("--limit must be a positive number, got " + limit);
      }
      try (Workspace workspace = checks.openWorkspace()) {
        if (asset != null && workspace.project().findAsset(asset).isEmpty()) {
          throw new InvalidInputException(
              "No asset '"
                  + asset
                  + "': give a model, seed or source table ('sluice plan' lists them)");
        }
        List<CheckHistoryEntry> history =
            workspace.runStore().steps().checkHistory(name, asset, limit);
        if (history.isEmpty()) {
          java.util.SortedSet<String> declared = declaredChecks(workspace);
          if (!declared.contains(name)) {
            throw new InvalidInputException(
                "No check named '"
                    + name
                    + "' in the project or its history"
                    + (declared.isEmpty()
                        ? ": the project declares no checks"
                        : "; its checks are: " + String.join(", ", declared)));
          }
        }
        return checks.printList(
            history,
            ChecksCommand::json,
            "No results of check " + name + " yet: 'sluice run' or 'sluice test' runs it.",
            List.of(
                "started", "run", "asset", "partition", "status", "failing", "message / sample"),
            entry ->
                List.of(
                    entry.at().toString(),
                    entry.runId(),
                    entry.check().asset(),
                    entry.partition() == null ? "" : entry.partition(),
                    entry.check().status().label(),
                    formatCount(entry.check().failingRows()),
                    entry.check().message() != null
                        ? entry.check().message()
                        : entry.check().sampleJson() == null ? "" : entry.check().sampleJson()));
      }
    }

    private static java.util.SortedSet<String> declaredChecks(Workspace workspace) {
      TreeSet<String> names = new TreeSet<>();
      for (String each : workspace.project().graph().assets()) {
        workspace.project().asset(each).allChecks().stream()
            .map(CheckDef::name)
            .forEach(names::add);
      }
      return names;
    }
  }

  @Command(
      name = "accept",
      description =
          "Marks what an anomaly check flagged as expected: the values the flagged step wrote count"
              + " as history from now on, so the band learns them (docs/quality.md).")
  static final class Accept implements java.util.concurrent.Callable<Integer> {
    @ParentCommand ChecksCommand checks;

    @Parameters(
        paramLabel = "NAME",
        description = "The anomaly check's name, e.g. anomaly(row_count).")
    String name;

    @Option(
        names = "--asset",
        paramLabel = "ASSET",
        description = "The model, seed or source table the check is declared on.")
    String asset;

    @Option(
        names = "--run",
        paramLabel = "RUN",
        description =
            "The run whose flagged value to accept (an id or a unique prefix; default: the latest).")
    String run;

    @Override
    public Integer call() {
      try (Workspace workspace = checks.openWorkspace()) {
        List<String> declaredOn = new java.util.ArrayList<>();
        for (String each : workspace.project().graph().assets()) {
          for (CheckDef check : workspace.project().asset(each).allChecks()) {
            if (check.name().equals(name) && check.type().equals("anomaly")) {
              declaredOn.add(each);
            }
          }
        }
        if (declaredOn.isEmpty()) {
          throw new InvalidInputException(
              "No anomaly check named '"
                  + name
                  + "' in the project: only anomaly checks learn from accepted values ('sluice"
                  + " checks history NAME' shows a check's results)");
        }
        if (asset == null && declaredOn.size() > 1) {
          throw new InvalidInputException(
              "Anomaly check '"
                  + name
                  + "' is declared on "
                  + String.join(", ", declaredOn)
                  + ": say which with --asset");
        }
        String on = asset != null ? asset : declaredOn.get(0);
        if (!declaredOn.contains(on)) {
          throw new InvalidInputException(
              "Asset '"
                  + on
                  + "' has no anomaly check named '"
                  + name
                  + "'; it is declared on "
                  + String.join(", ", declaredOn));
        }
        CheckHistoryEntry flagged =
            workspace.runStore().steps().checkHistory(name, on, 1_000).stream()
                .filter(entry -> entry.check().status() == dev.sluice.core.state.CheckStatus.FAILED)
                .filter(entry -> run == null || entry.runId().startsWith(run))
                .findFirst()
                .orElseThrow(
                    () ->
                        new InvalidInputException(
                            "No flagged value of "
                                + name
                                + " on "
                                + on
                                + (run == null ? "" : " in run " + run)
                                + " to accept ('sluice checks history "
                                + name
                                + "' lists its results)"));
        int accepted =
            workspace.runStore().metrics().accept(flagged.stepId(), checks.clock().instant());
        if (checks.json()) {
          Map<String, Object> json = new LinkedHashMap<>();
          json.put("name", name);
          json.put("asset", on);
          json.put("runId", flagged.runId());
          json.put("stepId", flagged.stepId());
          json.put("accepted", accepted);
          checks.output().json(json);
        } else {
          checks
              .output()
              .message(
                  "Accepted what run "
                      + flagged.runId()
                      + " wrote to "
                      + on
                      + (flagged.partition() == null ? "" : " partition " + flagged.partition())
                      + " as expected: anomaly checks count it as history from now on ("
                      + flagged.check().message()
                      + ")");
        }
        return ExitCodes.OK;
      }
    }
  }

  private static Map<String, Object> json(CheckHistoryEntry entry) {
    CheckRecord check = entry.check();
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("runId", entry.runId());
    json.put("stepId", entry.stepId());
    json.put("startedAt", entry.at().toString());
    json.put("asset", check.asset());
    json.put("partition", entry.partition());
    json.put("name", check.name());
    json.put("column", check.column());
    json.put("severity", check.severity().label());
    json.put("status", check.status().label());
    json.put("failingRows", check.failingRows());
    json.put("sample", RunsCommand.parseSample(check.sampleJson()));
    json.put("message", check.message());
    return json;
  }
}
