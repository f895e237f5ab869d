package dev.sluice.cli;

import dev.sluice.core.Workspace;
import dev.sluice.core.maintain.Erasure;
import dev.sluice.core.maintain.ErasureReport;
import dev.sluice.core.maintain.ErasureSubject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "erase",
    description =
        "Erase a data subject (the right to erasure): delete its rows from every table with a"
            + " column tagged subject.KEY (and the rejected records holding it), rebuild the"
            + " aggregates downstream, and expire the snapshots that still hold it. Recorded in the"
            + " audit log.")
final class EraseCommand extends BaseCommand {
  @Option(
      names = "--subject",
      required = true,
      paramLabel = "KEY=VALUE",
      description = "The subject, e.g. customer_id=42: the columns tagged subject.customer_id.")
  String subject;

  @Option(names = "--dry-run", description = "List what would be removed; change nothing.")
  boolean dryRun;

  @Override
  public Integer call() {
    ErasureSubject parsed = ErasureSubject.parse(subject);
    try (Workspace workspace = openWorkspace()) {
      Erasure erasure = new Erasure(workspace, clock());
      ErasureReport report =
          dryRun
              ? erasure.plan(parsed)
              : erasure.erase(parsed, new ProgressPrinter(output(), ProgressPrinter.onTerminal()));
      if (json()) {
        output().json(json(report));
      } else {
        print(report);
      }
      return report.rebuildSucceeded() ? ExitCodes.OK : ExitCodes.RUN_FAILED;
    }
  }

  private void print(ErasureReport report) {
    List<List<String>> rows = new ArrayList<>();
    for (ErasureReport.TableErasure table : report.tables()) {
      rows.add(
          List.of(
              table.table().toString(),
              reason(table.reason()),
              String.join(", ", table.columns()),
              table.reason() == ErasureReport.Reason.REBUILT ? "-" : formatCount(table.rows()),
              report.dryRun() ? "-" : Integer.toString(table.snapshotsExpired())));
    }
    output()
        .table(List.of("table", "action", "identifier columns", "rows", "snapshots expired"), rows);
    report.notes().forEach(note -> output().message("note: " + note));
    String verb = report.dryRun() ? "Would remove " : "Removed ";
    output()
        .message(
            verb
                + formatCount(report.rowsRemoved())
                + " rows of "
                + report.subject().key()
                + " from "
                + report.tables().stream()
                    .filter(t -> t.reason() != ErasureReport.Reason.REBUILT)
                    .count()
                + " tables"
                + (report.dryRun()
                    ? "; run without --dry-run to erase"
                    : "; expired "
                        + report.snapshotsExpired()
                        + " snapshots"
                        + (report.rebuildRunId() == null
                            ? ""
                            : "; rebuilt the aggregates in run " + report.rebuildRunId())));
  }

  private static String reason(ErasureReport.Reason reason) {
    return switch (reason) {
      case HOLDS_SUBJECT -> "delete rows";
      case REJECTED_RECORDS -> "delete rejected records";
      case REBUILT -> "rebuild";
    };
  }

  private static Map<String, Object> json(ErasureReport report) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("subject", report.subject().key());
    json.put("subjectSha256", report.subject().digest());
    json.put("dryRun", report.dryRun());
    List<Map<String, Object>> tables = new ArrayList<>();
    for (ErasureReport.TableErasure table : report.tables()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("table", table.table().toString());
      entry.put("action", table.reason().name().toLowerCase(Locale.ROOT));
      entry.put("columns", table.columns());
      entry.put("rows", table.rows());
      entry.put("snapshotId", table.snapshotId());
      entry.put("snapshotsExpired", table.snapshotsExpired());
      entry.put("filesDeleted", table.filesDeleted());
      tables.add(entry);
    }
    json.put("tables", tables);
    json.put("notes", report.notes());
    json.put("rowsRemoved", report.rowsRemoved());
    json.put("rebuildRunId", report.rebuildRunId());
    return json;
  }
}
