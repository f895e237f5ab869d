package dev.sluice.server.api;

import static java.util.Objects.requireNonNull;

import io.javalin.http.HandlerType;

/**
 * One route the server answers, as the OpenAPI document lists it ({@code /api/v1/runs/{id}}).
 *
 * @param summary one line for the OpenAPI document's check
 */
public record Endpoint(HandlerType method, String path, Access access, String summary) {
  public Endpoint {
    requireNonNull(method, "method is null");
    requireNonNull(path, "path is null");
    requireNonNull(access, "access is null");
    requireNonNull(summary, "summary is null");
  }
}
