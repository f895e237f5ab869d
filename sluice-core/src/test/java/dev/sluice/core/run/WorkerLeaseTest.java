package dev.sluice.core.run;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.api.TableName;
import dev.sluice.connector.testkit.PostgresDatabase;
import dev.sluice.connector.testkit.TestPostgres;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.Project;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.state.StepDetail;
import dev.sluice.core.state.StepQueue;
import dev.sluice.core.state.StepStatus;
import dev.sluice.lake.ReadPoint;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker cut off from the state database while it runs a step: the database does not answer at
 * all (a partition that drops packets, so its heartbeat hangs rather than fails). The worker stops
 * the step itself before its lease expires, another worker claims the step once it has, and the
 * table is written once, by the second worker: two attempts of one step never write at once.
 */
class WorkerLeaseTest {
  @TempDir Path project;

  @Test
  void aWorkerThatCannotRenewItsLeaseStopsItsStepAndAnotherWorkerRunsIt() throws Exception {
    try (PostgresDatabase catalog = TestPostgres.newDatabase();
        PostgresDatabase state = TestPostgres.newDatabase()) {
      URI direct = URI.create(state.jdbcUrl().substring("jdbc:".length()));
      try (TcpRelay relay = new TcpRelay(direct.getHost(), direct.getPort())) {
        writeProject(catalog, state, relay);
        Worker.Options quick =
            new Worker.Options(
                1,
                Duration.ofMillis(300),
                Duration.ofMillis(1500),
                Duration.ofMillis(50),
                Duration.ofMillis(500));
        List<String> saidByCutOff = new CopyOnWriteArrayList<>();
        try (Workspace workspace = Workspace.open(project);
            Workspace cutOffWorkspace = Workspace.open(Project.load(project, "cut_off"))) {
          Worker cutOff =
              Worker.start(cutOffWorkspace, quick, Clock.systemUTC(), saidByCutOff::add);
          Thread cutOffThread = new Thread(cutOff::run, "cut-off-worker");
          cutOffThread.setDaemon(true);
          cutOffThread.start();
          CompletableFuture<RunResult> running =
              CompletableFuture.supplyAsync(
                  () -> new Runner(workspace).onWorkers().run(RunOptions.all(), RunListener.NONE));

          // the cut-off worker runs the slow step (recorded), then the network drops its packets
          await()
              .atMost(Duration.ofSeconds(60))
              .pollInterval(Duration.ofMillis(20))
              .until(() -> slowRunningOn(workspace, cutOff.id()));
          relay.freeze();
          Instant frozen = Instant.now();

          // it gives the step up by itself, though its heartbeat is hanging, before the lease ends
          await()
              .atMost(Duration.ofSeconds(20))
              .until(
                  () ->
                      saidByCutOff.stream()
                          .anyMatch(said -> said.contains("could not renew its leases")));
          assertThat(saidByCutOff)
              .filteredOn(said -> said.contains("could not renew its leases"))
              .singleElement()
              .asString()
              .contains("stopping its 1 running step(s), which other workers take over");
          List<StepQueue.Entry> claimed =
              workspace.runStore().stepQueue().entries(runId(workspace));
          assertThat(claimed)
              .singleElement()
              .satisfies(
                  entry -> {
                    assertThat(entry.worker()).isEqualTo(cutOff.id());
                    assertThat(entry.status()).isEqualTo(StepQueue.Status.CLAIMED);
                  });
          // nothing was published by the attempt it stopped
          assertThat(workspace.lake().findTable(TableName.parse("curated.slow"))).isEmpty();

          // a second worker, which reaches the database, takes the step over and runs it
          Worker other = Worker.start(workspace, quick, Clock.systemUTC(), text -> {});
          Thread otherThread = new Thread(other::run, "other-worker");
          otherThread.setDaemon(true);
          otherThread.start();
          try {
            RunResult result = running.get(240, TimeUnit.SECONDS);
            assertThat(result.succeeded()).as(String.valueOf(result.steps())).isTrue();
            assertThat(Duration.between(frozen, Instant.now())).isPositive();

            StepQueue.Entry entry = workspace.runStore().stepQueue().entries(result.runId()).get(0);
            assertThat(entry.worker()).isEqualTo(other.id());
            assertThat(entry.attempt()).isEqualTo(2);
            // the stopped attempt is recorded as interrupted, the second as the one that built it
            List<StepDetail> steps =
                workspace.runStore().runs().findRun(result.runId()).orElseThrow().steps();
            assertThat(steps)
                .extracting(StepDetail::status)
                .containsExactlyInAnyOrder(StepStatus.FAILED, StepStatus.SUCCEEDED);
            assertThat(steps)
                .filteredOn(step -> step.status() == StepStatus.FAILED)
                .singleElement()
                .satisfies(
                    step ->
                        assertThat(step.error())
                            .contains("interrupted: worker " + cutOff.id())
                            .contains("stopped renewing its lease"));
            // written once: one commit, one row
            assertThat(workspace.lake().loadTable(TableName.parse("curated.slow")).snapshots())
                .hasSize(1);
            assertThat(
                    new QueryService(workspace)
                        .query("select count(*) from curated.slow", ReadPoint.main(), 10)
                        .rows())
                .singleElement()
                .satisfies(row -> assertThat(String.valueOf(row.get(0))).isEqualTo("1"));
          } finally {
            other.close(Duration.ofSeconds(10));
            relay.close();
            cutOff.close(Duration.ofSeconds(1));
          }
        }
      }
    }
  }

  /** Whether the run's slow step is recorded as running while {@code worker} holds it. */
  private static boolean slowRunningOn(Workspace workspace, String worker) {
    boolean recorded =
        workspace.runStore().runs().runningRuns().stream()
            .flatMap(
                run ->
                    workspace.runStore().runs().findRun(run.runId()).orElseThrow().steps().stream())
            .anyMatch(step -> step.asset().equals("slow") && step.status() == StepStatus.RUNNING);
    return recorded
        && workspace.runStore().workers().alive(Instant.now(), Worker.ALIVE_TIMEOUT).stream()
            .anyMatch(alive -> alive.id().equals(worker) && "slow".equals(alive.step()));
  }

  private static String runId(Workspace workspace) {
    return workspace.runStore().runs().runningRuns().get(0).runId();
  }

  private void writeProject(PostgresDatabase catalog, PostgresDatabase state, TcpRelay relay)
      throws IOException {
    write(project, "secrets/catalog-user", catalog.user() + "\n");
    write(project, "secrets/catalog-password", catalog.password() + "\n");
    write(project, "secrets/state-user", state.user() + "\n");
    write(project, "secrets/state-password", state.password() + "\n");
    // the server ends a cut-off session's open transaction after 3 s rather than Sluice's 60 s
    // (its row locks would hide the step from the other worker until then)
    String relayed =
        state.jdbcUrl().replaceFirst("//[^/]+/", "//127.0.0.1:" + relay.port() + "/")
            + (state.jdbcUrl().contains("?") ? "&" : "?")
            + "options=-c%20idle_in_transaction_session_timeout%3D3000";
    write(
        project,
        "sluice.yaml",
        """
        name: leases
        catalog:
          url: %s
          user: ${file:secrets/catalog-user}
          password: ${file:secrets/catalog-password}
        state:
          url: %s
          user: ${file:secrets/state-user}
          password: ${file:secrets/state-password}
        default_target: direct
        targets:
          direct: {}
          cut_off:
            state:
              url: %s
              user: ${file:secrets/state-user}
              password: ${file:secrets/state-password}
        """
            .formatted(catalog.jdbcUrl(), state.jdbcUrl(), relayed));
    // a step that takes seconds, and that the engine can stop mid-query
    write(
        project,
        "models/curated/slow.sql",
        "select (select sum(a.range * b.range) from range(40000) a, range(40000) b) as x\n");
  }
}
