package dev.sluice.server.metrics;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.Workspace;
import dev.sluice.server.api.Access;
import dev.sluice.server.auth.RequestAuthentication;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The metrics a server publishes at {@code /metrics} in the Prometheus text format: its runs and
 * steps ({@link RunMetrics}, fed by {@link MetricsObserver} for every run of the served project in
 * this process), its HTTP requests' latency, and the JVM's memory, garbage collection, threads,
 * classes, CPU and uptime.
 *
 * <p>While a server runs, its metrics are found by the project directory it serves ({@link
 * #serving}), so that the run observer of any workspace of that project reports to them.
 */
public final class ServerMetrics implements AutoCloseable {
  /** The text format's content type, as Prometheus asks for it. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  /** Where the metrics are served. */
  public static final String PATH = "/metrics";

  private static final Map<Path, ServerMetrics> SERVING = new ConcurrentHashMap<>();

  private final Path root;
  private final PrometheusMeterRegistry registry;
  private final JvmGcMetrics gc;
  private final RunMetrics runs;

  private ServerMetrics(Path root, Supplier<Workspace> workspace, Clock clock) {
    this.root = root;
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    this.gc = new JvmGcMetrics();
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    this.runs = new RunMetrics(registry, workspace, clock);
  }

  /**
   * Starts the metrics of a server of the project at {@code root}; runs of that project in this
   * process report to them until {@link #close}.
   */
  public static ServerMetrics start(Path root, Supplier<Workspace> workspace, Clock clock) {
    requireNonNull(root, "root is null");
    requireNonNull(workspace, "workspace is null");
    requireNonNull(clock, "clock is null");
    ServerMetrics metrics = new ServerMetrics(key(root), workspace, clock);
    SERVING.put(metrics.root, metrics);
    return metrics;
  }

  /** The metrics of the server serving the project at {@code root} in this process, if any. */
  static Optional<ServerMetrics> serving(Path root) {
    return Optional.ofNullable(SERVING.get(key(root)));
  }

  private static Path key(Path root) {
    return root.toAbsolutePath().normalize();
  }

  RunMetrics runs() {
    return runs;
  }

  /**
   * Adds {@code GET /metrics}: every metric in the Prometheus text format, for any signed-in
   * principal (an API token for the scraper: {@code authorization: {credentials: TOKEN}}).
   */
  public void register(RoutesConfig routes, RequestAuthentication authentication) {
    routes.addHttpHandler(
        HandlerType.GET,
        PATH,
        ctx -> {
          authentication.authenticate(ctx, Access.AUTHENTICATED);
          ctx.contentType(CONTENT_TYPE).result(scrape());
        });
  }

  /** Every metric in the Prometheus text format (version 0.0.4). */
  public String scrape() {
    runs.refreshFreshnessIfDue();
    return registry.scrape();
  }

  /**
   * Records a request the server answered, by its route (the path pattern, e.g. {@code
   * /api/v1/runs/{id}}, so that ids do not make new series), method and status.
   */
  public void requestServed(Context ctx, Float milliseconds) {
    Endpoint endpoint;
    try {
      endpoint = ctx.endpoints().lastHttpEndpoint();
    } catch (RuntimeException noneMatched) {
      endpoint = null;
    }
    Timer.builder("sluice.http.server.requests")
        .description("HTTP requests the server answered, by route, method and status")
        .tag("route", endpoint == null ? "unmatched" : endpoint.path)
        .tag("method", ctx.method().name())
        .tag("status", Integer.toString(ctx.statusCode()))
        .publishPercentileHistogram()
        .register(registry)
        .record(Duration.ofNanos((long) (milliseconds * 1_000_000L)));
  }

  /** Stops reporting: later runs of the project are not counted. */
  @Override
  public void close() {
    SERVING.remove(root, this);
    gc.close();
    registry.close();
  }
}
