package dev.sluice.core.run;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.core.Workspace;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.state.RunStore;
import dev.sluice.core.state.StepStatus;
import dev.sluice.lake.ReadPoint;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two runs never build the same table at once; locks expire when their holder dies. */
class ConcurrentRunsTest {
  @TempDir Path project;

  @Test
  void aSecondRunOfTheSameAssetFailsClearlyWhileTheFirstHoldsIt() throws Exception {
    write(project, "sluice.yaml", "name: locks\n");
    write(
        project,
        "models/curated/slow.sql",
        "select 42 as answer, (select sum(a.range * b.range) from range(60000) a, range(60000) b) as heavy\n");
    try (Workspace first = Workspace.open(project);
        Workspace second = Workspace.open(project)) {
      CompletableFuture<RunResult> firstRun =
          CompletableFuture.supplyAsync(
              () -> new Runner(first).run(RunOptions.all(), RunListener.NONE));
      // wait (bounded) until the first run holds the table's lock
      await("the first run takes the lock")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(10))
          .untilAsserted(
              () -> {
                assertThat(firstRun).isNotDone();
                assertThat(first.runStore().locks().lockHolder("table:curated.slow")).isPresent();
              });
      RunResult secondRun = new Runner(second).run(RunOptions.all(), RunListener.NONE);
      RunResult firstResult = firstRun.get(120, TimeUnit.SECONDS);
      assertThat(firstResult.succeeded()).as(String.valueOf(firstResult.steps())).isTrue();
      assertThat(secondRun.steps().get(0).status()).isEqualTo(StepStatus.FAILED);
      assertThat(secondRun.steps().get(0).error())
          .contains("curated.slow is being built by run " + firstResult.runId());
      assertThat(
              new QueryService(first)
                  .query("select count(*), max(answer) from curated.slow", ReadPoint.main(), 1)
                  .rows()
                  .get(0))
          .containsExactly(1L, 42);
      assertThat(first.runStore().locks().lockHolder("table:curated.slow")).isEmpty();
    }
  }

  @Test
  void locksAreExclusiveRenewableAndExpire() throws IOException {
    write(project, "sluice.yaml", "name: leases\n");
    try (Workspace workspace = Workspace.open(project)) {
      RunStore store = workspace.runStore();
      Instant now = Instant.now();
      Duration ttl = Duration.ofSeconds(10);
      assertThat(store.locks().tryLock("scheduler", "a", ttl, now)).isTrue();
      assertThat(store.locks().tryLock("scheduler", "b", ttl, now.plusSeconds(5))).isFalse();
      assertThat(store.locks().tryLock("scheduler", "a", ttl, now.plusSeconds(8)))
          .as("renewed")
          .isTrue();
      assertThat(store.locks().tryLock("scheduler", "b", ttl, now.plusSeconds(15)))
          .as("still renewed")
          .isFalse();
      assertThat(store.locks().tryLock("scheduler", "b", ttl, now.plusSeconds(19)))
          .as("expired: taken over")
          .isTrue();
      assertThat(store.locks().lockHolder("scheduler").orElseThrow().owner()).isEqualTo("b");
      store.locks().unlock("scheduler", "a");
      assertThat(store.locks().lockHolder("scheduler")).isPresent();
      store.locks().unlock("scheduler", "b");
      assertThat(store.locks().lockHolder("scheduler")).isEmpty();
    }
  }
}
