package dev.sluice.core.run;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.connector.testkit.ChildJava;
import dev.sluice.core.Workspace;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.schedule.Scheduler;
import dev.sluice.core.state.RunDetail;
import dev.sluice.core.state.RunStatus;
import dev.sluice.core.state.StepStatus;
import dev.sluice.lake.ReadPoint;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills (SIGKILL) a backfill after some of its partitions were committed; the scheduler of a server
 * starting afterwards finds the dead run and finishes it: committed partitions are not redone, and
 * every partition holds its rows exactly once.
 */
class BackfillKillAndRecoverTest {
  @TempDir Path project;

  @Test
  void aServerFinishesABackfillWhoseProcessWasKilled() throws Exception {
    LocalDate start = LocalDate.now(ZoneOffset.UTC).minusDays(6);
    write(project, "sluice.yaml", "name: backfill\nthreads: 1\n");
    write(
        project,
        "models/curated/daily.sql",
        "select d::date as day, (select count(*) from range(2000) a, range(6000) b"
            + " where a.range * b.range % 7 = 0) as heavy, 1 as n\n"
            + "from range(DATE '{{ start }}', DATE '{{ end }}', INTERVAL 1 DAY) t(d)\n");
    write(
        project,
        "models/curated/daily.yaml",
        "models:\n  - name: daily\n    materialized: incremental_by_time_range\n"
            + "    partitions:\n      - column: day\n        grain: day\n        start: "
            + start
            + "\n");

    Process child =
        new ProcessBuilder(
                ChildJava.command(BackfillInChildProcess.class, project.toString(), "daily"))
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    String runId = null;
    int committed = 0;
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (line.startsWith("run ")) {
          runId = line.substring(4);
        }
        if (line.startsWith("finished daily[") && line.endsWith("SUCCEEDED")) {
          committed++;
          if (committed == 2) {
            break;
          }
        }
      }
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(runId).isNotNull();
    assertThat(committed).isEqualTo(2);

    try (Workspace workspace = Workspace.open(project)) {
      assertThat(workspace.runStore().runs().findRun(runId).orElseThrow().summary().status())
          .isEqualTo(RunStatus.RUNNING);
      int materializedBefore = workspace.runStore().partitions().partitions("daily").size();
      assertThat(materializedBefore).isBetween(2, 3);

      // its heartbeat is fresh, but a server on the same host sees at once that its process is
      // gone (no process has its id any more)
      Scheduler server =
          new Scheduler(workspace, "server-1", Clock.systemUTC(), Duration.ofMinutes(1));
      assertThat(server.abandonedRuns()).containsExactly(runId);
      RunResult recovered = server.recover(runId, RunListener.NONE);

      assertThat(recovered.succeeded()).as(String.valueOf(recovered.steps())).isTrue();
      assertThat(recovered.steps()).hasSize(6 - materializedBefore);
      assertThat(recovered.steps()).allMatch(step -> step.asset().startsWith("daily["));
      RunDetail killed = workspace.runStore().runs().findRun(runId).orElseThrow();
      assertThat(killed.summary().status()).isEqualTo(RunStatus.INTERRUPTED);
      assertThat(killed.steps()).noneMatch(step -> step.status() == StepStatus.RUNNING);
      assertThat(server.abandonedRuns()).isEmpty();

      assertThat(workspace.runStore().partitions().partitions("daily").values())
          .hasSize(6)
          .allMatch(state -> state.status() == dev.sluice.core.state.PartitionStatus.MATERIALIZED);
      List<List<Object>> rows =
          new QueryService(workspace)
              .query(
                  "select count(*), count(distinct day), sum(n) from curated.daily",
                  ReadPoint.main(),
                  1)
              .rows();
      assertThat(rows.get(0).get(0)).isEqualTo(6L);
      assertThat(rows.get(0).get(1)).isEqualTo(6L);
    }
  }
}
