package dev.sluice.server.auth;

import dev.sluice.api.SluiceException;

/**
 * A request without valid credentials: no token or session, an unknown, revoked or expired token, a
 * wrong password. The server answers 401. The message says what is wrong and how to sign in, and
 * never holds the token or password that was sent.
 */
public class AuthenticationException extends SluiceException {
  private static final long serialVersionUID = 1L;

  public AuthenticationException(String message) {
    super(message);
  }

  public AuthenticationException(String message, Throwable cause) {
    super(message, cause);
  }
}
