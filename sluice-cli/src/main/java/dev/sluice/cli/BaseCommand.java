package dev.sluice.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.ParentCommand;

/** What every subcommand shares: the project directory, JSON mode and the output layer. */
abstract class BaseCommand implements Callable<Integer> {
  @ParentCommand SluiceCommand root;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec commandSpec;

  Output output() {
    return root.output;
  }

  /** The clock every command reads the time from. */
  java.time.Clock clock() {
    return root.clock;
  }

  /** A runner for {@code workspace} on this command's clock. */
  dev.sluice.core.run.Runner runner(dev.sluice.core.Workspace workspace) {
    return new dev.sluice.core.run.Runner(workspace, clock());
  }

  boolean json() {
    return root.json;
  }

  Path projectDirectory() {
    return root.project.toAbsolutePath().normalize();
  }

  /** The target of sluice.yaml asked for with {@code --target}, or null. */
  String target() {
    return root.target;
  }

  /**
   * Loads the project with the target's settings ({@code --target}, else {@code SLUICE_TARGET},
   * else {@code default_target:}).
   */
  dev.sluice.core.project.Project loadProject() {
    return dev.sluice.core.project.Project.load(projectDirectory(), invocation());
  }

  /**
   * What this invocation asks of the project: the target, {@code --vars}, {@code --state}, and the
   * flags a dbt project's templates see ({@code flags.WHICH}, {@code flags.FULL_REFRESH}, ...) from
   * the command and the options it was given.
   */
  dev.sluice.core.project.Invocation invocation() {
    dev.sluice.core.project.Invocation invocation =
        dev.sluice.core.project.Invocation.NONE
            .withTarget(root.target)
            .withVars(
                root.vars == null
                    ? java.util.Map.of()
                    : dev.sluice.core.project.Invocation.parseVars(root.vars))
            .withFlag("WHICH", commandName());
    if (root.target != null) {
      invocation = invocation.withFlag("TARGET", root.target);
    }
    if (root.vars != null) {
      invocation = invocation.withFlag("VARS", invocation.vars());
    }
    if (commandSpec == null) {
      return invocation;
    }
    for (String[] flag :
        new String[][] {
          {"--full-refresh", "FULL_REFRESH"}, {"--fail-fast", "FAIL_FAST"}, {"--threads", "THREADS"}
        }) {
      picocli.CommandLine.Model.OptionSpec option = commandSpec.findOption(flag[0]);
      Object value = option == null ? null : option.getValue();
      if (value != null && !Integer.valueOf(0).equals(value)) {
        invocation = invocation.withFlag(flag[1], value);
      }
    }
    picocli.CommandLine.Model.OptionSpec state = commandSpec.findOption("--state");
    if (state != null && state.getValue() != null) {
      invocation = invocation.withState(projectDirectory().resolve((Path) state.getValue()));
    }
    return invocation;
  }

  /** The name this command was called by: {@code build} for {@code run}'s alias too. */
  private String commandName() {
    if (commandSpec == null) {
      return "run";
    }
    java.util.Set<String> names = new java.util.HashSet<>(List.of(commandSpec.aliases()));
    names.add(commandSpec.name());
    picocli.CommandLine.ParseResult parsed = root.spec.commandLine().getParseResult();
    if (parsed != null) {
      for (String argument : parsed.originalArgs()) {
        if (names.contains(argument)) {
          return argument;
        }
      }
    }
    return commandSpec.name();
  }

  /**
   * The project's settings alone (sluice.yaml, with the target's settings), for commands that need
   * only where its state and warehouse are: faster than {@link #loadProject()} on a large project.
   */
  dev.sluice.core.project.ProjectConfig loadConfig() {
    return dev.sluice.core.project.Project.loadConfig(projectDirectory(), root.target);
  }

  /**
   * Starts loading the project (see {@link #loadProject()}) on its own thread, for a short command
   * that opens the warehouse, engine or run store from the project's settings meanwhile.
   */
  dev.sluice.core.project.ProjectLoading startLoadingProject() {
    return dev.sluice.core.project.ProjectLoading.start(projectDirectory(), this::loadProject);
  }

  /** Loads the project (see {@link #loadProject()}) and opens its warehouse and engine. */
  dev.sluice.core.Workspace openWorkspace() {
    return dev.sluice.core.Workspace.open(loadProject());
  }

  /**
   * Prints a list: with --json, each item as {@code json} makes it; else {@code none} as a message
   * when the list is empty, or a table of {@code headers} with each item's {@code row}.
   *
   * @return {@link ExitCodes#OK}
   */
  <T> int printList(
      List<T> items,
      Function<T, ?> json,
      String none,
      List<String> headers,
      Function<T, List<String>> row) {
    if (json()) {
      output().json(items.stream().map(json).toList());
    } else if (items.isEmpty()) {
      output().message(none);
    } else {
      output().table(headers, items.stream().map(row).toList());
    }
    return ExitCodes.OK;
  }

  /**
   * Records a change of credentials (an API token, a password) in the audit log: a {@code
   * CREDENTIAL} record with the {@code event} and the details {@code details} adds.
   */
  static void recordCredential(
      dev.sluice.core.Workspace workspace,
      String event,
      java.util.function.UnaryOperator<dev.sluice.core.state.AuditEntry.Builder> details) {
    dev.sluice.core.WorkspaceAudit audit = workspace.audit();
    audit.record(
        details
            .apply(audit.entry(dev.sluice.core.state.AuditAction.CREDENTIAL).detail("event", event))
            .build());
  }

  static String formatCount(long value) {
    return String.format(java.util.Locale.ROOT, "%,d", value);
  }

  static String formatBytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    double value = bytes;
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
  }

  static String formatDuration(java.time.Duration duration) {
    long millis = duration.toMillis();
    return millis < 1000
        ? millis + " ms"
        : String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
  }
}
