package dev.sluice.flight;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * Who a Flight SQL call acts as, as the bearer session keeps it (Flight's peer identity): a
 * principal signed in with a password, a principal of an API token (whose id is kept so that every
 * call sees a revocation or expiry at once), or the project's owner in development mode.
 *
 * @param principal the principal's name in policies.yaml, or null for the owner in development mode
 * @param tokenId the id of the API token the session was opened with, or null
 */
record FlightIdentity(String principal, String tokenId) {
  private static final String DEV = "dev";
  private static final String PASSWORD = "password:";
  private static final String TOKEN = "token:";

  /** The owner in development mode. */
  static FlightIdentity dev() {
    return new FlightIdentity(null, null);
  }

  static FlightIdentity password(String principal) {
    return new FlightIdentity(requireNonNull(principal, "principal is null"), null);
  }

  static FlightIdentity token(String principal, String tokenId) {
    return new FlightIdentity(
        requireNonNull(principal, "principal is null"), requireNonNull(tokenId, "tokenId is null"));
  }

  boolean isDev() {
    return principal == null;
  }

  /** The identity as one string: what Flight keeps per bearer session. */
  String encode() {
    if (isDev()) {
      return DEV;
    }
    return tokenId == null ? PASSWORD + principal : TOKEN + tokenId + ":" + principal;
  }

  /** The identity {@link #encode()} wrote, or empty for anything else. */
  static Optional<FlightIdentity> decode(String text) {
    if (text == null) {
      return Optional.empty();
    }
    if (text.equals(DEV)) {
      return Optional.of(dev());
    }
    if (text.startsWith(PASSWORD) && text.length() > PASSWORD.length()) {
      return Optional.of(password(text.substring(PASSWORD.length())));
    }
    if (text.startsWith(TOKEN)) {
      int colon = text.indexOf(':', TOKEN.length());
      if (colon > TOKEN.length() && colon < text.length() - 1) {
        return Optional.of(token(text.substring(colon + 1), text.substring(TOKEN.length(), colon)));
      }
    }
    return Optional.empty();
  }
}
