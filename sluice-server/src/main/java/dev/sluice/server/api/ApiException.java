package dev.sluice.server.api;

import dev.sluice.api.SluiceException;

/**
 * A request the API refuses with a given HTTP status and a message saying what is wrong and how to
 * fix it: something not found (404), a conflict with the state (409), a missing privilege of the
 * server itself (403).
 */
public final class ApiException extends SluiceException {
  private static final long serialVersionUID = 1L;

  private final int status;

  public ApiException(int status, String message) {
    super(message);
    this.status = status;
  }

  /** 404 with a message naming what was not found. */
  public static ApiException notFound(String message) {
    return new ApiException(404, message);
  }

  /** 403 with a message naming what is missing. */
  public static ApiException forbidden(String message) {
    return new ApiException(403, message);
  }

  public int status() {
    return status;
  }
}
