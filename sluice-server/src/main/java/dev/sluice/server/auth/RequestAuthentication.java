package dev.sluice.server.auth;

import static java.util.Objects.requireNonNull;

import dev.sluice.governance.Principal;
import dev.sluice.server.api.Access;
import dev.sluice.server.api.ApiException;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.Optional;

/**
 * Who a request comes from: a bearer token ({@code Authorization: Bearer sluice_...}) or a session
 * cookie; in development mode, the project's owner. A request with a session cookie that changes
 * state (any method but GET, HEAD and OPTIONS) must repeat the session's CSRF token in the {@value
 * #CSRF_HEADER} header, so that another site cannot make the browser send it; a bearer token is
 * never sent by a browser on its own and needs none.
 */
public final class RequestAuthentication {
  public static final String SESSION_COOKIE = "sluice_session";
  public static final String CSRF_HEADER = "X-CSRF-Token";
  static final String ADMIN_ROLE = "admin";

  private final Authenticator authenticator;
  private final Sessions sessions;
  private final boolean dev;

  public RequestAuthentication(Authenticator authenticator, Sessions sessions, boolean dev) {
    this.authenticator = requireNonNull(authenticator, "authenticator is null");
    this.sessions = requireNonNull(sessions, "sessions is null");
    this.dev = dev;
  }

  /**
   * The principal of a request to an endpoint of the given access.
   *
   * @throws AuthenticationException without valid credentials (401)
   * @throws ApiException 403 without the CSRF token, or for an admin endpoint and a principal that
   *     is not an administrator
   */
  public Principal authenticate(Context ctx, Access access) {
    if (access == Access.PUBLIC) {
      return null;
    }
    Principal principal = dev ? Principal.projectOwner() : credentials(ctx);
    if (access == Access.ADMIN && !isAdmin(principal)) {
      throw ApiException.forbidden(
          "Only administrators may use "
              + ctx.path()
              + ": '"
              + principal.name()
              + "' does not hold the '"
              + ADMIN_ROLE
              + "' role; grant it in policies.yaml");
    }
    return principal;
  }

  /**
   * The session cookie: HTTP-only, {@code SameSite=Strict}, {@code Secure} when served over HTTPS.
   */
  public static io.javalin.http.Cookie sessionCookie(String sessionId, boolean secure) {
    io.javalin.http.Cookie cookie = new io.javalin.http.Cookie(SESSION_COOKIE, sessionId);
    cookie.setPath("/");
    cookie.setHttpOnly(true);
    cookie.setSecure(secure);
    cookie.setSameSite(io.javalin.http.SameSite.STRICT);
    return cookie;
  }

  /** Whether a principal administers the server: the owner, or a holder of the admin role. */
  public static boolean isAdmin(Principal principal) {
    return principal.owner() || principal.roles().contains(ADMIN_ROLE);
  }

  private Principal credentials(Context ctx) {
    String authorization = ctx.header("Authorization");
    if (authorization != null) {
      if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
        throw new AuthenticationException(
            "The Authorization header is not a bearer token: send 'Authorization: Bearer"
                + " sluice_...'");
      }
      return authenticator.token(authorization.substring(7));
    }
    Optional<Sessions.Session> session = sessions.find(ctx.cookie(SESSION_COOKIE));
    if (session.isEmpty()) {
      throw new AuthenticationException(
          ctx.cookie(SESSION_COOKIE) == null
              ? "Sign in first: no API token and no session"
              : "The session has ended (signed out, idle too long or the server restarted): sign"
                  + " in again");
    }
    if (changesState(ctx.method()) && !session.get().csrfMatches(ctx.header(CSRF_HEADER))) {
      throw ApiException.forbidden(
          "The request has no valid "
              + CSRF_HEADER
              + " header: a request with the session cookie that changes state must repeat the"
              + " csrfToken the sign-in answered");
    }
    return authenticator.principal(session.get().principal());
  }

  private static boolean changesState(HandlerType method) {
    return !java.util.Set.of(HandlerType.GET, HandlerType.HEAD, HandlerType.OPTIONS)
        .contains(method);
  }
}
