package dev.sluice.flight;

import static java.util.Objects.requireNonNull;

/**
 * How {@code sluice serve} serves Arrow Flight SQL: where it listens, and whether in development
 * mode (no sign-in, loopback only), as the HTTP server does.
 *
 * @param host the address to bind: the HTTP server's
 * @param port the port; 0 picks a free one
 * @param dev development mode: a client without credentials acts as the project's owner; allowed on
 *     a loopback address only
 */
public record FlightOptions(String host, int port, boolean dev) {
  /** The port Flight SQL listens on unless told otherwise: the HTTP server's default plus one. */
  public static final int DEFAULT_PORT = 8271;

  public FlightOptions {
    requireNonNull(host, "host is null");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be between 0 and 65535: " + port);
    }
  }
}
