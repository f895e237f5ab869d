package dev.sluice.server.ui;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.core.Workspace;
import dev.sluice.core.access.AccessRequestWorkflow;
import dev.sluice.core.lineage.TracedColumn;
import dev.sluice.core.project.AlertsConfig;
import dev.sluice.core.project.Asset;
import dev.sluice.core.project.CheckDef;
import dev.sluice.core.project.Project;
import dev.sluice.core.project.Selector;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.run.PartitionSelection;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.state.AccessRequest;
import dev.sluice.core.state.AccessRequestStatus;
import dev.sluice.core.state.AuditAction;
import dev.sluice.core.state.AuditFilter;
import dev.sluice.core.state.AuditRecord;
import dev.sluice.core.state.CheckRecord;
import dev.sluice.core.state.CheckStatus;
import dev.sluice.core.state.RunDetail;
import dev.sluice.core.state.RunEvent;
import dev.sluice.core.state.RunStatus;
import dev.sluice.core.state.RunSummary;
import dev.sluice.core.state.StepDetail;
import dev.sluice.governance.AccessPolicy;
import dev.sluice.governance.Principal;
import dev.sluice.lake.ReadPoint;
import dev.sluice.server.ServerOptions;
import dev.sluice.server.api.Access;
import dev.sluice.server.api.AccessRequestEndpoints;
import dev.sluice.server.api.ApiException;
import dev.sluice.server.api.HttpErrors;
import dev.sluice.server.api.RunLauncher;
import dev.sluice.server.auth.AuthenticationException;
import dev.sluice.server.auth.Authenticator;
import dev.sluice.server.auth.RequestAuthentication;
import dev.sluice.server.auth.Sessions;
import dev.sluice.server.catalog.AssetCatalog;
import dev.sluice.server.catalog.AssetLineage;
import dev.sluice.server.catalog.CatalogSearch;
import dev.sluice.server.catalog.Catalogs;
import dev.sluice.server.catalog.PartitionGrid;
import dev.sluice.server.catalog.Visibility;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;
import io.javalin.http.staticfiles.Location;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web UI: server-side pages (JTE templates from {@code src/main/jte}, compiled at build time)
 * with htmx, the asset graph drawn by cytoscape with dagre's layout, charts by Chart.js, all served
 * from WebJars by this process (no Node build). A page needs a session (the sign-in page sets it)
 * or development mode; every state-changing request repeats the session's CSRF token (htmx sends it
 * from the page's {@code hx-headers}). What a page shows is what the viewer's grants let it read:
 * the assets whose table it may read, and data only through the query service, masks applied.
 */
public final class WebUi implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WebUi.class);
  static final int PREVIEW_ROWS = 20;
  static final int RECENT_RUNS = 30;
  static final int AUDIT_ROWS = 500;
  private static final Pattern SELECTORS = Pattern.compile("[\\s,]+");
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  /** A page's work, given the request and the viewer. */
  @FunctionalInterface
  interface PageHandler {
    void handle(Context ctx, Viewer viewer) throws Exception;
  }

  /** Who looks at a page, and the frame of the page. */
  record Viewer(Principal principal, Chrome chrome) {}

  private final Supplier<Workspace> workspace;
  private final Authenticator authenticator;
  private final Sessions sessions;
  private final RequestAuthentication authentication;
  private final RunLauncher launcher;
  private final ServerOptions options;
  private final Clock clock;
  private final Catalogs catalogs;
  private final TemplateEngine templates = TemplateEngine.createPrecompiled(ContentType.Html);
  private final ScheduledExecutorService timelines =
      Executors.newSingleThreadScheduledExecutor(
          work -> {
            Thread thread = new Thread(work, "sluice-ui-timelines");
            thread.setDaemon(true);
            return thread;
          });

  public WebUi(
      Supplier<Workspace> workspace,
      Authenticator authenticator,
      Sessions sessions,
      RequestAuthentication authentication,
      RunLauncher launcher,
      ServerOptions options,
      Clock clock,
      Catalogs catalogs) {
    this.workspace = requireNonNull(workspace, "workspace is null");
    this.authenticator = requireNonNull(authenticator, "authenticator is null");
    this.sessions = requireNonNull(sessions, "sessions is null");
    this.authentication = requireNonNull(authentication, "authentication is null");
    this.launcher = requireNonNull(launcher, "launcher is null");
    this.options = requireNonNull(options, "options is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.catalogs = requireNonNull(catalogs, "catalogs is null");
  }

  /** Adds the UI's pages and its static files (WebJars, its own script and style) to a server. */
  public void register(JavalinConfig config) {
    config.staticFiles.enableWebjars();
    config.staticFiles.add(
        files -> {
          files.hostedPath = "/ui/static";
          files.directory = "/dev/sluice/server/ui/static";
          files.location = Location.CLASSPATH;
        });
    var routes = config.routes;
    routes.addHttpHandler(HandlerType.GET, "/login", this::loginPage);
    routes.addHttpHandler(HandlerType.POST, "/login", this::login);
    page(config, HandlerType.POST, "/logout", Access.AUTHENTICATED, this::logout);
    page(config, HandlerType.GET, "/ui", Access.AUTHENTICATED, this::graph);
    page(config, HandlerType.GET, "/ui/graph.json", Access.AUTHENTICATED, this::graphJson);
    page(config, HandlerType.GET, "/ui/assets/{name}", Access.AUTHENTICATED, this::asset);
    page(config, HandlerType.GET, "/ui/runs", Access.AUTHENTICATED, this::runs);
    page(config, HandlerType.POST, "/ui/runs", Access.ADMIN, this::launch);
    page(config, HandlerType.GET, "/ui/runs/{id}", Access.AUTHENTICATED, this::run);
    page(config, HandlerType.POST, "/ui/runs/{id}/cancel", Access.ADMIN, this::cancel);
    page(config, HandlerType.GET, "/ui/runs/{id}/events", Access.AUTHENTICATED, this::timeline);
    page(config, HandlerType.GET, "/ui/search", Access.AUTHENTICATED, this::search);
    page(config, HandlerType.GET, "/ui/audit", Access.ADMIN, this::audit);
    page(config, HandlerType.GET, "/ui/dashboards", Access.AUTHENTICATED, this::dashboards);
    page(config, HandlerType.GET, "/ui/dashboards.json", Access.AUTHENTICATED, this::dashboardData);
    page(config, HandlerType.GET, "/ui/access", Access.AUTHENTICATED, this::accessRequests);
    page(config, HandlerType.POST, "/ui/access", Access.AUTHENTICATED, this::requestAccess);
    page(
        config,
        HandlerType.POST,
        "/ui/access/{id}/approve",
        Access.AUTHENTICATED,
        (ctx, viewer) -> decide(ctx, viewer, true));
    page(
        config,
        HandlerType.POST,
        "/ui/access/{id}/deny",
        Access.AUTHENTICATED,
        (ctx, viewer) -> decide(ctx, viewer, false));
  }

  @Override
  public void close() {
    timelines.shutdownNow();
  }

  private void page(
      JavalinConfig config, HandlerType method, String path, Access access, PageHandler handler) {
    config.routes.addHttpHandler(method, path, ctx -> serve(ctx, access, handler));
  }

  private void serve(Context ctx, Access access, PageHandler handler) {
    ctx.header("X-Frame-Options", "DENY");
    try {
      Principal principal = authentication.authenticate(ctx, access);
      handler.handle(ctx, new Viewer(principal, chrome(ctx, principal)));
    } catch (AuthenticationException e) {
      String back = ctx.method().equals(HandlerType.GET) ? ctx.path() : "/ui";
      String login = "/login?next=" + URLEncoder.encode(back, StandardCharsets.UTF_8);
      if (ctx.header("HX-Request") != null) {
        ctx.status(401).header("HX-Redirect", login);
      } else {
        ctx.redirect(login);
      }
    } catch (Exception e) {
      HttpErrors.Problem problem = HttpErrors.problem(ctx, e);
      Chrome chrome = anonymousChrome("Error " + problem.status());
      ctx.status(problem.status());
      render(
          ctx,
          ctx.header("HX-Request") != null ? "problem-fragment.jte" : "problem.jte",
          new Views.Problem(
              chrome, problem.status(), problem.error(), problem.message(), problem.fix()));
    }
  }

  private Chrome chrome(Context ctx, Principal principal) {
    String csrf =
        options.dev()
            ? ""
            : sessions
                .find(ctx.cookie(RequestAuthentication.SESSION_COOKIE))
                .map(Sessions.Session::csrfToken)
                .orElse("");
    return new Chrome(
        "Sluice",
        "",
        projectName(),
        principal.name(),
        RequestAuthentication.isAdmin(principal),
        options.dev(),
        csrf);
  }

  private Chrome anonymousChrome(String title) {
    return new Chrome(title, "", projectName(), null, false, options.dev(), "");
  }

  private String projectName() {
    try {
      return workspace.get().project().config().name();
    } catch (RuntimeException e) {
      return "sluice";
    }
  }

  // sign-in

  private void loginPage(Context ctx) {
    if (options.dev()) {
      ctx.redirect("/ui");
      return;
    }
    if (signsInThroughProvider()) {
      ctx.redirect("/auth/oidc/login");
      return;
    }
    render(
        ctx,
        "login.jte",
        new Views.Login(anonymousChrome("Sign in"), safeNext(ctx.queryParam("next")), "", null));
  }

  private void login(Context ctx) {
    String user = Optional.ofNullable(ctx.formParam("user")).orElse("").strip();
    String next = safeNext(ctx.formParam("next"));
    char[] password = Optional.ofNullable(ctx.formParam("password")).orElse("").toCharArray();
    try {
      if (signsInThroughProvider()) {
        throw new AuthenticationException(
            "This server signs people in through OpenID Connect, not with passwords: open"
                + " /auth/oidc/login");
      }
      Principal principal = authenticator.password(user, password, ctx.ip());
      Sessions.Session session = sessions.start(principal.name());
      ctx.cookie(RequestAuthentication.sessionCookie(session.id(), options.tls()));
      ctx.redirect(next);
    } catch (AuthenticationException | InvalidInputException e) {
      ctx.status(401);
      render(
          ctx,
          "login.jte",
          new Views.Login(anonymousChrome("Sign in"), next, user, e.getMessage()));
    } catch (RuntimeException e) {
      HttpErrors.Problem problem = HttpErrors.problem(ctx, e);
      ctx.status(problem.status());
      render(
          ctx,
          "login.jte",
          new Views.Login(anonymousChrome("Sign in"), next, user, problem.message()));
    } finally {
      Arrays.fill(password, '\0');
    }
  }

  /** Whether people sign in through the OpenID Connect provider of server.oidc (no passwords). */
  private boolean signsInThroughProvider() {
    return workspace.get().project().config().server().oidc() != null;
  }

  /** Only a path of this server: never an address elsewhere (an open redirect). */
  private static String safeNext(String next) {
    if (next == null || !next.startsWith("/") || next.startsWith("//") || next.contains("\\")) {
      return "/ui";
    }
    return next;
  }

  private void logout(Context ctx, Viewer viewer) {
    sessions.end(ctx.cookie(RequestAuthentication.SESSION_COOKIE));
    ctx.removeCookie(RequestAuthentication.SESSION_COOKIE, "/");
    ctx.header("HX-Redirect", "/login");
    ctx.status(204);
  }

  // the asset graph

  private void graph(Context ctx, Viewer viewer) {
    String select = Optional.ofNullable(ctx.queryParam("select")).orElse("");
    int visible = visibleEntries(viewer.principal()).size();
    render(
        ctx,
        "graph.jte",
        new Views.Graph(viewer.chrome().titled("Asset graph", "graph"), select, visible));
  }

  private void graphJson(Context ctx, Viewer viewer) {
    Project project = workspace.get().project();
    List<AssetCatalog.Entry> visible = visibleEntries(viewer.principal());
    String select = Optional.ofNullable(ctx.queryParam("select")).orElse("").strip();
    java.util.Set<String> shown = new java.util.LinkedHashSet<>();
    if (select.isEmpty()) {
      visible.forEach(entry -> shown.add(entry.name()));
    } else {
      List<String> selected = new Selector(project).select(selectors(select), List.of());
      java.util.Set<String> readable = new java.util.HashSet<>();
      visible.forEach(entry -> readable.add(entry.name()));
      selected.stream().filter(readable::contains).forEach(shown::add);
    }
    Map<String, String> statuses = latestStatuses(RECENT_RUNS);
    List<Map<String, Object>> nodes = new ArrayList<>();
    List<Map<String, Object>> edges = new ArrayList<>();
    for (AssetCatalog.Entry entry : visible) {
      if (!shown.contains(entry.name())) {
        continue;
      }
      Map<String, Object> node = new LinkedHashMap<>();
      node.put("id", entry.name());
      node.put("kind", entry.kind());
      node.put("table", entry.asset().tableName().toString());
      node.put("status", statuses.getOrDefault(entry.name(), "never"));
      nodes.add(node);
      for (String upstream : project.graph().upstream(entry.name())) {
        if (shown.contains(upstream)) {
          edges.add(Map.of("source", upstream, "target", entry.name()));
        }
      }
    }
    ctx.json(Map.of("nodes", nodes, "edges", edges));
  }

  private static List<String> selectors(String text) {
    List<String> selectors = new ArrayList<>();
    for (String each : SELECTORS.splitAsStream(text.strip()).toList()) {
      if (!each.isEmpty()) {
        selectors.add(each);
      }
    }
    return selectors;
  }

  /** The latest step status of each asset over the last {@code runs} runs. */
  private Map<String, String> latestStatuses(int runs) {
    Map<String, String> statuses = new LinkedHashMap<>();
    var store = workspace.get().runStore().runs();
    for (RunSummary summary : store.listRuns(runs)) {
      store
          .findRun(summary.id())
          .ifPresent(
              detail -> {
                for (StepDetail step : detail.steps()) {
                  statuses.putIfAbsent(step.key().asset(), lower(step.status().name()));
                }
              });
    }
    return statuses;
  }

  private List<AssetCatalog.Entry> visibleEntries(Principal principal) {
    Workspace open = workspace.get();
    AccessPolicy policy = new QueryService(open).policy();
    return catalogs.catalog(open).entries().stream()
        .filter(entry -> Visibility.readable(policy, principal, entry.asset()))
        .toList();
  }

  // an asset's page

  private void asset(Context ctx, Viewer viewer) {
    String name = ctx.pathParam("name");
    Workspace open = workspace.get();
    Project project = open.project();
    AssetCatalog catalog = catalogs.catalog(open);
    AccessPolicy policy = new QueryService(open).policy();
    AssetCatalog.Entry entry =
        catalog
            .entry(name)
            .filter(found -> Visibility.readable(policy, viewer.principal(), found.asset()))
            .orElseThrow(
                () ->
                    ApiException.notFound(
                        "No asset '" + name + "' that you may read: the asset graph lists them"));
    Asset asset = entry.asset();
    AssetLineage visible = AssetLineage.of(catalog, entry, policy, viewer.principal());
    List<Views.ColumnLineage> lineage = new ArrayList<>();
    for (AssetLineage.ColumnLineage column : visible.columns()) {
      lineage.add(
          new Views.ColumnLineage(
              column.column(), traced(column.upstream()), traced(column.downstream())));
    }
    List<Views.DeclaredCheck> checks = new ArrayList<>();
    for (CheckDef check : asset.allChecks()) {
      checks.add(
          new Views.DeclaredCheck(
              check.name(),
              check.column() == null ? "" : check.column(),
              lower(check.severity().name())));
    }
    List<Views.CheckResult> history = new ArrayList<>();
    List<Views.AssetRun> runs = new ArrayList<>();
    String status = "never run";
    var store = open.runStore().runs();
    for (RunSummary summary : store.listRuns(RECENT_RUNS)) {
      Optional<RunDetail> detail = store.findRun(summary.id());
      if (detail.isEmpty()) {
        continue;
      }
      for (StepDetail step : detail.get().steps()) {
        if (!step.key().asset().equals(name)) {
          continue;
        }
        if (runs.isEmpty()) {
          status = lower(step.status().name());
        }
        runs.add(
            new Views.AssetRun(
                summary.id(),
                time(step.startedAt()),
                lower(step.status().name())
                    + (step.key().partition() == null ? "" : " (" + step.key().partition() + ")"),
                duration(step.startedAt(), step.finishedAt()),
                rows(step),
                step.error() == null ? "" : step.error()));
        for (CheckRecord check : step.checks()) {
          history.add(
              new Views.CheckResult(
                  summary.id(),
                  time(step.startedAt()),
                  check.name(),
                  check.column() == null ? "" : check.column(),
                  lower(check.status().name()),
                  check.failingRows(),
                  check.message() == null ? "" : check.message()));
        }
      }
    }
    String freshness =
        open.runStore()
            .steps()
            .lastSuccessfulStep(name)
            .map(at -> time(at) + " (" + age(at) + " ago)")
            .orElse("never built");
    List<Views.PartitionCell> partitions = new ArrayList<>();
    for (PartitionGrid.Cell cell :
        PartitionGrid.of(open, project.models().get(name), clock.instant())) {
      partitions.add(
          new Views.PartitionCell(
              cell.partition(),
              cell.status().label(),
              cell.runId() == null ? "" : cell.runId(),
              cell.error() != null
                  ? cell.error()
                  : cell.rows() == null ? "" : cell.rows() + " rows"));
    }
    render(
        ctx,
        "asset.jte",
        new Views.Asset(
            viewer.chrome().titled(name, "graph"),
            entry,
            asset.tableName().toString(),
            status,
            freshness,
            visible.upstream(),
            visible.downstream(),
            lineage,
            checks,
            history,
            partitions,
            runs,
            preview(open, asset, viewer.principal())));
  }

  private static List<String> traced(List<TracedColumn> columns) {
    return columns.stream().map(each -> each.asset() + "." + each.column().column()).toList();
  }

  /** The first rows of an asset's table, read as the viewer: its masks and row filters apply. */
  private Views.Preview preview(Workspace open, Asset asset, Principal principal) {
    try {
      QueryResult result =
          new QueryService(open)
              .query(
                  "select * from " + asset.tableName(), ReadPoint.main(), PREVIEW_ROWS, principal);
      List<List<String>> rows = new ArrayList<>();
      for (List<Object> row : result.rows()) {
        rows.add(row.stream().map(value -> value == null ? "null" : value.toString()).toList());
      }
      return new Views.Preview(result.columns(), rows, null);
    } catch (RuntimeException e) {
      return new Views.Preview(List.of(), List.of(), String.valueOf(e.getMessage()));
    }
  }

  // runs

  private void runs(Context ctx, Viewer viewer) {
    String statusText = Optional.ofNullable(ctx.queryParam("status")).orElse("").strip();
    RunStatus status = statusText.isEmpty() ? null : runStatus(statusText);
    List<Views.RunRow> rows = new ArrayList<>();
    for (RunSummary run : workspace.get().runStore().runs().listRuns(status == null ? 100 : 1000)) {
      if (status == null || run.status() == status) {
        rows.add(runRow(run));
      }
    }
    List<String> assets =
        visibleEntries(viewer.principal()).stream().map(AssetCatalog.Entry::name).toList();
    render(
        ctx,
        "runs.jte",
        new Views.Runs(
            viewer.chrome().titled("Runs", "runs"),
            rows.size() > 100 ? rows.subList(0, 100) : rows,
            statusText,
            viewer.chrome().admin(),
            assets));
  }

  private static RunStatus runStatus(String text) {
    for (RunStatus status : RunStatus.values()) {
      if (status.name().equalsIgnoreCase(text)) {
        return status;
      }
    }
    throw new InvalidInputException(
        "Unknown run status '"
            + text
            + "': use running, succeeded, failed, cancelled or interrupted");
  }

  private void launch(Context ctx, Viewer viewer) throws InterruptedException {
    List<String> select = selectors(Optional.ofNullable(ctx.formParam("select")).orElse(""));
    boolean fullRefresh = "on".equals(ctx.formParam("fullRefresh"));
    String partitionMode = Optional.ofNullable(ctx.formParam("partitions")).orElse("due");
    PartitionSelection partitions =
        partitionSelection(partitionMode, ctx.formParam("from"), ctx.formParam("to"));
    boolean backfill = partitions.mode() != PartitionSelection.Mode.DUE;
    if (backfill && fullRefresh) {
      throw new InvalidInputException(
          "A backfill rebuilds its partitions already: leave 'full refresh' off");
    }
    // an unknown selector is refused here, before a run is recorded for it
    new Selector(workspace.get().project()).select(select, List.of());
    String runId =
        launcher.launch(
            new RunOptions(select, List.of(), fullRefresh, partitions, 0),
            (backfill ? "ui backfill by " : "ui run by ")
                + viewer.principal().name()
                + (select.isEmpty() ? "" : " " + String.join(" ", select)));
    ctx.header("HX-Redirect", "/ui/runs/" + runId);
    ctx.status(201).result(runId);
  }

  private static PartitionSelection partitionSelection(String mode, String from, String to) {
    PartitionSelection.Mode chosen;
    switch (mode.strip().toLowerCase(Locale.ROOT)) {
      case "due", "" -> {
        return PartitionSelection.DUE;
      }
      case "all" -> chosen = PartitionSelection.Mode.ALL;
      case "missing" -> chosen = PartitionSelection.Mode.MISSING;
      case "failed" -> chosen = PartitionSelection.Mode.FAILED;
      default ->
          throw new InvalidInputException(
              "Unknown partitions '" + mode + "': choose due, all, missing or failed");
    }
    return PartitionSelection.days(chosen, date("from", from), date("to", to), List.of(), 1);
  }

  private static LocalDate date(String field, String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return LocalDate.parse(text.strip());
    } catch (DateTimeParseException e) {
      throw new InvalidInputException(
          "'" + field + "' must be a date such as 2026-01-31, got '" + text + "'");
    }
  }

  private RunDetail findRun(String id) {
    return workspace
        .get()
        .runStore()
        .runs()
        .findRun(id)
        .orElseThrow(() -> ApiException.notFound("No run '" + id + "': the runs page lists them"));
  }

  private void run(Context ctx, Viewer viewer) {
    RunDetail detail = findRun(ctx.pathParam("id"));
    List<Views.EventRow> events =
        workspace.get().runStore().events().events(detail.summary().id()).stream()
            .map(WebUi::eventRow)
            .toList();
    boolean finished = detail.summary().status() != RunStatus.RUNNING;
    render(
        ctx,
        "run.jte",
        new Views.Run(
            viewer.chrome().titled("Run " + detail.summary().id(), "runs"),
            runRow(detail.summary()),
            detail.selection(),
            stepRows(detail),
            events,
            finished,
            !finished && viewer.chrome().admin()));
  }

  private void cancel(Context ctx, Viewer viewer) {
    String id =
        workspace.get().runStore().runs().requestCancel(ctx.pathParam("id"), clock.instant());
    ctx.header("HX-Redirect", "/ui/runs/" + id);
    ctx.status(202);
  }

  /**
   * The run's timeline, live (server-sent events): every event not yet on the page ({@code after}
   * of them are), then the new ones as the store records them, with the steps table and status each
   * time they change; {@code done} when the run has finished and everything was sent.
   */
  private void timeline(Context ctx, Viewer viewer) throws Exception {
    String runId = findRun(ctx.pathParam("id")).summary().id();
    int after;
    try {
      after =
          Math.max(0, Integer.parseInt(Optional.ofNullable(ctx.queryParam("after")).orElse("0")));
    } catch (NumberFormatException e) {
      throw new InvalidInputException("'after' must be a whole number of events already shown");
    }
    AtomicInteger sent = new AtomicInteger(after);
    new SseHandler(
            client -> {
              client.keepAlive();
              AtomicReference<ScheduledFuture<?>> task = new AtomicReference<>();
              task.set(
                  timelines.scheduleWithFixedDelay(
                      () -> {
                        if (!pushTimeline(client, runId, sent)) {
                          client.close();
                          task.get().cancel(false);
                        }
                      },
                      0,
                      250,
                      TimeUnit.MILLISECONDS));
              client.onClose(() -> task.get().cancel(false));
            })
        .handle(ctx);
  }

  /** Sends what is new; false once there is nothing more to send (or nobody to send it to). */
  private boolean pushTimeline(SseClient client, String runId, AtomicInteger sent) {
    try {
      if (client.terminated()) {
        return false;
      }
      RunDetail detail = findRun(runId);
      List<RunEvent> events = workspace.get().runStore().events().events(runId);
      boolean finished = detail.summary().status() != RunStatus.RUNNING;
      if (events.size() > sent.get()) {
        StringBuilder rows = new StringBuilder();
        for (RunEvent event : events.subList(sent.get(), events.size())) {
          rows.append(fragment("timeline-row.jte", Map.of("event", eventRow(event))));
        }
        sent.set(events.size());
        client.sendEvent("timeline", oneLine(rows.toString()));
        client.sendEvent(
            "steps", oneLine(fragment("steps.jte", Map.of("steps", stepRows(detail)))));
      }
      client.sendEvent("status", lower(detail.summary().status().name()));
      if (finished) {
        client.sendEvent(
            "steps", oneLine(fragment("steps.jte", Map.of("steps", stepRows(detail)))));
        client.sendEvent("done", lower(detail.summary().status().name()));
        return false;
      }
      return true;
    } catch (RuntimeException e) {
      // the browser left, or the run is gone: stop sending to it
      log.debug("Timeline of run {} stopped: {}", runId, e.getMessage());
      return false;
    }
  }

  private static String rows(StepDetail step) {
    return step.finishedAt() == null ? "" : Long.toString(step.metrics().rowsOut());
  }

  private static String oneLine(String html) {
    return html.replace('\n', ' ').replace('\r', ' ');
  }

  private static Views.EventRow eventRow(RunEvent event) {
    return new Views.EventRow(
        time(event.at()),
        event.asset() == null ? "" : event.asset(),
        event.kind(),
        event.message() == null ? "" : event.message());
  }

  private static List<Views.StepRow> stepRows(RunDetail detail) {
    List<Views.StepRow> steps = new ArrayList<>();
    for (StepDetail step : detail.steps()) {
      long failedChecks =
          step.checks().stream().filter(check -> check.status() != CheckStatus.PASSED).count();
      steps.add(
          new Views.StepRow(
              step.asset(),
              lower(step.kind().name()),
              lower(step.status().name()),
              duration(step.startedAt(), step.finishedAt()),
              rows(step),
              step.checks().isEmpty()
                  ? ""
                  : step.checks().size() + " (" + failedChecks + " not passed)",
              step.metrics().phasesSummary(),
              step.error() == null ? "" : step.error()));
    }
    return steps;
  }

  private static Views.RunRow runRow(RunSummary run) {
    return new Views.RunRow(
        run.id(),
        run.command(),
        lower(run.status().name()),
        time(run.startedAt()),
        duration(run.startedAt(), run.finishedAt()),
        run.steps(),
        run.failedSteps(),
        run.error() == null ? "" : run.error());
  }

  // search

  private void search(Context ctx, Viewer viewer) {
    String query = Optional.ofNullable(ctx.queryParam("q")).orElse("").strip();
    List<Views.SearchHit> hits = new ArrayList<>();
    String error = null;
    if (!query.isEmpty()) {
      try {
        for (CatalogSearch.Hit hit : search(query, viewer.principal())) {
          hits.add(searchHit(hit));
        }
      } catch (InvalidInputException e) {
        error = e.getMessage();
      }
    }
    render(
        ctx,
        "search.jte",
        new Views.Search(viewer.chrome().titled("Search", "search"), query, hits, error));
  }

  /** The catalog's assets matching {@code query} that {@code principal} may read, best first. */
  public List<CatalogSearch.Hit> search(String query, Principal principal) {
    Workspace open = workspace.get();
    AccessPolicy policy = new QueryService(open).policy();
    return catalogs
        .search(open)
        .search(query, entry -> Visibility.readable(policy, principal, entry.asset()));
  }

  private static Views.SearchHit searchHit(CatalogSearch.Hit hit) {
    AssetCatalog.Entry entry = hit.entry();
    return new Views.SearchHit(
        entry.name(),
        entry.kind(),
        entry.asset().tableName().toString(),
        entry.description() == null ? "" : entry.description(),
        hit.columns(),
        entry.tags(),
        String.format(Locale.ROOT, "%.2f", hit.score()));
  }

  // the audit log

  private void audit(Context ctx, Viewer viewer) {
    String action = Optional.ofNullable(ctx.queryParam("action")).orElse("").strip();
    String principal = Optional.ofNullable(ctx.queryParam("principal")).orElse("").strip();
    String table = Optional.ofNullable(ctx.queryParam("table")).orElse("").strip();
    AuditFilter filter = AuditFilter.all();
    if (!action.isEmpty()) {
      try {
        filter = filter.withAction(AuditAction.fromLabel(action));
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException(e.getMessage());
      }
    }
    filter =
        filter
            .withPrincipal(principal.isEmpty() ? null : principal)
            .withTable(table.isEmpty() ? null : table);
    List<AuditRecord> records = workspace.get().runStore().audit().records(filter);
    List<Views.AuditRow> rows = new ArrayList<>();
    for (int i = records.size() - 1; i >= 0 && rows.size() < AUDIT_ROWS; i--) {
      AuditRecord record = records.get(i);
      rows.add(
          new Views.AuditRow(
              record.sequence(),
              time(record.at()),
              record.principal(),
              record.action().label(),
              String.join(", ", record.tables()),
              record.details() == null ? "" : record.details()));
    }
    List<String> actions = new ArrayList<>();
    for (AuditAction each : AuditAction.values()) {
      actions.add(each.label());
    }
    render(
        ctx,
        "audit.jte",
        new Views.Audit(
            viewer.chrome().titled("Audit log", "audit"), action, principal, table, actions, rows));
  }

  // dashboards

  /** Each visible asset's freshness, with its SLO: the tightest freshness alert rule on it. */
  private List<Views.Freshness> freshness(Principal principal, Map<String, Duration> slos) {
    Workspace open = workspace.get();
    List<Views.Freshness> rows = new ArrayList<>();
    for (AssetCatalog.Entry entry : visibleEntries(principal)) {
      Optional<Instant> built = open.runStore().steps().lastSuccessfulStep(entry.name());
      Duration slo = slos.get(entry.name());
      String state =
          slo == null
              ? ""
              : built.isEmpty()
                  ? "never"
                  : Duration.between(built.get(), clock.instant()).compareTo(slo) > 0
                      ? "stale"
                      : "fresh";
      rows.add(
          new Views.Freshness(
              entry.name(),
              built.map(WebUi::time).orElse("never"),
              built.map(this::age).orElse(""),
              slo == null ? "" : humanDuration(slo),
              state));
    }
    return rows;
  }

  private Map<String, Duration> freshnessSlos() {
    Project project = workspace.get().project();
    Map<String, Duration> slos = new LinkedHashMap<>();
    for (AlertsConfig.Rule rule : project.config().alerts().rules()) {
      if (rule.on() != AlertsConfig.Trigger.FRESHNESS || rule.maxAge() == null) {
        continue;
      }
      List<String> assets =
          rule.select().isEmpty()
              ? project.graph().topologicalOrder()
              : new Selector(project).select(rule.select(), List.of());
      for (String asset : assets) {
        slos.merge(asset, rule.maxAge(), (a, b) -> a.compareTo(b) <= 0 ? a : b);
      }
    }
    return slos;
  }

  private void dashboards(Context ctx, Viewer viewer) {
    List<Views.Freshness> rows = freshness(viewer.principal(), freshnessSlos());
    int stale =
        (int)
            rows.stream()
                .filter(row -> !row.state().equals("fresh") && !row.state().isEmpty())
                .count();
    int withSlo = (int) rows.stream().filter(row -> !row.slo().isEmpty()).count();
    render(
        ctx,
        "dashboards.jte",
        new Views.Dashboards(
            viewer.chrome().titled("Dashboards", "dashboards"), rows, stale, withSlo));
  }

  private void dashboardData(Context ctx, Viewer viewer) {
    var store = workspace.get().runStore().runs();
    List<Map<String, Object>> runs = new ArrayList<>();
    for (RunSummary summary : store.listRuns(RECENT_RUNS)) {
      long failedChecks = store.findRun(summary.id()).map(WebUi::checksNotPassed).orElse(0L);
      Map<String, Object> run = new LinkedHashMap<>();
      run.put("id", summary.id());
      run.put("status", lower(summary.status().name()));
      run.put(
          "seconds",
          summary.finishedAt() == null
              ? null
              : Duration.between(summary.startedAt(), summary.finishedAt()).toMillis() / 1000.0);
      run.put("failedChecks", failedChecks);
      runs.add(0, run);
    }
    Map<String, Duration> slos = freshnessSlos();
    Workspace open = workspace.get();
    List<Map<String, Object>> freshness = new ArrayList<>();
    for (AssetCatalog.Entry entry : visibleEntries(viewer.principal())) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("asset", entry.name());
      row.put(
          "hours",
          open.runStore()
              .steps()
              .lastSuccessfulStep(entry.name())
              .map(at -> Duration.between(at, clock.instant()).toSeconds() / 3600.0)
              .orElse(null));
      Duration slo = slos.get(entry.name());
      row.put("sloHours", slo == null ? null : slo.toSeconds() / 3600.0);
      freshness.add(row);
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("runs", runs);
    answer.put("freshness", freshness);
    ctx.json(answer);
  }

  private static long checksNotPassed(RunDetail detail) {
    return detail.steps().stream()
        .flatMap(step -> step.checks().stream())
        .filter(check -> check.status() != CheckStatus.PASSED)
        .count();
  }

  // access requests

  private void accessRequests(Context ctx, Viewer viewer) {
    Workspace open = workspace.get();
    Instant now = clock.instant();
    List<Views.AccessRequestRow> rows = new ArrayList<>();
    for (AccessRequest request : new AccessRequestWorkflow(open).list(Optional.empty())) {
      boolean own = request.principal().equals(viewer.principal().name());
      if (!AccessRequestEndpoints.visibleTo(open, viewer.principal(), request)) {
        continue;
      }
      AccessRequestStatus status = request.status(now);
      rows.add(
          new Views.AccessRequestRow(
              request.id(),
              request.principal(),
              request.table().toString(),
              request.columns().isEmpty() ? "all" : String.join(", ", request.columns()),
              request.reason(),
              AccessRequestWorkflow.periodText(request.period()),
              time(request.requestedAt()),
              lower(status.name()),
              request
                  .decision()
                  .map(
                      decision ->
                          (decision.approved() ? "approved by " : "denied by ")
                              + decision.by()
                              + " at "
                              + time(decision.at())
                              + decision.reason().map(reason -> ": " + reason).orElse(""))
                  .orElse(""),
              status == AccessRequestStatus.PENDING && !own));
    }
    List<String> tables = new ArrayList<>();
    for (AssetCatalog.Entry entry : catalogs.catalog(open).entries()) {
      tables.add(entry.asset().tableName().toString());
    }
    render(
        ctx,
        "access.jte",
        new Views.AccessRequests(
            viewer.chrome().titled("Access requests", "access"), tables, rows));
  }

  private void requestAccess(Context ctx, Viewer viewer) {
    String table = Optional.ofNullable(ctx.formParam("table")).orElse("").strip();
    List<String> columns = selectors(Optional.ofNullable(ctx.formParam("columns")).orElse(""));
    String periodText = Optional.ofNullable(ctx.formParam("period")).orElse("").strip();
    Duration period =
        periodText.isEmpty()
            ? AccessRequestWorkflow.DEFAULT_PERIOD
            : AccessRequestWorkflow.period(periodText);
    AccessRequest request =
        new AccessRequestWorkflow(workspace.get())
            .request(viewer.principal().name(), table, columns, ctx.formParam("reason"), period);
    ctx.header("HX-Refresh", "true");
    ctx.status(201).result(Long.toString(request.id()));
  }

  private void decide(Context ctx, Viewer viewer, boolean approve) {
    long id;
    try {
      id = Long.parseLong(ctx.pathParam("id"));
    } catch (NumberFormatException e) {
      throw new InvalidInputException(
          "'" + ctx.pathParam("id") + "' is not a request number: the access page lists them");
    }
    AccessRequestWorkflow workflow = new AccessRequestWorkflow(workspace.get());
    if (approve) {
      workflow.approve(id, viewer.principal().name(), Optional.empty());
    } else {
      workflow.deny(id, viewer.principal().name(), Optional.empty());
    }
    ctx.header("HX-Refresh", "true");
    ctx.status(200).result(approve ? "approved" : "denied");
  }

  // rendering

  private void render(Context ctx, String template, Object page) {
    ctx.contentType("text/html; charset=utf-8").result(fragment(template, Map.of("page", page)));
  }

  private String fragment(String template, Map<String, Object> parameters) {
    StringOutput output = new StringOutput();
    templates.render(template, parameters, output);
    return output.toString();
  }

  static String lower(String name) {
    return name.toLowerCase(Locale.ROOT);
  }

  static String time(Instant at) {
    return at == null ? "" : TIME.format(at);
  }

  private String age(Instant at) {
    return humanDuration(Duration.between(at, clock.instant()));
  }

  static String duration(Instant from, Instant to) {
    return to == null ? "running" : humanDuration(Duration.between(from, to));
  }

  static String humanDuration(Duration duration) {
    long millis = Math.max(0, duration.toMillis());
    if (millis < 1_000) {
      return millis + " ms";
    }
    if (millis < 60_000) {
      return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }
    if (millis < 3_600_000) {
      return (millis / 60_000) + " min " + (millis / 1000 % 60) + " s";
    }
    if (millis < 86_400_000) {
      return (millis / 3_600_000) + " h " + (millis / 60_000 % 60) + " min";
    }
    return (millis / 86_400_000) + " d " + (millis / 3_600_000 % 24) + " h";
  }
}
