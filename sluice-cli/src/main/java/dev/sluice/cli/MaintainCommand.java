package dev.sluice.cli;

import dev.sluice.core.Workspace;
import dev.sluice.core.maintain.Maintenance;
import dev.sluice.core.maintain.RetentionOutcome;
import dev.sluice.core.maintain.SnapshotExpiry;
import dev.sluice.core.project.Project;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "maintain",
    description =
        "Table maintenance: --retention deletes the rows older than each table's retention and"
            + " expires the snapshots that held them; --snapshots expires snapshots older than each"
            + " zone's keep_snapshots. Without an option, both.")
final class MaintainCommand extends BaseCommand {
  @Option(
      names = "--retention",
      description = "Delete expired rows (retention: of tables and zones), one commit per table.")
  boolean retention;

  @Option(
      names = "--snapshots",
      description = "Expire snapshots older than keep_snapshots: of each zone.")
  boolean snapshots;

  @Override
  public Integer call() {
    boolean all = !retention && !snapshots;
    List<RetentionOutcome> deleted = List.of();
    List<SnapshotExpiry> expired = List.of();
    try (Workspace workspace =
        Workspace.open(Project.load(projectDirectory()), clock(), Workspace.localPrincipal())) {
      Maintenance maintenance = new Maintenance(workspace, clock());
      if (all || retention) {
        deleted = maintenance.applyRetention();
      }
      if (all || snapshots) {
        expired = maintenance.expireSnapshots();
      }
    }
    if (json()) {
      Map<String, Object> document = new LinkedHashMap<>();
      document.put("retention", deleted.stream().map(MaintainCommand::toJson).toList());
      document.put("snapshots", expired.stream().map(MaintainCommand::toJson).toList());
      output().json(document);
      return ExitCodes.OK;
    }
    List<List<String>> rows = new ArrayList<>();
    for (RetentionOutcome outcome : deleted) {
      rows.add(
          List.of(
              outcome.table().toString(),
              "retention (" + outcome.column() + " < " + outcome.cutoff() + ")",
              formatCount(outcome.rowsDeleted()),
              Integer.toString(outcome.snapshotsExpired()),
              Integer.toString(outcome.filesDeleted())));
    }
    for (SnapshotExpiry expiry : expired) {
      rows.add(
          List.of(
              expiry.table().toString(),
              "snapshots before " + expiry.olderThan(),
              "0",
              Integer.toString(expiry.snapshotsExpired()),
              Integer.toString(expiry.filesDeleted())));
    }
    if (rows.isEmpty()) {
      output()
          .message(
              "Nothing to maintain: no table has a retention: and no zone keep_snapshots: (see"
                  + " docs/governance.md)");
      return ExitCodes.OK;
    }
    output()
        .table(
            List.of("table", "maintenance", "rows deleted", "snapshots expired", "files deleted"),
            rows);
    return ExitCodes.OK;
  }

  private static Map<String, Object> toJson(RetentionOutcome outcome) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("table", outcome.table().toString());
    json.put("column", outcome.column());
    json.put("cutoff", outcome.cutoff().toString());
    json.put("rowsDeleted", outcome.rowsDeleted());
    json.put("filesRemoved", outcome.filesRemoved());
    json.put("filesWritten", outcome.filesWritten());
    json.put("snapshotId", outcome.snapshotId());
    json.put("snapshotsExpired", outcome.snapshotsExpired());
    json.put("filesDeleted", outcome.filesDeleted());
    return json;
  }

  private static Map<String, Object> toJson(SnapshotExpiry expiry) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("table", expiry.table().toString());
    json.put("olderThan", expiry.olderThan().toString());
    json.put("snapshotsExpired", expiry.snapshotsExpired());
    json.put("filesDeleted", expiry.filesDeleted());
    return json;
  }
}
