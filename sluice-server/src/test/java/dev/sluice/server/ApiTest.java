package dev.sluice.server;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.core.Workspace;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.Runner;
import dev.sluice.core.state.AuditAction;
import dev.sluice.core.state.AuditFilter;
import dev.sluice.server.api.Endpoint;
import dev.sluice.server.auth.Credentials;
import dev.sluice.server.auth.IssuedToken;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP API and its authentication (issue 14 items 2, 3) over a real project (DuckDB, Iceberg,
 * SQLite state) with policies: real HTTP calls with the JDK's client to a server on an ephemeral
 * port.
 */
class ApiTest {
  @TempDir static Path project;
  private static Workspace workspace;
  private static SluiceServer server;
  private static Http http;
  private static String analystToken;
  private static String adminToken;

  private static final String PASSWORD = "correct horse battery staple";

  @BeforeAll
  static void serve() throws Exception {
    write(project, "sluice.yaml", "name: shop\n");
    write(
        project,
        "seeds/people.csv",
        "id,name,email,country\n1,Alice Secret,alice.secret@hidden-mail.com,DE\n"
            + "2,Bob Hidden,bob.hidden@private.org,FR\n");
    write(project, "models/published/customers.sql", "select * from {{ ref('people') }}\n");
    write(project, "models/curated/internal.sql", "select id from {{ ref('people') }}\n");
    write(
        project,
        "policies.yaml",
        "users:\n"
            + "  - {name: analyst, roles: [analyst]}\n"
            + "  - {name: boss, roles: [admin]}\n"
            + "roles:\n  - {name: analyst}\n  - {name: admin}\n"
            + "grants:\n"
            + "  - {role: analyst, privileges: [read], on: [published.customers]}\n"
            + "  - {role: admin, privileges: [admin], on: [curated.*, published.*]}\n"
            + "masks:\n"
            + "  - {column: published.customers.email, mask: email_domain, exempt: [admin]}\n");
    workspace = Workspace.open(project);
    assertThat(new Runner(workspace).run(RunOptions.all(), RunListener.NONE).succeeded()).isTrue();
    Instant now = Instant.now();
    analystToken = token("analyst", now.plus(Duration.ofDays(1)));
    adminToken = token("boss", null);
    workspace
        .runStore()
        .passwords()
        .set("analyst", Credentials.hashPassword(PASSWORD.toCharArray()), now);
    server =
        SluiceServer.start(ServerOptions.plain("127.0.0.1", 0), () -> workspace, Clock.systemUTC());
    http = new Http(server.url());
  }

  @AfterAll
  static void stop() {
    server.close();
    workspace.close();
  }

  private static String token(String principal, Instant expiresAt) {
    IssuedToken issued = Credentials.newToken(principal, Instant.now(), expiresAt, "test");
    workspace.runStore().tokens().create(issued.record());
    return issued.token();
  }

  private static Http.Response query(String sql, String... headers) {
    return http.post(
        "/api/v1/query", "{\"sql\": " + new ObjectMapper().valueToTree(sql) + "}", headers);
  }

  @Test
  void withoutValidCredentialsEveryEndpointAnswers401() {
    assertThat(http.get("/api/v1/assets").status()).isEqualTo(401);
    assertThat(query("select 1").status()).isEqualTo(401);
    Http.Response forged =
        http.get("/api/v1/me", Http.bearer("sluice_0000000000000000_" + "a".repeat(43)));
    assertThat(forged.status()).isEqualTo(401);
    assertThat(forged.json().path("message").asText())
        .contains("Unknown API token 0000000000000000");
    Http.Response garbage = http.get("/api/v1/me", Http.bearer("not-a-token"));
    assertThat(garbage.status()).isEqualTo(401);
    assertThat(garbage.body()).doesNotContain("not-a-token");
  }

  @Test
  void revokedAndExpiredTokensAnswer401() {
    String revoked = token("analyst", null);
    assertThat(http.get("/api/v1/me", Http.bearer(revoked)).status()).isEqualTo(200);
    workspace.runStore().tokens().revoke(revoked.substring(7, 23), Instant.now());
    Http.Response afterRevoke = http.get("/api/v1/me", Http.bearer(revoked));
    assertThat(afterRevoke.status()).isEqualTo(401);
    assertThat(afterRevoke.json().path("message").asText()).contains("was revoked");
    assertThat(afterRevoke.body()).doesNotContain(revoked);

    String expired = token("analyst", Instant.now().minus(Duration.ofMinutes(1)));
    Http.Response afterExpiry = http.get("/api/v1/me", Http.bearer(expired));
    assertThat(afterExpiry.status()).isEqualTo(401);
    assertThat(afterExpiry.json().path("message").asText()).contains("expired at");
  }

  @Test
  void theAnalystReadsMaskedValuesThroughTheQueryServiceAndIsAudited() {
    Http.Response masked =
        query("select name, email from published.customers order by id", Http.bearer(analystToken));
    assertThat(masked.status()).as(masked.body()).isEqualTo(200);
    assertThat(masked.json().path("columns").toString()).contains("email");
    assertThat(masked.body()).doesNotContain("alice.secret").doesNotContain("bob.hidden");
    assertThat(masked.json().path("rows").get(0).get(1).asText()).endsWith("hidden-mail.com");

    Http.Response stored =
        query("select email from published.customers order by id", Http.bearer(adminToken));
    assertThat(stored.json().path("rows").get(0).get(0).asText())
        .isEqualTo("alice.secret@hidden-mail.com");

    assertThat(
            workspace.runStore().audit().records(AuditFilter.all().withAction(AuditAction.QUERY)))
        .anySatisfy(record -> assertThat(record.details()).contains("\"as\":\"analyst\""));
  }

  @Test
  void anUngrantedTableIsRefusedWith403() {
    Http.Response refused = query("select * from curated.internal", Http.bearer(analystToken));
    assertThat(refused.status()).as(refused.body()).isEqualTo(403);
    assertThat(refused.json().path("message").asText()).contains("curated.internal");
    assertThat(refused.json().path("fix").asText()).contains("policies.yaml");
  }

  @Test
  void malformedInputIsA400WithWhatAndWhere() {
    Http.Response broken = http.post("/api/v1/query", "{\"sql\": ", Http.bearer(analystToken));
    assertThat(broken.status()).isEqualTo(400);
    assertThat(broken.json().path("message").asText())
        .contains("not valid JSON")
        .contains("line 1");
    assertThat(broken.body()).doesNotContain("at com.fasterxml").doesNotContain("Exception");

    Http.Response noSql =
        http.post("/api/v1/query", "{\"query\": \"select 1\"}", Http.bearer(analystToken));
    assertThat(noSql.status()).isEqualTo(400);
    assertThat(noSql.json().path("message").asText()).contains("has no 'sql'");

    Http.Response notSelect = query("copy (select 1) to '/tmp/x.csv'", Http.bearer(analystToken));
    assertThat(notSelect.status()).isEqualTo(400);

    Http.Response badLimit = http.get("/api/v1/assets?limit=abc", Http.bearer(analystToken));
    assertThat(badLimit.status()).isEqualTo(400);
    assertThat(badLimit.json().path("message").asText()).contains("limit must be a whole number");
  }

  @Test
  void listsArePaginatedAndShowOnlyReadableAssets() {
    Http.Response analystAssets = http.get("/api/v1/assets", Http.bearer(analystToken));
    assertThat(analystAssets.status()).isEqualTo(200);
    assertThat(analystAssets.json().path("items")).hasSize(1);
    assertThat(analystAssets.json().path("items").get(0).path("name").asText())
        .isEqualTo("customers");

    Http.Response first = http.get("/api/v1/assets?limit=1", Http.bearer(adminToken));
    assertThat(first.json().path("items")).hasSize(1);
    assertThat(first.json().path("next").asInt()).isEqualTo(1);
    Http.Response last = http.get("/api/v1/assets?limit=2&offset=2", Http.bearer(adminToken));
    assertThat(last.json().path("items")).hasSize(1);
    assertThat(last.json().path("next").isNull()).isTrue();

    assertThat(http.get("/api/v1/assets/internal", Http.bearer(analystToken)).status())
        .isEqualTo(404);
    assertThat(http.get("/api/v1/runs?limit=1", Http.bearer(analystToken)).json().path("items"))
        .hasSize(1);
    // the oldest run is the one that built the project: the last item of the whole list
    JsonNode runs =
        http.get("/api/v1/runs?limit=500", Http.bearer(analystToken)).json().path("items");
    String runId = runs.get(runs.size() - 1).path("id").asText();
    assertThat(http.get("/api/v1/runs/" + runId, Http.bearer(analystToken)).json().path("steps"))
        .hasSize(3);
    assertThat(http.get("/api/v1/runs?status=done", Http.bearer(analystToken)).status())
        .isEqualTo(400);
  }

  @Test
  void anAdministratorStartsARunOfASelectionAndFollowsIt() {
    Http.Response refused =
        http.post("/api/v1/runs", "{\"select\": [\"customers\"]}", Http.bearer(analystToken));
    assertThat(refused.status()).isEqualTo(403);

    Http.Response unknown =
        http.post("/api/v1/runs", "{\"select\": [\"custmers\"]}", Http.bearer(adminToken));
    assertThat(unknown.status()).as(unknown.body()).isEqualTo(400);
    assertThat(unknown.json().path("message").asText()).contains("custmers");

    Http.Response badShape =
        http.post("/api/v1/runs", "{\"select\": \"customers\"}", Http.bearer(adminToken));
    assertThat(badShape.status()).isEqualTo(400);
    assertThat(badShape.json().path("message").asText()).contains("'select' must be a list");

    Http.Response started =
        http.post("/api/v1/runs", "{\"select\": [\"customers\"]}", Http.bearer(adminToken));
    assertThat(started.status()).as(started.body()).isEqualTo(202);
    String id = started.json().path("id").asText();
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofMinutes(2))
        .until(
            () ->
                http.get("/api/v1/runs/" + id, Http.bearer(analystToken))
                    .json()
                    .path("status")
                    .asText(),
            status -> !status.equals("running"));
    Http.Response run = http.get("/api/v1/runs/" + id, Http.bearer(analystToken));
    assertThat(run.json().path("status").asText()).isEqualTo("succeeded");
    assertThat(run.json().path("command").asText()).contains("api run by boss");
    // where each step's time went, by phase
    JsonNode phases = run.json().path("steps").path(0).path("phases");
    assertThat(phases.path("engine").asDouble()).as(run.body()).isPositive();
    assertThat(phases.path("runStore").asDouble()).as(run.body()).isPositive();

    Http.Response finished =
        http.post("/api/v1/runs/" + id + "/cancel", "", Http.bearer(adminToken));
    assertThat(finished.status()).as(finished.body()).isEqualTo(400);
  }

  @Test
  void theAuditLogIsForAdministratorsOnly() {
    Http.Response refused = http.get("/api/v1/audit", Http.bearer(analystToken));
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.json().path("message").asText()).contains("'admin' role");
    Http.Response audit = http.get("/api/v1/audit?limit=5&action=run", Http.bearer(adminToken));
    assertThat(audit.status()).isEqualTo(200);
    assertThat(audit.json().path("items").get(0).path("action").asText()).isEqualTo("run");
  }

  @Test
  void aSessionNeedsItsCsrfTokenToChangeState() {
    Http.Response login =
        http.post("/api/v1/login", "{\"user\": \"analyst\", \"password\": \"" + PASSWORD + "\"}");
    assertThat(login.status()).as(login.body()).isEqualTo(200);
    String setCookie = login.header("Set-Cookie");
    assertThat(setCookie).contains("HttpOnly").containsIgnoringCase("SameSite=Strict");
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    String csrf = login.json().path("csrfToken").asText();

    assertThat(http.get("/api/v1/me", "Cookie", cookie).json().path("principal").asText())
        .isEqualTo("analyst");
    Http.Response forged = query("select 1 as x", "Cookie", cookie);
    assertThat(forged.status()).isEqualTo(403);
    assertThat(forged.json().path("message").asText()).contains("X-CSRF-Token");
    Http.Response wrong = query("select 1 as x", "Cookie", cookie, "X-CSRF-Token", "guess");
    assertThat(wrong.status()).isEqualTo(403);
    Http.Response allowed = query("select 1 as x", "Cookie", cookie, "X-CSRF-Token", csrf);
    assertThat(allowed.status()).as(allowed.body()).isEqualTo(200);
  }

  @Test
  void failedSignInsAreRateLimitedAndAudited() {
    String wrong = "{\"user\": \"boss\", \"password\": \"wrong password here\"}";
    for (int attempt = 0; attempt < 5; attempt++) {
      Http.Response failed = http.post("/api/v1/login", wrong);
      assertThat(failed.status()).isEqualTo(401);
      assertThat(failed.body()).doesNotContain("wrong password here");
    }
    Http.Response limited = http.post("/api/v1/login", wrong);
    assertThat(limited.status()).isEqualTo(429);
    assertThat(limited.header("Retry-After")).isNotNull();
    assertThat(limited.json().path("message").asText())
        .contains("Too many failed sign-ins for 'boss'");
    assertThat(
            workspace.runStore().audit().records(AuditFilter.all().withAction(AuditAction.LOGIN)))
        .anySatisfy(record -> assertThat(record.details()).contains("rate_limited"))
        .allSatisfy(record -> assertThat(record.details()).doesNotContain("wrong password here"));
  }

  @Test
  void searchRanksTheCatalogAndShowsOnlyReadableAssets() {
    Http.Response found = http.get("/api/v1/search?q=email", Http.bearer(analystToken));
    assertThat(found.status()).as(found.body()).isEqualTo(200);
    assertThat(found.json().path("items")).hasSize(1);
    assertThat(found.json().path("items").get(0).path("name").asText()).isEqualTo("customers");
    assertThat(found.json().path("items").get(0).path("matchingColumns").toString())
        .contains("email");

    // the administrator reads every table: people (the seed) and customers both hold an email,
    // and a prefix finds them too
    Http.Response all = http.get("/api/v1/search?q=emai&limit=1", Http.bearer(adminToken));
    assertThat(all.json().path("items")).hasSize(1);
    assertThat(all.json().path("next").asInt()).isEqualTo(1);
    assertThat(http.get("/api/v1/search?q=internal", Http.bearer(adminToken)).json().path("items"))
        .hasSize(1);
    assertThat(
            http.get("/api/v1/search?q=internal", Http.bearer(analystToken)).json().path("items"))
        .isEmpty();

    Http.Response empty = http.get("/api/v1/search?q=%20", Http.bearer(analystToken));
    assertThat(empty.status()).isEqualTo(400);
    assertThat(empty.json().path("message").asText()).contains("/api/v1/search?q=");
    Http.Response punctuation = http.get("/api/v1/search?q=%2B%2B", Http.bearer(analystToken));
    assertThat(punctuation.status()).isEqualTo(400);
    assertThat(punctuation.json().path("message").asText()).contains("no word to look for");
    assertThat(http.get("/api/v1/search?q=email").status()).isEqualTo(401);
  }

  @Test
  void theOpenApiDocumentListsExactlyTheServedEndpoints() throws Exception {
    Http.Response document = http.get("/api/v1/openapi.json");
    assertThat(document.status()).isEqualTo(200);
    JsonNode served = document.json();
    JsonNode packaged;
    try (InputStream in = SluiceServer.class.getResourceAsStream("openapi.json")) {
      packaged = new ObjectMapper().readTree(in);
    }
    assertThat(served).isEqualTo(packaged);
    Set<String> documented = new HashSet<>();
    for (Iterator<String> paths = served.path("paths").fieldNames(); paths.hasNext(); ) {
      String path = paths.next();
      served
          .path("paths")
          .path(path)
          .fieldNames()
          .forEachRemaining(method -> documented.add(method.toUpperCase(Locale.ROOT) + " " + path));
    }
    Set<String> registered = new HashSet<>();
    for (Endpoint endpoint : server.endpoints()) {
      registered.add(endpoint.method().name() + " " + endpoint.path());
      assertThat(
              served
                  .path("paths")
                  .path(endpoint.path())
                  .path(endpoint.method().name().toLowerCase(Locale.ROOT))
                  .path("summary")
                  .asText())
          .as(endpoint.path())
          .isEqualTo(endpoint.summary());
    }
    assertThat(documented).isEqualTo(registered);
  }
}
