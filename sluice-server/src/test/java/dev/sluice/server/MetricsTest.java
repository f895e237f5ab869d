package dev.sluice.server;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.core.Workspace;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import dev.sluice.core.schedule.Scheduler;
import dev.sluice.server.auth.Credentials;
import dev.sluice.server.auth.IssuedToken;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics} (issue 14 item 7) after a real run and a real scheduler tick, its text read by
 * the Prometheus text-format parser of Prometheus's own Python client ({@code
 * prometheus_client.parser}, Debian's python3-prometheus-client, installed by .ci/run): a parse
 * error fails the test, and the values asserted are the parser's.
 */
class MetricsTest {
  /** The interpreter Debian's python3-prometheus-client installs for. */
  private static final String PYTHON = "/usr/bin/python3";

  private static final String PARSE =
      String.join(
          "\n",
          "import json, math, sys",
          "from prometheus_client.parser import text_string_to_metric_families",
          "samples = []",
          "for family in text_string_to_metric_families(sys.stdin.read()):",
          "    for s in family.samples:",
          "        samples.append({'family': family.name, 'type': family.type, 'name': s.name,",
          "            'labels': s.labels, 'value': None if math.isnan(s.value) else s.value})",
          "json.dump(samples, sys.stdout)");

  @TempDir static Path project;
  private static Workspace workspace;
  private static SluiceServer server;
  private static Http http;
  private static String token;
  private static RunResult run;

  /** One sample as the parser read it. */
  record Sample(
      String family, String type, String name, Map<String, String> labels, Double value) {}

  @BeforeAll
  static void serveAndRun() throws Exception {
    write(project, "sluice.yaml", "name: shop\n");
    write(project, "seeds/people.csv", "id,name\n1,Ann\n2,Bob\n2,Bob again\n");
    write(project, "models/curated/customers.sql", "select id, name from {{ ref('people') }}\n");
    write(
        project,
        "models/curated/models.yaml",
        "models:\n"
            + "  - name: customers\n"
            + "    columns:\n"
            + "      - name: id\n"
            + "        checks: [{unique: {severity: warn}}]\n");
    write(
        project,
        "policies.yaml",
        "users:\n  - {name: prometheus, roles: [monitoring]}\nroles:\n  - {name: monitoring}\n");
    workspace = Workspace.open(project);
    IssuedToken issued = Credentials.newToken("prometheus", Instant.now(), null, "test");
    workspace.runStore().tokens().create(issued.record());
    token = issued.token();
    server =
        SluiceServer.start(ServerOptions.plain("127.0.0.1", 0), () -> workspace, Clock.systemUTC());
    http = new Http(server.url());
    run = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
    assertThat(run.succeeded()).isTrue();
    Scheduler scheduler =
        new Scheduler(workspace, "metrics-test", Clock.systemUTC(), Duration.ofMinutes(1));
    scheduler.evaluate();
    scheduler.releaseLease();
    assertThat(http.get("/api/v1/runs/" + run.runId(), Http.bearer(token)).status()).isEqualTo(200);
  }

  @AfterAll
  static void stop() {
    server.close();
    workspace.close();
  }

  private static List<Sample> scrape() throws IOException, InterruptedException {
    Http.Response response = http.get("/metrics", Http.bearer(token));
    assertThat(response.status()).as(response.body()).isEqualTo(200);
    assertThat(response.header("Content-Type")).startsWith("text/plain; version=0.0.4");
    return parse(response.body());
  }

  /** The parser's exit status, output and errors for an exposition. */
  private record Parsed(int exit, String json, String errors) {}

  private static Parsed runParser(String exposition) throws IOException, InterruptedException {
    assertThat(Path.of(PYTHON))
        .as("the Prometheus parser needs Debian's python3-prometheus-client (.ci/run installs it)")
        .exists();
    Path out = Files.createTempFile(project, "parsed", ".json");
    Path err = Files.createTempFile(project, "parse", ".err");
    Process parser =
        new ProcessBuilder(PYTHON, "-c", PARSE)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    try (OutputStream in = parser.getOutputStream()) {
      in.write(exposition.getBytes(StandardCharsets.UTF_8));
    }
    assertThat(parser.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Parsed(parser.exitValue(), Files.readString(out), Files.readString(err));
  }

  /** The exposition read by Prometheus's own parser; fails on anything it cannot read. */
  private static List<Sample> parse(String exposition) throws IOException, InterruptedException {
    Parsed parsed = runParser(exposition);
    assertThat(parsed.exit())
        .as(
            "the Prometheus parser refused the exposition (is Debian's python3-prometheus-client"
                + " installed?): %s",
            parsed.errors())
        .isZero();
    List<Sample> samples = new ArrayList<>();
    for (JsonNode node : new ObjectMapper().readTree(parsed.json())) {
      Map<String, String> labels = new TreeMap<>();
      node.path("labels")
          .fields()
          .forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
      samples.add(
          new Sample(
              node.path("family").asText(),
              node.path("type").asText(),
              node.path("name").asText(),
              labels,
              node.path("value").isNull() ? null : node.path("value").asDouble()));
    }
    return samples;
  }

  private static List<Sample> named(List<Sample> samples, String name, String... labels) {
    List<Sample> found = new ArrayList<>();
    for (Sample sample : samples) {
      boolean matches = sample.name().equals(name);
      for (int i = 0; matches && i < labels.length; i += 2) {
        matches = labels[i + 1].equals(sample.labels().get(labels[i]));
      }
      if (matches) {
        found.add(sample);
      }
    }
    return found;
  }

  private static double value(List<Sample> samples, String name, String... labels) {
    List<Sample> found = named(samples, name, labels);
    assertThat(found).as("one sample %s %s", name, List.of(labels)).hasSize(1);
    return found.get(0).value();
  }

  @Test
  void runsStepsRowsAndCheckFailuresAreCountedAfterARealRun() throws Exception {
    List<Sample> samples = scrape();
    assertThat(value(samples, "sluice_runs_total", "status", "succeeded")).isEqualTo(1.0);
    assertThat(named(samples, "sluice_runs_total", "status", "failed")).isEmpty();
    assertThat(value(samples, "sluice_steps_total", "kind", "seed", "status", "succeeded"))
        .isEqualTo(1.0);
    assertThat(value(samples, "sluice_steps_total", "kind", "model", "status", "succeeded"))
        .isEqualTo(1.0);
    assertThat(value(samples, "sluice_written_rows_total", "asset", "customers", "kind", "model"))
        .isEqualTo(3.0);
    assertThat(value(samples, "sluice_written_rows_total", "asset", "people", "kind", "seed"))
        .isEqualTo(3.0);
    assertThat(value(samples, "sluice_written_bytes_total", "asset", "customers", "kind", "model"))
        .isPositive();
    assertThat(
            value(
                samples,
                "sluice_check_failures_total",
                "asset",
                "customers",
                "check",
                "unique(id)",
                "severity",
                "warn"))
        .isEqualTo(1.0);
    assertThat(value(samples, "sluice_steps_queued")).isZero();
    assertThat(value(samples, "sluice_steps_running")).isZero();
    assertThat(value(samples, "sluice_runs_running")).isZero();
  }

  @Test
  void stepDurationsAreAHistogram() throws Exception {
    List<Sample> samples = scrape();
    Sample count =
        named(samples, "sluice_step_duration_seconds_count", "kind", "model", "status", "succeeded")
            .get(0);
    assertThat(count.type()).isEqualTo("histogram");
    assertThat(count.value()).isEqualTo(1.0);
    List<Sample> buckets =
        named(
            samples, "sluice_step_duration_seconds_bucket", "kind", "model", "status", "succeeded");
    assertThat(buckets).hasSizeGreaterThan(5);
    assertThat(named(buckets, "sluice_step_duration_seconds_bucket", "le", "+Inf"))
        .extracting(Sample::value)
        .containsExactly(1.0);
    double stepSeconds =
        run.steps().stream()
                .filter(step -> step.asset().equals("customers"))
                .findFirst()
                .orElseThrow()
                .duration()
                .toNanos()
            / 1e9;
    assertThat(
            value(
                samples,
                "sluice_step_duration_seconds_sum",
                "kind",
                "model",
                "status",
                "succeeded"))
        .isCloseTo(stepSeconds, org.assertj.core.data.Offset.offset(0.001));
  }

  @Test
  void freshnessPerAssetAndTheSchedulersTickAreGauges() throws Exception {
    List<Sample> samples = scrape();
    Sample customers =
        named(samples, "sluice_asset_freshness_lag_seconds", "asset", "customers").get(0);
    assertThat(customers.type()).isEqualTo("gauge");
    assertThat(customers.value()).isNotNull().isGreaterThanOrEqualTo(0.0);
    assertThat(named(samples, "sluice_asset_freshness_lag_seconds", "asset", "people")).hasSize(1);
    assertThat(value(samples, "sluice_scheduler_ticks_total")).isEqualTo(1.0);
    assertThat(named(samples, "sluice_scheduler_tick_lag_seconds").get(0).value())
        .isNotNull()
        .isGreaterThanOrEqualTo(0.0);
  }

  @Test
  void requestLatencyIsByRouteNotByPathAndTheJvmIsThere() throws Exception {
    // a request is recorded once its answer is sent, which the client may see first
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        named(
                            scrape(),
                            "sluice_http_server_requests_seconds_count",
                            "route",
                            "/api/v1/runs/{id}",
                            "method",
                            "GET",
                            "status",
                            "200"))
                    .extracting(Sample::value)
                    .containsExactly(1.0));
    List<Sample> samples = scrape();
    assertThat(samples)
        .noneMatch(sample -> String.valueOf(sample.labels().get("route")).contains(run.runId()));
    assertThat(named(samples, "jvm_memory_used_bytes")).isNotEmpty();
    assertThat(named(samples, "jvm_threads_live_threads")).hasSize(1);
    assertThat(named(samples, "process_uptime_seconds")).hasSize(1);
  }

  @Test
  void theParserRefusesWhatIsNotTheTextFormat() throws Exception {
    assertThat(runParser("sluice_runs_total{status=\"x\" 1\n").exit()).isNotZero();
    assertThat(runParser("sluice_runs_total{status=\"x\"} one\n").exit()).isNotZero();
  }

  @Test
  void metricsNeedCredentials() {
    Http.Response anonymous = http.get("/metrics");
    assertThat(anonymous.status()).isEqualTo(401);
    assertThat(anonymous.json().path("message").asText()).contains("Sign in first");
    assertThat(anonymous.body()).doesNotContain("sluice_runs_total");
  }
}
