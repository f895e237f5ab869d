package dev.sluice.server.ui;

import dev.sluice.server.catalog.AssetCatalog;
import java.util.List;

/**
 * The values the page templates ({@code src/main/jte}) show, one record per page or table row, all
 * made of text and numbers already formatted, so that templates only lay them out.
 */
public final class Views {
  private Views() {}

  /** The sign-in page; {@code error} is why the last attempt failed, or null. */
  public record Login(Chrome chrome, String next, String user, String error) {}

  /** A refusal or failure, as a page. */
  public record Problem(Chrome chrome, int status, String error, String message, String fix) {}

  /** The asset graph; {@code select} is the selection shown at first ("" for every asset). */
  public record Graph(Chrome chrome, String select, int assets) {}

  /** One check declared on an asset. */
  public record DeclaredCheck(String name, String column, String severity) {}

  /** One result of a check in a run. */
  public record CheckResult(
      String runId,
      String at,
      String name,
      String column,
      String status,
      long failingRows,
      String message) {}

  /** One partition of the grid. {@code status}: materialized, failed or missing. */
  public record PartitionCell(String key, String status, String runId, String detail) {}

  /** One step of an asset in a recent run. */
  public record AssetRun(
      String runId, String at, String status, String duration, String rows, String error) {}

  /** A column's lineage: {@code asset.column} names upstream and downstream, nearest first. */
  public record ColumnLineage(String column, List<String> upstream, List<String> downstream) {}

  /**
   * Rows of a table read through the query service as the viewer; {@code error} says why there are
   * none (not built yet, refused).
   */
  public record Preview(List<String> columns, List<List<String>> rows, String error) {}

  /**
   * An asset's page.
   *
   * @param freshness when it was last built successfully, e.g. "2026-12-06 14:03:11 UTC (5 min
   *     ago)", or "never"
   */
  public record Asset(
      Chrome chrome,
      AssetCatalog.Entry entry,
      String table,
      String status,
      String freshness,
      List<String> upstream,
      List<String> downstream,
      List<ColumnLineage> lineage,
      List<DeclaredCheck> checks,
      List<CheckResult> checkHistory,
      List<PartitionCell> partitions,
      List<AssetRun> runs,
      Preview preview) {}

  /** One run in a list. */
  public record RunRow(
      String id,
      String command,
      String status,
      String startedAt,
      String duration,
      int steps,
      int failedSteps,
      String error) {}

  /** The runs page, with the launch form for administrators. */
  public record Runs(
      Chrome chrome, List<RunRow> runs, String status, boolean canLaunch, List<String> assets) {}

  /** One step of a run. */
  public record StepRow(
      String asset,
      String kind,
      String status,
      String duration,
      String rows,
      String checks,
      String phases,
      String error) {}

  /** One entry of a run's timeline. */
  public record EventRow(String at, String asset, String kind, String message) {}

  /** A run's page; its timeline goes on live while {@code finished} is false. */
  public record Run(
      Chrome chrome,
      RunRow run,
      List<String> selection,
      List<StepRow> steps,
      List<EventRow> events,
      boolean finished,
      boolean canCancel) {}

  /** One search result. */
  public record SearchHit(
      String name,
      String kind,
      String table,
      String description,
      List<String> columns,
      List<String> tags,
      String score) {}

  /** The search page. */
  public record Search(Chrome chrome, String query, List<SearchHit> hits, String error) {}

  /** One record of the audit log. */
  public record AuditRow(
      long sequence, String at, String principal, String action, String tables, String details) {}

  /**
   * The audit log page (administrators), the newest first, filtered by action, principal, table.
   */
  public record Audit(
      Chrome chrome,
      String action,
      String principal,
      String table,
      List<String> actions,
      List<AuditRow> records) {}

  /**
   * One asset's freshness.
   *
   * @param slo the freshness SLO (an alert rule's {@code max_age}), e.g. "6 h", or "" without one
   * @param state fresh, stale (older than its SLO), never (not built) or "" without an SLO
   */
  public record Freshness(String asset, String lastBuilt, String age, String slo, String state) {}

  /** The dashboards page: freshness and SLOs here, the charts from {@code dashboards.json}. */
  public record Dashboards(Chrome chrome, List<Freshness> freshness, int stale, int withSlo) {}

  /** One access request. */
  public record AccessRequestRow(
      long id,
      String principal,
      String table,
      String columns,
      String reason,
      String period,
      String requestedAt,
      String status,
      String decision,
      boolean decidable) {}

  /** The access requests page: the form to ask, and the requests with approve and deny. */
  public record AccessRequests(
      Chrome chrome, List<String> tables, List<AccessRequestRow> requests) {}
}
