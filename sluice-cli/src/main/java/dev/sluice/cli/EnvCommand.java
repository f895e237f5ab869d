package dev.sluice.cli;

import dev.sluice.core.Workspace;
import dev.sluice.core.env.Environments;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.state.EnvironmentRecords.Environment;
import dev.sluice.core.state.EnvironmentRecords.EnvironmentTable;
import dev.sluice.lake.Branches;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "env",
    description =
        "Development environments built by 'sluice run --env NAME' (docs/environments.md):"
            + " 'env list', 'env show NAME', 'env drop NAME'.",
    subcommands = {
      EnvCommand.ListEnvironments.class,
      EnvCommand.Show.class,
      EnvCommand.Rebase.class,
      EnvCommand.Drop.class
    })
final class EnvCommand extends GroupCommand {

  /** {@code sluice run --env NAME}: builds an environment, prints what and why, then the run. */
  static int build(
      Workspace workspace,
      String name,
      List<String> select,
      List<String> exclude,
      List<String> partitions,
      boolean onWorkers,
      Output output,
      boolean json) {
    Environments environments = new Environments(workspace);
    ProgressPrinter progress = new ProgressPrinter(output, ProgressPrinter.onTerminal());
    RunOptions options =
        new RunOptions(
            select,
            exclude,
            false,
            partitions.isEmpty()
                ? dev.sluice.core.run.PartitionSelection.DUE
                : new dev.sluice.core.run.PartitionSelection(
                    dev.sluice.core.run.PartitionSelection.Mode.ALL, null, null, partitions, 1),
            0);
    Environments.Build build = environments.build(name, options, progress, onWorkers);
    for (Branches.Removal reverted : build.reverted()) {
      output.message(
          "  " + reverted.table() + ": no longer differs from production, reads main again");
    }
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("environment", name);
    report.put("changes", build.changes().stream().map(EnvCommand::toJson).toList());
    report.put("reverted", build.reverted().stream().map(each -> each.table().toString()).toList());
    RunResult run = build.run();
    if (run == null) {
      output.message(
          "Environment "
              + name
              + ": nothing differs from production; every table is read from main");
      report.put("run", null);
      if (json) {
        output.json(report);
      }
      return ExitCodes.OK;
    }
    RunCommand.summarize(run, output);
    report.put(
        "run", RunsCommand.toJson(workspace.runStore().runs().findRun(run.runId()).orElseThrow()));
    if (run.succeeded()) {
      output.message(
          "Environment "
              + name
              + ": "
              + build.changes().size()
              + (build.changes().size() == 1 ? " table" : " tables")
              + " built into branch "
              + name
              + "; read it with 'sluice query --env "
              + name
              + " ...'");
      if (json) {
        output.json(report);
      }
      return ExitCodes.OK;
    }
    throw new RunFailure(
        "The build of environment "
            + name
            + " (run "
            + run.runId()
            + ") failed: see 'sluice runs show "
            + run.runId()
            + "'",
        ExitCodes.commonCause(run.failures()),
        json ? report : null);
  }

  private static Map<String, Object> toJson(Environments.Change change) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("model", change.model());
    row.put("table", change.table().toString());
    row.put("reason", change.reason());
    return row;
  }

  private static Map<String, Object> toJson(Environment environment) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("name", environment.name());
    row.put("createdAt", environment.createdAt().toString());
    row.put("updatedAt", environment.updatedAt().toString());
    row.put("runId", environment.runId());
    row.put("gitCommit", environment.gitCommit());
    row.put("gitDirty", environment.gitDirty());
    return row;
  }

  @Command(
      name = "list",
      description = "Lists the environments: when built, by which run, from which git commit.")
  static final class ListEnvironments implements java.util.concurrent.Callable<Integer> {
    @ParentCommand EnvCommand env;

    @Override
    public Integer call() {
      try (Workspace workspace = env.openWorkspace()) {
        return env.printList(
            new Environments(workspace).list(),
            EnvCommand::toJson,
            "No environments: 'sluice run --env NAME' builds one.",
            List.of("name", "updated", "run", "git commit"),
            each ->
                List.of(
                    each.name(),
                    each.updatedAt().toString(),
                    each.runId() == null ? "" : each.runId(),
                    revision(each)));
      }
    }
  }

  private static String revision(Environment environment) {
    if (environment.gitCommit() == null) {
      return "";
    }
    return environment.gitCommit() + (environment.gitDirty() ? " (with uncommitted changes)" : "");
  }

  @Command(
      name = "show",
      description =
          "Shows an environment: the tables it built into its branch, and those it reads from"
              + " production.")
  static final class Show implements java.util.concurrent.Callable<Integer> {
    @ParentCommand EnvCommand env;

    @Parameters(paramLabel = "NAME", description = "The environment.")
    String name;

    @Override
    public Integer call() {
      try (Workspace workspace = env.openWorkspace()) {
        Environment environment = new Environments(workspace).show(name);
        if (env.json()) {
          Map<String, Object> document = toJson(environment);
          List<Map<String, Object>> tables = new ArrayList<>();
          for (EnvironmentTable table : environment.tables()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("table", table.table());
            row.put("branch", table.built() ? environment.name() : "main");
            row.put("model", table.model());
            row.put("fingerprint", table.fingerprint());
            row.put("snapshotId", table.snapshotId());
            row.put("productionSnapshotId", table.baseSnapshotId());
            tables.add(row);
          }
          document.put("tables", tables);
          env.output().json(document);
          return ExitCodes.OK;
        }
        env.output()
            .message(
                "Environment "
                    + environment.name()
                    + ": built "
                    + environment.updatedAt()
                    + (environment.runId() == null ? "" : " by run " + environment.runId())
                    + (environment.gitCommit() == null
                        ? ""
                        : " from git commit " + revision(environment)));
        List<List<String>> rows = new ArrayList<>();
        for (EnvironmentTable table : environment.tables()) {
          rows.add(
              List.of(
                  table.table(),
                  table.built() ? environment.name() : "main",
                  table.snapshotId() == null ? "" : table.snapshotId().toString(),
                  table.baseSnapshotId() == null ? "" : table.baseSnapshotId().toString()));
        }
        if (rows.isEmpty()) {
          env.output().message("It differs from production in no table: it reads main.");
        } else {
          env.output().table(List.of("table", "branch", "snapshot", "production snapshot"), rows);
        }
        return ExitCodes.OK;
      }
    }
  }

  @Command(
      name = "rebase",
      description =
          "Rebuilds an environment on production as it is now (after production changed since it"
              + " was built), so that it can be promoted.")
  static final class Rebase implements java.util.concurrent.Callable<Integer> {
    @ParentCommand EnvCommand env;

    @Parameters(paramLabel = "NAME", description = "The environment.")
    String name;

    @Override
    public Integer call() {
      try (Workspace workspace = env.openWorkspace()) {
        new Environments(workspace).show(name);
        return build(
            workspace, name, List.of(), List.of(), List.of(), false, env.output(), env.json());
      }
    }
  }

  @Command(
      name = "drop",
      description =
          "Drops an environment: removes its branch from every table and deletes the files only"
              + " it referenced. Production cannot be dropped.")
  static final class Drop implements java.util.concurrent.Callable<Integer> {
    @ParentCommand EnvCommand env;

    @Parameters(paramLabel = "NAME", description = "The environment.")
    String name;

    @Override
    public Integer call() {
      try (Workspace workspace = env.openWorkspace()) {
        Environments.Drop drop = new Environments(workspace).drop(name);
        if (env.json()) {
          Map<String, Object> document = new LinkedHashMap<>();
          document.put("environment", drop.name());
          document.put(
              "tables", drop.removals().stream().map(each -> each.table().toString()).toList());
          document.put("deletedFiles", drop.deletedFiles());
          env.output().json(document);
        } else {
          env.output()
              .message(
                  "Dropped environment "
                      + drop.name()
                      + ": its branch removed from "
                      + drop.removals().size()
                      + (drop.removals().size() == 1 ? " table" : " tables")
                      + ", "
                      + drop.deletedFiles()
                      + (drop.deletedFiles() == 1 ? " file" : " files")
                      + " only it referenced deleted");
        }
        return ExitCodes.OK;
      }
    }
  }
}
