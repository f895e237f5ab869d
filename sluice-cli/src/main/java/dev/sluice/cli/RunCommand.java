package dev.sluice.cli;

import dev.sluice.core.Workspace;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import dev.sluice.core.state.RunStatus;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "run",
    aliases = "build",
    description =
        "Ingest sources, load seeds and build models, in dependency order, with checks (dbt's"
            + " build: a model's checks run before it is published, and a failure skips what"
            + " depends on it).")
final class RunCommand extends BaseCommand {
  @Mixin SelectionOptions selection = new SelectionOptions();

  @Mixin RunFlags flags = new RunFlags();

  @Option(
      names = "--full-refresh",
      description = "Rebuild incremental models and source tables from scratch (one commit each).")
  boolean fullRefresh;

  @Option(
      names = "--partition",
      arity = "1..*",
      paramLabel = "KEY",
      description =
          "Build only these partitions of the selected partitioned models, e.g. 2024-03-01 or"
              + " '2024-03-01|eu' (default: the missing and failed ones).")
  java.util.List<String> partitions = new java.util.ArrayList<>();

  @Option(
      names = "--event-time-start",
      paramLabel = "TIME",
      description =
          "dbt's backfill of microbatch models: build their batches from the one this date or"
              + " time (UTC: 2024-01-01, '2024-01-01 05:00:00') falls in, whatever was built"
              + " before (default: from 'begin').")
  String eventTimeStart;

  @Option(
      names = "--event-time-end",
      paramLabel = "TIME",
      description =
          "dbt's backfill of microbatch models: build their batches that start before this date"
              + " or time (UTC; default: up to the batch in progress).")
  String eventTimeEnd;

  @Option(
      names = "--resume",
      paramLabel = "RUN_ID",
      description =
          "Finish a run that was interrupted (killed) or failed: what it committed is not redone.")
  String resume;

  @Option(
      names = "--env",
      paramLabel = "NAME",
      description =
          "Build into environment NAME (docs/environments.md): the models that differ from"
              + " production and their downstream are rebuilt into branch NAME of their tables;"
              + " every other table is read from production, without a copy.")
  String environment;

  @Option(
      names = "--on-workers",
      description =
          "Hand the run's steps to the workers ('sluice serve --worker') sharing the PostgreSQL"
              + " state database and wait for them; without it the run runs in this process"
              + " (docs/deployment.md).")
  boolean onWorkers;

  @Override
  Runner runner(Workspace workspace) {
    Runner runner = super.runner(workspace);
    return onWorkers ? runner.onWorkers() : runner;
  }

  @Override
  public Integer call() {
    try (Workspace workspace = openWorkspace()) {
      if (environment != null) {
        if (resume != null || fullRefresh) {
          throw new dev.sluice.api.InvalidInputException(
              "--env takes no --resume or --full-refresh: it rebuilds the changed models and"
                  + " their downstream in full (run it again to finish a failed build; --partition"
                  + " builds only those partitions of a partitioned model)");
        }
        return EnvCommand.build(
            workspace,
            environment,
            selection.select,
            selection.exclude,
            partitions,
            onWorkers,
            output(),
            json());
      }
      if (resume != null) {
        if (!selection.select.isEmpty()
            || fullRefresh
            || !partitions.isEmpty()
            || eventTimeStart != null
            || eventTimeEnd != null) {
          throw new dev.sluice.api.InvalidInputException(
              "--resume takes no --select, --full-refresh or --partition: it finishes the run as"
                  + " it was started");
        }
        return finish(workspace, resume(runner(workspace), resume, output()), output(), json());
      }
      RunResult result =
          run(
              runner(workspace),
              flags.apply(
                  new RunOptions(
                      selection.select(workspace.project()),
                      selection.exclude,
                      fullRefresh,
                      partitionSelection(),
                      0)),
              output());
      return finish(workspace, result, output(), json());
    }
  }

  /**
   * Which partitions the run builds: those asked for, the batches of the event time flags (dbt's
   * backfill of microbatch models), else the due ones.
   */
  private dev.sluice.core.run.PartitionSelection partitionSelection() {
    if (eventTimeStart == null && eventTimeEnd == null) {
      return partitions.isEmpty()
          ? dev.sluice.core.run.PartitionSelection.DUE
          : new dev.sluice.core.run.PartitionSelection(
              dev.sluice.core.run.PartitionSelection.Mode.ALL, null, null, partitions, 1);
    }
    if (!partitions.isEmpty()) {
      throw new dev.sluice.api.InvalidInputException(
          "--partition and --event-time-start/--event-time-end choose partitions two ways: give"
              + " one of them");
    }
    java.time.LocalDateTime from = eventTime("--event-time-start", eventTimeStart);
    java.time.LocalDateTime to = eventTime("--event-time-end", eventTimeEnd);
    if (from != null && to != null && !from.isBefore(to)) {
      throw new dev.sluice.api.InvalidInputException(
          "--event-time-start "
              + eventTimeStart
              + " must be before --event-time-end "
              + eventTimeEnd
              + ", as dbt requires");
    }
    return new dev.sluice.core.run.PartitionSelection(
        dev.sluice.core.run.PartitionSelection.Mode.ALL, from, to, java.util.List.of(), 1);
  }

  /**
   * The time an event time flag gives (UTC), as dbt's click.DateTime reads it: a date or a date and
   * time ({@code 2024-01-01}, {@code 2024-01-01 05:00:00}, {@code 2024-01-01T05:00:00}); null when
   * the flag is not given.
   */
  private static java.time.LocalDateTime eventTime(String flag, String text) {
    if (text == null) {
      return null;
    }
    java.time.LocalDateTime time = dev.sluice.core.project.DbtMicrobatch.parseTime(text);
    if (time == null) {
      throw new dev.sluice.api.InvalidInputException(
          flag
              + " '"
              + text
              + "' is not a date or a time (UTC): write it as 2024-01-01, '2024-01-01 05:00:00'"
              + " or 2024-01-01T05:00:00");
    }
    return time;
  }

  /** The commands whose name dbt's run_results.json gives as {@code args.which}. */
  private static final java.util.Set<String> DBT_COMMANDS =
      java.util.Set.of("run", "build", "seed", "snapshot", "test");

  /**
   * Ends a command that ran: prints the run's JSON report with {@code --json} (exactly one
   * document: for a run that did not succeed, the error handler prints it with the error and exit
   * code added), and throws for a run that did not succeed.
   *
   * @throws RunFailure whose exit code says why the run failed (see {@link ExitCodes})
   */
  static int finish(Workspace workspace, RunResult result, Output output, boolean json) {
    String runId = result.runId();
    return finish(
        workspace,
        result,
        output,
        json,
        "Run "
            + runId
            + (result.status() == RunStatus.CANCELLED ? " was cancelled" : " failed")
            + ": see 'sluice runs show "
            + runId
            + "'");
  }

  /** As {@link #finish(Workspace, RunResult, Output, boolean)}, with the failure's message. */
  static int finish(
      Workspace workspace, RunResult result, Output output, boolean json, String failureMessage) {
    // a dbt project's run_results.json and manifest.json, in its target-path, whatever the outcome,
    // with the command as dbt's args.which (run, build, seed, snapshot, test)
    Object command = workspace.project().invocation().flags().get("WHICH");
    dev.sluice.core.run.DbtRunResults.write(
        workspace.project(),
        result,
        // a Sluice project, or a command dbt has not, has no WHICH: dbt's default
        command instanceof String which && DBT_COMMANDS.contains(which) ? which : "build",
        java.time.Instant.now());
    Map<String, Object> report =
        json
            ? RunsCommand.toJson(workspace.runStore().runs().findRun(result.runId()).orElseThrow())
            : null;
    if (result.succeeded()) {
      if (report != null) {
        output.json(report);
      }
      return ExitCodes.OK;
    }
    throw new RunFailure(failureMessage, ExitCodes.commonCause(result.failures()), report);
  }

  /** Resumes a run, drawing progress, and prints the summary line. */
  static RunResult resume(Runner runner, String runId, Output output) {
    ProgressPrinter progress = new ProgressPrinter(output, ProgressPrinter.onTerminal());
    return summarize(runner.resume(runId, progress), output);
  }

  /** Runs, drawing progress, and prints the summary line. */
  static RunResult run(Runner runner, RunOptions options, Output output) {
    return run(runner, options, output, "run");
  }

  /** Runs as {@code command} (e.g. a backfill), drawing progress, and prints the summary. */
  static RunResult run(Runner runner, RunOptions options, Output output, String command) {
    ProgressPrinter progress = new ProgressPrinter(output, ProgressPrinter.onTerminal());
    return summarize(runner.run(options, progress, command), output);
  }

  /** Prints the run's summary line (the JSON report is {@link #finish}'s). */
  static RunResult summarize(RunResult result, Output output) {
    long failed =
        result.steps().stream()
            .filter(s -> s.status() == dev.sluice.core.state.StepStatus.FAILED)
            .count();
    long skipped =
        result.steps().stream()
            .filter(s -> s.status() == dev.sluice.core.state.StepStatus.SKIPPED)
            .count();
    output.message(
        (switch (result.status()) {
              case SUCCEEDED -> "Done";
              case CANCELLED -> "CANCELLED";
              default -> "FAILED";
            })
            + " in "
            + formatDuration(result.duration())
            + ": "
            + (result.steps().size() - failed - skipped)
            + " succeeded, "
            + failed
            + " failed, "
            + skipped
            + " skipped (run "
            + result.runId()
            + ")");
    return result;
  }
}
