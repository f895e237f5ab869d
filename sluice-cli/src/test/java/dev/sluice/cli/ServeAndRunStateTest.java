package dev.sluice.cli;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.core.Workspace;
import dev.sluice.core.state.AbandonedRuns;
import dev.sluice.core.state.RunProcess;
import dev.sluice.core.state.RunStatus;
import dev.sluice.core.state.RunStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Run state and the scheduler as an operator meets them: killed, paused and signalled processes
 * (real child processes and real signals), {@code runs cancel} of a dead run, and {@code serve}'s
 * lease, sensors and reloads.
 */
class ServeAndRunStateTest {
  private static final Duration STARTUP = Duration.ofSeconds(90);

  @TempDir Path project;

  private InProcessCli.Result sluice(String... args) {
    return InProcessCli.sluice(project, args);
  }

  private Optional<String> schedulerLeaseHolder() {
    try (RunStore store = RunsCommand.openStore(project)) {
      return store.locks().lockHolder("scheduler").map(lock -> lock.owner());
    }
  }

  @Test
  void sigtermStopsServeCleanlyAndReleasesTheLease() throws Exception {
    write(
        project,
        "sluice.yaml",
        "name: served\nschedules:\n  - {name: yearly, cron: \"0 0 1 1 *\"}\n");
    write(project, "models/curated/base.sql", "select 1 as x\n");

    try (SluiceChildProcess serve =
        SluiceChildProcess.start(
            project, "serve", "--interval", "1", "--port", "0", "--flight-port", "0")) {
      String serving = serve.awaitLine(line -> line.contains("Serving http://"), STARTUP);
      // the Flight SQL endpoint for BI tools listens on the same host (FlightSqlTest tests it)
      String flight = serve.awaitLine(line -> line.contains("Serving Flight SQL on"), STARTUP);
      int flightPort =
          Integer.parseInt(flight.replaceAll(".*grpc://127\\.0\\.0\\.1:([0-9]+).*", "$1"));
      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", flightPort)) {
        assertThat(socket.isConnected()).isTrue();
      }
      serve.awaitLine(line -> line.contains("Holding the scheduler lease"), STARTUP);
      assertThat(schedulerLeaseHolder()).contains(serve.process().pid() + "@" + host());
      // the HTTP server runs beside the scheduler, on this machine only, until the same stop
      String url = serving.replaceAll(".*Serving (http://[^ ]+).*", "$1");
      assertThat(url).startsWith("http://127.0.0.1:");
      java.net.http.HttpResponse<String> live =
          java.net.http.HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "/health/live"))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(live.statusCode()).isEqualTo(200);

      serve.signal("TERM");

      serve.awaitExit(Duration.ofSeconds(60));
      assertThat(serve.stderr())
          .contains("Asked to stop (SIGTERM)")
          .contains("Stopping: the scheduler lease is released.");
    }
    assertThat(schedulerLeaseHolder()).isEmpty();

    // a server started right after acts at once, and gives the lease up when it exits
    InProcessCli.Result once = sluice("serve", "--once");
    assertThat(once.code()).as(once.err()).isZero();
    assertThat(once.err()).contains("Holding the scheduler lease: acting.");
    assertThat(schedulerLeaseHolder()).isEmpty();
  }

  @Test
  void serveEvaluatesSensorsWithoutSchedulesAndTakesNoLeaseWithNeither() throws Exception {
    write(project, "sluice.yaml", "name: sensed\n");
    write(project, "models/curated/base.sql", "select 1 as x\n");

    InProcessCli.Result idle = sluice("serve", "--once");
    assertThat(idle.code()).as(idle.err()).isZero();
    assertThat(idle.err()).contains("No schedules or sensors in sluice.yaml");
    assertThat(schedulerLeaseHolder()).isEmpty();

    write(
        project,
        "sluice.yaml",
        "name: sensed\nsensors:\n  - {name: base_fresh, type: freshness, select: [base],"
            + " max_age: 60m}\n");
    InProcessCli.Result sensed = sluice("serve", "--once");
    assertThat(sensed.code()).as(sensed.err()).isZero();
    assertThat(sensed.err())
        .contains("0 schedule(s), 1 sensor(s)")
        .contains("Schedule base_fresh")
        .contains("succeeded");
    try (RunStore store = RunsCommand.openStore(project)) {
      assertThat(store.runs().listRuns(5))
          .singleElement()
          .satisfies(run -> assertThat(run.command()).startsWith("schedule base_fresh"));
    }
  }

  @Test
  void serveRunsScheduledMaintenanceWhenItIsDue() throws Exception {
    write(project, "sluice.yaml", "name: kept\nmaintenance: {schedule: \"0 3 * * *\"}\n");
    write(
        project,
        "sources/shop.yaml",
        "connector: file\ntables:\n  - name: events\n    path: data/*.csv\n    mode: append\n"
            + "    retention: {column: event_time, keep: 30d}\n    columns:\n"
            + "      - {name: id, type: bigint}\n      - {name: event_time, type: timestamp}\n");
    write(project, "data/a.csv", "id,event_time\n1,2026-01-01 10:00:00\n2,2026-12-05 10:00:00\n");
    Clock evening = Clock.fixed(java.time.Instant.parse("2026-12-06T20:00:00Z"), ZoneOffset.UTC);
    assertThat(InProcessCli.sluice(evening, project, "run").code()).isZero();

    InProcessCli.Result first = InProcessCli.sluice(evening, project, "serve", "--once");
    assertThat(first.code()).as(first.err()).isZero();
    assertThat(first.err()).contains("scheduled maintenance").doesNotContain("Maintenance (tick");

    Clock night = Clock.fixed(java.time.Instant.parse("2026-12-07T03:00:20Z"), ZoneOffset.UTC);
    InProcessCli.Result due = InProcessCli.sluice(night, project, "--json", "serve", "--once");
    assertThat(due.code()).as(due.err()).isZero();
    assertThat(due.err())
        .contains("Maintenance (tick 2026-12-07T03:00:00Z) of raw.shop_events: running")
        .contains("Maintenance: 1 expired row(s) deleted");
    com.fasterxml.jackson.databind.JsonNode report =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(due.out());
    assertThat(report.path("maintenance")).hasSize(1);
    assertThat(report.path("maintenance").get(0).path("status").asText()).isEqualTo("succeeded");
    assertThat(report.path("maintenance").get(0).path("tables").asText())
        .isEqualTo("raw.shop_events");

    InProcessCli.Result left =
        InProcessCli.sluice(
            night, project, "query", "--format", "csv", "select id from raw.shop_events");
    assertThat(left.code()).as(left.err()).isZero();
    assertThat(left.out().lines()).containsExactly("id", "2");
  }

  @Test
  void serveOnceWithJsonPrintsOneDocumentOfWhatItRan() throws Exception {
    write(
        project,
        "sluice.yaml",
        "name: sensed\nsensors:\n  - {name: base_fresh, type: freshness, select: [base],"
            + " max_age: 60m}\n");
    write(project, "models/curated/base.sql", "select 1 as x\n");

    InProcessCli.Result once = sluice("--json", "serve", "--once");

    assertThat(once.code()).as(once.err()).isZero();
    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper();
    assertThat(
            json.readerFor(com.fasterxml.jackson.databind.JsonNode.class)
                .readValues(once.out())
                .readAll())
        .as("exactly one JSON document on stdout")
        .hasSize(1);
    com.fasterxml.jackson.databind.JsonNode report = json.readTree(once.out());
    assertThat(report.path("sensors").asInt()).isEqualTo(1);
    assertThat(report.path("leader").asBoolean()).isTrue();
    assertThat(report.path("runs")).hasSize(1);
    assertThat(report.path("runs").get(0).path("trigger").asText()).isEqualTo("base_fresh");
    assertThat(report.path("runs").get(0).path("status").asText()).isEqualTo("succeeded");
  }

  @Test
  void serveReloadsTheProjectWhenItsFilesChangeAndKeepsTheLastGoodOneOnABrokenEdit()
      throws Exception {
    write(
        project,
        "sluice.yaml",
        "name: served\nschedules:\n  - {name: yearly, cron: \"0 0 1 1 *\"}\n");
    write(project, "models/curated/base.sql", "select 1 as x\n");

    try (SluiceChildProcess serve =
        SluiceChildProcess.start(project, "serve", "--interval", "1", "--port", "0")) {
      serve.awaitLine(line -> line.contains("Holding the scheduler lease"), STARTUP);

      write(
          project,
          "sluice.yaml",
          "name: served\nschedules:\n  - {name: yearly, cron: \"0 0 1 1 *\"}\n"
              + "  - {name: monthly, cron: \"0 0 1 * *\"}\n");
      serve.awaitLine(line -> line.contains("Project changed: reloaded. 2 schedule(s)"), STARTUP);

      write(project, "sluice.yaml", "name: served\nthredas: 3\n");
      String broken =
          serve.awaitLine(line -> line.contains("Project changed, but it does not load"), STARTUP);
      assertThat(broken).contains("still serving the last good version").contains("sluice.yaml");

      write(project, "models/curated/other.sql", "select 2 as y\n");
      write(
          project,
          "sluice.yaml",
          "name: served\nschedules:\n  - {name: yearly, cron: \"0 0 1 1 *\"}\n");
      serve.awaitLine(line -> line.contains("Project changed: reloaded. 1 schedule(s)"), STARTUP);

      serve.signal("TERM");
      serve.awaitExit(Duration.ofSeconds(60));
    }
    assertThat(schedulerLeaseHolder()).isEmpty();
  }

  @Test
  void runsCancelOfARunWhoseProcessIsGoneMarksItInterruptedAndFreesItsLocks() throws Exception {
    write(project, "sluice.yaml", "name: killed\n");
    write(project, "models/curated/base.sql", "select 1 as x\n");
    Process finished = new ProcessBuilder("true").start();
    assertThat(finished.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String runId;
    try (RunStore store = RunsCommand.openStore(project)) {
      runId =
          store
              .runs()
              .startRun(
                  "run",
                  List.of(),
                  Instant.now(),
                  new RunProcess(RunProcess.current().host(), finished.pid()));
      store.locks().tryLock("table:curated.base", runId, Duration.ofMinutes(1), Instant.now());
    }

    InProcessCli.Result cancel = sluice("runs", "cancel", runId);

    assertThat(cancel.code()).as(cancel.err()).isZero();
    assertThat(cancel.err())
        .contains("Run " + runId + " was no longer running")
        .contains("pid " + finished.pid())
        .contains("is gone")
        .contains("locks are released")
        .contains("'sluice run --resume " + runId + "'")
        .doesNotContain("Asked run");
    InProcessCli.Result runs = sluice("runs", "--json");
    assertThat(runs.out()).containsPattern("\"status\" *: *\"interrupted\"");
    InProcessCli.Result run = sluice("run");
    assertThat(run.code()).as(run.err()).isZero();
  }

  @Test
  void aPausedRunThatContinuesAfterAnotherProcessResumedItStopsCleanly() throws Exception {
    write(project, "sluice.yaml", "name: paused\nthreads: 1\n");
    write(
        project,
        "sources/app.yaml",
        "connector: file\ntables:\n  - name: events\n    path: data/*.csv\n    mode: append\n");
    write(project, "data/1.csv", "id,amount\n1,10\n2,20\n");
    write(project, "models/curated/events.sql", "select * from {{ source('app', 'events') }}\n");
    write(
        project,
        "models/curated/heavy.sql",
        "select e.id, e.amount, (select sum(x.range * y.range) from range(30000) x, range(30000) y)"
            + " as heavy from {{ ref('events') }} e\n");
    write(
        project,
        "models/published/totals.sql",
        "select sum(amount) as total from {{ ref('heavy') }}\n");

    try (SluiceChildProcess run = SluiceChildProcess.start(project, "run")) {
      String started = run.awaitLine(line -> line.startsWith("Run "), STARTUP);
      String runId = started.substring("Run ".length(), started.indexOf(':'));
      try (RunStore probe = RunsCommand.openStore(project)) {
        // the child is inside the heavy model once it holds that table's lock
        await()
            .atMost(STARTUP)
            .until(
                () ->
                    probe
                        .locks()
                        .lockHolder("table:curated.heavy")
                        .map(lock -> lock.owner().equals(runId))
                        .orElse(false));
      }
      run.signal("STOP");
      try (Workspace workspace = Workspace.open(project)) {
        RunStore store = workspace.runStore();

        // its process lives but gives no sign of life: two minutes on, it is taken as gone
        AbandonedRuns later =
            new AbandonedRuns(store, Clock.offset(Clock.systemUTC(), Duration.ofMinutes(2)));
        // (the run is only taken over here, not resumed: the stopped child may hold the SQLite
        // catalog, which a resume in this process would wait for)
        assertThat(later.interruptIfGone(runId)).isPresent();

        run.signal("CONT");

        int code = run.awaitExit(Duration.ofSeconds(120));
        String stderr = run.stderr();
        assertThat(stderr)
            .contains("Run " + runId + " was taken over by another process")
            .doesNotContain("internal error")
            .doesNotContain("This is a bug");
        assertThat(code).as(stderr).isEqualTo(ExitCodes.RUN_FAILED);
        assertThat(store.runs().findRun(runId).orElseThrow().summary().status())
            .isEqualTo(RunStatus.INTERRUPTED);
      }
    }
    InProcessCli.Result resumed = sluice("run", "--resume", runId(project));
    assertThat(resumed.code()).as(resumed.err()).isZero();
    InProcessCli.Result totals =
        sluice("query", "select total from published.totals", "--format", "csv");
    assertThat(totals.out().lines().toList()).containsExactly("total", "30");
  }

  /** The id of the one interrupted run. */
  private static String runId(Path project) {
    try (RunStore store = RunsCommand.openStore(project)) {
      return store.runs().listRuns(10).stream()
          .filter(run -> run.status() == RunStatus.INTERRUPTED)
          .findFirst()
          .orElseThrow()
          .id();
    }
  }

  private static String host() {
    return RunProcess.current().host();
  }
}
