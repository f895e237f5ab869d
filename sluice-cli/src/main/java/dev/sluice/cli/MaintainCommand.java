package dev.sluice.cli;

import dev.sluice.api.TableName;
import dev.sluice.core.Workspace;
import dev.sluice.core.maintain.CompactionOutcome;
import dev.sluice.core.maintain.Maintenance;
import dev.sluice.core.maintain.RetentionOutcome;
import dev.sluice.core.maintain.SnapshotExpiry;
import dev.sluice.core.maintain.TableMaintenance;
import dev.sluice.core.maintain.TableMaintenance.Operation;
import dev.sluice.core.project.Project;
import dev.sluice.core.project.Selector;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "maintain",
    description =
        "Table maintenance with Iceberg's own operations, as maintenance: in sluice.yaml and per"
            + " table says: --retention deletes expired rows, --compact bin-packs small files,"
            + " --sort rewrites partitions in sort_by or cluster_by (Z-) order, --manifests"
            + " rewrites manifests, --expire expires snapshots (keep_snapshots, min_snapshots),"
            + " --orphans removes unreferenced files older than the safety window, --branches"
            + " removes the audit branches killed runs left. Without an"
            + " operation, all of them. --dry-run shows what it would do.")
final class MaintainCommand extends BaseCommand {
  @Mixin SelectionOptions selection = new SelectionOptions();

  @Option(
      names = "--retention",
      description = "Delete expired rows (retention: of tables and zones), one commit per table.")
  boolean retention;

  @Option(
      names = "--compact",
      description =
          "Bin-pack the small data files of partitions with at least min_input_files of them into"
              + " files of target_file_size (default 128MiB).")
  boolean compact;

  @Option(
      names = "--sort",
      description =
          "Rewrite each partition not laid out yet in its table's sort_by order, or Z-order of"
              + " cluster_by, so that filters on those columns skip files.")
  boolean sort;

  @Option(
      names = {"--expire", "--snapshots"},
      description =
          "Expire snapshots older than keep_snapshots (of the table, sluice.yaml or the zone),"
              + " keeping the newest min_snapshots (default 5) and every branch and tag.")
  boolean expire;

  @Option(
      names = "--orphans",
      description =
          "Remove files no snapshot references, once older than orphan_files_older_than"
              + " (default 3d).")
  boolean orphans;

  @Option(
      names = "--branches",
      description =
          "Remove the audit branches (audit-<run>, audit-<run>-merge) that killed runs left, once"
              + " their run is finished in the run store for an hour; never a running run's.")
  boolean branches;

  @Option(names = "--manifests", description = "Rewrite each table's manifests into few.")
  boolean manifests;

  @Option(
      names = "--dry-run",
      description = "Show what maintenance would do without changing anything (not --retention).")
  boolean dryRun;

  @Override
  public Integer call() {
    boolean all = !retention && !compact && !sort && !expire && !orphans && !manifests && !branches;
    Set<Operation> operations = EnumSet.noneOf(Operation.class);
    if (all || branches) {
      operations.add(Operation.BRANCHES);
    }
    if (all || compact) {
      operations.add(Operation.COMPACT);
    }
    if (all || sort) {
      operations.add(Operation.SORT);
    }
    if (all || manifests) {
      operations.add(Operation.MANIFESTS);
    }
    if (all || expire) {
      operations.add(Operation.EXPIRE);
    }
    if (all || orphans) {
      operations.add(Operation.ORPHANS);
    }
    List<RetentionOutcome> deleted = new ArrayList<>();
    List<TableMaintenance.Report> reports;
    try (Workspace workspace = Workspace.open(loadProject(), clock(), Workspace.localPrincipal())) {
      Set<TableName> tables = selectedTables(workspace.project());
      if ((all || retention) && dryRun) {
        output().message("--dry-run does not cover retention: run --retention without it");
      } else if (all || retention) {
        for (RetentionOutcome outcome : new Maintenance(workspace, clock()).applyRetention()) {
          if (tables.isEmpty() || tables.contains(outcome.table())) {
            deleted.add(outcome);
          }
        }
      }
      reports =
          new TableMaintenance(workspace, clock())
              .run(new TableMaintenance.Request(operations, dryRun, tables));
    }
    if (json()) {
      Map<String, Object> document = new LinkedHashMap<>();
      document.put("dryRun", dryRun);
      document.put("retention", deleted.stream().map(MaintainCommand::toJson).toList());
      document.put(
          "snapshots",
          reports.stream()
              .filter(report -> report.expiry() != null)
              .map(report -> toJson(report.expiry()))
              .toList());
      document.put("tables", reports.stream().map(MaintainCommand::toJson).toList());
      output().json(document);
      return ExitCodes.OK;
    }
    List<List<String>> rows = new ArrayList<>();
    for (RetentionOutcome outcome : deleted) {
      rows.add(
          List.of(
              outcome.table().toString(),
              "retention (" + outcome.column() + " < " + outcome.cutoff() + ")",
              formatCount(outcome.rowsDeleted())
                  + " rows deleted, "
                  + outcome.snapshotsExpired()
                  + " snapshots expired, "
                  + outcome.filesDeleted()
                  + " files deleted"));
    }
    for (TableMaintenance.Report report : reports) {
      rows.addAll(describe(report));
    }
    if (rows.isEmpty()) {
      output()
          .message(
              "Nothing to maintain: no table in the warehouse"
                  + (selection.select.isEmpty() ? "" : " among the selected assets")
                  + " (see docs/operations.md)");
      return ExitCodes.OK;
    }
    if (dryRun) {
      output().message("Dry run: nothing was changed; this is what maintenance would do");
    }
    output().table(List.of("table", "maintenance", dryRun ? "would do" : "done"), rows);
    return ExitCodes.OK;
  }

  /** The tables of the selected assets; empty (every table) without --select. */
  private Set<TableName> selectedTables(Project project) {
    Set<TableName> tables = new HashSet<>();
    if (selection.select.isEmpty() && selection.exclude.isEmpty()) {
      return tables;
    }
    for (String asset : new Selector(project).select(selection.select, selection.exclude)) {
      tables.add(project.asset(asset).tableName());
    }
    if (tables.isEmpty()) {
      throw new dev.sluice.api.InvalidInputException(
          "--select and --exclude leave no asset to maintain; see sluice list for the assets");
    }
    return tables;
  }

  private static List<List<String>> describe(TableMaintenance.Report report) {
    String table = report.table().toString();
    List<List<String>> rows = new ArrayList<>();
    for (CompactionOutcome rewrite : report.rewrites()) {
      String what =
          rewrite.skipped() != null && rewrite.filesRewritten() == 0
              ? rewrite.skipped()
              : rewrite.filesRewritten()
                  + " files rewritten into "
                  + rewrite.filesWritten()
                  + "; data files "
                  + rewrite.filesBefore()
                  + " → "
                  + rewrite.filesAfter()
                  + ", "
                  + formatBytes(rewrite.bytesBefore())
                  + " → "
                  + formatBytes(rewrite.bytesAfter())
                  + (rewrite.attempts() > 1 ? " (planned again after a concurrent commit)" : "");
      rows.add(List.of(table, rewrite.kind(), what));
    }
    if (report.manifests() != null) {
      rows.add(
          List.of(
              table,
              "manifests",
              "manifests "
                  + report.manifests().manifestsBefore()
                  + " → "
                  + report.manifests().manifestsAfter()));
    }
    if (report.expiry() != null) {
      rows.add(
          List.of(
              table,
              "expire snapshots before " + report.expiry().olderThan(),
              report.expiry().snapshotsExpired()
                  + " snapshots expired, "
                  + report.expiry().filesDeleted()
                  + " files deleted"));
    }
    if (report.branches() != null) {
      List<String> stale =
          report.branches().branches().stream()
              .map(TableMaintenance.BranchOutcome::describe)
              .toList();
      rows.add(
          List.of(
              table,
              "branches of runs finished before " + report.branches().finishedBefore(),
              stale.isEmpty()
                  ? "none"
                  : String.join(", ", stale) + (report.branches().removed() ? " removed" : "")));
    }
    if (report.orphans() != null) {
      rows.add(
          List.of(
              table,
              "orphan files before " + report.orphans().olderThan(),
              report.orphans().files().size()
                  + " files ("
                  + formatBytes(report.orphans().bytes())
                  + ")"
                  + (report.orphans().removed() ? " removed" : "")));
    }
    return rows;
  }

  private static Map<String, Object> toJson(TableMaintenance.Report report) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("table", report.table().toString());
    List<Map<String, Object>> rewrites = new ArrayList<>();
    for (CompactionOutcome rewrite : report.rewrites()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("kind", rewrite.kind());
      entry.put("filesBefore", rewrite.filesBefore());
      entry.put("filesAfter", rewrite.filesAfter());
      entry.put("bytesBefore", rewrite.bytesBefore());
      entry.put("bytesAfter", rewrite.bytesAfter());
      entry.put("filesRewritten", rewrite.filesRewritten());
      entry.put("filesWritten", rewrite.filesWritten());
      entry.put("groups", rewrite.groups());
      entry.put("snapshotId", rewrite.snapshotId());
      entry.put("attempts", rewrite.attempts());
      entry.put("skipped", rewrite.skipped());
      rewrites.add(entry);
    }
    json.put("rewrites", rewrites);
    if (report.manifests() != null) {
      Map<String, Object> manifests = new LinkedHashMap<>();
      manifests.put("before", report.manifests().manifestsBefore());
      manifests.put("after", report.manifests().manifestsAfter());
      manifests.put("snapshotId", report.manifests().snapshotId());
      json.put("manifests", manifests);
    }
    if (report.expiry() != null) {
      json.put("expiry", toJson(report.expiry()));
    }
    if (report.branches() != null) {
      Map<String, Object> branches = new LinkedHashMap<>();
      branches.put("finishedBefore", report.branches().finishedBefore().toString());
      List<Map<String, Object>> stale = new ArrayList<>();
      for (var branch : report.branches().branches()) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("branch", branch.branch());
        entry.put("runId", branch.runId());
        entry.put("runStatus", branch.status().name().toLowerCase(java.util.Locale.ROOT));
        entry.put("runFinishedAt", branch.finishedAt().toString());
        stale.add(entry);
      }
      branches.put("branches", stale);
      branches.put("removed", report.branches().removed());
      json.put("branches", branches);
    }
    if (report.orphans() != null) {
      Map<String, Object> orphans = new LinkedHashMap<>();
      orphans.put("olderThan", report.orphans().olderThan().toString());
      orphans.put("files", report.orphans().files());
      orphans.put("bytes", report.orphans().bytes());
      orphans.put("removed", report.orphans().removed());
      json.put("orphans", orphans);
    }
    return json;
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
