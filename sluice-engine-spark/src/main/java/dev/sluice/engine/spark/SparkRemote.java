package dev.sluice.engine.spark;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.Secrets;
import dev.sluice.api.engine.EngineSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;

/**
 * Where the Spark Connect server is: {@code spark: {remote: "sc://host:15002", token: ...}} of
 * {@code sluice.yaml}. The token is kept apart from the address so that no message, log line or
 * {@link #toString()} can name it.
 *
 * @param address the {@code sc://host:port} address, without parameters
 * @param token the bearer token the server expects, if any
 * @param otherSecrets further secrets the server is given (the warehouse's secret key), masked like
 *     the token in whatever comes back from it
 */
record SparkRemote(String address, Optional<String> token, java.util.List<String> otherSecrets) {
  /** The option naming the server. */
  static final String REMOTE = "remote";

  /** The option holding the token, normally {@code ${env:...}}. */
  static final String TOKEN = "token";

  SparkRemote {
    requireNonNull(address, "address is null");
    requireNonNull(token, "token is null");
    otherSecrets = java.util.List.copyOf(otherSecrets);
  }

  SparkRemote(String address, Optional<String> token) {
    this(address, token, java.util.List.of());
  }

  /** This server, masking {@code secret} too. */
  SparkRemote masking(String secret) {
    java.util.List<String> secrets = new java.util.ArrayList<>(otherSecrets);
    secrets.add(requireNonNull(secret, "secret is null"));
    return new SparkRemote(address, token, secrets);
  }

  /**
   * The server the settings name.
   *
   * @throws InvalidInputException when {@code remote} is missing, is not an {@code sc://host:port}
   *     address, or carries parameters (a token goes in {@code token}, never in the address)
   */
  static SparkRemote of(EngineSettings settings) {
    String remote =
        settings
            .option(REMOTE)
            .orElseThrow(
                () ->
                    new InvalidInputException(
                        "The spark engine needs the address of a Spark Connect server: set"
                            + " spark: {remote: \"sc://host:15002\"} in sluice.yaml"));
    URI uri;
    try {
      uri = new URI(remote);
    } catch (URISyntaxException e) {
      throw new InvalidInputException(
          "spark.remote is not an sc://host:port address: "
              + Secrets.redactCredentials(remote)
              + " ("
              + e.getReason()
              + ")");
    }
    if (!"sc".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new InvalidInputException(
          "spark.remote must be an sc://host:port address, e.g. sc://spark.example.com:15002, not "
              + Secrets.redactCredentials(remote));
    }
    if (remote.contains(";") || uri.getRawQuery() != null || uri.getUserInfo() != null) {
      throw new InvalidInputException(
          "spark.remote must be only sc://host:port: give the token as spark.token (e.g. token:"
              + " ${env:SPARK_TOKEN}), never in the address");
    }
    int port = uri.getPort() < 0 ? 15002 : uri.getPort();
    return new SparkRemote("sc://" + uri.getHost() + ":" + port, settings.option(TOKEN));
  }

  /** The connection string the client is given, with the token: never print it. */
  String connectionString() {
    return token.map(value -> address + "/;token=" + value).orElse(address);
  }

  /** Masks the token in text that may come back from the client. */
  Secrets secrets() {
    Secrets others = Secrets.of(otherSecrets);
    return token.map(value -> Secrets.of(value).and(others)).orElse(others);
  }

  @Override
  public String toString() {
    return address;
  }
}
