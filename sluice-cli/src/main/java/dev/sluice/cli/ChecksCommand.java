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
            + " and partition, with its masked sample of failing rows (docs/quality.md).",
    subcommands = {ChecksCommand.History.class})
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
      try (Workspace workspace = Workspace.open(checks.projectDirectory())) {
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
