package dev.sluice.core.project;

import dev.sluice.api.Location;
import java.nio.file.Path;

/**
 * The {@code server:} block of sluice.yaml: where {@code sluice serve} listens and with which
 * certificate. Every field may be absent (null): the command line's {@code --host} and {@code
 * --port} win over it, and the server's defaults fill the rest.
 *
 * @param host the address to bind, or null for the default (127.0.0.1)
 * @param port the port, or null for the default
 * @param flightPort the port of the Arrow Flight SQL endpoint (on the same host), or null to serve
 *     no Flight SQL
 * @param keyStore the TLS key store (PKCS12 or JKS), absolute, or null to serve plain HTTP
 * @param keyStorePassword the key store's password, resolved from its reference ({@code ${env:X}},
 *     {@code ${file:path}}), or null
 * @param oidc the OpenID Connect provider people sign in through, or null (passwords)
 * @param location where the block is, for messages
 */
public record ServerSettings(
    String host,
    Integer port,
    Integer flightPort,
    Path keyStore,
    String keyStorePassword,
    OidcSettings oidc,
    Location location) {
  /** No {@code server:} block. */
  public static final ServerSettings NONE =
      new ServerSettings(null, null, null, null, null, null, new Location(ConfigParser.FILE, 1));

  /** Shows the settings without the key store's password. */
  @Override
  public String toString() {
    return "ServerSettings[host="
        + host
        + ", port="
        + port
        + ", flightPort="
        + flightPort
        + ", keyStore="
        + keyStore
        + ", keyStorePassword="
        + (keyStorePassword == null ? "null" : "***")
        + ", oidc="
        + oidc
        + "]";
  }
}
