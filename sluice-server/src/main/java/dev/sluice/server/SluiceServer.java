package dev.sluice.server;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.OidcSettings;
import dev.sluice.server.api.AccessRequestEndpoints;
import dev.sluice.server.api.ApiEndpoints;
import dev.sluice.server.api.AssetStateEndpoints;
import dev.sluice.server.api.Endpoint;
import dev.sluice.server.api.HttpErrors;
import dev.sluice.server.api.Json;
import dev.sluice.server.api.Routes;
import dev.sluice.server.api.RunControlEndpoints;
import dev.sluice.server.api.RunLauncher;
import dev.sluice.server.api.SearchEndpoints;
import dev.sluice.server.auth.Authenticator;
import dev.sluice.server.auth.LoginThrottle;
import dev.sluice.server.auth.OidcLogin;
import dev.sluice.server.auth.RequestAuthentication;
import dev.sluice.server.auth.Sessions;
import dev.sluice.server.catalog.Catalogs;
import dev.sluice.server.iceberg.IcebergCatalogEndpoints;
import dev.sluice.server.metrics.ServerMetrics;
import dev.sluice.server.ui.WebUi;
import io.javalin.Javalin;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server of {@code sluice serve}: health checks, sign-in, the JSON API ({@code /api/v1})
 * and the web UI ({@code /ui}, {@link WebUi}), every endpoint but the health checks, sign-in and
 * the OpenAPI document behind authentication ({@link RequestAuthentication}), every read through
 * the query service.
 *
 * <p>It binds {@code 127.0.0.1} unless told otherwise, and refuses to start on another address when
 * nobody could sign in (no API token, no password), or in development mode.
 */
public final class SluiceServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SluiceServer.class);

  /** The header every response of a server in development mode carries. */
  public static final String DEV_MODE_HEADER = "X-Sluice-Dev-Mode";

  private final Javalin app;
  private final ServerOptions options;
  private final List<Endpoint> endpoints;
  private final RunLauncher launcher;
  private final ServerMetrics metrics;
  private final WebUi webUi;

  private SluiceServer(
      Javalin app,
      ServerOptions options,
      List<Endpoint> endpoints,
      RunLauncher launcher,
      ServerMetrics metrics,
      WebUi webUi) {
    this.launcher = launcher;
    this.metrics = metrics;
    this.webUi = webUi;
    this.app = app;
    this.options = options;
    this.endpoints = endpoints;
  }

  /**
   * Starts serving.
   *
   * @param workspace the project being served, read at every request (the scheduler swaps it when
   *     the project's files change)
   * @throws InvalidInputException when the options are refused: development mode or no credentials
   *     on an address other than loopback, an address that cannot be bound
   */
  public static SluiceServer start(
      ServerOptions options, Supplier<Workspace> workspace, Clock clock) {
    requireNonNull(options, "options is null");
    requireNonNull(workspace, "workspace is null");
    requireNonNull(clock, "clock is null");
    boolean loopback = isLoopback(options.host());
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
    OidcSettings oidcSettings = workspace.get().project().config().server().oidc();
    OidcLogin oidc =
        oidcSettings == null ? null : new OidcLogin(oidcSettings, authenticator, clock);
    if (!options.dev() && !loopback && oidc == null && !authenticator.anyCredential()) {
      throw new InvalidInputException(
          "Refusing to serve on "
              + options.host()
              + " without authentication: nobody could sign in. Create an API token ('sluice token"
              + " create PRINCIPAL'), a password ('sluice user set-password USER') or an OpenID"
              + " Connect provider (server.oidc in sluice.yaml) first, or serve on 127.0.0.1");
    }
    Sessions sessions = new Sessions(Sessions.DEFAULT_IDLE_TIMEOUT, clock);
    RequestAuthentication authentication =
        new RequestAuthentication(authenticator, sessions, options.dev());
    AtomicReference<List<Endpoint>> endpoints = new AtomicReference<>(List.of());
    RunLauncher launcher = new RunLauncher(workspace, clock);
    ServerMetrics metrics = ServerMetrics.start(workspace.get().project().root(), workspace, clock);
    Catalogs catalogs = new Catalogs();
    WebUi webUi =
        new WebUi(
            workspace, authenticator, sessions, authentication, launcher, options, clock, catalogs);
    Javalin app =
        Javalin.create(
            config -> {
              config.startup.showJavalinBanner = false;
              config.startup.showOldJavalinVersionWarning = false;
              config.jsonMapper(new Json());
              config.http.defaultContentType = "application/json";
              if (options.tls()) {
                config.jetty.addConnector(
                    (server, http) -> {
                      SslContextFactory.Server ssl = new SslContextFactory.Server();
                      ssl.setKeyStorePath(options.keyStore().toString());
                      ssl.setKeyStorePassword(options.keyStorePassword());
                      http.addCustomizer(new SecureRequestCustomizer());
                      ServerConnector connector =
                          new ServerConnector(
                              server,
                              new SslConnectionFactory(ssl, HttpVersion.HTTP_1_1.asString()),
                              new HttpConnectionFactory(http));
                      connector.setHost(options.host());
                      connector.setPort(options.port());
                      return connector;
                    });
              } else {
                config.jetty.host = options.host();
                config.jetty.port = options.port();
              }
              config.routes.before(
                  ctx -> {
                    ctx.header("X-Content-Type-Options", "nosniff");
                    ctx.header("Cache-Control", "no-store");
                    if (options.dev()) {
                      ctx.header(DEV_MODE_HEADER, "true");
                    }
                  });
              HttpErrors.register(config.routes);
              Routes routes = new Routes(config.routes, authentication);
              new ServerEndpoints(workspace, authenticator, sessions, options, clock)
                  .register(routes);
              new OidcEndpoints(oidc, sessions, options).register(routes);
              new ApiEndpoints(workspace, launcher, clock).register(routes);
              new AssetStateEndpoints(workspace, catalogs, clock).register(routes);
              new RunControlEndpoints(workspace, launcher, clock).register(routes);
              new AccessRequestEndpoints(workspace, clock).register(routes);
              new IcebergCatalogEndpoints(workspace, authentication).register(config.routes);
              metrics.register(config.routes, authentication);
              config.requestLogger.http(metrics::requestServed);
              new SearchEndpoints(workspace, catalogs).register(routes);
              webUi.register(config);
              endpoints.set(routes.endpoints());
            });
    try {
      app.start();
    } catch (RuntimeException e) {
      app.stop();
      launcher.close();
      metrics.close();
      webUi.close();
      throw new InvalidInputException(
          "Cannot serve on "
              + options.host()
              + ":"
              + options.port()
              + ": "
              + rootMessage(e)
              + "; choose another --port (0 picks a free one) or stop what listens there");
    }
    SluiceServer server = new SluiceServer(app, options, endpoints.get(), launcher, metrics, webUi);
    log.info("Serving {} (dev mode: {})", server.url(), options.dev());
    return server;
  }

  /** The port the server listens on (the one chosen when asked for 0). */
  public int port() {
    return app.port();
  }

  /** The server's base URL, e.g. {@code http://127.0.0.1:8270}. */
  public String url() {
    String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
    return (options.tls() ? "https" : "http") + "://" + host + ":" + port();
  }

  /** The options the server started with. */
  public ServerOptions options() {
    return options;
  }

  /** Every endpoint the server answers. */
  public List<Endpoint> endpoints() {
    return endpoints;
  }

  /** Stops serving: requests in progress finish, new connections are refused. */
  @Override
  public void close() {
    app.stop();
    launcher.close();
    metrics.close();
    webUi.close();
  }

  /** Whether {@code host} is a loopback address (127.0.0.0/8, ::1, localhost). */
  public static boolean isLoopback(String host) {
    try {
      for (InetAddress address : InetAddress.getAllByName(host)) {
        if (!address.isLoopbackAddress()) {
          return false;
        }
      }
      return true;
    } catch (UnknownHostException e) {
      throw new InvalidInputException(
          "Unknown host '" + host + "' to serve on: give an address such as 127.0.0.1 or 0.0.0.0");
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
