package dev.sluice.bench.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.api.io.Directories;
import dev.sluice.bench.BenchSettings;
import dev.sluice.bench.orchestrate.SyntheticProject;
import dev.sluice.bench.report.SuiteResult;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.Project;
import dev.sluice.server.ServerOptions;
import dev.sluice.server.SluiceServer;
import dev.sluice.server.auth.Credentials;
import dev.sluice.server.auth.IssuedToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server suite (issue 14 item 10): {@code sluice serve}'s HTTP server in this process over a
 * generated project of 10,000 assets at scale 1 (proportionally fewer below, at least 200), each
 * with a description and tags, read by an analyst whose grants cover them (so every answer goes
 * through the grants). It times, from a real HTTP client, the asset list (first and last page), an
 * asset, catalog search and the UI's main pages one request at a time, then the asset list and
 * search from 50 concurrent clients while a run executes. Latencies are per request: the report
 * gives the median and the 99th percentile.
 */
public final class ServerSuite {
  public static final String NAME = "server";

  static final int ASSETS = 10_000;
  static final int FEWEST_ASSETS = 200;
  static final int CLIENTS = 50;
  static final double P99_TARGET_MILLIS = 200;

  private static final Logger LOG = LoggerFactory.getLogger(ServerSuite.class);
  private static final String[] WORDS = {
    "orders",
    "customers",
    "revenue",
    "shipments",
    "invoices",
    "returns",
    "inventory",
    "payments",
    "marketing",
    "sessions",
    "refunds",
    "suppliers",
    "campaigns",
    "tickets",
    "subscriptions"
  };

  private final BenchSettings settings;

  public ServerSuite(BenchSettings settings) {
    this.settings = settings;
  }

  /** 10,000 assets at scale 1 or more, proportionally fewer below (at least 200). */
  int assets() {
    return (int) Math.max(FEWEST_ASSETS, Math.round(ASSETS * Math.min(1, settings.scale())));
  }

  /** Requests timed per endpoint: 200 at scale 1, at least 20. */
  int requests() {
    return (int) Math.max(20, Math.round(200 * Math.min(1, settings.scale())));
  }

  public SuiteResult run() {
    int assets = assets();
    Path project = settings.workDirectory().resolve("server-" + assets);
    Directories.deleteRecursively(project);
    int written = SyntheticProject.write(project, assets, "view");
    describe(project);
    SuiteResult result = new SuiteResult(NAME);
    try (Workspace workspace = Workspace.open(Project.load(project), Clock.systemUTC(), "bench")) {
      String token = token(workspace, "analyst");
      String adminToken = token(workspace, "operator");
      try (SluiceServer server =
          SluiceServer.start(
              ServerOptions.plain("127.0.0.1", 0), () -> workspace, Clock.systemUTC())) {
        HttpClient client =
            HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .executor(Executors.newFixedThreadPool(CLIENTS))
                .build();
        Caller caller = new Caller(client, server.url(), token, adminToken);
        long started = System.nanoTime();
        caller.get("/api/v1/search?q=orders");
        LOG.info(
            "server: {} assets, catalog and search index derived in {} ms",
            written,
            (System.nanoTime() - started) / 1_000_000);
        int requests = requests();
        Map<String, IntFunction<String>> sequential = new LinkedHashMap<>();
        sequential.put("asset list, first page", i -> "/api/v1/assets?limit=50");
        sequential.put(
            "asset list, last page", i -> "/api/v1/assets?limit=50&offset=" + (written - 50));
        sequential.put("one asset", i -> "/api/v1/assets/f_" + (i % 50));
        sequential.put("search, one word", i -> "/api/v1/search?q=" + WORDS[i % WORDS.length]);
        sequential.put(
            "search, two words",
            i ->
                "/api/v1/search?q="
                    + WORDS[i % WORDS.length]
                    + "%20"
                    + WORDS[(i + 3) % WORDS.length]);
        sequential.put("ui: asset graph", i -> "/ui");
        sequential.put("ui: asset page", i -> "/ui/assets/f_" + (i % 50));
        sequential.put("ui: runs", i -> "/ui/runs");
        sequential.put("ui: search", i -> "/ui/search?q=" + WORDS[i % WORDS.length]);
        for (Map.Entry<String, IntFunction<String>> endpoint : sequential.entrySet()) {
          for (int i = 0; i < Math.max(5, requests / 10); i++) {
            caller.get(endpoint.getValue().apply(i)); // warm-up
          }
          List<Double> samples = new ArrayList<>();
          for (int i = 0; i < requests; i++) {
            samples.add(caller.get(endpoint.getValue().apply(i)));
          }
          add(result, endpoint.getKey(), samples, 1);
        }
        concurrent(result, caller, written);
        judge(result, written);
        result.note(
            String.format(
                Locale.ROOT,
                "%,d generated view models (chains, fan-out, diamonds), each with a description"
                    + " and two tags in one properties file; an analyst reads them through a"
                    + " grant on curated.*. The server runs in the benchmark's JVM on 127.0.0.1"
                    + " and is called over HTTP by the JDK's client with an API token; each"
                    + " sequential endpoint is timed over %d requests after warm-up, the"
                    + " concurrent ones by %d clients while a run of 100 models executes."
                    + " Latency is the client's, from request to the whole body.",
                written,
                requests,
                CLIENTS));
      }
    }
    return result;
  }

  /**
   * The asset list and search from {@value #CLIENTS} clients at once, while a run of the first ten
   * chains (100 view models; one chain below scale 0.1) executes: each client calls until the run
   * ends, and at least ten times.
   */
  private void concurrent(SuiteResult result, Caller caller, int written) {
    StringBuilder select = new StringBuilder();
    long chains = Math.max(1, Math.round(10 * Math.min(1, settings.scale())));
    for (int chain = 0; chain < chains; chain++) {
      select.append(select.length() == 0 ? "" : ", ").append("\"c").append(chain).append("_0+\"");
    }
    String runId = caller.startRun("{\"select\": [" + select + "]}");
    List<Double> list = Collections.synchronizedList(new ArrayList<>());
    List<Double> search = Collections.synchronizedList(new ArrayList<>());
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    long started = System.nanoTime();
    try {
      List<Future<Integer>> done = new ArrayList<>();
      for (int client = 0; client < CLIENTS; client++) {
        int id = client;
        done.add(
            clients.submit(
                () -> {
                  int calls = 0;
                  while (calls < 10 || caller.running(runId)) {
                    if (calls % 2 == 0) {
                      list.add(
                          caller.get("/api/v1/assets?limit=50&offset=" + (calls * 50 % written)));
                    } else {
                      search.add(
                          caller.get("/api/v1/search?q=" + WORDS[(id + calls) % WORDS.length]));
                    }
                    calls++;
                    if (System.nanoTime() - started > Duration.ofMinutes(5).toNanos()) {
                      break;
                    }
                  }
                  return calls;
                }));
      }
      for (Future<Integer> each : done) {
        each.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while clients called the server", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("A client failed: " + e.getCause().getMessage(), e);
    } finally {
      clients.shutdownNow();
    }
    String status = caller.runStatus(runId);
    LOG.info(
        "server: {} concurrent calls, the run {} {}", list.size() + search.size(), runId, status);
    add(result, CLIENTS + " clients during a run: asset list", list, CLIENTS);
    add(result, CLIENTS + " clients during a run: search", search, CLIENTS);
    result.note(
        "The run started for the concurrent phase ("
            + runId
            + ") ended "
            + status
            + "; clients called until it ended.");
  }

  private static void add(SuiteResult result, String name, List<Double> samples, int clients) {
    Map<String, Number> metrics = new LinkedHashMap<>();
    metrics.put("p50Millis", percentile(samples, 50));
    metrics.put("p99Millis", percentile(samples, 99));
    metrics.put("requests", samples.size());
    metrics.put("clients", clients);
    result.add(name, "sluice", samples, metrics);
  }

  /** The {@code p}th percentile by the nearest-rank method. */
  static double percentile(List<Double> samples, int p) {
    List<Double> sorted = new ArrayList<>(samples);
    sorted.sort(null);
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  private static void judge(SuiteResult result, int assets) {
    for (String name :
        List.of("asset list, first page", "asset list, last page", "search, one word")) {
      double p99 =
          result
              .find(name, "sluice")
              .map(m -> m.metrics().get("p99Millis").doubleValue())
              .orElse(Double.NaN);
      result.target(
          String.format(
              Locale.ROOT, "%s: p99 under %.0f ms at %,d assets", name, P99_TARGET_MILLIS, assets),
          String.format(Locale.ROOT, "%.1f ms", p99),
          p99 < P99_TARGET_MILLIS);
    }
  }

  private static String token(Workspace workspace, String principal) {
    IssuedToken issued = Credentials.newToken(principal, Instant.now(), null, "bench");
    workspace.runStore().tokens().create(issued.record());
    return issued.token();
  }

  /** Gives every model a description and two tags, and the analyst a grant on them. */
  private static void describe(Path project) {
    try {
      StringBuilder yaml = new StringBuilder("models:\n");
      int i = 0;
      try (var files = Files.list(project.resolve("models/curated"))) {
        for (Path file : files.sorted().toList()) {
          String name = file.getFileName().toString();
          if (!name.endsWith(".sql")) {
            continue;
          }
          String word = WORDS[i % WORDS.length];
          String other = WORDS[(i * 7 + 3) % WORDS.length];
          yaml.append("  - name: ")
              .append(name, 0, name.length() - 4)
              .append("\n    description: Daily ")
              .append(word)
              .append(" joined with ")
              .append(other)
              .append(" for the reporting layer\n    tags: [")
              .append(word)
              .append(", tier")
              .append(i % 3)
              .append("]\n");
          i++;
        }
      }
      Files.writeString(project.resolve("models/curated/models.yaml"), yaml.toString());
      Files.writeString(
          project.resolve("policies.yaml"),
          "users:\n  - {name: analyst, roles: [analyst]}\n  - {name: operator, roles: [admin]}\n"
              + "roles:\n  - {name: analyst}\n  - {name: admin}\n"
              + "grants:\n  - {role: analyst, privileges: [read], on: [curated.*]}\n"
              + "  - {role: admin, privileges: [admin], on: [curated.*]}\n");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot describe the generated project in " + project, e);
    }
  }

  /** Calls the server with the analyst's token and times each call. */
  private record Caller(HttpClient client, String base, String token, String adminToken) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Milliseconds from sending a GET to having its whole body; fails on a status but 200. */
    double get(String path) {
      long started = System.nanoTime();
      HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(base + path)).GET());
      double millis = (System.nanoTime() - started) / 1e6;
      if (response.statusCode() != 200) {
        throw new IllegalStateException(
            "GET " + path + " answered " + response.statusCode() + ": " + response.body());
      }
      return millis;
    }

    String startRun(String body) {
      HttpResponse<String> response =
          send(
              HttpRequest.newBuilder(URI.create(base + "/api/v1/runs"))
                  .header("Content-Type", "application/json")
                  .header("Authorization", "Bearer " + adminToken)
                  .POST(HttpRequest.BodyPublishers.ofString(body)));
      if (response.statusCode() != 202) {
        throw new IllegalStateException(
            "Starting a run answered " + response.statusCode() + ": " + response.body());
      }
      return field(response.body(), "id");
    }

    String runStatus(String runId) {
      return field(
          send(HttpRequest.newBuilder(URI.create(base + "/api/v1/runs/" + runId)).GET()).body(),
          "status");
    }

    private static String field(String json, String name) {
      try {
        return JSON.readTree(json).path(name).asText();
      } catch (IOException e) {
        throw new UncheckedIOException("The server answered no JSON: " + json, e);
      }
    }

    boolean running(String runId) {
      return runStatus(runId).equals("running");
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
      try {
        return client.send(
            (request.build().headers().firstValue("Authorization").isPresent()
                    ? request
                    : request.header("Authorization", "Bearer " + token))
                .timeout(Duration.ofMinutes(1))
                .build(),
            HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot call " + base, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while calling " + base, e);
      }
    }
  }
}
