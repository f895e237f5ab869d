package dev.sluice.server.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.api.InvalidInputException;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.Asset;
import dev.sluice.core.project.ColumnDef;
import dev.sluice.core.project.Project;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.Worker;
import dev.sluice.core.state.AuditAction;
import dev.sluice.core.state.AuditFilter;
import dev.sluice.core.state.AuditRecord;
import dev.sluice.core.state.RunDetail;
import dev.sluice.core.state.RunStatus;
import dev.sluice.core.state.RunSummary;
import dev.sluice.core.state.Workers;
import dev.sluice.governance.AccessPolicy;
import dev.sluice.governance.Principal;
import dev.sluice.lake.ReadPoint;
import dev.sluice.server.catalog.Visibility;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The JSON API {@code /api/v1}: assets, runs, query and audit. Every list is paginated ({@link
 * Page}); a principal sees the assets it may read, and reads data only through the query service,
 * with its grants, masks and row filters.
 */
public final class ApiEndpoints {
  private static final String QUERY_EXAMPLE =
      "{\"sql\": \"select * from published.orders limit 10\", \"limit\": 100}";
  static final int MAX_QUERY_ROWS = 10_000;

  private static final String RUN_EXAMPLE = "{\"select\": [\"orders+\"], \"fullRefresh\": false}";

  private final Supplier<Workspace> workspace;
  private final RunLauncher launcher;
  private final java.time.Clock clock;

  public ApiEndpoints(Supplier<Workspace> workspace, RunLauncher launcher, java.time.Clock clock) {
    this.workspace = requireNonNull(workspace, "workspace is null");
    this.launcher = requireNonNull(launcher, "launcher is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  public void register(Routes routes) {
    routes.get(
        "/api/v1/assets", Access.AUTHENTICATED, "The assets the caller may read", this::assets);
    routes.get("/api/v1/assets/{name}", Access.AUTHENTICATED, "One asset", this::asset);
    routes.get("/api/v1/runs", Access.AUTHENTICATED, "Runs, the newest first", this::runs);
    routes.get("/api/v1/runs/{id}", Access.AUTHENTICATED, "One run with its steps", this::run);
    routes.post("/api/v1/runs", Access.ADMIN, "Start a run of the selected assets", this::trigger);
    routes.post(
        "/api/v1/runs/{id}/cancel", Access.ADMIN, "Ask a running run to stop", this::cancel);
    routes.post(
        "/api/v1/query",
        Access.AUTHENTICATED,
        "A SELECT through the query service, as the caller",
        this::query);
    routes.get("/api/v1/audit", Access.ADMIN, "The audit log, the newest first", this::audit);
    routes.get(
        "/api/v1/workers",
        Access.AUTHENTICATED,
        "The workers sharing the state database (all=true: the stopped and gone too)",
        this::workers);
  }

  private void workers(Context ctx, Principal principal) {
    Page page = Page.of(ctx);
    boolean all = Boolean.parseBoolean(ctx.queryParam("all"));
    java.time.Instant now = clock.instant();
    List<Map<String, Object>> items = new ArrayList<>();
    for (Workers.Worker worker : workspace.get().runStore().workers().all()) {
      if (all || worker.alive(now, Worker.ALIVE_TIMEOUT)) {
        items.add(worker.toJson(now, Worker.ALIVE_TIMEOUT));
      }
    }
    ctx.json(page.slice(items));
  }

  private void assets(Context ctx, Principal principal) {
    Page page = Page.of(ctx);
    Project project = workspace.get().project();
    AccessPolicy policy = new QueryService(workspace.get()).policy();
    List<Asset> visible = new ArrayList<>();
    for (String name : project.graph().topologicalOrder()) {
      Asset asset = project.asset(name);
      if (Visibility.readable(policy, principal, asset)) {
        visible.add(asset);
      }
    }
    // only the page's assets are described: with 10,000 assets the rest would be thrown away
    Map<String, Object> answer = page.slice(visible);
    List<Map<String, Object>> items = new ArrayList<>();
    for (Object asset : (List<?>) answer.get("items")) {
      items.add(summary(project, (Asset) asset));
    }
    answer.put("items", items);
    ctx.json(answer);
  }

  private void asset(Context ctx, Principal principal) {
    String name = ctx.pathParam("name");
    Project project = workspace.get().project();
    AccessPolicy policy = new QueryService(workspace.get()).policy();
    Asset asset =
        project
            .findAsset(name)
            .filter(found -> Visibility.readable(policy, principal, found))
            .orElseThrow(
                () ->
                    ApiException.notFound(
                        "No asset '"
                            + name
                            + "' that you may read: GET /api/v1/assets lists them"));
    Map<String, Object> answer = summary(project, asset);
    List<Map<String, Object>> columns = new ArrayList<>();
    for (ColumnDef column : asset.definition().columns()) {
      Map<String, Object> each = new LinkedHashMap<>();
      each.put("name", column.name());
      each.put("type", column.type());
      each.put("description", column.description());
      columns.add(each);
    }
    answer.put("columns", columns);
    answer.put(
        "downstream",
        project.graph().assets().stream()
            .filter(other -> project.graph().upstream(other).contains(asset.name()))
            .sorted()
            .toList());
    ctx.json(answer);
  }

  private void runs(Context ctx, Principal principal) {
    Page page = Page.of(ctx);
    String statusText = ctx.queryParam("status");
    RunStatus status = statusText == null ? null : runStatus(statusText);
    // the store lists the newest runs first; a status filter applies before the page is cut
    List<RunSummary> all =
        workspace
            .get()
            .runStore()
            .runs()
            .listRuns(status == null ? page.offset() + page.limit() + 1 : Integer.MAX_VALUE);
    List<Map<String, Object>> items = new ArrayList<>();
    for (RunSummary run : all) {
      if (status == null || run.status() == status) {
        items.add(runSummary(run));
      }
    }
    ctx.json(page.slice(items));
  }

  private void run(Context ctx, Principal principal) {
    String id = ctx.pathParam("id");
    RunDetail detail =
        workspace
            .get()
            .runStore()
            .runs()
            .findRun(id)
            .orElseThrow(
                () -> ApiException.notFound("No run '" + id + "': GET /api/v1/runs lists them"));
    Map<String, Object> answer = runSummary(detail.summary());
    answer.put("selection", detail.selection());
    List<Map<String, Object>> steps = new ArrayList<>();
    detail
        .steps()
        .forEach(
            step -> {
              Map<String, Object> each = new LinkedHashMap<>();
              each.put("asset", step.asset());
              each.put("status", step.status().name().toLowerCase(Locale.ROOT));
              each.put("error", step.error());
              each.put("phases", step.metrics().phasesMillis());
              steps.add(each);
            });
    answer.put("steps", steps);
    ctx.json(answer);
  }

  private void trigger(Context ctx, Principal principal) throws InterruptedException {
    JsonNode body = Json.object(ctx.body(), RUN_EXAMPLE);
    List<String> select = new ArrayList<>();
    JsonNode selection = body.get("select");
    if (selection != null && !selection.isNull()) {
      if (!selection.isArray()) {
        throw new InvalidInputException(
            "'select' must be a list of names: send e.g. " + RUN_EXAMPLE);
      }
      for (JsonNode item : selection) {
        if (!item.isTextual() || item.asText().isBlank()) {
          throw new InvalidInputException(
              "Each item of 'select' must be an asset name or selector: send e.g. " + RUN_EXAMPLE);
        }
        select.add(item.asText());
      }
    }
    JsonNode fullRefresh = body.get("fullRefresh");
    if (fullRefresh != null && !fullRefresh.isNull() && !fullRefresh.isBoolean()) {
      throw new InvalidInputException(
          "'fullRefresh' must be true or false: send e.g. " + RUN_EXAMPLE);
    }
    String runId =
        launcher.launch(
            new RunOptions(select, fullRefresh != null && fullRefresh.asBoolean(false)),
            "api run by "
                + principal.name()
                + (select.isEmpty() ? "" : " " + String.join(" ", select)));
    ctx.status(202).json(Map.of("id", runId, "run", "/api/v1/runs/" + runId));
  }

  private void cancel(Context ctx, Principal principal) {
    String id =
        workspace.get().runStore().runs().requestCancel(ctx.pathParam("id"), clock.instant());
    ctx.status(202).json(Map.of("id", id, "cancelRequested", true));
  }

  private void query(Context ctx, Principal principal) {
    JsonNode body = Json.object(ctx.body(), QUERY_EXAMPLE);
    String sql = Json.requiredText(body, "sql", QUERY_EXAMPLE);
    int limit = 1000;
    JsonNode limitNode = body.get("limit");
    if (limitNode != null && !limitNode.isNull()) {
      if (!limitNode.canConvertToInt() || !limitNode.isIntegralNumber()) {
        throw new InvalidInputException(
            "'limit' must be a whole number: send e.g. " + QUERY_EXAMPLE);
      }
      limit = limitNode.asInt();
      if (limit < 1 || limit > MAX_QUERY_ROWS) {
        throw new InvalidInputException(
            "'limit' must be between 1 and " + MAX_QUERY_ROWS + ", got " + limit);
      }
    }
    QueryResult result =
        new QueryService(workspace.get()).query(sql, ReadPoint.main(), limit, principal);
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("columns", result.columns());
    answer.put("types", result.types());
    List<List<Object>> rows = new ArrayList<>();
    for (List<Object> row : result.rows()) {
      List<Object> values = new ArrayList<>();
      for (Object value : row) {
        values.add(
            value == null || value instanceof Number || value instanceof Boolean
                ? value
                : value.toString());
      }
      rows.add(values);
    }
    answer.put("rows", rows);
    answer.put("truncated", result.truncated());
    ctx.json(answer);
  }

  private void audit(Context ctx, Principal principal) {
    Page page = Page.of(ctx);
    AuditFilter filter = AuditFilter.all();
    String action = ctx.queryParam("action");
    if (action != null) {
      try {
        filter = filter.withAction(AuditAction.fromLabel(action));
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException(e.getMessage());
      }
    }
    filter = filter.withPrincipal(ctx.queryParam("principal")).withTable(ctx.queryParam("table"));
    List<AuditRecord> records = workspace.get().runStore().audit().records(filter);
    List<Map<String, Object>> items = new ArrayList<>();
    for (int i = records.size() - 1; i >= 0; i--) {
      AuditRecord record = records.get(i);
      Map<String, Object> each = new LinkedHashMap<>();
      each.put("sequence", record.sequence());
      each.put("at", record.at());
      each.put("principal", record.principal());
      each.put("action", record.action().label());
      each.put("tables", record.tables());
      each.put("columns", record.columns());
      each.put("details", Json.parseOrText(record.details()));
      items.add(each);
    }
    ctx.json(page.slice(items));
  }

  private static Map<String, Object> summary(Project project, Asset asset) {
    Map<String, Object> each = new LinkedHashMap<>();
    each.put("name", asset.name());
    each.put("kind", asset.stepKind().name().toLowerCase(Locale.ROOT));
    each.put("table", asset.tableName().toString());
    each.put("upstream", project.graph().upstream(asset.name()).stream().sorted().toList());
    return each;
  }

  private static Map<String, Object> runSummary(RunSummary run) {
    Map<String, Object> each = new LinkedHashMap<>();
    each.put("id", run.id());
    each.put("command", run.command());
    each.put("status", run.status().name().toLowerCase(Locale.ROOT));
    each.put("startedAt", run.startedAt());
    each.put("finishedAt", run.finishedAt());
    each.put("steps", run.steps());
    each.put("failedSteps", run.failedSteps());
    each.put("error", run.error());
    return each;
  }

  private static RunStatus runStatus(String text) {
    for (RunStatus status : RunStatus.values()) {
      if (status.name().equalsIgnoreCase(text.strip())) {
        return status;
      }
    }
    List<String> names = new ArrayList<>();
    for (RunStatus status : RunStatus.values()) {
      names.add(status.name().toLowerCase(Locale.ROOT));
    }
    throw new InvalidInputException(
        "Unknown run status '" + text + "': use one of " + String.join(", ", names));
  }
}
