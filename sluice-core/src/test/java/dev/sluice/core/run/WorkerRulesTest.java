package dev.sluice.core.run;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.SluiceException;
import dev.sluice.connector.testkit.PostgresDatabase;
import dev.sluice.connector.testkit.TestPostgres;
import dev.sluice.core.SluiceVersion;
import dev.sluice.core.Workspace;
import dev.sluice.core.state.RunProcess;
import dev.sluice.core.state.RunStore;
import dev.sluice.core.state.StepDetail;
import dev.sluice.core.state.Workers;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What workers refuse and how they wait: an SQLite state database, a live worker of another Sluice
 * version, and a state database that cannot be reached (tried again with backoff, said each time).
 */
class WorkerRulesTest {
  @TempDir Path project;

  @Test
  void workersAndRunsOnWorkersRefuseAnSqliteStateDatabase() throws IOException {
    write(project, "sluice.yaml", "name: alone\n");
    write(project, "models/m.sql", "select 1 as x\n");
    try (Workspace workspace = Workspace.open(project)) {
      assertThatThrownBy(
              () ->
                  Worker.start(
                      workspace, Worker.Options.defaults(1), Clock.systemUTC(), text -> {}))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("sluice serve --worker needs a state database that workers")
          .hasMessageContaining("jdbc:sqlite:")
          .hasMessageContaining("an SQLite file, one machine only")
          .hasMessageContaining("set 'state: url:' in sluice.yaml to a PostgreSQL database");
      assertThatThrownBy(() -> new Runner(workspace).onWorkers())
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("sluice run --on-workers needs a state database");
      // nothing was recorded: no worker, no run
      assertThat(workspace.runStore().runs().listRuns(10)).isEmpty();
    }
  }

  @Test
  void aWorkerOfAnotherVersionIsRefusedNamingBothVersions() throws IOException {
    try (PostgresDatabase state = TestPostgres.newDatabase()) {
      writeProject(state);
      try (Workspace workspace = Workspace.open(project)) {
        Workers workers = workspace.runStore().workers();
        workers.register("7@elsewhere", new RunProcess("elsewhere", 7), "0.0.9", 1, Instant.now());

        assertThatThrownBy(
                () ->
                    Worker.start(
                        workspace, Worker.Options.defaults(1), Clock.systemUTC(), text -> {}))
            .isInstanceOf(InvalidInputException.class)
            .hasMessageContaining("runs Sluice " + SluiceVersion.current())
            .hasMessageContaining("worker 7@elsewhere (pid 7 on elsewhere)")
            .hasMessageContaining("runs Sluice 0.0.9")
            .hasMessageContaining("must run one Sluice version");
        assertThatThrownBy(() -> new Runner(workspace).onWorkers())
            .isInstanceOf(InvalidInputException.class)
            .hasMessageContaining("This process runs Sluice " + SluiceVersion.current())
            .hasMessageContaining("runs Sluice 0.0.9");
        assertThat(workers.all()).extracting(Workers.Worker::id).containsExactly("7@elsewhere");

        // once that worker has stopped, a worker of this version starts, and is listed with it
        workers.stopped("7@elsewhere", Instant.now());
        List<String> said = new CopyOnWriteArrayList<>();
        Worker worker =
            Worker.start(workspace, Worker.Options.defaults(2), Clock.systemUTC(), said::add);
        try {
          assertThat(said).singleElement().asString().contains("Worker " + worker.id());
          Workers.Worker listed =
              workers.alive(Instant.now(), Worker.ALIVE_TIMEOUT).stream()
                  .filter(alive -> alive.id().equals(worker.id()))
                  .findFirst()
                  .orElseThrow();
          assertThat(listed.version()).isEqualTo(SluiceVersion.current());
          assertThat(listed.slots()).isEqualTo(2);
          assertThat(listed.process()).isEqualTo(RunProcess.current());
          assertThat(listed.step()).isNull();
        } finally {
          worker.close(Duration.ofSeconds(5));
        }
        assertThat(workers.all())
            .filteredOn(listed -> listed.id().equals(worker.id()))
            .singleElement()
            .satisfies(stopped -> assertThat(stopped.stoppedAt()).isNotNull());
        assertThat(workers.alive(Instant.now(), Worker.ALIVE_TIMEOUT)).isEmpty();
      }
    }
  }

  @Test
  void aWorkerServingAnotherRevisionOfTheProjectFailsTheStepInsteadOfRunningIt() throws Exception {
    try (PostgresDatabase state = TestPostgres.newDatabase()) {
      writeProject(state);
      try (Workspace started = Workspace.open(project)) {
        Worker worker =
            Worker.start(started, Worker.Options.defaults(1), Clock.systemUTC(), t -> {});
        Thread loop = new Thread(worker::run, "stale-worker");
        loop.setDaemon(true);
        loop.start();
        try {
          // the model is edited and deployed, but the worker was not restarted
          write(project, "models/m.sql", "select 2 as x\n");
          try (Workspace edited = Workspace.open(project)) {
            RunResult result =
                java.util.concurrent.CompletableFuture.supplyAsync(
                        () ->
                            new Runner(edited).onWorkers().run(RunOptions.all(), RunListener.NONE))
                    .get(120, java.util.concurrent.TimeUnit.SECONDS);

            assertThat(result.succeeded()).isFalse();
            StepDetail step =
                edited.runStore().runs().findRun(result.runId()).orElseThrow().steps().get(0);
            assertThat(step.status()).isEqualTo(dev.sluice.core.state.StepStatus.FAILED);
            assertThat(step.error())
                .contains("worker " + worker.id())
                .contains("serves another revision of the project than run " + result.runId())
                .contains(
                    "deploy the same project files to every worker (a worker serves the files")
                .contains("sluice run --resume " + result.runId());
            // the old SQL was not run: nothing was built
            assertThat(edited.lake().findTable(dev.sluice.api.TableName.parse("curated.m")))
                .isEmpty();
          }
        } finally {
          worker.close(Duration.ofSeconds(5));
        }
      }
    }
  }

  @Test
  void anUnreachableStateDatabaseIsTriedAgainWithBackoffUntilItAnswers() throws IOException {
    try (PostgresDatabase state = TestPostgres.newDatabase()) {
      String unreachable = "jdbc:postgresql://127.0.0.1:" + closedPort() + "/sluice";
      AtomicReference<String> url = new AtomicReference<>(unreachable);
      List<String> said = new CopyOnWriteArrayList<>();
      Worker.Listener listener =
          text -> {
            said.add(text);
            if (said.size() == 3) {
              // the database comes back
              url.set(state.jdbcUrl());
            }
          };

      try (RunStore store =
          Worker.untilReachable(
              () -> RunStore.open(url.get(), state.credentials()),
              "open the state database",
              Duration.ofMillis(400),
              listener,
              () -> false)) {
        assertThat(store.shared()).isTrue();
        assertThat(store.runs().listRuns(1)).isEmpty();
      }
      assertThat(said).hasSize(3);
      for (int i = 0; i < said.size(); i++) {
        assertThat(said.get(i))
            .startsWith("Cannot open the state database: the state database cannot be reached (")
            .contains(unreachable)
            .contains("refused")
            .contains("trying again in ")
            .endsWith("(attempt " + (i + 2) + ")")
            .doesNotContain(state.password());
      }
    }
  }

  @Test
  void aFailureOtherThanAnUnreachableDatabaseIsNotTriedAgain() {
    List<String> said = new CopyOnWriteArrayList<>();
    assertThatThrownBy(
            () ->
                Worker.untilReachable(
                    () -> {
                      throw new InvalidInputException("refused");
                    },
                    "start",
                    Duration.ofMillis(100),
                    said::add,
                    () -> false))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("refused");
    assertThat(said).isEmpty();
  }

  @Test
  void givesUpWaitingWhenAskedToStop() {
    List<String> said = new CopyOnWriteArrayList<>();
    String url = "jdbc:postgresql://127.0.0.1:" + closedPort() + "/sluice";
    assertThatThrownBy(
            () ->
                Worker.untilReachable(
                    () -> RunStore.open(url, Map.of("user", "nobody")),
                    "open the state database",
                    Duration.ofMillis(100),
                    said::add,
                    () -> said.size() >= 2))
        .isInstanceOf(SluiceException.class)
        .hasMessageContaining("refused. Check that the hostname and port are correct");
    assertThat(said).hasSize(2);
  }

  /** A port nothing listens on. */
  @Test
  void anEnvironmentIsBuiltByTheWorkersIntoItsBranchLeavingProductionAsItWas() throws Exception {
    try (PostgresDatabase state = TestPostgres.newDatabase()) {
      writeProject(state);
      try (Workspace production = Workspace.open(project)) {
        assertThat(new Runner(production).run(RunOptions.all(), RunListener.NONE).succeeded())
            .isTrue();
      }
      write(project, "models/m.sql", "select 2 as x\n");
      try (Workspace edited = Workspace.open(project)) {
        Worker worker =
            Worker.start(edited, Worker.Options.defaults(1), Clock.systemUTC(), t -> {});
        Thread loop = new Thread(worker::run, "environment-worker");
        loop.setDaemon(true);
        loop.start();
        try {
          dev.sluice.core.env.Environments.Build build =
              java.util.concurrent.CompletableFuture.supplyAsync(
                      () ->
                          new dev.sluice.core.env.Environments(edited)
                              .build("dev", RunOptions.all(), RunListener.NONE, true))
                  .get(120, java.util.concurrent.TimeUnit.SECONDS);

          assertThat(build.run().succeeded()).isTrue();
          assertThat(edited.runStore().stepQueue().entries(build.run().runId()))
              .singleElement()
              .satisfies(entry -> assertThat(entry.worker()).isEqualTo(worker.id()));
          var query = new dev.sluice.core.query.QueryService(edited);
          String sql = "select x from curated.m";
          assertThat(query.query(sql, dev.sluice.lake.ReadPoint.environment("dev"), 10).rows())
              .containsExactly(List.of(2));
          assertThat(query.query(sql, dev.sluice.lake.ReadPoint.main(), 10).rows())
              .containsExactly(List.of(1));
        } finally {
          worker.close(Duration.ofSeconds(5));
        }
      }
    }
  }

  private static int closedPort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private void writeProject(PostgresDatabase state) throws IOException {
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
    write(project, "models/m.sql", "select 1 as x\n");
  }
}
