package dev.sluice.server.api;

import static java.util.Objects.requireNonNull;

import dev.sluice.server.auth.RequestAuthentication;
import io.javalin.config.RoutesConfig;
import io.javalin.http.HandlerType;
import java.util.ArrayList;
import java.util.List;

/**
 * Registers the server's endpoints, each behind its authentication ({@link Access}), and keeps the
 * list of them, which the OpenAPI document must match (checked by a test).
 */
public final class Routes {
  private final RoutesConfig routes;
  private final RequestAuthentication authentication;
  private final List<Endpoint> endpoints = new ArrayList<>();

  public Routes(RoutesConfig routes, RequestAuthentication authentication) {
    this.routes = requireNonNull(routes, "routes is null");
    this.authentication = requireNonNull(authentication, "authentication is null");
  }

  /** Adds an endpoint. */
  public void add(
      HandlerType method, String path, Access access, String summary, ApiHandler handler) {
    endpoints.add(new Endpoint(method, path, access, summary));
    routes.addHttpHandler(
        method, path, ctx -> handler.handle(ctx, authentication.authenticate(ctx, access)));
  }

  public void get(String path, Access access, String summary, ApiHandler handler) {
    add(HandlerType.GET, path, access, summary, handler);
  }

  public void post(String path, Access access, String summary, ApiHandler handler) {
    add(HandlerType.POST, path, access, summary, handler);
  }

  /** Every endpoint added, in order. */
  public List<Endpoint> endpoints() {
    return List.copyOf(endpoints);
  }
}
