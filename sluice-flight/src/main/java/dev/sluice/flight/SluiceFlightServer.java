package dev.sluice.flight;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import dev.sluice.core.Workspace;
import dev.sluice.server.SluiceServer;
import dev.sluice.server.auth.Authenticator;
import dev.sluice.server.auth.LoginThrottle;
import java.io.IOException;
import java.time.Clock;
import java.util.function.Supplier;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Arrow Flight SQL endpoint of {@code sluice serve}, for BI tools (the Flight SQL JDBC driver,
 * ADBC): every statement through the query service as the signed-in principal ({@link
 * SluiceFlightSqlProducer}), with the HTTP server's credentials ({@link FlightAuthentication}).
 *
 * <p>It follows the HTTP server's rules: it refuses to start off loopback when nobody could sign
 * in, and development mode (no sign-in) is allowed on loopback only. It serves plain gRPC; TLS is
 * for a proxy in front of it (docs/bi-tools.md).
 */
public final class SluiceFlightServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SluiceFlightServer.class);

  private final FlightServer server;
  private final SluiceFlightSqlProducer producer;
  private final BufferAllocator allocator;
  private final FlightOptions options;

  private SluiceFlightServer(
      FlightServer server,
      SluiceFlightSqlProducer producer,
      BufferAllocator allocator,
      FlightOptions options) {
    this.server = server;
    this.producer = producer;
    this.allocator = allocator;
    this.options = options;
  }

  /**
   * Starts serving.
   *
   * @param workspace the project being served, read at every call (the scheduler swaps it when the
   *     project's files change)
   * @throws InvalidInputException when the options are refused: development mode or no credentials
   *     on an address other than loopback, a port that cannot be bound
   */
  public static SluiceFlightServer start(
      FlightOptions options, Supplier<Workspace> workspace, Clock clock) {
    requireNonNull(options, "options is null");
    requireNonNull(workspace, "workspace is null");
    requireNonNull(clock, "clock is null");
    boolean loopback = SluiceServer.isLoopback(options.host());
    if (options.dev() && !loopback) {
      throw new InvalidInputException(
          "Development mode (--dev, no sign-in) is allowed on a loopback address only, not on "
              + options.host()
              + ": drop --dev, or serve on 127.0.0.1");
    }
    Authenticator authenticator =
        new Authenticator(
            workspace,
            new LoginThrottle(
                LoginThrottle.DEFAULT_MAX_FAILURES, LoginThrottle.DEFAULT_WINDOW, clock),
            clock);
    if (!options.dev() && !loopback && !authenticator.anyCredential()) {
      throw new InvalidInputException(
          "Refusing to serve Flight SQL on "
              + options.host()
              + " without authentication: nobody could sign in. Create an API token ('sluice token"
              + " create PRINCIPAL') or a password ('sluice user set-password USER') first, or"
              + " serve on 127.0.0.1");
    }
    FlightAuthentication authentication =
        new FlightAuthentication(workspace, authenticator, clock, options.dev());
    BufferAllocator allocator = new RootAllocator();
    SluiceFlightSqlProducer producer =
        new SluiceFlightSqlProducer(workspace, authentication, allocator);
    FlightServer server =
        FlightServer.builder(
                allocator, Location.forGrpcInsecure(options.host(), options.port()), producer)
            .headerAuthenticator(authentication)
            .build();
    try {
      server.start();
    } catch (IOException | RuntimeException e) {
      closeQuietly(server, producer, allocator);
      throw new InvalidInputException(
          "Cannot serve Flight SQL on "
              + options.host()
              + ":"
              + options.port()
              + ": "
              + rootMessage(e)
              + "; choose another --flight-port (0 picks a free one) or stop what listens there");
    }
    SluiceFlightServer started = new SluiceFlightServer(server, producer, allocator, options);
    log.info("Serving Flight SQL on {} (dev mode: {})", started.url(), options.dev());
    return started;
  }

  /** The port the endpoint listens on (the one chosen when asked for 0). */
  public int port() {
    return server.getPort();
  }

  /** The endpoint's address as Flight clients write it, e.g. {@code grpc://127.0.0.1:8271}. */
  public String url() {
    return "grpc://" + hostForUrl() + ":" + port();
  }

  /** The JDBC URL of the Arrow Flight SQL driver for this endpoint. */
  public String jdbcUrl() {
    return "jdbc:arrow-flight-sql://" + hostForUrl() + ":" + port() + "/?useEncryption=false";
  }

  /** The options the endpoint started with. */
  public FlightOptions options() {
    return options;
  }

  /** Stops serving: calls in progress finish, then the memory is released. */
  @Override
  public void close() {
    closeQuietly(server, producer, allocator);
  }

  private String hostForUrl() {
    return options.host().contains(":") ? "[" + options.host() + "]" : options.host();
  }

  private static void closeQuietly(
      FlightServer server, SluiceFlightSqlProducer producer, BufferAllocator allocator) {
    try {
      server.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.warn("Stopping the Flight SQL server failed: {}", e.getMessage());
    }
    producer.close();
    try {
      allocator.close();
    } catch (RuntimeException e) {
      // memory still held by a call cut short: the process ends anyway
      log.warn("Flight SQL memory not released at stop: {}", e.getMessage());
    }
  }

  private static String rootMessage(Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return String.valueOf(cause.getMessage());
  }
}
