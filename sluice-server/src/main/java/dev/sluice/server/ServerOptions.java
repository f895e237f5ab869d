package dev.sluice.server;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * How {@code sluice serve} serves HTTP: where it listens, with which TLS key store, and whether in
 * development mode (no sign-in, loopback only).
 *
 * @param host the address to bind ({@link #DEFAULT_HOST} unless told otherwise)
 * @param port the port; 0 picks a free one
 * @param keyStore a PKCS12 or JKS key store to serve HTTPS with, or null for plain HTTP
 * @param keyStorePassword the key store's password (resolved from its reference), or null
 * @param dev development mode: every request acts as the project's owner without signing in;
 *     allowed on a loopback address only, and said on every response
 */
public record ServerOptions(
    String host, int port, Path keyStore, String keyStorePassword, boolean dev) {
  /** The address the server binds unless told otherwise: this machine only. */
  public static final String DEFAULT_HOST = "127.0.0.1";

  /** The port the server listens on unless told otherwise. */
  public static final int DEFAULT_PORT = 8270;

  public ServerOptions {
    requireNonNull(host, "host is null");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be between 0 and 65535: " + port);
    }
    if (keyStore != null && keyStorePassword == null) {
      throw new IllegalArgumentException("a key store needs its password");
    }
  }

  /** Plain HTTP on {@code host} and {@code port}, with sign-in. */
  public static ServerOptions plain(String host, int port) {
    return new ServerOptions(host, port, null, null, false);
  }

  /** These options in development mode. */
  public ServerOptions inDevMode() {
    return new ServerOptions(host, port, keyStore, keyStorePassword, true);
  }

  /** These options serving HTTPS with a key store. */
  public ServerOptions withTls(Path store, String password) {
    return new ServerOptions(
        host,
        port,
        requireNonNull(store, "store is null"),
        requireNonNull(password, "password is null"),
        dev);
  }

  /** Whether the server serves HTTPS. */
  public boolean tls() {
    return keyStore != null;
  }

  /** Shows the options without the key store's password. */
  @Override
  public String toString() {
    return "ServerOptions[host="
        + host
        + ", port="
        + port
        + ", keyStore="
        + keyStore
        + ", dev="
        + dev
        + "]";
  }
}
