package dev.sluice.alerts;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.core.Workspace;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import dev.sluice.core.state.AuditAction;
import dev.sluice.core.state.AuditFilter;
import dev.sluice.core.state.AuditRecord;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real runs (DuckDB, Iceberg, SQLite) of projects with {@code alerts:} rules, delivering to a real
 * HTTP server (the webhook and the Slack-compatible channel) and a real SMTP server (GreenMail).
 */
class AlertsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SECRET_PATH = "/services/T000/B000/slack-secret-path";

  @TempDir Path project;

  private HttpServer http;
  private GreenMail smtp;
  private final List<Map.Entry<String, JsonNode>> posts =
      Collections.synchronizedList(new ArrayList<>());
  private final List<String> authorizations = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void startServers() throws IOException {
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    for (String path : List.of("/hook", SECRET_PATH)) {
      http.createContext(
          path,
          exchange -> {
            try (InputStream body = exchange.getRequestBody()) {
              authorizations.add(
                  String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
              posts.add(
                  Map.entry(
                      path,
                      JSON.readTree(new String(body.readAllBytes(), StandardCharsets.UTF_8))));
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
          });
    }
    http.start();
    smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
    smtp.start();
  }

  @AfterEach
  void stopServers() {
    http.stop(0);
    smtp.stop();
  }

  private String url(String path) {
    return "http://127.0.0.1:" + http.getAddress().getPort() + path;
  }

  private void writeProject(String rules) throws IOException {
    write(project, "hook.token", "hook-token-never-logged\n");
    write(project, "slack.url", url(SECRET_PATH) + "\n");
    write(
        project,
        "sluice.yaml",
        "name: shop\n"
            + "alerts:\n"
            + "  channels:\n"
            + "    ops: {type: webhook, url: \""
            + url("/hook")
            + "\", token: \"${file:hook.token}\"}\n"
            + "    oncall: {type: slack, url: \"${file:slack.url}\"}\n"
            + "    team:\n"
            + "      type: email\n"
            + "      to: [data-team@example.com, lead@example.com]\n"
            + "      from: sluice@example.com\n"
            + "      smtp: {host: 127.0.0.1, port: "
            + smtp.getSmtp().getPort()
            + ", security: none}\n"
            + "  rules:\n"
            + rules);
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
  }

  private RunResult run() {
    try (Workspace workspace = Workspace.open(project)) {
      return new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
    }
  }

  private List<AuditRecord> alertAudit() {
    try (Workspace workspace = Workspace.open(project)) {
      return workspace.runStore().audit().records(AuditFilter.all().withAction(AuditAction.ALERT));
    }
  }

  private List<JsonNode> postsTo(String path) {
    synchronized (posts) {
      return posts.stream()
          .filter(post -> post.getKey().equals(path))
          .map(Map.Entry::getValue)
          .toList();
    }
  }

  @Test
  void aFailedCheckFiresOnceThenResolvesOnceOnTheWebhook() throws IOException {
    writeProject(
        "    - {name: bad-data, on: check_failed, select: [customers], channels: [ops]}\n");

    assertThat(run().succeeded()).isTrue(); // a warn check fails: published anyway
    List<JsonNode> hook = postsTo("/hook");
    assertThat(hook).hasSize(1);
    JsonNode firing = hook.get(0);
    assertThat(firing.path("status").asText()).isEqualTo("firing");
    assertThat(firing.path("rule").asText()).isEqualTo("bad-data");
    assertThat(firing.path("trigger").asText()).isEqualTo("check_failed");
    assertThat(firing.path("subject").asText()).isEqualTo("customers: unique(id)");
    assertThat(firing.path("summary").asText())
        .isEqualTo("check unique(id) on curated.customers failed");
    assertThat(firing.path("detail").asText()).contains("1 row(s) failed it (severity warn");
    assertThat(authorizations).containsOnly("Bearer hook-token-never-logged");

    run(); // still failing: the incident is open, nothing is sent
    assertThat(postsTo("/hook")).hasSize(1);

    write(project, "seeds/people.csv", "id,name\n1,Ann\n2,Bob\n");
    run();
    hook = postsTo("/hook");
    assertThat(hook).hasSize(2);
    assertThat(hook.get(1).path("status").asText()).isEqualTo("resolved");
    assertThat(hook.get(1).path("summary").asText())
        .isEqualTo("check unique(id) on curated.customers passes again");

    run(); // passing still: nothing more
    assertThat(postsTo("/hook")).hasSize(2);

    List<AuditRecord> audit = alertAudit();
    assertThat(audit).hasSize(2);
    assertThat(audit.get(0).details())
        .contains("\"status\":\"firing\"")
        .contains("\"delivered\":true")
        .doesNotContain("hook-token-never-logged");
    assertThat(audit.get(1).details()).contains("\"status\":\"resolved\"");
  }

  @Test
  void aFailedStepGoesToSlackAndByEmailAndItsRecoveryToo() throws Exception {
    writeProject("    - {name: failures, on: run_failed, channels: [oncall, team]}\n");
    write(project, "models/curated/broken.sql", "select no_such_column from {{ ref('people') }}\n");

    assertThat(run().succeeded()).isFalse();
    List<JsonNode> slack = postsTo(SECRET_PATH);
    assertThat(slack).hasSize(1);
    assertThat(slack.get(0).path("text").asText())
        .startsWith(":red_circle: *[shop] FIRING: step broken failed (curated.broken)*")
        .contains("no_such_column");
    assertThat(smtp.waitForIncomingEmail(5_000, 2)).isTrue();
    MimeMessage[] mails = smtp.getReceivedMessages();
    assertThat(mails).hasSize(2); // one per recipient
    assertThat(mails[0].getSubject())
        .isEqualTo("[shop] FIRING: step broken failed (curated.broken)");
    assertThat(mails[0].getFrom()[0].toString()).isEqualTo("sluice@example.com");
    assertThat(String.valueOf(mails[0].getContent()))
        .contains("no_such_column")
        .contains("Rule: failures (run_failed)");

    write(project, "models/curated/broken.sql", "select name from {{ ref('people') }}\n");
    assertThat(run().succeeded()).isTrue();
    slack = postsTo(SECRET_PATH);
    assertThat(slack).hasSize(2);
    assertThat(slack.get(1).path("text").asText())
        .startsWith(":large_green_circle: *[shop] RESOLVED: step broken succeeded again");
    assertThat(smtp.waitForIncomingEmail(5_000, 4)).isTrue();
    List<String> subjects = new ArrayList<>();
    for (MimeMessage mail : smtp.getReceivedMessages()) {
      subjects.add(mail.getSubject());
    }
    assertThat(subjects)
        .containsExactlyInAnyOrder(
            "[shop] FIRING: step broken failed (curated.broken)",
            "[shop] FIRING: step broken failed (curated.broken)",
            "[shop] RESOLVED: step broken succeeded again (curated.broken)",
            "[shop] RESOLVED: step broken succeeded again (curated.broken)");

    // the Slack webhook's URL is its credential: never in the audit log
    assertThat(alertAudit())
        .hasSize(4)
        .allSatisfy(record -> assertThat(record.details()).doesNotContain("slack-secret-path"));
  }

  @Test
  void aStaleTableFiresOnTheSchedulersTickAndResolvesWhenFresh() throws Exception {
    writeProject(
        "    - {name: stale, on: freshness, max_age: 1h, select: [customers], channels: [ops]}\n");
    assertThat(run().succeeded()).isTrue();
    assertThat(postsTo("/hook")).isEmpty(); // just built: fresh

    try (Workspace workspace = Workspace.open(project)) {
      Instant later = Instant.now().plus(Duration.ofHours(3));
      workspace.observers().tick(later);
      workspace.observers().tick(later.plusSeconds(60));
    }
    List<JsonNode> hook = postsTo("/hook");
    assertThat(hook).hasSize(1);
    assertThat(hook.get(0).path("status").asText()).isEqualTo("firing");
    assertThat(hook.get(0).path("summary").asText()).isEqualTo("curated.customers is stale");
    assertThat(hook.get(0).path("detail").asText()).contains("more than max_age 60m");

    try (Workspace workspace = Workspace.open(project)) {
      workspace.observers().tick(Instant.now());
    }
    hook = postsTo("/hook");
    assertThat(hook).hasSize(2);
    assertThat(hook.get(1).path("status").asText()).isEqualTo("resolved");
  }

  @Test
  void anSloBreachFiresOnTheSchedulersTickAndResolvesWhenFreshAgain() throws Exception {
    writeProject("    - {name: slo, on: slo_breach, select: [customers], channels: [ops]}\n");
    write(
        project,
        "models/curated/models.yaml",
        "models:\n"
            + "  - name: customers\n"
            + "    freshness: {warn_after: 30m, error_after: 1h}\n"
            + "    slo: {fresh: 99%, window: 1d}\n");
    assertThat(run().succeeded()).isTrue();
    assertThat(postsTo("/hook")).isEmpty(); // just built: fresh

    try (Workspace workspace = Workspace.open(project)) {
      Instant later = Instant.now().plus(Duration.ofHours(3));
      workspace.observers().tick(later);
      workspace.observers().tick(later.plusSeconds(60));
      assertThat(workspace.runStore().freshnessBreaches().since("customers", later))
          .extracting(breach -> breach.level())
          .containsExactly("warn", "error");
    }
    List<JsonNode> hook = postsTo("/hook");
    assertThat(hook).hasSize(1);
    assertThat(hook.get(0).path("status").asText()).isEqualTo("firing");
    assertThat(hook.get(0).path("summary").asText())
        .isEqualTo("customers breaches its freshness slo");
    assertThat(hook.get(0).path("detail").asText())
        .contains("more than error_after 1h")
        .contains("error budget is spent");

    assertThat(run().succeeded()).isTrue();
    // judged at the real time again: fresh, and no stale time in the window
    try (Workspace workspace = Workspace.open(project)) {
      workspace.observers().tick(Instant.now());
    }
    hook = postsTo("/hook");
    assertThat(hook).hasSize(2);
    assertThat(hook.get(1).path("status").asText()).isEqualTo("resolved");
  }

  @Test
  void anUnreachableChannelNeverFailsTheRunAndIsAuditedAsUndelivered() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    writeProject("    - {name: bad-data, on: check_failed, channels: [ops]}\n");
    String config =
        java.nio.file.Files.readString(project.resolve("sluice.yaml"))
            .replace(url("/hook"), "http://127.0.0.1:" + closedPort + "/hook");
    write(project, "sluice.yaml", config);

    assertThat(run().succeeded()).isTrue();
    List<AuditRecord> audit = alertAudit();
    assertThat(audit).hasSize(1);
    assertThat(audit.get(0).details())
        .contains("\"delivered\":false")
        .contains("Cannot reach alert channel 'ops'")
        .doesNotContain("hook-token-never-logged");
  }

  @Test
  void aSpentBudgetAndARefusedRunAreSentOnceAMonthToBudgetRules() throws Exception {
    writeProject("    - {name: spending, on: budget, channels: [ops]}\n");
    String config = java.nio.file.Files.readString(project.resolve("sluice.yaml"));
    write(
        project,
        "sluice.yaml",
        config
            + "cost: {currency: EUR, compute: 0.05 per cpu-hour, storage: 1000000000000 per"
            + " gb-month}\n"
            + "budgets:\n"
            + "  - {owner: crm, monthly: 1}\n");
    write(project, "models/curated/models.yaml", "models:\n  - name: customers\n    owner: crm\n");
    assertThat(run().succeeded()).isTrue();
    assertThat(postsTo("/hook")).as("nothing spent before storage is measured").isEmpty();
    try (Workspace workspace = Workspace.open(project)) {
      new dev.sluice.core.cost.CostAccounting(workspace).measureStorage();
    }

    assertThat(run().succeeded()).isTrue();
    List<JsonNode> hook = postsTo("/hook");
    assertThat(hook).hasSize(1);
    JsonNode spent = hook.get(0);
    assertThat(spent.path("trigger").asText()).isEqualTo("budget");
    assertThat(spent.path("status").asText()).isEqualTo("firing");
    assertThat(spent.path("subject").asText()).startsWith("owner crm exceeded ");
    assertThat(spent.path("summary").asText())
        .isEqualTo("the budget of owner crm is spent this month");
    assertThat(spent.path("detail").asText()).contains("of 1.00 EUR", "sluice cost --by owner");

    run(); // still spent this month: the incident is open, nothing more is sent
    assertThat(postsTo("/hook")).hasSize(1);
  }
}
