package dev.sluice.cli;

import dev.sluice.api.TableName;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.Project;
import dev.sluice.core.project.ProjectConfig;
import dev.sluice.core.project.ProjectLoading;
import dev.sluice.lake.DamagedTableException;
import dev.sluice.lake.Lake;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import picocli.CommandLine.Command;

@Command(
    name = "tables",
    description =
        "List the warehouse's tables and views with rows, size and current snapshot; mark damaged"
            + " tables and orphans (tables no source, seed or model of the project produces).")
final class TablesCommand extends BaseCommand {
  @picocli.CommandLine.Option(
      names = "--env",
      paramLabel = "NAME",
      description =
          "The tables as environment NAME reads them: its branch where it built a table (branch"
              + " NAME), else production's (branch main).")
  String environment;

  @Override
  public Integer call() {
    // the catalog opens and its tables are read while the project loads
    ProjectLoading loading = startLoadingProject();
    ProjectConfig config = loading.config(target());
    if (environment != null) {
      dev.sluice.core.env.EnvironmentName.check(environment);
      try (var store = RunsCommand.openStore(config)) {
        if (store.environments().find(environment).isEmpty()) {
          throw new dev.sluice.api.InvalidInputException(
              "No environment "
                  + environment
                  + ": 'sluice env list' lists them, 'sluice run --env "
                  + environment
                  + "' builds it");
        }
      } catch (RuntimeException e) {
        throw loading.problemFirst(e);
      }
    }
    try (Lake lake = Workspace.openLake(config)) {
      List<Map<String, Object>> tables = new ArrayList<>();
      List<DamagedTableException> damaged = new ArrayList<>();
      List<TableName> orphans = new ArrayList<>();
      List<TableName> names = new ArrayList<>(lake.listTables());
      List<TableName> environmentViews =
          environment == null ? List.of() : lake.environmentViews().list(environment);
      for (TableName view : environmentViews) {
        if (!names.contains(view)) {
          names.add(view); // a view new in the environment
        }
      }
      for (TableName name : names) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("table", name.toString());
        Table table;
        try {
          table = lake.findTable(name).orElse(null);
        } catch (DamagedTableException e) {
          damaged.add(e);
          row.put("kind", "damaged");
          row.put("rows", null);
          row.put("bytes", null);
          row.put("snapshotId", null);
          row.put("updatedAt", null);
          row.put("orphan", null); // below, once the project is loaded
          row.put("problem", e.getMessage());
          tables.add(row);
          continue;
        }
        if (table == null) {
          row.put("kind", "view");
          if (environment != null) {
            // an environment's own version of a view, else production's (EnvironmentViews)
            row.put("branch", environmentViews.contains(name) ? environment : "main");
          }
          row.put("rows", null);
          row.put("bytes", null);
          row.put("snapshotId", null);
          row.put("updatedAt", null);
        } else {
          Snapshot snapshot = table.currentSnapshot();
          if (environment != null) {
            org.apache.iceberg.SnapshotRef ref = table.refs().get(environment);
            row.put("branch", ref == null ? "main" : environment);
            if (ref != null) {
              snapshot = table.snapshot(ref.snapshotId());
            }
          }
          row.put("kind", "table");
          row.put(
              "rows",
              snapshot == null
                  ? 0L
                  : Long.parseLong(snapshot.summary().getOrDefault("total-records", "0")));
          row.put(
              "bytes",
              snapshot == null
                  ? 0L
                  : Long.parseLong(snapshot.summary().getOrDefault("total-files-size", "0")));
          row.put("snapshotId", snapshot == null ? null : snapshot.snapshotId());
          row.put(
              "updatedAt",
              snapshot == null
                  ? null
                  : Instant.ofEpochMilli(snapshot.timestampMillis()).toString());
        }
        row.put("orphan", null); // below, once the project is loaded
        tables.add(row);
      }
      Project project = loading.project();
      for (int i = 0; i < names.size(); i++) { // one row per name
        TableName name = names.get(i);
        boolean orphan = !project.defines(name);
        if (orphan) {
          orphans.add(name);
        }
        tables.get(i).put("orphan", orphan);
      }
      int code = damaged.isEmpty() ? ExitCodes.OK : ExitCodes.RUN_FAILED;
      if (json()) {
        output().json(tables);
        damaged.forEach(e -> output().message("error: " + e.getMessage()));
        return code;
      }
      if (tables.isEmpty()) {
        output().message("No tables yet: 'sluice run' builds them.");
        return ExitCodes.OK;
      }
      List<List<String>> rows = new ArrayList<>();
      for (Map<String, Object> table : tables) {
        rows.add(
            List.of(
                (String) table.get("table"),
                (String) table.get("kind")
                    + (table.get("branch") == null ? "" : " (" + table.get("branch") + ")")
                    + (Boolean.TRUE.equals(table.get("orphan")) ? ", orphan" : ""),
                table.get("rows") == null ? "" : formatCount((Long) table.get("rows")),
                table.get("bytes") == null ? "" : formatBytes((Long) table.get("bytes")),
                table.get("snapshotId") == null ? "" : table.get("snapshotId").toString(),
                table.get("updatedAt") == null ? "" : (String) table.get("updatedAt")));
      }
      output().table(List.of("table", "kind", "rows", "size", "snapshot", "updated"), rows);
      if (!orphans.isEmpty()) {
        output()
            .message(
                orphans.size()
                    + (orphans.size() == 1 ? " orphan" : " orphans")
                    + " (no source, seed or model of the project produces "
                    + (orphans.size() == 1 ? "it" : "them")
                    + "): 'sluice drop "
                    + orphans.get(0)
                    + "' removes "
                    + (orphans.size() == 1 ? "it" : "one")
                    + " with its files");
      }
      damaged.forEach(e -> output().message("error: " + e.getMessage()));
      return code;
    } catch (RuntimeException e) {
      throw loading.problemFirst(e);
    }
  }
}
