package dev.sluice.core.run;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.connector.testkit.ChildJava;
import dev.sluice.connector.testkit.PostgresDatabase;
import dev.sluice.connector.testkit.TestPostgres;
import dev.sluice.core.Workspace;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.state.RunDetail;
import dev.sluice.core.state.StepDetail;
import dev.sluice.core.state.StepQueue;
import dev.sluice.core.state.StepStatus;
import dev.sluice.core.state.Workers;
import dev.sluice.lake.ReadPoint;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three workers in child processes (real JVMs) share a project's PostgreSQL catalog and state: a
 * run handed to them completes although the worker running its slowest step is killed (SIGKILL) in
 * the middle of it. Another worker takes the step over once its lease expires and every table has
 * exactly the expected rows; the run's {@code threads} and the pool's size hold across the workers.
 */
class WorkersTest {
  private static final int THREADS = 3;

  @TempDir Path project;

  private PostgresDatabase catalog;
  private PostgresDatabase state;
  private final Map<String, Process> workers = new LinkedHashMap<>();

  @BeforeEach
  void createDatabases() {
    catalog = TestPostgres.newDatabase();
    state = TestPostgres.newDatabase();
  }

  private final List<Process> children = new ArrayList<>();

  @AfterEach
  void stopWorkersAndDropDatabases() throws InterruptedException {
    for (Process worker : children) {
      worker.destroyForcibly();
      worker.waitFor(30, TimeUnit.SECONDS);
    }
    try {
      catalog.close();
    } finally {
      state.close();
    }
  }

  @Test
  void aRunOnThreeWorkersCompletesWhenTheWorkerOfItsSlowestStepIsKilled() throws Exception {
    writeProject();
    List<CompletableFuture<String>> started = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      started.add(startWorker());
    }
    for (CompletableFuture<String> worker : started) {
      worker.get(120, TimeUnit.SECONDS);
    }
    try (Workspace workspace = Workspace.open(project)) {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> workspace.runStore().workers().alive(Instant.now(), Worker.ALIVE_TIMEOUT),
              alive -> alive.size() == 3);

      CompletableFuture<RunResult> running =
          CompletableFuture.supplyAsync(
              () -> new Runner(workspace).onWorkers().run(RunOptions.all(), RunListener.NONE));
      // the worker running heavy, once it has recorded the step (the kill is mid-step)
      Workers.Worker killed =
          await()
              .atMost(Duration.ofSeconds(120))
              .pollInterval(Duration.ofMillis(20))
              .until(
                  () ->
                      heavyRecorded(workspace)
                          ? runningStep(workspace, "heavy")
                          : Optional.<Workers.Worker>empty(),
                  Optional::isPresent)
              .orElseThrow();
      Process victim = workers.get(killed.id());
      victim.destroyForcibly();
      assertThat(victim.waitFor(30, TimeUnit.SECONDS)).isTrue();

      RunResult result = running.get(240, TimeUnit.SECONDS);

      assertThat(result.succeeded()).as(String.valueOf(result.steps())).isTrue();
      assertThat(result.steps())
          .extracting(StepResult::asset)
          .containsExactlyInAnyOrder(
              "app.events", "events", "heavy", "totals", "p1", "p2", "p3", "free");
      QueryService queries = new QueryService(workspace);
      assertThat(rows(queries, "select count(*), count(distinct id) from raw.app_events"))
          .containsExactly(List.of("3", "3"));
      assertThat(rows(queries, "select count(*), count(distinct id) from curated.heavy"))
          .containsExactly(List.of("3", "3"));
      assertThat(rows(queries, "select total from published.totals"))
          .containsExactly(List.of("60"));
      for (String pooled : List.of("p1", "p2", "p3", "free")) {
        assertThat(rows(queries, "select count(*) from curated." + pooled))
            .as(pooled)
            .containsExactly(List.of("3"));
      }

      // the killed worker's attempt is recorded as interrupted; another worker built the table
      List<StepQueue.Entry> entries = workspace.runStore().stepQueue().entries(result.runId());
      StepQueue.Entry heavy =
          entries.stream()
              .filter(entry -> entry.step().asset().equals("heavy"))
              .findFirst()
              .orElseThrow();
      assertThat(heavy.attempt()).isEqualTo(2);
      assertThat(heavy.worker()).isNotEqualTo(killed.id()).isIn(workers.keySet());
      assertThat(heavy.stepStatus()).isEqualTo(StepStatus.SUCCEEDED);
      RunDetail detail = workspace.runStore().runs().findRun(result.runId()).orElseThrow();
      List<StepDetail> heavySteps =
          detail.steps().stream().filter(step -> step.asset().equals("heavy")).toList();
      assertThat(heavySteps)
          .extracting(StepDetail::status)
          .containsExactly(StepStatus.FAILED, StepStatus.SUCCEEDED);
      assertThat(heavySteps.get(0).error())
          .contains("interrupted: worker " + killed.id())
          .contains("nothing it wrote was published");
      // more than one worker ran the run's steps
      assertThat(entries.stream().map(StepQueue.Entry::worker).distinct().count()).isGreaterThan(1);

      // a pool's size is a limit across the workers: p1, p2 and p3 (pool 'serial' of size 1)
      // never ran at the same time, though six slots were free
      List<StepDetail> pooled =
          detail.steps().stream().filter(step -> step.asset().matches("p[123]")).toList();
      // (the killed worker may have been running one of them too: its attempt held the slot
      // until its lease expired)
      assertThat(pooled)
          .filteredOn(step -> step.status() == StepStatus.SUCCEEDED)
          .extracting(StepDetail::asset)
          .containsExactlyInAnyOrder("p1", "p2", "p3");
      assertThat(mostAtOnce(pooled)).isEqualTo(1);
      // and the run's threads: never more than THREADS of its steps at once
      assertThat(mostAtOnce(detail.steps())).isLessThanOrEqualTo(THREADS);
    }
  }

  /** Whether the running run has recorded a step of heavy that is running. */
  private static boolean heavyRecorded(Workspace workspace) {
    return workspace.runStore().runs().runningRuns().stream()
        .flatMap(
            run -> workspace.runStore().runs().findRun(run.runId()).orElseThrow().steps().stream())
        .anyMatch(step -> step.asset().equals("heavy") && step.status() == StepStatus.RUNNING);
  }

  /** The live worker running {@code step}, if one is. */
  private static Optional<Workers.Worker> runningStep(Workspace workspace, String step) {
    return workspace.runStore().workers().alive(Instant.now(), Worker.ALIVE_TIMEOUT).stream()
        .filter(worker -> step.equals(worker.step()))
        .findFirst();
  }

  /** The most steps that ran at the same time. */
  private static int mostAtOnce(List<StepDetail> steps) {
    int most = 0;
    for (StepDetail step : steps) {
      Instant at = step.startedAt();
      int atOnce = 0;
      for (StepDetail other : steps) {
        if (!other.startedAt().isAfter(at)
            && (other.finishedAt() == null || other.finishedAt().isAfter(at))) {
          atOnce++;
        }
      }
      most = Math.max(most, atOnce);
    }
    return most;
  }

  private CompletableFuture<String> startWorker() throws IOException {
    Process child =
        new ProcessBuilder(
                ChildJava.command(
                    List.of("-Xmx512m"), WorkerInChildProcess.class, project.toString(), "2"))
            .redirectError(project.resolve("worker-" + children.size() + ".err").toFile())
            .start();
    Path errors = project.resolve("worker-" + children.size() + ".err");
    children.add(child);
    CompletableFuture<String> id = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              // reads the worker's id, then whatever else it prints, so that it never blocks
              try (BufferedReader lines =
                  new BufferedReader(
                      new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                  if (line.startsWith("worker ")) {
                    id.complete(line.substring("worker ".length()));
                  }
                }
              } catch (IOException e) {
                id.completeExceptionally(e);
              }
              id.completeExceptionally(
                  new IllegalStateException("the worker ended: " + tail(errors)));
            },
            "worker-output");
    reader.setDaemon(true);
    reader.start();
    return id.thenApply(
        workerId -> {
          synchronized (workers) {
            workers.put(workerId, child);
          }
          return workerId;
        });
  }

  /** The end of a worker's error output. */
  private static String tail(Path errors) {
    try {
      String text = java.nio.file.Files.readString(errors);
      return text.substring(Math.max(0, text.length() - 3000));
    } catch (IOException e) {
      return e.toString();
    }
  }

  private void writeProject() throws IOException {
    write(project, "secrets/catalog-user", catalog.user() + "\n");
    write(project, "secrets/state-user", state.user() + "\n");
    write(project, "secrets/catalog-password", catalog.password() + "\n");
    write(project, "secrets/state-password", state.password() + "\n");
    write(
        project,
        "sluice.yaml",
        """
        name: workers
        threads: %d
        pools:
          serial: 1
        catalog:
          url: %s
          user: ${file:secrets/catalog-user}
          password: ${file:secrets/catalog-password}
        state:
          url: %s
          user: ${file:secrets/state-user}
          password: ${file:secrets/state-password}
        """
            .formatted(THREADS, catalog.jdbcUrl(), state.jdbcUrl()));
    write(
        project,
        "sources/app.yaml",
        "connector: file\ntables:\n  - name: events\n    path: data/*.csv\n    mode: append\n");
    write(project, "data/1.csv", "id,amount\n1,10\n2,20\n");
    write(project, "data/2.csv", "id,amount\n3,30\n");
    write(project, "models/curated/events.sql", "select * from {{ source('app', 'events') }}\n");
    // an appending incremental model: a retry that added its rows again would double them
    write(
        project,
        "models/curated/heavy.sql",
        """
        {{ config(materialized='incremental') }}
        select e.id, e.amount,
          (select sum(x.range * y.range) from range(40000) x, range(40000) y) as heavy
        from {{ ref('events') }} e
        {% if is_incremental() %}where e.id > (select coalesce(max(id), 0) from {{ this }}){% endif %}
        """);
    write(
        project,
        "models/published/totals.sql",
        "select sum(amount) as total from {{ ref('heavy') }}\n");
    String slow =
        "select e.id, (select sum(a.range * b.range) from range(8000) a, range(8000) b) as x"
            + " from {{ ref('events') }} e\n";
    for (String name : List.of("p1", "p2", "p3")) {
      write(project, "models/curated/" + name + ".sql", "{{ config(pool='serial') }}\n" + slow);
    }
    write(project, "models/curated/free.sql", slow);
  }

  private static List<List<String>> rows(QueryService queries, String sql) {
    List<List<String>> rows = new ArrayList<>();
    for (List<Object> row : queries.query(sql, ReadPoint.main(), 100).rows()) {
      rows.add(row.stream().map(String::valueOf).toList());
    }
    return rows;
  }
}
