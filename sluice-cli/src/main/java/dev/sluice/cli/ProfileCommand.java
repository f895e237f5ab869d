package dev.sluice.cli;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.TableName;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.Asset;
import dev.sluice.core.state.ColumnProfile;
import dev.sluice.core.state.MetricHistory;
import dev.sluice.core.state.TableProfile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "profile",
    description =
        "Print the column profile of the latest data written to a table (or one partition of it):"
            + " rows, bytes, files and, per column, nulls, distinct values, minimum, maximum, mean"
            + " and lengths, from the metric history every run records. Classified columns (pii,"
            + " ...) have no minimum or maximum: they are never kept.")
final class ProfileCommand extends BaseCommand {
  @Parameters(
      paramLabel = "TABLE",
      description =
          "A model, seed or source table (source.table), or a table name such as curated.orders.")
  String name;

  @Option(
      names = "--partition",
      paramLabel = "P",
      description = "The partition's key, e.g. 2024-03-01 or 2024-03-01|eu.")
  String partition;

  @Override
  public Integer call() {
    try (Workspace workspace = openWorkspace()) {
      TableName table = table(workspace);
      Optional<MetricHistory.Recorded> latest =
          workspace.runStore().metrics().latest(table.toString(), partition);
      if (latest.isEmpty()) {
        throw new InvalidInputException(
            "No profile of "
                + table
                + (partition == null ? "" : " partition " + partition)
                + " yet: a successful 'sluice run' that writes it records one"
                + (partition == null ? "" : " ('sluice partitions' lists the partitions)"));
      }
      MetricHistory.Recorded recorded = latest.get();
      TableProfile profile = recorded.profile();
      if (json()) {
        output().json(json(workspace, table, recorded));
        return ExitCodes.OK;
      }
      output()
          .message(
              "Profile of "
                  + table
                  + (profile.partition() == null ? "" : " partition " + profile.partition())
                  + ": "
                  + formatCount(profile.rowCount())
                  + " rows in "
                  + profile.files()
                  + (profile.files() == 1 ? " file" : " files")
                  + " ("
                  + formatBytes(profile.bytes())
                  + "), written by run "
                  + recorded.runId()
                  + " at "
                  + recorded.recordedAt());
      List<List<String>> rows = new ArrayList<>();
      for (ColumnProfile column : profile.columns()) {
        boolean classified = classified(workspace, table, column.name());
        rows.add(
            List.of(
                column.name(),
                column.type(),
                column.nullFraction() == null ? "" : percent(column.nullFraction()),
                column.distinctEstimate() == null ? "" : formatCount(column.distinctEstimate()),
                classified ? "(classified)" : text(column.min()),
                classified ? "(classified)" : text(column.max()),
                column.mean() == null ? "" : number(column.mean()),
                column.minLength() == null
                    ? ""
                    : column.minLength()
                        + " / "
                        + number(column.meanLength())
                        + " / "
                        + column.maxLength()));
      }
      output()
          .table(
              List.of("column", "type", "nulls", "distinct", "min", "max", "mean", "length"), rows);
      return ExitCodes.OK;
    }
  }

  /** The table named: an asset's table, else a table name as given. */
  private TableName table(Workspace workspace) {
    Optional<Asset> asset = workspace.project().findAsset(name);
    TableName table;
    if (asset.isPresent()) {
      table = asset.get().tableName();
      boolean partitioned =
          asset.get() instanceof Asset.Model model && model.definition().partitioned();
      if (partition != null && !partitioned) {
        throw new InvalidInputException(
            "--partition "
                + partition
                + ": "
                + name
                + " is not partitioned; leave --partition out");
      }
      return table;
    }
    try {
      table = TableName.parse(name);
    } catch (InvalidInputException e) {
      throw new InvalidInputException(
          "No asset or table '"
              + name
              + "': give a model, seed or source table ('sluice plan' lists them) or a table"
              + " name such as curated.orders",
          e);
    }
    return table;
  }

  private static boolean classified(Workspace workspace, TableName table, String column) {
    return !workspace.classification().tags(table, column).isEmpty();
  }

  private static Map<String, Object> json(
      Workspace workspace, TableName table, MetricHistory.Recorded recorded) {
    TableProfile profile = recorded.profile();
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("table", table.toString());
    json.put("asset", recorded.asset());
    json.put("partition", profile.partition());
    json.put("runId", recorded.runId());
    json.put("recordedAt", recorded.recordedAt().toString());
    json.put("rows", profile.rowCount());
    json.put("bytes", profile.bytes());
    json.put("files", profile.files());
    List<Map<String, Object>> columns = new ArrayList<>();
    for (ColumnProfile column : profile.columns()) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("name", column.name());
      one.put("type", column.type());
      one.put("classified", classified(workspace, table, column.name()));
      one.put("nullFraction", column.nullFraction());
      one.put("distinct", column.distinctEstimate());
      one.put("min", column.min());
      one.put("max", column.max());
      one.put("mean", column.mean());
      one.put("minLength", column.minLength());
      one.put("maxLength", column.maxLength());
      one.put("meanLength", column.meanLength());
      columns.add(one);
    }
    json.put("columns", columns);
    return json;
  }

  private static String percent(double fraction) {
    return String.format(Locale.ROOT, "%.1f%%", fraction * 100);
  }

  private static String number(Double value) {
    return value == null ? "" : String.format(Locale.ROOT, "%.4g", value);
  }

  private static String text(String value) {
    return value == null ? "" : value;
  }
}
