package dev.sluice.cli;

import dev.sluice.api.InvalidInputException;
import dev.sluice.core.Workspace;
import dev.sluice.core.run.Backfills;
import dev.sluice.core.run.PartitionSelection;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.Runner;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "backfill",
    description =
        "Build a range of partitions of the selected partitioned models: in batches, several at"
            + " once, upstream partitions first. A killed backfill is finished with"
            + " 'sluice backfill --resume RUN_ID'.")
final class BackfillCommand extends BaseCommand {
  @Mixin SelectionOptions selection = new SelectionOptions();

  @Option(
      names = "--from",
      paramLabel = "DATE",
      description = "First day of the range (YYYY-MM-DD; default: each model's start).")
  String from;

  @Option(
      names = "--to",
      paramLabel = "DATE",
      description = "Day the range stops before (exclusive; default: now).")
  String to;

  @Option(
      names = "--batch-size",
      paramLabel = "N",
      defaultValue = "1",
      description = "Consecutive time partitions one step builds and commits together (default 1).")
  int batchSize;

  @Option(
      names = "--concurrency",
      paramLabel = "N",
      defaultValue = "0",
      description = "Steps run at once (default: the project's threads).")
  int concurrency;

  @Option(names = "--only-missing", description = "Only partitions never built successfully.")
  boolean onlyMissing;

  @Option(names = "--failed", description = "Only partitions whose last build failed.")
  boolean failed;

  @Option(
      names = "--partition",
      arity = "1..*",
      paramLabel = "KEY",
      description = "Only these partitions, e.g. 2024-03-01 or '2024-03-01|eu'.")
  List<String> partitions = new ArrayList<>();

  @Option(
      names = "--resume",
      paramLabel = "RUN_ID",
      description = "Finish an interrupted backfill: committed batches are not redone.")
  String resume;

  @Override
  public Integer call() {
    try (Workspace workspace = openWorkspace()) {
      if (resume != null) {
        return RunCommand.finish(
            workspace, RunCommand.resume(runner(workspace), resume, output()), output(), json());
      }
      if (onlyMissing && failed) {
        throw new InvalidInputException("Give --only-missing or --failed, not both");
      }
      if (batchSize < 1 || concurrency < 0) {
        throw new InvalidInputException(
            "--batch-size must be at least 1 and --concurrency at least 1");
      }
      PartitionSelection.Mode mode =
          onlyMissing
              ? PartitionSelection.Mode.MISSING
              : failed ? PartitionSelection.Mode.FAILED : PartitionSelection.Mode.ALL;
      RunOptions options =
          new RunOptions(
              selection.select,
              selection.exclude,
              false,
              PartitionSelection.days(
                  mode, date("--from", from), date("--to", to), partitions, batchSize),
              concurrency);
      Runner runner = runner(workspace);
      Backfills.partitionedModels(workspace, runner, options);
      String command =
          "backfill "
              + String.join(" ", selection.select)
              + (from == null ? "" : " --from " + from)
              + (to == null ? "" : " --to " + to);
      return RunCommand.finish(
          workspace, RunCommand.run(runner, options, output(), command), output(), json());
    }
  }

  private static LocalDate date(String option, String text) {
    if (text == null) {
      return null;
    }
    try {
      return LocalDate.parse(text.strip());
    } catch (DateTimeParseException e) {
      throw new InvalidInputException(
          option + " must be a date like 2024-03-01, got '" + text + "'");
    }
  }
}
