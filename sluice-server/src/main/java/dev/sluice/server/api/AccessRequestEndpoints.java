package dev.sluice.server.api;

import static dev.sluice.server.api.AssetStateEndpoints.choice;
import static dev.sluice.server.api.AssetStateEndpoints.lower;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.api.InvalidInputException;
import dev.sluice.core.Workspace;
import dev.sluice.core.access.AccessRequestWorkflow;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.state.AccessRequest;
import dev.sluice.core.state.AccessRequestStatus;
import dev.sluice.governance.AccessPolicy;
import dev.sluice.governance.Principal;
import dev.sluice.governance.Privilege;
import dev.sluice.server.auth.RequestAuthentication;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Access requests over HTTP, as {@code sluice access request | approve | deny} and the UI's access
 * page: anyone signed in asks to read a table for a period with a reason; the table's owner or a
 * holder of {@code grant} decides (never the requester). A caller sees its own requests and those
 * it may decide; administrators see all.
 */
public final class AccessRequestEndpoints {
  private static final String REQUEST_EXAMPLE =
      "{\"table\": \"published.orders\", \"columns\": [\"amount\"], \"reason\": \"monthly report\","
          + " \"period\": \"30d\"}";
  private static final String DECISION_EXAMPLE = "{\"reason\": \"for the Q3 report only\"}";

  private final Supplier<Workspace> workspace;
  private final Clock clock;

  public AccessRequestEndpoints(Supplier<Workspace> workspace, Clock clock) {
    this.workspace = requireNonNull(workspace, "workspace is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  public void register(Routes routes) {
    routes.get(
        "/api/v1/access-requests",
        Access.AUTHENTICATED,
        "Access requests the caller made or may decide, the newest first",
        this::list);
    routes.post(
        "/api/v1/access-requests",
        Access.AUTHENTICATED,
        "Ask to read a table (or some of its columns) for a period",
        this::request);
    routes.post(
        "/api/v1/access-requests/{id}/approve",
        Access.AUTHENTICATED,
        "Approve a pending access request (its table's owner or a holder of grant)",
        (ctx, principal) -> decide(ctx, principal, true));
    routes.post(
        "/api/v1/access-requests/{id}/deny",
        Access.AUTHENTICATED,
        "Deny a pending access request (its table's owner or a holder of grant)",
        (ctx, principal) -> decide(ctx, principal, false));
  }

  /**
   * Whether {@code principal} sees {@code request}: its own, any for an administrator, and those of
   * tables on which it holds {@code grant} or {@code admin} (so may decide them).
   */
  public static boolean visibleTo(Workspace open, Principal principal, AccessRequest request) {
    if (RequestAuthentication.isAdmin(principal) || request.principal().equals(principal.name())) {
      return true;
    }
    AccessPolicy policy = new QueryService(open).policy();
    return !policy.grantsOf(principal, request.table(), Privilege.GRANT).isEmpty()
        || !policy.grantsOf(principal, request.table(), Privilege.ADMIN).isEmpty();
  }

  private void list(Context ctx, Principal principal) {
    Page page = Page.of(ctx);
    Optional<AccessRequestStatus> status =
        Optional.ofNullable(ctx.queryParam("status"))
            .map(text -> choice(text, AccessRequestStatus.values(), "status"));
    Workspace open = workspace.get();
    Instant now = clock.instant();
    List<AccessRequest> all = new AccessRequestWorkflow(open).list(Optional.empty());
    List<Map<String, Object>> items = new ArrayList<>();
    for (int i = all.size() - 1; i >= 0; i--) {
      AccessRequest request = all.get(i);
      if (visibleTo(open, principal, request)
          && (status.isEmpty() || request.status(now) == status.get())) {
        items.add(json(request, now));
      }
    }
    ctx.json(page.slice(items));
  }

  private void request(Context ctx, Principal principal) {
    JsonNode body = Json.object(ctx.body(), REQUEST_EXAMPLE);
    String table = Json.requiredText(body, "table", REQUEST_EXAMPLE);
    List<String> columns = new ArrayList<>();
    JsonNode columnNodes = body.get("columns");
    if (columnNodes != null && !columnNodes.isNull()) {
      if (!columnNodes.isArray()) {
        throw new InvalidInputException(
            "'columns' must be a list of column names: send e.g. " + REQUEST_EXAMPLE);
      }
      for (JsonNode column : columnNodes) {
        if (!column.isTextual() || column.asText().isBlank()) {
          throw new InvalidInputException(
              "Each item of 'columns' must be a column name: send e.g. " + REQUEST_EXAMPLE);
        }
        columns.add(column.asText().strip());
      }
    }
    Duration period =
        Json.optionalText(body, "period", REQUEST_EXAMPLE)
            .map(AccessRequestWorkflow::period)
            .orElse(AccessRequestWorkflow.DEFAULT_PERIOD);
    AccessRequest request =
        new AccessRequestWorkflow(workspace.get())
            .request(
                principal.name(),
                table,
                columns,
                Json.optionalText(body, "reason", REQUEST_EXAMPLE).orElse(null),
                period);
    ctx.status(201).json(json(request, clock.instant()));
  }

  private void decide(Context ctx, Principal principal, boolean approve) {
    long id;
    try {
      id = Long.parseLong(ctx.pathParam("id"));
    } catch (NumberFormatException e) {
      throw new InvalidInputException(
          "'"
              + ctx.pathParam("id")
              + "' is not a request number: GET /api/v1/access-requests lists them");
    }
    Optional<String> reason = Optional.empty();
    if (!ctx.body().isBlank()) {
      reason =
          Json.optionalText(Json.object(ctx.body(), DECISION_EXAMPLE), "reason", DECISION_EXAMPLE);
    }
    AccessRequestWorkflow workflow = new AccessRequestWorkflow(workspace.get());
    AccessRequest decided =
        approve
            ? workflow.approve(id, principal.name(), reason)
            : workflow.deny(id, principal.name(), reason);
    ctx.json(json(decided, clock.instant()));
  }

  private static Map<String, Object> json(AccessRequest request, Instant now) {
    Map<String, Object> each = new LinkedHashMap<>();
    each.put("id", request.id());
    each.put("principal", request.principal());
    each.put("table", request.table().toString());
    each.put("columns", request.columns());
    each.put("reason", request.reason());
    each.put("period", AccessRequestWorkflow.periodText(request.period()));
    each.put("requestedAt", request.requestedAt());
    each.put("status", lower(request.status(now).name()));
    each.put(
        "decision",
        request
            .decision()
            .map(
                decision -> {
                  Map<String, Object> made = new LinkedHashMap<>();
                  made.put("approved", decision.approved());
                  made.put("by", decision.by());
                  made.put("at", decision.at());
                  made.put("reason", decision.reason().orElse(null));
                  made.put("expiresAt", decision.expiresAt());
                  return made;
                })
            .orElse(null));
    return each;
  }
}
