package dev.sluice.cli;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.connector.testkit.PostgresDatabase;
import dev.sluice.connector.testkit.TestPostgres;
import dev.sluice.core.SluiceVersion;
import dev.sluice.core.state.RunStore;
import dev.sluice.core.state.StepQueue;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice serve --worker}, {@code sluice run --on-workers} and {@code sluice workers} as an
 * operator meets them: a real worker process (the CLI in a child JVM) on a PostgreSQL state
 * database runs the steps of a run queued with {@code --on-workers}, while a plain {@code sluice
 * run} keeps running in its own process, and serves an edited project without a restart; an SQLite
 * state database is refused.
 */
class WorkersCliTest {
  private static final Duration STARTUP = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path project;

  @Test
  void aWorkerRunsTheStepsOfARunQueuedOnWorkers() throws Exception {
    try (PostgresDatabase state = TestPostgres.newDatabase()) {
      writeProject(state);
      try (SluiceChildProcess worker =
          SluiceChildProcess.start(
              project, "serve", "--worker", "--slots", "2", "--interval", "1")) {
        String started = worker.awaitLine(line -> line.startsWith("Worker "), STARTUP);
        String workerId = started.substring("Worker ".length(), started.indexOf(' ', 7));
        assertThat(started).contains("Sluice " + SluiceVersion.current()).contains("2 slot(s)");

        InProcessCli.Result listed = InProcessCli.sluice(project, "--json", "workers");
        assertThat(listed.code()).as(listed.err()).isZero();
        JsonNode workers = JSON.readTree(listed.out());
        assertThat(workers).hasSize(1);
        assertThat(workers.get(0).get("id").asText()).isEqualTo(workerId);
        assertThat(workers.get(0).get("status").asText()).isEqualTo("idle");
        assertThat(workers.get(0).get("version").asText()).isEqualTo(SluiceVersion.current());
        assertThat(workers.get(0).get("slots").asInt()).isEqualTo(2);

        InProcessCli.Result run = InProcessCli.sluice(project, "--json", "run", "--on-workers");
        assertThat(run.code()).as(run.err()).isZero();
        String runId = JSON.readTree(run.out()).get("id").asText();
        InProcessCli.Result local = InProcessCli.sluice(project, "--json", "run", "-s", "doubled");
        assertThat(local.code()).as(local.err()).isZero();
        String localId = JSON.readTree(local.out()).get("id").asText();
        try (RunStore store = RunsCommand.openStore(project)) {
          List<StepQueue.Entry> entries = store.stepQueue().entries(runId);
          assertThat(entries)
              .extracting(entry -> entry.step().name())
              .containsExactlyInAnyOrder("numbers", "doubled");
          assertThat(entries)
              .allSatisfy(
                  entry -> {
                    assertThat(entry.worker()).isEqualTo(workerId);
                    assertThat(entry.status()).isEqualTo(StepQueue.Status.DONE);
                    assertThat(entry.attempt()).isEqualTo(1);
                  });
          // a plain run ran in its own process: nothing was queued
          assertThat(store.stepQueue().entries(localId)).isEmpty();
        }
        InProcessCli.Result rows =
            InProcessCli.sluice(
                project, "--json", "query", "select sum(y) as s from curated.doubled");
        assertThat(rows.code()).as(rows.err()).isZero();
        assertThat(rows.out()).contains("12");

        // an edited project is served once the worker sees the change, without a restart
        write(
            project, "models/curated/doubled.sql", "select x * 3 as y from {{ ref('numbers') }}\n");
        worker.awaitLine(line -> line.startsWith("Project changed: reloaded; worker "), STARTUP);
        InProcessCli.Result edited =
            InProcessCli.sluice(project, "--json", "run", "--on-workers", "-s", "doubled");
        assertThat(edited.code()).as(edited.err()).isZero();
        String editedId = JSON.readTree(edited.out()).get("id").asText();
        try (RunStore store = RunsCommand.openStore(project)) {
          assertThat(store.stepQueue().entries(editedId))
              .singleElement()
              .satisfies(entry -> assertThat(entry.worker()).isEqualTo(workerId));
        }
        InProcessCli.Result tripled =
            InProcessCli.sluice(
                project, "--json", "query", "select sum(y) as s from curated.doubled");
        assertThat(tripled.out()).contains("18");

        worker.signal("TERM");
        worker.awaitExit(Duration.ofSeconds(60));
        assertThat(worker.stderr())
            .contains("Asked to stop (SIGTERM)")
            .contains("Stopping: the worker finishes its running steps");
      }
      InProcessCli.Result all = InProcessCli.sluice(project, "--json", "workers", "--all");
      assertThat(JSON.readTree(all.out()).get(0).get("status").asText()).isEqualTo("stopped");
      InProcessCli.Result none = InProcessCli.sluice(project, "workers");
      assertThat(none.code()).isZero();
      assertThat(none.err()).contains("No live workers: start one with 'sluice serve --worker'");
    }
  }

  @Test
  void aWorkerAndARunOnWorkersRefuseAnSqliteStateDatabase() throws Exception {
    write(project, "sluice.yaml", "name: alone\n");
    write(project, "models/m.sql", "select 1 as x\n");

    InProcessCli.Result serve = InProcessCli.sluice(project, "serve", "--worker");
    assertThat(serve.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(serve.err())
        .contains("sluice serve --worker needs a state database that workers on several hosts")
        .contains("an SQLite file, one machine only")
        .contains("jdbc:postgresql://host:5432/db");
    InProcessCli.Result run = InProcessCli.sluice(project, "run", "--on-workers");
    assertThat(run.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("sluice run --on-workers needs a state database");
    InProcessCli.Result slots = InProcessCli.sluice(project, "serve", "--slots", "2");
    assertThat(slots.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(slots.err()).contains("--slots needs --worker");
  }

  private void writeProject(PostgresDatabase state) throws Exception {
    write(project, "secrets/state-user", state.user() + "\n");
    write(project, "secrets/state-password", state.password() + "\n");
    write(
        project,
        "sluice.yaml",
        """
        name: workers
        state:
          url: %s
          user: ${file:secrets/state-user}
          password: ${file:secrets/state-password}
        """
            .formatted(state.jdbcUrl()));
    write(project, "seeds/numbers.csv", "x\n1\n2\n3\n");
    write(project, "models/curated/doubled.sql", "select x * 2 as y from {{ ref('numbers') }}\n");
  }
}
