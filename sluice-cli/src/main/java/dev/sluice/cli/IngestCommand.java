package dev.sluice.cli;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.connector.ReplayWindow;
import dev.sluice.api.connector.SourceConnectors;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.SourceDef;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sluice ingest}: loads one source (or one of its tables), like {@code sluice run --select
 * source:S}; with {@code --replay}, reads a window of it again and merges it idempotently.
 */
@Command(
    name = "ingest",
    description = {
      "Load a source's tables (or one table), like 'run --select source:SOURCE'.",
      "With --replay, read a window again and merge it, replacing what it read before:",
      "postgres: cursor values (rows merged on primary_key); file: file modification times",
      "(dates or timestamps; the rows of a file read again replace its earlier rows)."
    })
final class IngestCommand extends BaseCommand {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--source", required = true, paramLabel = "SOURCE", description = "The source.")
  String source;

  @Option(names = "--table", paramLabel = "TABLE", description = "Only this table of the source.")
  String table;

  @Option(names = "--replay", description = "Read the window --from/--to again and merge it.")
  boolean replay;

  @Option(
      names = "--from",
      paramLabel = "X",
      description = "With --replay: the window's first value (inclusive).")
  String from;

  @Option(
      names = "--to",
      paramLabel = "Y",
      description = "With --replay: the window's last value (inclusive); default: the newest.")
  String to;

  @Option(names = "--full-refresh", description = "Reload the tables from scratch.")
  boolean fullRefresh;

  @Override
  public Integer call() {
    if (!replay && (from != null || to != null)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--from and --to need --replay");
    }
    if (replay && from == null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--replay needs --from (and optionally --to)");
    }
    if (replay && fullRefresh) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--replay and --full-refresh cannot be combined");
    }
    try (Workspace workspace = openWorkspace()) {
      SourceDef sourceDef = workspace.project().sources().get(source);
      if (sourceDef == null) {
        throw new InvalidInputException(
            "No source '"
                + source
                + "' in the project; the sources are: "
                + String.join(", ", workspace.project().sources().keySet()));
      }
      String selector = "source:" + source;
      if (table != null) {
        if (sourceDef.table(table).isEmpty()) {
          throw new InvalidInputException(
              "Source '"
                  + source
                  + "' has no table '"
                  + table
                  + "'; its tables are: "
                  + String.join(", ", sourceDef.tables().stream().map(t -> t.name()).toList()));
        }
        selector = source + "." + table;
      }
      ReplayWindow window = null;
      String command = "ingest --source " + source + (table == null ? "" : " --table " + table);
      if (replay) {
        window = new ReplayWindow(from, to);
        if (!SourceConnectors.get(sourceDef.connector()).supportsReplay()) {
          throw new InvalidInputException(
              "Cannot replay source '"
                  + source
                  + "': the "
                  + sourceDef.connector()
                  + " connector cannot read a window again");
        }
        command += " --replay " + window.describe();
      }
      RunResult result =
          RunCommand.run(
              runner(workspace),
              new RunOptions(List.of(selector), List.of(), fullRefresh).withReplay(window),
              output(),
              command);
      return RunCommand.finish(workspace, result, output(), json());
    }
  }
}
