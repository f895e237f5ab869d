package dev.sluice.server.auth;

import java.time.Duration;

/** Sign-in refused because of too many failed attempts: the server answers 429. */
public final class TooManyLoginAttemptsException extends AuthenticationException {
  private static final long serialVersionUID = 1L;

  private final Duration retryAfter;

  public TooManyLoginAttemptsException(String message, Duration retryAfter) {
    super(message);
    this.retryAfter = retryAfter;
  }

  /** How long until the next attempt is allowed. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
