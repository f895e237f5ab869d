package dev.sluice.server;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.core.Workspace;
import dev.sluice.core.run.PartitionSelection;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import dev.sluice.core.state.AuditAction;
import dev.sluice.core.state.AuditFilter;
import dev.sluice.core.state.RunProcess;
import dev.sluice.server.auth.Credentials;
import dev.sluice.server.auth.IssuedToken;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API's lineage, partitions, checks, rerun, backfill and access request endpoints (issue 14
 * item 3) over a real project (DuckDB, Iceberg, SQLite state) with a partitioned model, a failing
 * warning check, a failing model and policies with a row filter: real HTTP calls to a server on an
 * ephemeral port.
 */
class ApiOperationsTest {
  @TempDir static Path project;
  private static Workspace workspace;
  private static SluiceServer server;
  private static Http http;
  private static String analyst;
  private static String boss;
  private static String steward;
  private static String intern;
  private static String failedRunId;

  /** The first day of the partitioned model: three days ago, so three partitions are complete. */
  private static LocalDate start;

  @BeforeAll
  static void serve() throws Exception {
    start = LocalDate.now(ZoneOffset.UTC).minusDays(3);
    write(project, "sluice.yaml", "name: operations\n");
    StringBuilder events = new StringBuilder("event_date,region,amount\n");
    for (int day = 0; day < 3; day++) {
      events.append(start.plusDays(day)).append(",eu,").append(day + 1).append('\n');
      events.append(start.plusDays(day)).append(",us,").append(10 * (day + 1)).append('\n');
    }
    write(project, "seeds/events.csv", events.toString());
    write(
        project,
        "models/curated/daily.sql",
        "select event_date, region, sum(amount) as amount from {{ ref('events') }}\n"
            + "where event_date >= '{{ start }}' and event_date < '{{ end }}'\n"
            + "group by event_date, region\n");
    write(
        project,
        "models/curated/daily.yaml",
        "models:\n  - name: daily\n    materialized: incremental_by_time_range\n"
            + "    partitions:\n      - {column: event_date, grain: day, start: "
            + start
            + "}\n");
    write(
        project,
        "models/published/report.sql",
        "select event_date, region, amount from {{ ref('daily') }}\n");
    write(
        project,
        "models/published/report.yaml",
        "models:\n  - name: report\n    columns:\n      - name: amount\n        checks:\n"
            + "          - expression: {expression: \"amount < 25\", severity: warn}\n");
    write(project, "models/curated/broken.sql", "select cast('abc' as integer) as x\n");
    write(
        project,
        "policies.yaml",
        "users:\n"
            + "  - {name: analyst, roles: [analyst]}\n"
            + "  - {name: boss, roles: [admin]}\n"
            + "  - {name: steward, roles: [steward]}\n"
            + "  - {name: intern, roles: [intern]}\n"
            + "roles:\n  - {name: analyst}\n  - {name: admin}\n  - {name: steward}\n"
            + "  - {name: intern}\n"
            + "grants:\n"
            + "  - {role: analyst, privileges: [read], on: [published.report]}\n"
            + "  - {role: steward, privileges: [grant], on: [published.*]}\n"
            + "  - {role: admin, privileges: [admin], on: [curated.*, published.*]}\n"
            + "row_filters:\n"
            + "  - {table: published.report, roles: [analyst], where: region = 'eu'}\n");
    workspace = Workspace.open(project);
    // the oldest day is left unbuilt: the grid shows it missing, and a backfill builds it
    RunResult first =
        new Runner(workspace)
            .run(
                new RunOptions(
                    List.of(),
                    List.of(),
                    false,
                    PartitionSelection.days(
                        PartitionSelection.Mode.ALL, start.plusDays(1), null, List.of(), 1),
                    0),
                RunListener.NONE);
    assertThat(first.succeeded()).isFalse();
    failedRunId = first.runId();
    analyst = token("analyst");
    boss = token("boss");
    steward = token("steward");
    intern = token("intern");
    server =
        SluiceServer.start(ServerOptions.plain("127.0.0.1", 0), () -> workspace, Clock.systemUTC());
    http = new Http(server.url());
  }

  @AfterAll
  static void stop() {
    server.close();
    workspace.close();
  }

  private static String token(String principal) {
    IssuedToken issued = Credentials.newToken(principal, Instant.now(), null, "test");
    workspace.runStore().tokens().create(issued.record());
    return issued.token();
  }

  private static JsonNode awaitFinished(String path, String token) {
    return Awaitility.await()
        .atMost(Duration.ofMinutes(2))
        .until(
            () -> http.get(path, Http.bearer(token)).json(),
            answer -> !answer.path("status").asText().equals("running"));
  }

  private static List<String> texts(JsonNode array, String field) {
    List<String> values = new ArrayList<>();
    array.forEach(item -> values.add(field == null ? item.asText() : item.path(field).asText()));
    return values;
  }

  @Test
  void lineageLeavesOutTheAssetsTheCallerMayNotRead() {
    Http.Response full = http.get("/api/v1/assets/report/lineage", Http.bearer(boss));
    assertThat(full.status()).as(full.body()).isEqualTo(200);
    assertThat(texts(full.json().path("upstream"), null)).containsExactly("daily");
    assertThat(full.json().path("hiddenUpstream").asInt()).isZero();
    JsonNode amount = column(full.json(), "amount");
    assertThat(texts(amount.path("upstream"), "asset")).contains("daily", "events");
    assertThat(amount.path("upstream").get(0).path("column").asText()).isEqualTo("amount");
    assertThat(amount.path("upstream").get(0).path("distance").asInt()).isEqualTo(1);

    Http.Response partial = http.get("/api/v1/assets/report/lineage", Http.bearer(analyst));
    assertThat(partial.status()).as(partial.body()).isEqualTo(200);
    assertThat(partial.json().path("upstream")).isEmpty();
    assertThat(partial.json().path("hiddenUpstream").asInt()).isEqualTo(1);
    JsonNode hidden = column(partial.json(), "amount");
    assertThat(hidden.path("upstream")).isEmpty();
    assertThat(hidden.path("hidden").asInt()).isGreaterThanOrEqualTo(2);
    assertThat(partial.body()).doesNotContain("daily").doesNotContain("events");

    Http.Response one = http.get("/api/v1/assets/report/lineage?column=amount", Http.bearer(boss));
    assertThat(one.json().path("columns")).hasSize(1);
    Http.Response unknownColumn =
        http.get("/api/v1/assets/report/lineage?column=amout", Http.bearer(boss));
    assertThat(unknownColumn.status()).isEqualTo(400);
    assertThat(unknownColumn.json().path("message").asText()).contains("amout").contains("amount");
    assertThat(http.get("/api/v1/assets/daily/lineage", Http.bearer(analyst)).status())
        .isEqualTo(404);
  }

  private static JsonNode column(JsonNode lineage, String name) {
    for (JsonNode column : lineage.path("columns")) {
      if (column.path("column").asText().equals(name)) {
        return column;
      }
    }
    throw new AssertionError("No column " + name + " in " + lineage);
  }

  @Test
  void checksShowTheirLatestResultAndHistoryWithSamplesOnlyForUnrestrictedReaders() {
    Http.Response checks = http.get("/api/v1/assets/report/checks", Http.bearer(boss));
    assertThat(checks.status()).as(checks.body()).isEqualTo(200);
    JsonNode check = checks.json().path("checks").get(0);
    assertThat(check.path("column").asText()).isEqualTo("amount");
    assertThat(check.path("severity").asText()).isEqualTo("warn");
    assertThat(check.path("latest").path("status").asText()).isEqualTo("failed");
    assertThat(check.path("latest").path("failingRows").asLong()).isEqualTo(1);
    assertThat(check.path("latest").path("sample").toString()).contains("30");

    // the analyst reads report through a row filter: the failing row is one it may not see
    Http.Response filtered = http.get("/api/v1/assets/report/checks", Http.bearer(analyst));
    assertThat(filtered.status()).isEqualTo(200);
    assertThat(filtered.json().path("checks").get(0).path("latest").has("sample")).isFalse();
    assertThat(filtered.json().path("checks").get(0).path("latest").path("failingRows").asLong())
        .isEqualTo(1);

    // the failing check is on the run's timeline, with what failed
    Http.Response events =
        http.get("/api/v1/runs/" + failedRunId + "/events?limit=500", Http.bearer(analyst));
    assertThat(events.status()).as(events.body()).isEqualTo(200);
    assertThat(events.json().path("items"))
        .anySatisfy(
            event -> {
              assertThat(event.path("asset").asText()).isEqualTo("report");
              assertThat(event.path("kind").asText()).isEqualTo("check failed");
              assertThat(event.path("message").asText())
                  .contains("on amount")
                  .contains("(warn)")
                  .contains("1 failing row");
            });

    Http.Response history =
        http.get("/api/v1/assets/report/checks/history?status=failed", Http.bearer(analyst));
    assertThat(history.status()).as(history.body()).isEqualTo(200);
    assertThat(history.json().path("items")).isNotEmpty();
    assertThat(texts(history.json().path("items"), "status")).containsOnly("failed");
    assertThat(history.json().path("items").get(0).path("runId").asText()).isNotBlank();
    Http.Response badStatus =
        http.get("/api/v1/assets/report/checks/history?status=broken", Http.bearer(analyst));
    assertThat(badStatus.status()).isEqualTo(400);
    assertThat(badStatus.json().path("message").asText()).contains("passed, failed, error");
    assertThat(http.get("/api/v1/assets/daily/checks", Http.bearer(analyst)).status())
        .isEqualTo(404);
  }

  @Test
  void theGridShowsAMissingPartitionThatABackfillThenBuildsWithItsProgress() {
    Http.Response before = http.get("/api/v1/assets/daily/partitions", Http.bearer(boss));
    assertThat(before.status()).as(before.body()).isEqualTo(200);
    assertThat(before.json().path("partitioned").asBoolean()).isTrue();
    assertThat(texts(before.json().path("items"), "partition"))
        .containsExactly(
            start.toString(), start.plusDays(1).toString(), start.plusDays(2).toString());
    assertThat(texts(before.json().path("items"), "status"))
        .containsExactly("missing", "materialized", "materialized");
    assertThat(
            http.get("/api/v1/assets/daily/partitions?status=missing", Http.bearer(boss))
                .json()
                .path("items"))
        .hasSize(1);
    assertThat(
            http.get("/api/v1/assets/report/partitions", Http.bearer(analyst))
                .json()
                .path("partitioned")
                .asBoolean())
        .isFalse();

    String body = "{\"select\": [\"daily\"], \"mode\": \"missing\"}";
    assertThat(http.post("/api/v1/backfills", body, Http.bearer(analyst)).status()).isEqualTo(403);
    Http.Response notPartitioned =
        http.post("/api/v1/backfills", "{\"select\": [\"report\"]}", Http.bearer(boss));
    assertThat(notPartitioned.status()).isEqualTo(400);
    assertThat(notPartitioned.json().path("message").asText()).contains("no partitioned model");
    Http.Response badDate =
        http.post(
            "/api/v1/backfills",
            "{\"select\": [\"daily\"], \"from\": \"yesterday\"}",
            Http.bearer(boss));
    assertThat(badDate.status()).isEqualTo(400);
    assertThat(badDate.json().path("message").asText()).contains("'from' must be a date");
    Http.Response badMode =
        http.post(
            "/api/v1/backfills", "{\"select\": [\"daily\"], \"mode\": \"due\"}", Http.bearer(boss));
    assertThat(badMode.status()).isEqualTo(400);
    assertThat(badMode.json().path("message").asText()).contains("all, missing, failed");

    Http.Response started = http.post("/api/v1/backfills", body, Http.bearer(boss));
    assertThat(started.status()).as(started.body()).isEqualTo(202);
    assertThat(texts(started.json().path("models"), null)).containsExactly("daily");
    String id = started.json().path("id").asText();
    JsonNode progress = awaitFinished("/api/v1/backfills/" + id, analyst);
    assertThat(progress.path("status").asText()).isEqualTo("succeeded");
    assertThat(progress.path("planned").asInt()).isEqualTo(1);
    assertThat(progress.path("succeeded").asInt()).isEqualTo(1);
    assertThat(progress.path("percentDone").asInt()).isEqualTo(100);
    assertThat(progress.path("steps").path("items").get(0).path("partition").asText())
        .isEqualTo(start.toString());

    assertThat(
            texts(http.get("/api/v1/backfills", Http.bearer(analyst)).json().path("items"), "id"))
        .contains(id);
    assertThat(
            texts(
                http.get("/api/v1/assets/daily/partitions", Http.bearer(boss)).json().path("items"),
                "status"))
        .containsOnly("materialized");
    assertThat(http.get("/api/v1/backfills/nope", Http.bearer(boss)).status()).isEqualTo(404);
  }

  @Test
  void theWorkersSharingTheStateAreListedWithTheirStatus() {
    Instant now = Instant.now();
    var workers = workspace.runStore().workers();
    workers.register("7@etl-1", new RunProcess("etl-1", 7), "0.1.0", 2, now);
    workers.running("7@etl-1", failedRunId, "daily", now);
    workers.register("8@etl-2", new RunProcess("etl-2", 8), "0.1.0", 1, now.minusSeconds(600));
    workers.register("9@etl-3", new RunProcess("etl-3", 9), "0.1.0", 1, now);
    workers.stopped("9@etl-3", now);

    assertThat(http.get("/api/v1/workers").status()).isEqualTo(401);
    JsonNode live = http.get("/api/v1/workers", Http.bearer(analyst)).json();
    assertThat(texts(live.path("items"), "id")).containsExactly("7@etl-1");
    JsonNode running = live.path("items").get(0);
    assertThat(running.path("status").asText()).isEqualTo("running");
    assertThat(running.path("run").asText()).isEqualTo(failedRunId);
    assertThat(running.path("step").asText()).isEqualTo("daily");
    assertThat(running.path("slots").asInt()).isEqualTo(2);
    assertThat(running.path("host").asText()).isEqualTo("etl-1");

    JsonNode all = http.get("/api/v1/workers?all=true", Http.bearer(analyst)).json();
    assertThat(texts(all.path("items"), "id")).contains("7@etl-1", "8@etl-2", "9@etl-3");
    assertThat(texts(all.path("items"), "status")).contains("running", "gone", "stopped");
  }

  @Test
  void aRerunRedoesOnlyWhatFailed() {
    assertThat(
            http.post("/api/v1/runs/" + failedRunId + "/rerun", "", Http.bearer(analyst)).status())
        .isEqualTo(403);
    Http.Response rerun =
        http.post("/api/v1/runs/" + failedRunId + "/rerun", "", Http.bearer(boss));
    assertThat(rerun.status()).as(rerun.body()).isEqualTo(202);
    String id = rerun.json().path("id").asText();
    assertThat(id).isNotEqualTo(failedRunId);
    JsonNode run = awaitFinished("/api/v1/runs/" + id, boss);
    assertThat(run.path("command").asText()).isEqualTo("resume " + failedRunId);
    // the model is still broken: it fails again, and nothing that succeeded was redone
    assertThat(texts(run.path("steps"), "asset")).containsExactly("broken");
    assertThat(run.path("status").asText()).isEqualTo("failed");

    Http.Response unknown = http.post("/api/v1/runs/nope/rerun", "", Http.bearer(boss));
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.json().path("message").asText()).contains("No run nope");
  }

  @Test
  void accessIsRequestedAndDecidedOverHttpNeverByTheRequester() {
    assertThat(http.get("/api/v1/assets/report", Http.bearer(intern)).status()).isEqualTo(404);
    Http.Response noReason =
        http.post(
            "/api/v1/access-requests", "{\"table\": \"published.report\"}", Http.bearer(intern));
    assertThat(noReason.status()).isEqualTo(400);
    assertThat(noReason.json().path("message").asText()).contains("needs a reason");
    Http.Response badPeriod =
        http.post(
            "/api/v1/access-requests",
            "{\"table\": \"published.report\", \"reason\": \"x\", \"period\": \"forever\"}",
            Http.bearer(intern));
    assertThat(badPeriod.status()).isEqualTo(400);

    Http.Response asked =
        http.post(
            "/api/v1/access-requests",
            "{\"table\": \"published.report\", \"reason\": \"quarterly numbers\", \"period\":"
                + " \"7d\"}",
            Http.bearer(intern));
    assertThat(asked.status()).as(asked.body()).isEqualTo(201);
    long id = asked.json().path("id").asLong();
    assertThat(asked.json().path("status").asText()).isEqualTo("pending");

    assertThat(
            texts(
                http.get("/api/v1/access-requests", Http.bearer(intern)).json().path("items"),
                "id"))
        .contains(Long.toString(id));
    // the analyst neither made it nor may decide it
    assertThat(
            texts(
                http.get("/api/v1/access-requests", Http.bearer(analyst)).json().path("items"),
                "id"))
        .doesNotContain(Long.toString(id));
    Http.Response self =
        http.post("/api/v1/access-requests/" + id + "/approve", "", Http.bearer(intern));
    assertThat(self.status()).isEqualTo(403);
    Http.Response outsider =
        http.post("/api/v1/access-requests/" + id + "/approve", "", Http.bearer(analyst));
    assertThat(outsider.status()).isEqualTo(403);
    assertThat(http.post("/api/v1/access-requests/abc/approve", "", Http.bearer(steward)).status())
        .isEqualTo(400);

    Http.Response approved =
        http.post(
            "/api/v1/access-requests/" + id + "/approve",
            "{\"reason\": \"for Q3\"}",
            Http.bearer(steward));
    assertThat(approved.status()).as(approved.body()).isEqualTo(200);
    assertThat(approved.json().path("status").asText()).isEqualTo("approved");
    assertThat(approved.json().path("decision").path("by").asText()).isEqualTo("steward");
    assertThat(http.get("/api/v1/assets/report", Http.bearer(intern)).status()).isEqualTo(200);
    Http.Response twice =
        http.post("/api/v1/access-requests/" + id + "/deny", "", Http.bearer(steward));
    assertThat(twice.status()).isEqualTo(400);
    assertThat(
            workspace
                .runStore()
                .audit()
                .records(AuditFilter.all().withAction(AuditAction.ACCESS_REQUEST)))
        .isNotEmpty();
  }
}
