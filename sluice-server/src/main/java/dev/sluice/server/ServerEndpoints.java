package dev.sluice.server;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.core.Workspace;
import dev.sluice.governance.Principal;
import dev.sluice.server.api.Access;
import dev.sluice.server.api.ApiException;
import dev.sluice.server.api.Json;
import dev.sluice.server.api.Routes;
import dev.sluice.server.auth.Authenticator;
import dev.sluice.server.auth.RequestAuthentication;
import dev.sluice.server.auth.Sessions;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** The server's own endpoints: health checks, the start page, sign-in and out, the caller. */
final class ServerEndpoints {
  private static final String LOGIN_EXAMPLE = "{\"user\": \"ana\", \"password\": \"...\"}";

  private final Supplier<Workspace> workspace;
  private final Authenticator authenticator;
  private final Sessions sessions;
  private final ServerOptions options;
  private final Clock clock;

  ServerEndpoints(
      Supplier<Workspace> workspace,
      Authenticator authenticator,
      Sessions sessions,
      ServerOptions options,
      Clock clock) {
    this.workspace = requireNonNull(workspace, "workspace is null");
    this.authenticator = requireNonNull(authenticator, "authenticator is null");
    this.sessions = requireNonNull(sessions, "sessions is null");
    this.options = requireNonNull(options, "options is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  void register(Routes routes) {
    routes.get(
        "/health/live",
        Access.PUBLIC,
        "The process is up",
        (ctx, principal) -> ctx.json(Map.of("status", "live")));
    routes.get("/health/ready", Access.PUBLIC, "The server can answer requests", this::ready);
    routes.get("/", Access.PUBLIC, "The start page", this::startPage);
    routes.get(
        "/api/v1/openapi.json",
        Access.PUBLIC,
        "This API's OpenAPI document",
        (ctx, principal) -> ctx.contentType("application/json").result(openApi()));
    routes.post("/api/v1/login", Access.PUBLIC, "Sign in with a password", this::login);
    routes.post("/api/v1/logout", Access.AUTHENTICATED, "Sign out", this::logout);
    routes.get("/api/v1/me", Access.AUTHENTICATED, "Who the caller is", this::me);
  }

  private void ready(Context ctx, Principal principal) {
    try {
      Workspace open = workspace.get();
      open.runStore().runs().listRuns(1);
      ctx.json(Map.of("status", "ready", "project", open.project().config().name()));
    } catch (RuntimeException e) {
      ctx.status(503).json(Map.of("status", "not_ready", "reason", String.valueOf(e.getMessage())));
    }
  }

  private void startPage(Context ctx, Principal principal) {
    String banner =
        options.dev()
            ? "<div class=\"dev-banner\" role=\"alert\">Development mode: no sign-in, every"
                + " request acts as the project's owner. Never expose this server.</div>\n"
            : "";
    ctx.html(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sluice</title>"
            + "</head>\n<body>\n"
            + banner
            + "<h1>Sluice: "
            + escape(workspace.get().project().config().name())
            + "</h1>\n<p>The web UI is at <a href=\"/ui\">/ui</a>; the HTTP API at <a href=\"/api/v1/openapi.json\">/api/v1</a>"
            + " (docs/server.md).</p>\n</body></html>\n");
  }

  private void login(Context ctx, Principal unused) {
    if (workspace.get().project().config().server().oidc() != null) {
      throw new ApiException(
          403,
          "This server signs people in through OpenID Connect, not with passwords: open"
              + " /auth/oidc/login (scripts use API tokens: 'sluice token create PRINCIPAL')");
    }
    JsonNode body = Json.object(ctx.body(), LOGIN_EXAMPLE);
    String user = Json.requiredText(body, "user", LOGIN_EXAMPLE);
    char[] password = Json.requiredText(body, "password", LOGIN_EXAMPLE).toCharArray();
    Principal principal;
    try {
      principal = authenticator.password(user, password, ctx.ip());
    } finally {
      java.util.Arrays.fill(password, '\0');
    }
    Sessions.Session session = sessions.start(principal.name());
    ctx.cookie(RequestAuthentication.sessionCookie(session.id(), options.tls()));
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("principal", principal.name());
    answer.put("csrfToken", session.csrfToken());
    ctx.json(answer);
  }

  private void logout(Context ctx, Principal principal) {
    sessions.end(ctx.cookie(RequestAuthentication.SESSION_COOKIE));
    ctx.removeCookie(RequestAuthentication.SESSION_COOKIE, "/");
    ctx.json(Map.of("signedOut", true));
  }

  private void me(Context ctx, Principal principal) {
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("principal", principal.name());
    answer.put("roles", new java.util.TreeSet<>(principal.roles()));
    answer.put("admin", RequestAuthentication.isAdmin(principal));
    answer.put("dev", options.dev());
    answer.put("at", clock.instant());
    // a signed-in page (a password's or a provider's session) learns its CSRF token here; no other
    // site can read this answer (no CORS)
    sessions
        .find(ctx.cookie(RequestAuthentication.SESSION_COOKIE))
        .ifPresent(session -> answer.put("csrfToken", session.csrfToken()));
    ctx.json(answer);
  }

  private static String openApi() throws IOException {
    try (InputStream in = ServerEndpoints.class.getResourceAsStream("openapi.json")) {
      if (in == null) {
        throw new IllegalStateException("openapi.json is missing from the server's jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
