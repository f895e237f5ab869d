package dev.sluice.core.run;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.connector.testkit.ChildJava;
import dev.sluice.core.Workspace;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.state.RunDetail;
import dev.sluice.core.state.RunStatus;
import dev.sluice.core.state.StepStatus;
import dev.sluice.lake.ReadPoint;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills (SIGKILL) a run in the middle and resumes it: committed steps are not redone, the
 * interrupted and unstarted ones are, and no row is loaded twice.
 */
class KillAndResumeTest {
  @TempDir Path project;

  @Test
  void resumedRunFinishesWhatTheKilledRunLeftUndone() throws Exception {
    String runId = startAndKillARun();

    try (Workspace workspace = Workspace.open(project)) {
      RunDetail killed = workspace.runStore().runs().findRun(runId).orElseThrow();
      assertThat(killed.summary().status()).isEqualTo(RunStatus.RUNNING);

      // the killed run may have died holding the lock on the table it was building
      workspace
          .runStore()
          .locks()
          .tryLock(
              "table:curated.heavy",
              runId,
              java.time.Duration.ofMinutes(5),
              java.time.Instant.now());

      RunResult resumed = new Runner(workspace).resume(runId, RunListener.NONE);

      assertThat(resumed.succeeded()).as(String.valueOf(resumed.steps())).isTrue();
      assertThat(resumed.steps()).extracting(StepResult::asset).containsExactly("heavy", "totals");
      RunDetail interrupted = workspace.runStore().runs().findRun(runId).orElseThrow();
      assertThat(interrupted.summary().status()).isEqualTo(RunStatus.INTERRUPTED);
      assertThat(interrupted.summary().error())
          .contains("is gone")
          .contains("'sluice run --resume " + runId + "'");
      assertThat(interrupted.steps()).noneMatch(step -> step.status() == StepStatus.RUNNING);

      QueryService queries = new QueryService(workspace);
      assertThat(
              queries
                  .query(
                      "select count(*), count(distinct id) from raw.app_events",
                      ReadPoint.main(),
                      1)
                  .rows()
                  .get(0))
          .containsExactly(3L, 3L);
      assertThat(
              queries
                  .query("select total from published.totals", ReadPoint.main(), 1)
                  .rows()
                  .get(0)
                  .get(0)
                  .toString())
          .isEqualTo("60");
    }
  }

  /** Starts a run of a three-step project in a child process and kills it in its second step. */
  private String startAndKillARun() throws IOException, InterruptedException {
    write(project, "sluice.yaml", "name: resume\nthreads: 1\n");
    write(
        project,
        "sources/app.yaml",
        "connector: file\ntables:\n  - name: events\n    path: data/*.csv\n    mode: append\n");
    write(project, "data/1.csv", "id,amount\n1,10\n2,20\n");
    write(project, "data/2.csv", "id,amount\n3,30\n");
    write(project, "models/curated/events.sql", "select * from {{ source('app', 'events') }}\n");
    write(
        project,
        "models/curated/heavy.sql",
        "select e.id, e.amount, (select sum(x.range * y.range) from range(40000) x, range(40000) y)"
            + " as heavy from {{ ref('events') }} e\n");
    write(
        project,
        "models/published/totals.sql",
        "select sum(amount) as total from {{ ref('heavy') }}\n");

    Process child =
        new ProcessBuilder(ChildJava.command(RunInChildProcess.class, project.toString()))
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    String runId = null;
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (line.startsWith("run ")) {
          runId = line.substring(4);
        }
        if (line.equals("finished events SUCCEEDED")) {
          break;
        }
      }
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(runId).isNotNull();
    return runId;
  }

  @Test
  void aRunFindingATableLockedByAKilledRunTakesTheLockOverAtOnce() throws Exception {
    String runId = startAndKillARun();

    try (Workspace workspace = Workspace.open(project)) {
      // the killed run died holding the lock on a table (its heartbeat is still fresh)
      workspace
          .runStore()
          .locks()
          .tryLock(
              "table:raw.app_events",
              runId,
              java.time.Duration.ofMinutes(5),
              java.time.Instant.now());
      long started = System.nanoTime();

      RunResult run =
          new Runner(workspace)
              .run(new RunOptions(java.util.List.of("app.events"), false), RunListener.NONE);

      assertThat(run.succeeded()).as(String.valueOf(run.steps())).isTrue();
      assertThat(java.time.Duration.ofNanos(System.nanoTime() - started))
          .isLessThan(java.time.Duration.ofSeconds(30));
      RunDetail killed = workspace.runStore().runs().findRun(runId).orElseThrow();
      assertThat(killed.summary().status()).isEqualTo(RunStatus.INTERRUPTED);
      assertThat(killed.summary().error())
          .contains("its process (pid")
          .contains("is gone")
          .contains("'sluice run --resume " + runId + "'");
      assertThat(workspace.runStore().locks().lockHolder("table:raw.app_events")).isEmpty();
    }
  }
}
