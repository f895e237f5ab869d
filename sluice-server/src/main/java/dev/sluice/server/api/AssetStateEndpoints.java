package dev.sluice.server.api;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import dev.sluice.core.Workspace;
import dev.sluice.core.lineage.TracedColumn;
import dev.sluice.core.project.CheckDef;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.state.CheckRecord;
import dev.sluice.core.state.CheckStatus;
import dev.sluice.core.state.RunDetail;
import dev.sluice.core.state.RunSummary;
import dev.sluice.core.state.StepDetail;
import dev.sluice.governance.AccessPolicy;
import dev.sluice.governance.Principal;
import dev.sluice.server.catalog.AssetCatalog;
import dev.sluice.server.catalog.AssetLineage;
import dev.sluice.server.catalog.Catalogs;
import dev.sluice.server.catalog.PartitionGrid;
import dev.sluice.server.catalog.Visibility;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the API tells of one asset beyond its description: its lineage (tables and columns), its
 * partitions, and its checks with their history. Only for an asset the caller may read; lineage
 * leaves out (and counts) the assets the caller may not read, and a failing check's sample of rows
 * is shown only to a caller who reads the table unmasked and unfiltered.
 */
public final class AssetStateEndpoints {
  /** How many recent runs the check history looks through. */
  static final int HISTORY_RUNS = 1000;

  private final Supplier<Workspace> workspace;
  private final Catalogs catalogs;
  private final Clock clock;

  public AssetStateEndpoints(Supplier<Workspace> workspace, Catalogs catalogs, Clock clock) {
    this.workspace = requireNonNull(workspace, "workspace is null");
    this.catalogs = requireNonNull(catalogs, "catalogs is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  public void register(Routes routes) {
    routes.get(
        "/api/v1/assets/{name}/lineage",
        Access.AUTHENTICATED,
        "An asset's upstream and downstream assets and each column's lineage",
        this::lineage);
    routes.get(
        "/api/v1/assets/{name}/partitions",
        Access.AUTHENTICATED,
        "A partitioned model's partitions: materialized, failed or missing",
        this::partitions);
    routes.get(
        "/api/v1/assets/{name}/checks",
        Access.AUTHENTICATED,
        "An asset's declared checks with their latest result",
        this::checks);
    routes.get(
        "/api/v1/assets/{name}/checks/history",
        Access.AUTHENTICATED,
        "Every recorded result of an asset's checks, the newest first",
        this::history);
  }

  private record VisibleAsset(Workspace workspace, AssetCatalog.Entry entry, AccessPolicy policy) {}

  private VisibleAsset readable(Context ctx, Principal principal) {
    String name = ctx.pathParam("name");
    Workspace open = workspace.get();
    AccessPolicy policy = new QueryService(open).policy();
    AssetCatalog.Entry entry =
        catalogs
            .catalog(open)
            .entry(name)
            .filter(found -> Visibility.readable(policy, principal, found.asset()))
            .orElseThrow(
                () ->
                    ApiException.notFound(
                        "No asset '"
                            + name
                            + "' that you may read: GET /api/v1/assets lists them"));
    return new VisibleAsset(open, entry, policy);
  }

  private void lineage(Context ctx, Principal principal) {
    VisibleAsset asset = readable(ctx, principal);
    AssetLineage lineage =
        AssetLineage.of(
            catalogs.catalog(asset.workspace()), asset.entry(), asset.policy(), principal);
    String only = ctx.queryParam("column");
    List<Map<String, Object>> columns = new ArrayList<>();
    for (AssetLineage.ColumnLineage column : lineage.columns()) {
      if (only != null && !column.column().equalsIgnoreCase(only.strip())) {
        continue;
      }
      Map<String, Object> each = new LinkedHashMap<>();
      each.put("column", column.column());
      each.put("upstream", traced(column.upstream()));
      each.put("downstream", traced(column.downstream()));
      each.put("hidden", column.hidden());
      columns.add(each);
    }
    if (only != null && columns.isEmpty()) {
      throw new InvalidInputException(
          "'"
              + asset.entry().name()
              + "' has no column '"
              + only
              + "': its columns are "
              + String.join(
                  ", ", asset.entry().columns().stream().map(AssetCatalog.Column::name).toList()));
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("asset", lineage.asset());
    answer.put("table", asset.entry().asset().tableName().toString());
    answer.put("upstream", lineage.upstream());
    answer.put("downstream", lineage.downstream());
    answer.put("hiddenUpstream", lineage.hiddenUpstream());
    answer.put("hiddenDownstream", lineage.hiddenDownstream());
    answer.put("columns", columns);
    ctx.json(answer);
  }

  private static List<Map<String, Object>> traced(List<TracedColumn> columns) {
    List<Map<String, Object>> items = new ArrayList<>();
    for (TracedColumn column : columns) {
      Map<String, Object> each = new LinkedHashMap<>();
      each.put("asset", column.asset());
      each.put("table", column.column().table().toString());
      each.put("column", column.column().column());
      each.put("kind", lower(column.kind().name()));
      each.put("carriesValues", column.carriesValues());
      each.put("distance", column.distance());
      items.add(each);
    }
    return items;
  }

  private void partitions(Context ctx, Principal principal) {
    Page page = Page.of(ctx);
    VisibleAsset asset = readable(ctx, principal);
    Optional<PartitionGrid.Status> status =
        Optional.ofNullable(ctx.queryParam("status"))
            .map(text -> choice(text, PartitionGrid.Status.values(), "status"));
    var model = asset.workspace().project().models().get(asset.entry().name());
    List<Map<String, Object>> items = new ArrayList<>();
    for (PartitionGrid.Cell cell : PartitionGrid.of(asset.workspace(), model, clock.instant())) {
      if (status.isPresent() && cell.status() != status.get()) {
        continue;
      }
      Map<String, Object> each = new LinkedHashMap<>();
      each.put("partition", cell.partition());
      each.put("status", cell.status().label());
      each.put("runId", cell.runId());
      each.put("updatedAt", cell.updatedAt());
      each.put("rows", cell.rows());
      each.put("error", cell.error());
      items.add(each);
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("partitioned", model != null && model.partitioned());
    answer.putAll(page.slice(items));
    ctx.json(answer);
  }

  private void checks(Context ctx, Principal principal) {
    VisibleAsset asset = readable(ctx, principal);
    String name = asset.entry().name();
    Map<String, Map<String, Object>> latest = new LinkedHashMap<>();
    List<Map<String, Object>> items = new ArrayList<>();
    for (CheckDef check : asset.entry().asset().allChecks()) {
      Map<String, Object> each = new LinkedHashMap<>();
      each.put("name", check.name());
      each.put("column", check.column());
      each.put("severity", lower(check.severity().name()));
      each.put("latest", null);
      latest.put(key(check.name(), check.column()), each);
      items.add(each);
    }
    boolean samples = samplesShown(asset, principal);
    // the newest result of each check: the runs are listed newest first
    for (Result result : results(asset.workspace(), name, Integer.MAX_VALUE)) {
      Map<String, Object> each = latest.get(key(result.check().name(), result.check().column()));
      if (each != null && each.get("latest") == null) {
        each.put("latest", result.json(samples));
      }
    }
    ctx.json(Map.of("asset", name, "checks", items));
  }

  private void history(Context ctx, Principal principal) {
    Page page = Page.of(ctx);
    VisibleAsset asset = readable(ctx, principal);
    String check = ctx.queryParam("check");
    Optional<CheckStatus> status =
        Optional.ofNullable(ctx.queryParam("status"))
            .map(text -> choice(text, CheckStatus.values(), "status"));
    boolean samples = samplesShown(asset, principal);
    List<Map<String, Object>> items = new ArrayList<>();
    int wanted =
        check == null && status.isEmpty() ? page.offset() + page.limit() + 1 : Integer.MAX_VALUE;
    for (Result result : results(asset.workspace(), asset.entry().name(), wanted)) {
      if (check != null && !result.check().name().equalsIgnoreCase(check.strip())) {
        continue;
      }
      if (status.isPresent() && result.check().status() != status.get()) {
        continue;
      }
      items.add(result.json(samples));
    }
    ctx.json(page.slice(items));
  }

  private record Result(RunSummary run, StepDetail step, CheckRecord check) {
    Map<String, Object> json(boolean sample) {
      Map<String, Object> each = new LinkedHashMap<>();
      each.put("runId", run.id());
      each.put("at", step.finishedAt() == null ? step.startedAt() : step.finishedAt());
      each.put("partition", step.key().partition());
      each.put("name", check.name());
      each.put("column", check.column());
      each.put("severity", lower(check.severity().name()));
      each.put("status", lower(check.status().name()));
      each.put("failingRows", check.failingRows());
      each.put("message", check.message());
      if (sample && check.sampleJson() != null) {
        each.put("sample", Json.parseOrText(check.sampleJson()));
      }
      return each;
    }
  }

  /**
   * The check results of an asset's steps, the newest run first, until {@code wanted} results are
   * found or {@value #HISTORY_RUNS} runs are read.
   */
  private static List<Result> results(Workspace open, String asset, int wanted) {
    List<Result> results = new ArrayList<>();
    var runs = open.runStore().runs();
    for (RunSummary summary : runs.listRuns(HISTORY_RUNS)) {
      Optional<RunDetail> detail = runs.findRun(summary.id());
      if (detail.isEmpty()) {
        continue;
      }
      for (StepDetail step : detail.get().steps()) {
        if (step.key().asset().equals(asset)) {
          for (CheckRecord check : step.checks()) {
            results.add(new Result(summary, step, check));
          }
        }
      }
      if (results.size() >= wanted) {
        break;
      }
    }
    return results;
  }

  /** Whether a caller sees failing rows: only when it reads the table as stored. */
  private static boolean samplesShown(VisibleAsset asset, Principal principal) {
    if (principal.owner()) {
      return true;
    }
    List<String> columns = asset.entry().columns().stream().map(AssetCatalog.Column::name).toList();
    return asset
        .policy()
        .access(principal, asset.entry().asset().tableName(), columns)
        .unrestricted();
  }

  private static String key(String check, String column) {
    return check + "\u0000" + (column == null ? "" : column.toLowerCase(Locale.ROOT));
  }

  static <E extends Enum<E>> E choice(String text, E[] values, String parameter) {
    for (E value : values) {
      if (value.name().equalsIgnoreCase(text.strip())) {
        return value;
      }
    }
    throw new InvalidInputException(
        "Unknown "
            + parameter
            + " '"
            + text
            + "': use one of "
            + String.join(", ", Arrays.stream(values).map(value -> lower(value.name())).toList()));
  }

  static String lower(String text) {
    return text.toLowerCase(Locale.ROOT);
  }
}
