package dev.sluice.server.auth;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.state.ApiToken;

/**
 * A token just created: the stored record and the token itself, which exists only here and is shown
 * once ({@code sluice token create}); the state database keeps its hash.
 */
public record IssuedToken(ApiToken record, String token) {
  public IssuedToken {
    requireNonNull(record, "record is null");
    requireNonNull(token, "token is null");
  }

  /** Shows the record, never the token. */
  @Override
  public String toString() {
    return "IssuedToken[" + record + "]";
  }
}
