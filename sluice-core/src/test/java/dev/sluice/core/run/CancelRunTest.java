package dev.sluice.core.run;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.TableName;
import dev.sluice.core.Workspace;
import dev.sluice.core.state.RunStatus;
import dev.sluice.core.state.RunStore;
import dev.sluice.core.state.StepKind;
import dev.sluice.core.state.StepStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run cancelled from another store connection stops its running step and skips the rest. */
class CancelRunTest {
  @TempDir Path project;

  @Test
  void cancelStopsTheRunningStepAndSkipsTheRest() throws Exception {
    write(project, "sluice.yaml", "name: cancel\nthreads: 1\n");
    write(
        project,
        "models/curated/slow.sql",
        "select sum(a.range * b.range) as total from range(300000) a, range(300000) b\n");
    write(project, "models/published/after.sql", "select * from {{ ref('slow') }}\n");
    try (Workspace workspace = Workspace.open(project)) {
      CountDownLatch slowStarted = new CountDownLatch(1);
      String[] runId = new String[1];
      RunListener listener =
          new RunListener() {
            @Override
            public void runStarted(String id, int steps) {
              runId[0] = id;
            }

            @Override
            public void stepStarted(String asset, StepKind kind) {
              if (asset.equals("slow")) {
                slowStarted.countDown();
              }
            }
          };
      CompletableFuture<RunResult> running =
          CompletableFuture.supplyAsync(
              () -> new Runner(workspace).run(RunOptions.all(), listener));
      assertThat(slowStarted.await(30, TimeUnit.SECONDS)).isTrue();
      Instant asked = Instant.now();
      try (RunStore other =
          RunStore.open(
              workspace.project().config().stateUrl(),
              workspace.project().config().stateProperties())) {
        assertThat(other.runs().requestCancel(runId[0].substring(0, runId[0].length() - 1), asked))
            .isEqualTo(runId[0]);
      }
      RunResult result = running.get(60, TimeUnit.SECONDS);
      assertThat(Duration.between(asked, Instant.now())).isLessThan(Duration.ofSeconds(20));

      assertThat(result.status()).isEqualTo(RunStatus.CANCELLED);
      StepResult slow = result.steps().get(0);
      assertThat(slow.status()).isEqualTo(StepStatus.FAILED);
      assertThat(slow.error()).contains("cancelled on request");
      assertThat(result.steps().get(1).status()).isEqualTo(StepStatus.SKIPPED);
      assertThat(
              workspace
                  .lake()
                  .findTable(TableName.parse("curated.slow"))
                  .map(t -> t.currentSnapshot())
                  .orElse(null))
          .isNull();
      assertThat(workspace.runStore().runs().findRun(runId[0]).orElseThrow().summary().status())
          .isEqualTo(RunStatus.CANCELLED);
      assertThatThrownBy(() -> workspace.runStore().runs().requestCancel(runId[0], Instant.now()))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("already finished");
    }
  }
}
