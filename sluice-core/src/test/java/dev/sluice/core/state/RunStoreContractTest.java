package dev.sluice.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.InvalidInputException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every state database behind a {@link RunStore} must do. Each database runs it through a
 * subclass that gives a new, empty database for each test.
 */
abstract class RunStoreContractTest {
  static final Instant START = Instant.parse("2026-11-21T19:33:00.123Z");

  RunStore store;

  /** The URL of an empty database, the same for the whole of one test. */
  abstract String jdbcUrl();

  /** The driver properties that go with {@link #jdbcUrl()}. */
  abstract Map<String, String> properties();

  @BeforeEach
  void openStore() {
    store = RunStore.open(jdbcUrl(), properties());
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  @Test
  void recordsAndReadsBackAWholeRun() {
    String runId = store.startRun("run", List.of("orders+", "tag:finance"), START);
    assertThat(runId).matches("20261121-193300-[0-9a-f]{4}");

    long source = store.startStep(runId, "raw.orders", "source", START.plusSeconds(1));
    long model = store.startStep(runId, "published.revenue", "model", START.plusSeconds(2));
    StepMetrics sourceMetrics = new StepMetrics(100, 98, 4096, 2048, 2, 7L, "appended 2 new files");
    store.finishStep(
        source, StepStatus.SUCCEEDED, START.plusSeconds(3), sourceMetrics, /* error= */ null);
    CheckRecord notNull =
        new CheckRecord(
            "published.revenue",
            "not_null",
            "amount",
            "error",
            "failed",
            3,
            "[{\"id\":1,\"amount\":null}]",
            "3 rows have no amount");
    CheckRecord rowCount =
        new CheckRecord("published.revenue", "row_count", null, "warn", "passed", 0, null, null);
    store.recordCheck(model, notNull);
    store.recordCheck(model, rowCount);
    store.finishStep(
        model,
        StepStatus.FAILED,
        START.plusSeconds(4),
        StepMetrics.empty(),
        "check not_null failed");
    store.finishRun(runId, RunStatus.FAILED, START.plusSeconds(5), "1 step failed");

    RunDetail run = store.findRun(runId).orElseThrow();

    assertThat(run.summary())
        .isEqualTo(
            new RunSummary(
                runId,
                "run",
                RunStatus.FAILED,
                START,
                START.plusSeconds(5),
                2,
                1,
                "1 step failed"));
    assertThat(run.selection()).containsExactly("orders+", "tag:finance");
    assertThat(run.steps())
        .containsExactly(
            new StepDetail(
                source,
                "raw.orders",
                "source",
                StepStatus.SUCCEEDED,
                START.plusSeconds(1),
                START.plusSeconds(3),
                sourceMetrics,
                null,
                List.of()),
            new StepDetail(
                model,
                "published.revenue",
                "model",
                StepStatus.FAILED,
                START.plusSeconds(2),
                START.plusSeconds(4),
                StepMetrics.empty(),
                "check not_null failed",
                List.of(notNull, rowCount)));
    assertThat(store.listRuns(10)).containsExactly(run.summary());
  }

  @Test
  void showsARunningRunAndStepAsRunning() {
    String runId = store.startRun("run", List.of(), START);
    long step = store.startStep(runId, "raw.orders", "source", START);

    RunDetail run = store.findRun(runId).orElseThrow();

    assertThat(run.summary().status()).isEqualTo(RunStatus.RUNNING);
    assertThat(run.summary().finishedAt()).isNull();
    assertThat(run.steps())
        .singleElement()
        .satisfies(
            detail -> {
              assertThat(detail.id()).isEqualTo(step);
              assertThat(detail.status()).isEqualTo(StepStatus.RUNNING);
              assertThat(detail.finishedAt()).isNull();
              assertThat(detail.metrics()).isEqualTo(StepMetrics.empty());
            });
  }

  @Test
  void listsNewestRunsFirstUpToTheLimit() {
    String first = store.startRun("run", List.of(), START);
    String second = store.startRun("run", List.of(), START.plus(Duration.ofHours(1)));
    String third = store.startRun("plan", List.of(), START.plus(Duration.ofDays(1)));

    assertThat(store.listRuns(10)).extracting(RunSummary::id).containsExactly(third, second, first);
    assertThat(store.listRuns(2)).extracting(RunSummary::id).containsExactly(third, second);
    assertThatThrownBy(() -> store.listRuns(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void givesRunsStartedInTheSameSecondDifferentIds() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      ids.add(store.startRun("run", List.of(), START));
    }

    assertThat(ids).doesNotHaveDuplicates().allMatch(id -> id.startsWith("20261121-193300-"));
  }

  @Test
  void recordsStepsFromManyThreadsAtOnce() throws Exception {
    String runId = store.startRun("run", List.of(), START);
    int threads = 8;
    int stepsPerThread = 25;
    List<Long> stepIds = new ArrayList<>();
    for (int i = 0; i < threads * stepsPerThread; i++) {
      stepIds.add(store.startStep(runId, "asset_" + i, "model", START));
    }

    runConcurrently(
        threads,
        thread -> {
          for (int i = thread; i < stepIds.size(); i += threads) {
            long stepId = stepIds.get(i);
            store.recordCheck(
                stepId,
                new CheckRecord("asset_" + i, "unique", "id", "error", "passed", 0, null, null));
            store.finishStep(
                stepId,
                StepStatus.SUCCEEDED,
                START.plusSeconds(i),
                new StepMetrics(i, i, i * 10L, i * 10L, 0, (long) i, null),
                null);
          }
        });

    RunDetail run = store.findRun(runId).orElseThrow();
    assertThat(run.summary().steps()).isEqualTo(threads * stepsPerThread);
    assertThat(run.summary().failedSteps()).isZero();
    for (int i = 0; i < run.steps().size(); i++) {
      StepDetail step = run.steps().get(i);
      assertThat(step.asset()).isEqualTo("asset_" + i);
      assertThat(step.status()).isEqualTo(StepStatus.SUCCEEDED);
      assertThat(step.metrics().rowsOut()).isEqualTo(i);
      assertThat(step.metrics().snapshotId()).isEqualTo(i);
      assertThat(step.checks()).hasSize(1);
    }
  }

  @Test
  void keepsItsDataWhenReopenedAndAppliesEachMigrationOnce() throws SQLException {
    String runId = store.startRun("run", List.of("orders"), START);
    long step = store.startStep(runId, "raw.orders", "source", START);
    store.finishStep(step, StepStatus.SUCCEEDED, START, StepMetrics.empty(), null);
    store.close();

    store = RunStore.open(jdbcUrl(), properties());
    store.close();
    store = RunStore.open(jdbcUrl(), properties());

    assertThat(store.findRun(runId).orElseThrow().steps()).hasSize(1);
    assertThat(store.startStep(runId, "raw.customers", "source", START)).isGreaterThan(step);
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      assertThat(
              singleString(
                  statement,
                  "SELECT COUNT(*) FROM "
                      + StateDatabase.SCHEMA_HISTORY_TABLE
                      + " WHERE version = '1' AND success = "
                      + (jdbcUrl().startsWith("jdbc:sqlite:") ? "1" : "true")))
          .isEqualTo("1");
    }
  }

  @Test
  void findsARunByAUniquePrefixOfItsId() {
    String first = store.startRun("run", List.of(), START);
    String second = store.startRun("run", List.of(), START);
    String nextDay = store.startRun("run", List.of(), START.plus(Duration.ofDays(1)));

    assertThat(store.findRun("20261122")).map(run -> run.summary().id()).contains(nextDay);
    assertThat(store.findRun(first)).map(run -> run.summary().id()).contains(first);
    assertThat(store.findRun(second)).map(run -> run.summary().id()).contains(second);
    assertThatThrownBy(() -> store.findRun("20261121-1933"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("20261121-1933")
        .hasMessageContaining(first)
        .hasMessageContaining(second);
    assertThatThrownBy(() -> store.findRun(" "))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("run id");
  }

  @Test
  void findsNothingForAnUnknownRun() {
    store.startRun("run", List.of(), START);

    assertThat(store.findRun("20991231-000000-ffff")).isEmpty();
    assertThat(store.findRun("2099")).isEmpty();
    assertThat(store.findRun("2026%")).isEmpty();
  }

  @Test
  void tellsWhenAnAssetLastSucceeded() {
    String runId = store.startRun("run", List.of(), START);
    long early = store.startStep(runId, "raw.orders", "source", START);
    long late = store.startStep(runId, "raw.orders", "source", START);
    long failed = store.startStep(runId, "raw.orders", "source", START);
    store.finishStep(early, StepStatus.SUCCEEDED, START.plusSeconds(10), StepMetrics.empty(), null);
    store.finishStep(late, StepStatus.SUCCEEDED, START.plusSeconds(20), StepMetrics.empty(), null);
    store.finishStep(failed, StepStatus.FAILED, START.plusSeconds(30), StepMetrics.empty(), "x");

    assertThat(store.lastSuccessfulStep("raw.orders")).contains(START.plusSeconds(20));
    assertThat(store.lastSuccessfulStep("raw.customers")).isEmpty();
  }

  @Test
  void refusesToFinishTwiceOrToTouchWhatDoesNotExist() {
    String runId = store.startRun("run", List.of(), START);
    long step = store.startStep(runId, "raw.orders", "source", START);
    store.finishStep(step, StepStatus.SKIPPED, START, StepMetrics.empty(), null);
    store.finishRun(runId, RunStatus.SUCCEEDED, START, null);

    assertThatThrownBy(
            () -> store.finishStep(step, StepStatus.FAILED, START, StepMetrics.empty(), null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already finished as SKIPPED");
    assertThatThrownBy(() -> store.finishRun(runId, RunStatus.FAILED, START, null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already finished as SUCCEEDED");
    assertThatThrownBy(() -> store.startStep(runId, "raw.customers", "source", START))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> store.finishRun("nope", RunStatus.FAILED, START, null))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("nope");
    assertThatThrownBy(() -> store.startStep("nope", "raw.orders", "source", START))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(
            () -> store.finishStep(12345, StepStatus.FAILED, START, StepMetrics.empty(), null))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("12345");
    assertThatThrownBy(
            () ->
                store.recordCheck(
                    12345, new CheckRecord("a", "unique", null, "warn", "passed", 0, null, null)))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> store.finishRun(runId, RunStatus.RUNNING, START, null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rejectsInvalidValues() {
    String runId = store.startRun("run", List.of(), START);

    assertThatThrownBy(() -> store.startStep(runId, "raw.orders", "table", START))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("table");
    assertThatThrownBy(() -> new StepMetrics(-1, 0, 0, 0, 0, null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rowsIn");
    assertThatThrownBy(() -> new CheckRecord("a", "unique", null, "fatal", "passed", 0, null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fatal");
    assertThatThrownBy(() -> new CheckRecord("a", "unique", null, "warn", "ok", 0, null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ok");
  }

  @Test
  void refusesUseAfterClose() {
    store.close();
    store.close();

    assertThatThrownBy(() -> store.listRuns(1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void recordsWhichProcessRunsARunAndItsLastSignOfLife() {
    RunProcess elsewhere = new RunProcess("builder-7", 4242);
    String runId = store.startRun("run", List.of(), START, elsewhere);

    assertThat(store.runOwner(runId))
        .contains(new RunOwner(runId, "run", RunStatus.RUNNING, elsewhere, START, START, 1));
    store.heartbeat(runId, START.plusSeconds(10));
    assertThat(store.runOwner(runId).orElseThrow().lastSeenAt()).isEqualTo(START.plusSeconds(10));
    assertThat(store.runningRuns()).extracting(RunOwner::runId).containsExactly(runId);

    store.finishRun(runId, RunStatus.SUCCEEDED, START.plusSeconds(20), null);
    assertThat(store.runningRuns()).isEmpty();
    assertThat(store.runOwner("20990101-000000-0000")).isEmpty();
  }

  @Test
  void interruptingARunFencesItsProcessAndReleasesItsLocksAtOnce() {
    String runId = store.startRun("run", List.of(), START);
    long step = store.startStep(runId, "raw.orders", "source", START.plusSeconds(1));
    assertThat(store.tryLock("table:raw.orders", runId, Duration.ofMinutes(1), START)).isTrue();
    assertThat(store.tryLock("table:raw.items", runId, Duration.ofMinutes(1), START)).isTrue();

    try (RunStore other = RunStore.open(jdbcUrl(), properties())) {
      long generation = other.runOwner(runId).orElseThrow().generation();
      assertThat(other.interruptRun(runId, generation, START.plusSeconds(90), "interrupted: gone"))
          .isTrue();
      // a second taker, who saw the same generation, does nothing
      assertThat(other.interruptRun(runId, generation, START.plusSeconds(91), "again")).isFalse();

      RunDetail run = other.findRun(runId).orElseThrow();
      assertThat(run.summary().status()).isEqualTo(RunStatus.INTERRUPTED);
      assertThat(run.summary().error()).isEqualTo("interrupted: gone");
      assertThat(run.summary().finishedAt()).isEqualTo(START.plusSeconds(90));
      assertThat(run.steps())
          .singleElement()
          .satisfies(
              s -> {
                assertThat(s.status()).isEqualTo(StepStatus.FAILED);
                assertThat(s.error()).startsWith("interrupted");
              });
      assertThat(other.lockHolder("table:raw.orders")).isEmpty();
      assertThat(other.lockHolder("table:raw.items")).isEmpty();
      assertThat(other.events(runId)).extracting(RunEvent::kind).containsExactly("interrupted");
      assertThat(other.runOwner(runId).orElseThrow().generation()).isEqualTo(generation + 1);
    }

    // the process that started the run continues: every write of its state is refused
    assertThatThrownBy(() -> store.heartbeat(runId, START.plusSeconds(100)))
        .isInstanceOf(RunTakenOverException.class)
        .hasMessageContaining("Run " + runId + " was taken over by another process");
    assertThatThrownBy(
            () ->
                store.finishStep(
                    step, StepStatus.SUCCEEDED, START.plusSeconds(100), StepMetrics.empty(), null))
        .isInstanceOf(RunTakenOverException.class);
    assertThatThrownBy(
            () ->
                store.recordCheck(
                    step,
                    new CheckRecord(
                        "raw.orders", "row_count", null, "warn", "passed", 0, null, null)))
        .isInstanceOf(RunTakenOverException.class);
    assertThatThrownBy(
            () -> store.recordEvent(new RunEvent(runId, null, START.plusSeconds(100), "x", null)))
        .isInstanceOf(RunTakenOverException.class);
    assertThatThrownBy(() -> store.startStep(runId, "m", "model", START.plusSeconds(100)))
        .isInstanceOf(RunTakenOverException.class);
    assertThatThrownBy(() -> store.recordPlan(runId, List.of("m")))
        .isInstanceOf(RunTakenOverException.class);
    assertThatThrownBy(
            () ->
                store.recordPartitions(
                    "m", List.of("2024-04"), true, runId, START.plusSeconds(100), 1L, 1L, null))
        .isInstanceOf(RunTakenOverException.class);
    assertThatThrownBy(
            () -> store.finishRun(runId, RunStatus.SUCCEEDED, START.plusSeconds(100), null))
        .isInstanceOf(RunTakenOverException.class);
    // nothing of it was written
    RunDetail after = store.findRun(runId).orElseThrow();
    assertThat(after.summary().status()).isEqualTo(RunStatus.INTERRUPTED);
    assertThat(after.steps()).singleElement().satisfies(s -> assertThat(s.checks()).isEmpty());
    assertThat(store.partitions("m")).isEmpty();
  }

  @Test
  void renewingALockNeverTakesOneThatWasReleased() {
    assertThat(store.tryLock("table:t", "run-a", Duration.ofMinutes(1), START)).isTrue();
    assertThat(store.renewLock("table:t", "run-a", Duration.ofMinutes(1), START.plusSeconds(20)))
        .isTrue();
    assertThat(store.lockHolder("table:t").orElseThrow().expiresAt())
        .isEqualTo(START.plusSeconds(80));

    store.unlockAll("run-a");
    assertThat(store.renewLock("table:t", "run-a", Duration.ofMinutes(1), START.plusSeconds(40)))
        .isFalse();
    assertThat(store.lockHolder("table:t")).isEmpty();
  }

  @Test
  void takesOverARunOnThisHostAtOnceWhenItsProcessIsGone() throws Exception {
    Process finished = new ProcessBuilder("true").start();
    assertThat(finished.waitFor(30, TimeUnit.SECONDS)).isTrue();
    RunProcess gone = new RunProcess(RunProcess.current().host(), finished.pid());
    String deadRun = store.startRun("backfill daily", List.of(), START, gone);
    String liveRun = store.startRun("run", List.of(), START, RunProcess.current());
    store.tryLock("table:curated.daily", deadRun, Duration.ofMinutes(1), START);
    // the heartbeats are fresh: only the process id tells
    AbandonedRuns abandoned =
        new AbandonedRuns(store, Clock.fixed(START.plusSeconds(1), ZoneOffset.UTC));

    List<AbandonedRuns.Interrupted> interrupted = abandoned.interruptAll();

    assertThat(interrupted).extracting(AbandonedRuns.Interrupted::runId).containsExactly(deadRun);
    assertThat(interrupted.get(0).message())
        .contains("its process (pid " + finished.pid() + " on " + gone.host() + ") is gone")
        .contains("locks are released")
        .contains("'sluice backfill --resume " + deadRun + "'");
    assertThat(store.lockHolder("table:curated.daily")).isEmpty();
    assertThat(store.findRun(liveRun).orElseThrow().summary().status())
        .isEqualTo(RunStatus.RUNNING);
  }

  @Test
  void takesOverARunOfAnotherHostOnlyWhenItsHeartbeatExpired() {
    String runId = store.startRun("run", List.of(), START, new RunProcess("elsewhere", 1));
    store.heartbeat(runId, START.plusSeconds(30));

    AbandonedRuns early =
        new AbandonedRuns(store, Clock.fixed(START.plusSeconds(80), ZoneOffset.UTC));
    assertThat(early.find()).isEmpty();
    assertThat(early.interruptIfGone(runId)).isEmpty();

    AbandonedRuns late =
        new AbandonedRuns(store, Clock.fixed(START.plusSeconds(91), ZoneOffset.UTC));
    assertThat(late.find()).extracting(RunOwner::runId).containsExactly(runId);
    assertThat(late.interruptIfGone(runId).orElseThrow().message())
        .contains("no sign of life since " + START.plusSeconds(30))
        .contains("'sluice run --resume " + runId + "'");
    assertThat(store.findRun(runId).orElseThrow().summary().status())
        .isEqualTo(RunStatus.INTERRUPTED);
    assertThat(late.find()).isEmpty();
  }

  /** A connection of the test's own to the store's database. */
  Connection connect() throws SQLException {
    Properties driverProperties = new Properties();
    driverProperties.putAll(properties());
    return DriverManager.getConnection(jdbcUrl(), driverProperties);
  }

  static String singleString(Statement statement, String sql) throws SQLException {
    try (ResultSet rows = statement.executeQuery(sql)) {
      assertThat(rows.next()).isTrue();
      return rows.getString(1);
    }
  }

  /** Work of one of several threads, given the thread's number. */
  @FunctionalInterface
  interface ThreadWork {
    void run(int thread) throws Exception;
  }

  /** Runs work on several threads released at the same moment; fails if any of them fails. */
  static void runConcurrently(int threads, ThreadWork work) throws Exception {
    ExecutorService executor = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Optional<Void>>> results = new ArrayList<>();
      for (int thread = 0; thread < threads; thread++) {
        int number = thread;
        Callable<Optional<Void>> task =
            () -> {
              start.await();
              work.run(number);
              return Optional.empty();
            };
        results.add(executor.submit(task));
      }
      start.countDown();
      for (Future<Optional<Void>> result : results) {
        result.get(60, TimeUnit.SECONDS);
      }
    } finally {
      executor.shutdownNow();
    }
  }
}
