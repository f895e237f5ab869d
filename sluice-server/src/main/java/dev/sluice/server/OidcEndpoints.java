package dev.sluice.server;

import static java.util.Objects.requireNonNull;

import dev.sluice.governance.Principal;
import dev.sluice.server.api.Access;
import dev.sluice.server.api.ApiException;
import dev.sluice.server.api.Routes;
import dev.sluice.server.auth.OidcLogin;
import dev.sluice.server.auth.RequestAuthentication;
import dev.sluice.server.auth.Sessions;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/**
 * Sign-in through the OpenID Connect provider of {@code server.oidc}: {@code /auth/oidc/login}
 * sends the browser to the provider, {@code /auth/oidc/callback} takes it back and starts a
 * session.
 */
final class OidcEndpoints {
  /** The cookie that binds a sign-in's state to the browser that started it. */
  static final String STATE_COOKIE = "sluice_oidc_state";

  static final String CALLBACK = "/auth/oidc/callback";

  // null when no provider is configured
  private final OidcLogin oidc;
  private final Sessions sessions;
  private final ServerOptions options;

  /**
   * @param oidc the provider's sign-in, or null when sluice.yaml configures none (the endpoints
   *     then say so)
   */
  OidcEndpoints(OidcLogin oidc, Sessions sessions, ServerOptions options) {
    this.oidc = oidc;
    this.sessions = requireNonNull(sessions, "sessions is null");
    this.options = requireNonNull(options, "options is null");
  }

  void register(Routes routes) {
    routes.get(
        "/auth/oidc/login",
        Access.PUBLIC,
        "Sign in through the OpenID Connect provider",
        this::login);
    routes.get(
        CALLBACK,
        Access.PUBLIC,
        "Where the OpenID Connect provider sends people back after signing in",
        this::callback);
  }

  private void login(Context ctx, Principal unused) {
    OidcLogin oidc = configured();
    URI here = URI.create(ctx.scheme() + "://" + ctx.host() + CALLBACK);
    OidcLogin.Start start = oidc.start(here);
    // Lax, not strict: the provider's redirect back is a navigation from another site
    Cookie state = new Cookie(STATE_COOKIE, start.state());
    state.setPath("/auth/oidc");
    state.setHttpOnly(true);
    state.setSecure(options.tls());
    state.setSameSite(SameSite.LAX);
    state.setMaxAge(600);
    ctx.cookie(state);
    ctx.redirect(start.uri().toString());
  }

  private void callback(Context ctx, Principal unused) {
    OidcLogin oidc = configured();
    Map<String, String> parameters = new HashMap<>();
    ctx.queryParamMap()
        .forEach(
            (name, values) -> {
              if (!values.isEmpty()) {
                parameters.put(name, values.get(0));
              }
            });
    String browserState = ctx.cookie(STATE_COOKIE);
    ctx.removeCookie(STATE_COOKIE, "/auth/oidc");
    Principal principal = oidc.complete(parameters, browserState, ctx.ip());
    Sessions.Session session = sessions.start(principal.name());
    ctx.cookie(RequestAuthentication.sessionCookie(session.id(), options.tls()));
    // a page of this site moves on, so that the strict session cookie goes with the next request
    // (a redirect would still count as the provider's navigation)
    ctx.html(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            + "<meta http-equiv=\"refresh\" content=\"0;url=/ui\"><title>Signed in</title></head>\n"
            + "<body><p>Signed in. <a href=\"/ui\">Continue</a></p></body></html>\n");
  }

  private OidcLogin configured() {
    if (oidc == null) {
      throw new ApiException(
          404,
          "No OpenID Connect provider is configured: people sign in with a password (POST"
              + " /api/v1/login); to sign in through a provider add server.oidc to sluice.yaml"
              + " (docs/server.md)");
    }
    return oidc;
  }
}
