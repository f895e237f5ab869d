package dev.sluice.server.api;

import dev.sluice.api.AccessDeniedException;
import dev.sluice.api.DataException;
import dev.sluice.api.InvalidInputException;
import dev.sluice.api.ProjectException;
import dev.sluice.api.QueryException;
import dev.sluice.server.auth.AuthenticationException;
import dev.sluice.server.auth.OidcUnavailableException;
import dev.sluice.server.auth.TooManyLoginAttemptsException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP statuses, each with a JSON body {@code {status, error,
 * message, fix}}: what is wrong and how to fix it. A client error never shows a stack trace; an
 * internal error shows only an id to find it in the server's log.
 */
public final class HttpErrors {
  private static final Logger log = LoggerFactory.getLogger(HttpErrors.class);

  private HttpErrors() {}

  /** Registers the mapping on the server's routes. */
  public static void register(RoutesConfig routes) {
    routes.exception(Exception.class, (failure, ctx) -> respond(ctx, failure));
    // Javalin answers its own HttpResponseExceptions (an unknown route, a bad method) unless a
    // handler is registered for that class itself
    routes.exception(HttpResponseException.class, (failure, ctx) -> respond(ctx, failure));
  }

  /**
   * What a failure answers: its status, a short error code, what is wrong and how to fix it.
   *
   * @param fix what the caller can do about it
   */
  public record Problem(int status, String error, String message, String fix) {}

  /** Answers a failure with its status and JSON body. */
  public static void respond(Context ctx, Exception failure) {
    Problem problem = problem(ctx, failure);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", problem.status());
    body.put("error", problem.error());
    body.put("message", problem.message());
    body.put("fix", problem.fix());
    ctx.status(problem.status()).json(body);
  }

  /**
   * The problem a failure answers (the web UI shows it as a page, the API as JSON), setting the
   * headers that go with it ({@code Retry-After}, {@code WWW-Authenticate}); an internal error is
   * logged here with the id the answer shows.
   */
  public static Problem problem(Context ctx, Exception failure) {
    if (failure instanceof TooManyLoginAttemptsException throttled) {
      ctx.header("Retry-After", Long.toString(Math.max(1, throttled.retryAfter().toSeconds())));
      return new Problem(
          429, "too_many_attempts", failure.getMessage(), "wait, then sign in again");
    } else if (failure instanceof AuthenticationException) {
      ctx.header("WWW-Authenticate", "Bearer realm=\"sluice\"");
      return new Problem(
          401,
          "unauthenticated",
          failure.getMessage(),
          "send 'Authorization: Bearer TOKEN' (sluice token create PRINCIPAL) or sign in with POST"
              + " /api/v1/login");
    } else if (failure instanceof OidcUnavailableException) {
      return new Problem(
          503,
          "provider_unavailable",
          failure.getMessage(),
          "check server.oidc in sluice.yaml and the provider; API tokens still work");
    } else if (failure instanceof AccessDeniedException) {
      return new Problem(
          403,
          "forbidden",
          failure.getMessage(),
          "ask an administrator for a grant in policies.yaml; 'sluice access explain PRINCIPAL"
              + " TABLE' says what applies");
    } else if (failure instanceof ApiException api) {
      return new Problem(
          api.status(), reason(api.status()), failure.getMessage(), fixFor(api.status()));
    } else if (failure instanceof InvalidInputException
        || failure instanceof QueryException
        || failure instanceof DataException) {
      return new Problem(
          400, "bad_request", failure.getMessage(), "correct the request and send it again");
    } else if (failure instanceof ProjectException) {
      return new Problem(
          503,
          "project_invalid",
          failure.getMessage(),
          "fix the project files ('sluice validate' lists every problem)");
    } else if (failure instanceof HttpResponseException http) {
      int status = http.getStatus();
      String message =
          status == 404
              ? "No endpoint " + ctx.method() + " " + ctx.path()
              : status == 405
                  ? ctx.method() + " is not allowed on " + ctx.path()
                  : String.valueOf(http.getMessage());
      return new Problem(status, reason(status), message, fixFor(status));
    } else {
      String id = UUID.randomUUID().toString();
      log.error("Internal error {} answering {} {}", id, ctx.method(), ctx.path(), failure);
      return new Problem(
          500,
          "internal_error",
          "Internal error " + id + ": this is a bug in Sluice",
          "report it with the id; the server's log has the details");
    }
  }

  private static String reason(int status) {
    return switch (status) {
      case 400 -> "bad_request";
      case 403 -> "forbidden";
      case 404 -> "not_found";
      case 405 -> "method_not_allowed";
      case 409 -> "conflict";
      default -> "error";
    };
  }

  private static String fixFor(int status) {
    return switch (status) {
      case 404 -> "check the name; /api/v1/openapi.json lists every endpoint";
      case 405 -> "/api/v1/openapi.json lists the methods of every endpoint";
      case 403 -> "ask an administrator";
      default -> "correct the request and send it again";
    };
  }
}
