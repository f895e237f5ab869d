package dev.sluice.cli;

import dev.sluice.core.Workspace;
import dev.sluice.core.access.AccessReport;
import dev.sluice.core.access.AccessReview;
import dev.sluice.core.state.AccessRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "report",
    description =
        "Review access for a platform team: per table its owner, the classification of every"
            + " column and the over-broad grants (whole-table grants reading unmasked PII,"
            + " wildcard zones, grants to everyone), and the share of tables that comply.")
final class AccessReportCommand implements Callable<Integer> {
  @ParentCommand AccessCommand access;

  @Override
  public Integer call() {
    Output output = access.output();
    try (Workspace workspace = access.workspace()) {
      AccessReport report = new AccessReview(workspace).report();
      Instant now = workspace.clock().instant();
      if (access.json()) {
        output.json(json(report, now));
        return ExitCodes.OK;
      }
      List<List<String>> rows = new ArrayList<>();
      for (AccessReport.TableReport table : report.tables()) {
        List<String> unclassified =
            table.columns().stream()
                .filter(column -> !column.classified())
                .map(AccessReport.ColumnReport::name)
                .toList();
        rows.add(
            List.of(
                table.table().toString(),
                table.owner().orElse("-"),
                table.classifiedColumns() + "/" + table.columns().size(),
                unclassified.isEmpty() ? "-" : first(unclassified),
                Integer.toString(table.findings().size()),
                table.compliant() ? "yes" : "no"));
      }
      output.table(
          List.of(
              "table", "owner", "classified", "unclassified columns", "over-broad", "compliant"),
          rows);
      List<AccessReport.Finding> findings = report.findings();
      if (!findings.isEmpty()) {
        output.line("");
        output.line("over-broad grants:");
        for (AccessReport.Finding finding : findings) {
          output.line(
              "  "
                  + finding.table()
                  + " "
                  + finding.kind().label()
                  + ": role "
                  + finding.role()
                  + " has "
                  + finding.grant()
                  + ": "
                  + finding.detail());
        }
      }
      if (!report.timeBoundGrants().isEmpty()) {
        output.line("");
        output.line("time-bound grants (approved access requests):");
        for (AccessRequest request : report.timeBoundGrants()) {
          AccessRequest.Decision decision = request.decision().orElseThrow();
          output.line(
              "  #"
                  + request.id()
                  + " "
                  + request.principal()
                  + " reads "
                  + request.table()
                  + (request.columns().isEmpty()
                      ? ""
                      : " (" + String.join(", ", request.columns()) + ")")
                  + " until "
                  + decision.expiresAt()
                  + ", approved by "
                  + decision.by()
                  + " ("
                  + request.status(now).label()
                  + ")");
        }
      }
      output.message(
          String.format(
              Locale.ROOT,
              "%d tables: %.0f%% with an owner, %d of %d columns classified (%.0f%%), %d"
                  + " over-broad grants; access policy compliance %.0f%% (tables with an owner,"
                  + " every column classified and no over-broad grant)",
              report.tables().size(),
              100 * report.ownerShare(),
              report.classifiedColumns(),
              report.columns(),
              100 * report.classifiedShare(),
              report.overBroadGrants(),
              100 * report.complianceRate()));
      return ExitCodes.OK;
    }
  }

  /** The first few names and how many more, so that the table stays readable; JSON has all. */
  private static String first(List<String> names) {
    int shown = 4;
    return names.size() <= shown
        ? String.join(", ", names)
        : String.join(", ", names.subList(0, shown)) + " (+" + (names.size() - shown) + " more)";
  }

  private static Map<String, Object> json(AccessReport report, Instant now) {
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("tables", report.tables().size());
    summary.put(
        "tablesWithOwner", report.tables().stream().filter(t -> t.owner().isPresent()).count());
    summary.put("ownerShare", report.ownerShare());
    summary.put("columns", report.columns());
    summary.put("classifiedColumns", report.classifiedColumns());
    summary.put("classifiedShare", report.classifiedShare());
    summary.put("overBroadGrants", report.overBroadGrants());
    summary.put(
        "compliantTables",
        report.tables().stream().filter(AccessReport.TableReport::compliant).count());
    summary.put("complianceRate", report.complianceRate());
    List<Map<String, Object>> tables = new ArrayList<>();
    for (AccessReport.TableReport table : report.tables()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("table", table.table().toString());
      entry.put("owner", table.owner().orElse(null));
      entry.put("classifiedShare", table.classifiedShare());
      entry.put("compliant", table.compliant());
      List<Map<String, Object>> columns = new ArrayList<>();
      for (AccessReport.ColumnReport column : table.columns()) {
        Map<String, Object> described = new LinkedHashMap<>();
        described.put("name", column.name());
        described.put("classified", column.classified());
        described.put("tags", new TreeSet<>(column.tags()));
        columns.add(described);
      }
      entry.put("columns", columns);
      entry.put("findings", table.findings().stream().map(AccessReportCommand::json).toList());
      tables.add(entry);
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("summary", summary);
    json.put("tables", tables);
    json.put(
        "timeBoundGrants",
        report.timeBoundGrants().stream()
            .map(request -> AccessRequestCommands.json(request, now))
            .toList());
    return json;
  }

  private static Map<String, Object> json(AccessReport.Finding finding) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("kind", finding.kind().label());
    json.put("table", finding.table().toString());
    json.put("role", finding.role());
    json.put("grant", finding.grant());
    json.put("detail", finding.detail());
    return json;
  }
}
