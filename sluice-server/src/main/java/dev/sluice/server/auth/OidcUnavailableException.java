package dev.sluice.server.auth;

import dev.sluice.api.SluiceException;

/** The OpenID Connect provider cannot be reached or answered what is not OpenID Connect. */
public final class OidcUnavailableException extends SluiceException {
  private static final long serialVersionUID = 1L;

  public OidcUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
