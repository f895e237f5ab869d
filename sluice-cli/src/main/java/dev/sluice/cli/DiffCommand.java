package dev.sluice.cli;

import dev.sluice.api.TableName;
import dev.sluice.core.Workspace;
import dev.sluice.core.env.DataDiff;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "diff",
    description =
        "Compare production's version of a table with an environment's (docs/environments.md#data-diff):"
            + " rows only in one side, and with --key the changed rows and columns.")
final class DiffCommand extends BaseCommand {
  @Parameters(paramLabel = "TABLE", description = "The table, zone.name.")
  String table;

  @Option(names = "--env", required = true, paramLabel = "NAME", description = "The environment.")
  String environment;

  @Option(
      names = "--key",
      split = ",",
      paramLabel = "COLUMN",
      description = "The columns that identify a row, e.g. --key order_id (default: whole rows).")
  List<String> keys = new ArrayList<>();

  @Override
  public Integer call() {
    TableName name = TableName.parse(table);
    try (Workspace workspace = openWorkspace()) {
      DataDiff.Result diff = new DataDiff(workspace).diff(name, environment, keys);
      if (json()) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("table", diff.table().toString());
        document.put("environment", diff.environment());
        document.put("productionSnapshotId", diff.productionSnapshot());
        document.put("environmentSnapshotId", diff.environmentSnapshot());
        putCounts(document, diff);
        List<Map<String, Object>> sample = new ArrayList<>();
        for (List<Object> row : diff.sample().rows()) {
          Map<String, Object> values = new LinkedHashMap<>();
          for (int i = 0; i < diff.sample().columns().size(); i++) {
            Object value = row.get(i);
            values.put(
                diff.sample().columns().get(i),
                value == null || value instanceof Number || value instanceof Boolean
                    ? value
                    : QueryCommand.text(value));
          }
          sample.add(values);
        }
        document.put("sample", sample);
        output().json(document);
        return ExitCodes.OK;
      }
      output()
          .message(
              diff.table()
                  + ": production "
                  + diff.productionRows()
                  + " rows, "
                  + diff.environment()
                  + " "
                  + diff.environmentRows()
                  + " rows; "
                  + diff.sharedFiles()
                  + " data files shared (not compared); only in production: "
                  + diff.onlyInProduction()
                  + ", only in "
                  + diff.environment()
                  + ": "
                  + diff.onlyInEnvironment()
                  + (diff.changed() == null ? "" : ", changed: " + diff.changed()));
      if (!diff.addedColumns().isEmpty()) {
        output().message("columns added: " + String.join(", ", diff.addedColumns()));
      }
      if (!diff.removedColumns().isEmpty()) {
        output().message("columns removed: " + String.join(", ", diff.removedColumns()));
      }
      if (!diff.changedByColumn().isEmpty()) {
        List<List<String>> rows = new ArrayList<>();
        diff.changedByColumn()
            .forEach((column, count) -> rows.add(List.of(column, Long.toString(count))));
        output().table(List.of("column", "rows changed"), rows);
      }
      if (!diff.sample().rows().isEmpty()) {
        output()
            .message(
                diff.changed() == null
                    ? "rows only in " + diff.environment() + ":"
                    : "changed rows:");
        QueryCommand.print(output(), diff.sample(), QueryCommand.Format.table);
      }
      return ExitCodes.OK;
    }
  }

  /**
   * The counts of a diff, under the names {@code sluice diff --json}, {@code sluice plan --env
   * --json} and {@code sluice ci --json} give them.
   */
  static void putCounts(Map<String, Object> entry, DataDiff.Result diff) {
    entry.put("productionRows", diff.productionRows());
    entry.put("environmentRows", diff.environmentRows());
    entry.put("sharedFiles", diff.sharedFiles());
    entry.put("samePartitions", diff.samePartitions());
    entry.put("comparedFiles", diff.comparedFiles());
    entry.put("sameBuckets", diff.sameBuckets());
    entry.put("comparedRows", diff.comparedRows());
    entry.put("onlyInProduction", diff.onlyInProduction());
    entry.put("onlyInEnvironment", diff.onlyInEnvironment());
    entry.put("changed", diff.changed());
    entry.put("changedByColumn", diff.changedByColumn());
    entry.put("addedColumns", diff.addedColumns());
    entry.put("removedColumns", diff.removedColumns());
  }
}
