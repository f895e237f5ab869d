package dev.sluice.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.SluiceException;
import dev.sluice.api.timing.StepPhase;
import dev.sluice.core.project.Severity;
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
  void onePromotionRunsAtATime() {
    PromotionRecords promotions = store.promotions();
    List<PromotionRecords.PromotedTable> tables =
        List.of(new PromotionRecords.PromotedTable("curated.orders", 1L, 2L, false));
    assertThat(promotions.start("promotion-a", "dev", START, "ada", null, tables)).isTrue();
    // the state database's own index refuses a second running promotion, whoever asks
    assertThat(promotions.start("promotion-b", "other", START, "bob", null, tables)).isFalse();
    assertThat(promotions.running().orElseThrow().id()).isEqualTo("promotion-a");
    assertThat(promotions.find("promotion-b")).isEmpty();

    promotions.finish("promotion-a", PromotionRecords.Status.DONE, START.plusSeconds(1));
    assertThat(promotions.running()).isEmpty();
    assertThat(promotions.start("promotion-b", "other", START, "bob", null, tables)).isTrue();
    assertThat(promotions.running().orElseThrow().id()).isEqualTo("promotion-b");
  }

  @Test
  void pruningDeletesOldRunsWithWhatTheyRecordedButKeepsWhatStillPointsAtThem() {
    Instant old = START.minus(Duration.ofDays(100));
    // 'orders' was built long ago and again recently: the old build and an old failure go
    String superseded = finishedRun(old, "orders", StepStatus.SUCCEEDED);
    long supersededStep = store.runs().findRun(superseded).orElseThrow().steps().get(0).id();
    store
        .steps()
        .recordCheck(
            supersededStep,
            new CheckRecord(
                "orders", "not_null", "id", Severity.ERROR, CheckStatus.PASSED, 0, null, null));
    store
        .metrics()
        .record(
            supersededStep,
            "orders",
            new TableProfile(
                "curated.orders",
                null,
                3,
                64,
                1,
                List.of(new ColumnProfile("id", "long", 0.0, 3L, "1", "3", 2.0, null, null, null))),
            old);
    store.events().recordEvent(new RunEvent(superseded, "orders", old, "succeeded", null));
    String failed = finishedRun(old.plusSeconds(60), "orders", StepStatus.FAILED);
    // the last build of 'customers', of a partition, and a run still in progress stay
    String lastOfCustomers = finishedRun(old.plusSeconds(120), "customers", StepStatus.SUCCEEDED);
    String partition = finishedRun(old.plusSeconds(180), "daily[2026-08-01]", StepStatus.FAILED);
    store
        .partitions()
        .recordFailed("daily", List.of("2026-08-01"), partition, old.plusSeconds(181), "boom");
    String running = store.runs().startRun("run", List.of(), old.plusSeconds(240));
    String recent = finishedRun(START, "orders", StepStatus.SUCCEEDED);

    RunHistory.Pruned planned = store.history().prune(START.minus(Duration.ofDays(90)), true);
    assertThat(planned.runs()).containsExactly(superseded, failed);
    assertThat(planned.steps()).isEqualTo(2);
    assertThat(planned.events()).isEqualTo(1);
    assertThat(planned.checkResults()).isEqualTo(1);
    assertThat(store.runs().findRun(superseded)).isPresent();

    RunHistory.Pruned pruned = store.history().prune(START.minus(Duration.ofDays(90)), false);
    assertThat(pruned).isEqualTo(planned);
    assertThat(store.runs().findRun(superseded)).isEmpty();
    assertThat(store.runs().findRun(failed)).isEmpty();
    assertThat(store.events().events(superseded)).isEmpty();
    assertThat(store.runs().listRuns(10))
        .extracting(RunSummary::id)
        .containsExactlyInAnyOrder(lastOfCustomers, partition, running, recent);
    assertThat(store.steps().lastSuccessfulStep("customers")).isPresent();
    // nothing is left to prune: a second prune is a no-op
    assertThat(store.history().prune(START.minus(Duration.ofDays(90)), false).runs()).isEmpty();
  }

  /** A finished run of one step of {@code asset} with {@code status}, started at {@code at}. */
  private String finishedRun(Instant at, String asset, StepStatus status) {
    String runId = store.runs().startRun("run", List.of(asset), at);
    long step = store.steps().startStep(runId, asset, StepKind.MODEL, at);
    store.steps().finishStep(step, status, at.plusSeconds(1), StepMetrics.empty(), null);
    store
        .runs()
        .finishRun(
            runId,
            status == StepStatus.SUCCEEDED ? RunStatus.SUCCEEDED : RunStatus.FAILED,
            at.plusSeconds(2),
            null);
    return runId;
  }

  @Test
  void keepsTheMetricHistoryOfEachWriteAndReadsTheLatestOfSucceededSteps() {
    String runId = store.runs().startRun("run", List.of(), START);
    long first = store.steps().startStep(runId, "daily", StepKind.MODEL, START);
    ColumnProfile amount =
        new ColumnProfile("amount", "double", 0.25, 3L, "1.5", "9.0", 4.75, null, null, null);
    ColumnProfile name =
        new ColumnProfile("name", "string", 0.0, 4L, null, null, null, 1L, 12L, 6.5);
    store
        .metrics()
        .record(
            first,
            "daily",
            new TableProfile("curated.daily", "2026-11-20", 4, 1024, 1, List.of(amount, name)),
            START.plusSeconds(1));
    store
        .steps()
        .finishStep(first, StepStatus.SUCCEEDED, START.plusSeconds(2), StepMetrics.empty(), null);
    long blocked = store.steps().startStep(runId, "daily", StepKind.MODEL, START.plusSeconds(3));
    store
        .metrics()
        .record(
            blocked,
            "daily",
            new TableProfile("curated.daily", "2026-11-20", 0, 10, 1, List.of()),
            START.plusSeconds(4));
    store
        .steps()
        .finishStep(
            blocked, StepStatus.FAILED, START.plusSeconds(5), StepMetrics.empty(), "blocked");

    MetricHistory.Recorded latest =
        store.metrics().latest("curated.daily", "2026-11-20").orElseThrow();
    assertThat(latest.runId()).isEqualTo(runId);
    assertThat(latest.stepStatus()).isEqualTo(StepStatus.SUCCEEDED);
    assertThat(latest.recordedAt()).isEqualTo(START.plusSeconds(1));
    assertThat(latest.profile())
        .isEqualTo(
            new TableProfile("curated.daily", "2026-11-20", 4, 1024, 1, List.of(amount, name)));
    assertThat(store.metrics().history("curated.daily", null, false, 10))
        .extracting(recorded -> recorded.stepStatus())
        .containsExactly(StepStatus.FAILED, StepStatus.SUCCEEDED);
    assertThat(store.metrics().latest("curated.daily", "2026-11-21")).isEmpty();
    assertThat(store.metrics().latest("curated.other", null)).isEmpty();
    assertThatThrownBy(
            () ->
                store
                    .metrics()
                    .record(
                        424242L,
                        "daily",
                        new TableProfile("curated.daily", null, 0, 0, 0, List.of()),
                        START))
        .isInstanceOf(InvalidInputException.class);
  }

  @Test
  void recordsAndReadsBackAWholeRun() {
    String runId = store.runs().startRun("run", List.of("orders+", "tag:finance"), START);
    assertThat(runId).matches("20261121-193300-[0-9a-f]{4}");

    long source =
        store.steps().startStep(runId, "raw.orders", StepKind.SOURCE, START.plusSeconds(1));
    long model =
        store.steps().startStep(runId, "published.revenue", StepKind.MODEL, START.plusSeconds(2));
    StepMetrics sourceMetrics =
        new StepMetrics(
            100,
            98,
            4096,
            2048,
            2,
            7L,
            "appended 2 new files",
            Map.of(
                StepPhase.ENGINE,
                Duration.ofNanos(12_345_000),
                StepPhase.DATA_FILE,
                Duration.ofMillis(2),
                StepPhase.RUN_STORE,
                Duration.ofNanos(1_500_000)));
    store
        .steps()
        .finishStep(
            source, StepStatus.SUCCEEDED, START.plusSeconds(3), sourceMetrics, /* error= */ null);
    CheckRecord notNull =
        new CheckRecord(
            "published.revenue",
            "not_null",
            "amount",
            Severity.ERROR,
            CheckStatus.FAILED,
            3,
            "[{\"id\":1,\"amount\":null}]",
            "3 rows have no amount");
    CheckRecord rowCount =
        new CheckRecord(
            "published.revenue",
            "row_count",
            null,
            Severity.WARN,
            CheckStatus.PASSED,
            0,
            null,
            null);
    store.steps().recordCheck(model, notNull);
    store.steps().recordCheck(model, rowCount);
    store
        .steps()
        .finishStep(
            model,
            StepStatus.FAILED,
            START.plusSeconds(4),
            StepMetrics.empty(),
            "check not_null failed");
    store.runs().finishRun(runId, RunStatus.FAILED, START.plusSeconds(5), "1 step failed");

    RunDetail run = store.runs().findRun(runId).orElseThrow();

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
                StepKind.SOURCE,
                StepStatus.SUCCEEDED,
                START.plusSeconds(1),
                START.plusSeconds(3),
                sourceMetrics,
                null,
                List.of()),
            new StepDetail(
                model,
                "published.revenue",
                StepKind.MODEL,
                StepStatus.FAILED,
                START.plusSeconds(2),
                START.plusSeconds(4),
                StepMetrics.empty(),
                "check not_null failed",
                List.of(notNull, rowCount)));
    assertThat(store.runs().listRuns(10)).containsExactly(run.summary());
    assertThat(run.steps().get(0).metrics().phasesMillis())
        .containsExactly(
            Map.entry("engine", 12.345), Map.entry("dataFile", 2.0), Map.entry("runStore", 1.5));
    assertThat(run.steps().get(1).metrics().phasesMillis()).isEmpty();
  }

  @Test
  void appliesAMigrationOlderThanTheNewestOneItHasWhenItLacksIt() throws SQLException {
    // a database migrated by a build without V22 but with later versions gets V22 when opened
    store.close();
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      statement.execute("ALTER TABLE sluice_steps DROP COLUMN phases");
      statement.execute(
          "DELETE FROM " + StateDatabase.SCHEMA_HISTORY_TABLE + " WHERE version = '22'");
    }
    store = RunStore.open(jdbcUrl(), properties());

    String runId = store.runs().startRun("run", List.of(), START);
    long step = store.steps().startStep(runId, "raw.orders", StepKind.SOURCE, START);
    store
        .steps()
        .finishStep(
            step,
            StepStatus.SUCCEEDED,
            START,
            new StepMetrics(
                1, 1, 1, 1, 0, null, null, Map.of(StepPhase.CATALOG, Duration.ofMillis(3))),
            null);
    assertThat(store.runs().findRun(runId).orElseThrow().steps().get(0).metrics().phasesMillis())
        .containsExactly(Map.entry("catalog", 3.0));
  }

  @Test
  void recordsWhatStepsAndQueriesConsumedAndWhatTablesHold() {
    String runId = store.runs().startRun("run", List.of(), START);
    long step = store.steps().startStep(runId, "orders", StepKind.MODEL, START);
    StepUsage usage =
        new StepUsage(
            runId,
            "orders",
            "curated.orders",
            START.plusSeconds(2),
            2000,
            1500,
            3_000_000_000L,
            10,
            9,
            2,
            4096,
            1,
            2048);
    store.costs().recordStep(step, usage);
    QueryUsage query =
        new QueryUsage(
            START.plusSeconds(5),
            "analyst",
            List.of("curated.orders", "raw.orders"),
            3,
            5_000_000_000_000L,
            40,
            55,
            7);
    store.costs().recordQuery(query);
    StorageSample sample =
        new StorageSample("curated.orders", START.plusSeconds(9), 100, 1, 50, 2, 30, 4);
    store.costs().recordStorage(sample);

    assertThat(store.costs().steps(START, START.plusSeconds(3))).containsExactly(usage);
    assertThat(store.costs().steps(START.plusSeconds(3), START.plusSeconds(60))).isEmpty();
    assertThat(store.costs().queries(START, START.plusSeconds(60))).containsExactly(query);
    assertThat(store.costs().queries(START, START.plusSeconds(5))).isEmpty();
    assertThat(store.costs().storage(START.plusSeconds(60))).containsExactly(sample);
    assertThat(store.costs().storage(START.plusSeconds(9))).isEmpty();
    assertThatThrownBy(() -> store.costs().recordStep(step, usage))
        .as("a step's usage is recorded once")
        .isInstanceOf(SluiceException.class);
  }

  @Test
  void showsARunningRunAndStepAsRunning() {
    String runId = store.runs().startRun("run", List.of(), START);
    long step = store.steps().startStep(runId, "raw.orders", StepKind.SOURCE, START);

    RunDetail run = store.runs().findRun(runId).orElseThrow();

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
    String first = store.runs().startRun("run", List.of(), START);
    String second = store.runs().startRun("run", List.of(), START.plus(Duration.ofHours(1)));
    String third = store.runs().startRun("plan", List.of(), START.plus(Duration.ofDays(1)));

    assertThat(store.runs().listRuns(10))
        .extracting(RunSummary::id)
        .containsExactly(third, second, first);
    assertThat(store.runs().listRuns(2)).extracting(RunSummary::id).containsExactly(third, second);
    assertThatThrownBy(() -> store.runs().listRuns(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void givesRunsStartedInTheSameSecondDifferentIds() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      ids.add(store.runs().startRun("run", List.of(), START));
    }

    assertThat(ids).doesNotHaveDuplicates().allMatch(id -> id.startsWith("20261121-193300-"));
  }

  @Test
  void recordsStepsFromManyThreadsAtOnce() throws Exception {
    String runId = store.runs().startRun("run", List.of(), START);
    int threads = 8;
    int stepsPerThread = 25;
    List<Long> stepIds = new ArrayList<>();
    for (int i = 0; i < threads * stepsPerThread; i++) {
      stepIds.add(store.steps().startStep(runId, "asset_" + i, StepKind.MODEL, START));
    }

    runConcurrently(
        threads,
        thread -> {
          for (int i = thread; i < stepIds.size(); i += threads) {
            long stepId = stepIds.get(i);
            store
                .steps()
                .recordCheck(
                    stepId,
                    new CheckRecord(
                        "asset_" + i,
                        "unique",
                        "id",
                        Severity.ERROR,
                        CheckStatus.PASSED,
                        0,
                        null,
                        null));
            store
                .steps()
                .finishStep(
                    stepId,
                    StepStatus.SUCCEEDED,
                    START.plusSeconds(i),
                    new StepMetrics(i, i, i * 10L, i * 10L, 0, (long) i, null),
                    null);
          }
        });

    RunDetail run = store.runs().findRun(runId).orElseThrow();
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
    String runId = store.runs().startRun("run", List.of("orders"), START);
    long step = store.steps().startStep(runId, "raw.orders", StepKind.SOURCE, START);
    store.steps().finishStep(step, StepStatus.SUCCEEDED, START, StepMetrics.empty(), null);
    store.close();

    store = RunStore.open(jdbcUrl(), properties());
    store.close();
    store = RunStore.open(jdbcUrl(), properties());

    assertThat(store.runs().findRun(runId).orElseThrow().steps()).hasSize(1);
    assertThat(store.steps().startStep(runId, "raw.customers", StepKind.SOURCE, START))
        .isGreaterThan(step);
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
    String first = store.runs().startRun("run", List.of(), START);
    String second = store.runs().startRun("run", List.of(), START);
    String nextDay = store.runs().startRun("run", List.of(), START.plus(Duration.ofDays(1)));

    assertThat(store.runs().findRun("20261122")).map(run -> run.summary().id()).contains(nextDay);
    assertThat(store.runs().findRun(first)).map(run -> run.summary().id()).contains(first);
    assertThat(store.runs().findRun(second)).map(run -> run.summary().id()).contains(second);
    assertThatThrownBy(() -> store.runs().findRun("20261121-1933"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("20261121-1933")
        .hasMessageContaining(first)
        .hasMessageContaining(second);
    assertThatThrownBy(() -> store.runs().findRun(" "))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("run id");
  }

  @Test
  void findsNothingForAnUnknownRun() {
    store.runs().startRun("run", List.of(), START);

    assertThat(store.runs().findRun("20991231-000000-ffff")).isEmpty();
    assertThat(store.runs().findRun("2099")).isEmpty();
    assertThat(store.runs().findRun("2026%")).isEmpty();
  }

  @Test
  void tellsWhenAnAssetLastSucceeded() {
    String runId = store.runs().startRun("run", List.of(), START);
    long early = store.steps().startStep(runId, "raw.orders", StepKind.SOURCE, START);
    long late = store.steps().startStep(runId, "raw.orders", StepKind.SOURCE, START);
    long failed = store.steps().startStep(runId, "raw.orders", StepKind.SOURCE, START);
    store
        .steps()
        .finishStep(early, StepStatus.SUCCEEDED, START.plusSeconds(10), StepMetrics.empty(), null);
    store
        .steps()
        .finishStep(late, StepStatus.SUCCEEDED, START.plusSeconds(20), StepMetrics.empty(), null);
    store
        .steps()
        .finishStep(failed, StepStatus.FAILED, START.plusSeconds(30), StepMetrics.empty(), "x");

    assertThat(store.steps().lastSuccessfulStep("raw.orders")).contains(START.plusSeconds(20));
    assertThat(store.steps().lastSuccessfulStep("raw.customers")).isEmpty();
  }

  @Test
  void refusesToFinishTwiceOrToTouchWhatDoesNotExist() {
    String runId = store.runs().startRun("run", List.of(), START);
    long step = store.steps().startStep(runId, "raw.orders", StepKind.SOURCE, START);
    store.steps().finishStep(step, StepStatus.SKIPPED, START, StepMetrics.empty(), null);
    store.runs().finishRun(runId, RunStatus.SUCCEEDED, START, null);

    assertThatThrownBy(
            () ->
                store.steps().finishStep(step, StepStatus.FAILED, START, StepMetrics.empty(), null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already finished as SKIPPED");
    assertThatThrownBy(() -> store.runs().finishRun(runId, RunStatus.FAILED, START, null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already finished as SUCCEEDED");
    assertThatThrownBy(
            () -> store.steps().startStep(runId, "raw.customers", StepKind.SOURCE, START))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> store.runs().finishRun("nope", RunStatus.FAILED, START, null))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("nope");
    assertThatThrownBy(() -> store.steps().startStep("nope", "raw.orders", StepKind.SOURCE, START))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(
            () ->
                store
                    .steps()
                    .finishStep(12345, StepStatus.FAILED, START, StepMetrics.empty(), null))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("12345");
    assertThatThrownBy(
            () ->
                store
                    .steps()
                    .recordCheck(
                        12345,
                        new CheckRecord(
                            "a", "unique", null, Severity.WARN, CheckStatus.PASSED, 0, null, null)))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> store.runs().finishRun(runId, RunStatus.RUNNING, START, null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rejectsInvalidValues() {

    assertThatThrownBy(() -> StepKind.parse("table"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid kind of step: table (expected source, seed, model)");
    assertThatThrownBy(() -> new StepMetrics(-1, 0, 0, 0, 0, null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rowsIn");
    assertThatThrownBy(() -> Severity.parse("fatal"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fatal");
    assertThatThrownBy(() -> CheckStatus.parse("ok"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ok");
  }

  @Test
  void aStatusTheStoreCannotReadIsNamedWithItsColumn() throws SQLException {
    String runId = store.runs().startRun("run", List.of(), START);
    long step = store.steps().startStep(runId, "raw.orders", StepKind.SOURCE, START);
    store
        .steps()
        .recordCheck(
            step,
            new CheckRecord(
                "raw.orders", "unique", null, Severity.WARN, CheckStatus.PASSED, 0, null, null));
    store.runs().finishRun(runId, RunStatus.SUCCEEDED, START.plusSeconds(1), null);
    assertThat(store.runs().findRun(runId).orElseThrow().steps().get(0).checks())
        .extracting(CheckRecord::severity, CheckRecord::status)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(Severity.WARN, CheckStatus.PASSED));
    // the database keeps the values as it always did
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      try (ResultSet rows =
          statement.executeQuery("SELECT severity, status FROM sluice_check_results")) {
        assertThat(rows.next()).isTrue();
        assertThat(rows.getString(1) + " " + rows.getString(2)).isEqualTo("warn passed");
      }
      statement.executeUpdate("UPDATE sluice_check_results SET status = 'fine'");
    }
    assertThatThrownBy(() -> store.runs().findRun(runId))
        .hasMessageContaining("Invalid check status: fine")
        .hasMessageContaining("status");
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      statement.executeUpdate("UPDATE sluice_check_results SET status = 'passed'");
      statement.executeUpdate("UPDATE sluice_steps SET status = 'DONE'");
    }
    assertThatThrownBy(() -> store.runs().findRun(runId))
        .hasMessageContaining("'DONE'")
        .hasMessageContaining("StepStatus");
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      statement.executeUpdate("UPDATE sluice_steps SET status = 'SUCCEEDED', kind = 'table'");
    }
    assertThatThrownBy(() -> store.runs().findRun(runId))
        .hasMessageContaining("Cannot read the kind of a step in the state database")
        .hasMessageContaining("Invalid kind of step: table");
  }

  @Test
  void keepsAStepsKindByItsLabel() throws SQLException {
    String runId = store.runs().startRun("run", List.of(), START);
    store.steps().startStep(runId, "raw.orders", StepKind.SOURCE, START);
    store.steps().startStep(runId, "countries", StepKind.SEED, START);
    store.steps().startStep(runId, "revenue", StepKind.MODEL, START);

    assertThat(store.runs().findRun(runId).orElseThrow().steps())
        .extracting(StepDetail::kind)
        .containsExactly(StepKind.SOURCE, StepKind.SEED, StepKind.MODEL);
    // the database keeps the text it always did
    try (Connection connection = connect();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT kind FROM sluice_steps ORDER BY id")) {
      List<String> kinds = new ArrayList<>();
      while (rows.next()) {
        kinds.add(rows.getString(1));
      }
      assertThat(kinds).containsExactly("source", "seed", "model");
    }
  }

  @Test
  void refusesUseAfterClose() {
    store.close();
    store.close();

    assertThatThrownBy(() -> store.runs().listRuns(1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void recordsWhichProcessRunsARunAndItsLastSignOfLife() {
    RunProcess elsewhere = new RunProcess("builder-7", 4242);
    String runId = store.runs().startRun("run", List.of(), START, elsewhere);

    assertThat(store.runs().runOwner(runId))
        .contains(new RunOwner(runId, "run", RunStatus.RUNNING, elsewhere, START, START, 1));
    store.runs().heartbeat(runId, START.plusSeconds(10));
    assertThat(store.runs().runOwner(runId).orElseThrow().lastSeenAt())
        .isEqualTo(START.plusSeconds(10));
    assertThat(store.runs().runningRuns()).extracting(RunOwner::runId).containsExactly(runId);

    store.runs().finishRun(runId, RunStatus.SUCCEEDED, START.plusSeconds(20), null);
    assertThat(store.runs().runningRuns()).isEmpty();
    assertThat(store.runs().runOwner("20990101-000000-0000")).isEmpty();
  }

  @Test
  void interruptingARunFencesItsProcessAndReleasesItsLocksAtOnce() {
    String runId = store.runs().startRun("run", List.of(), START);
    long step = store.steps().startStep(runId, "raw.orders", StepKind.SOURCE, START.plusSeconds(1));
    assertThat(store.locks().tryLock("table:raw.orders", runId, Duration.ofMinutes(1), START))
        .isTrue();
    assertThat(store.locks().tryLock("table:raw.items", runId, Duration.ofMinutes(1), START))
        .isTrue();

    try (RunStore other = RunStore.open(jdbcUrl(), properties())) {
      long generation = other.runs().runOwner(runId).orElseThrow().generation();
      assertThat(
              other
                  .runs()
                  .interruptRun(runId, generation, START.plusSeconds(90), "interrupted: gone"))
          .isTrue();
      // a second taker, who saw the same generation, does nothing
      assertThat(other.runs().interruptRun(runId, generation, START.plusSeconds(91), "again"))
          .isFalse();

      RunDetail run = other.runs().findRun(runId).orElseThrow();
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
      assertThat(other.locks().lockHolder("table:raw.orders")).isEmpty();
      assertThat(other.locks().lockHolder("table:raw.items")).isEmpty();
      assertThat(other.events().events(runId))
          .extracting(RunEvent::kind)
          .containsExactly("interrupted");
      assertThat(other.runs().runOwner(runId).orElseThrow().generation()).isEqualTo(generation + 1);
    }

    // the process that started the run continues: every write of its state is refused
    assertThatThrownBy(() -> store.runs().heartbeat(runId, START.plusSeconds(100)))
        .isInstanceOf(RunTakenOverException.class)
        .hasMessageContaining("Run " + runId + " was taken over by another process");
    assertThatThrownBy(
            () ->
                store
                    .steps()
                    .finishStep(
                        step,
                        StepStatus.SUCCEEDED,
                        START.plusSeconds(100),
                        StepMetrics.empty(),
                        null))
        .isInstanceOf(RunTakenOverException.class);
    assertThatThrownBy(
            () ->
                store
                    .steps()
                    .recordCheck(
                        step,
                        new CheckRecord(
                            "raw.orders",
                            "row_count",
                            null,
                            Severity.WARN,
                            CheckStatus.PASSED,
                            0,
                            null,
                            null)))
        .isInstanceOf(RunTakenOverException.class);
    assertThatThrownBy(
            () ->
                store
                    .events()
                    .recordEvent(new RunEvent(runId, null, START.plusSeconds(100), "x", null)))
        .isInstanceOf(RunTakenOverException.class);
    assertThatThrownBy(
            () -> store.steps().startStep(runId, "m", StepKind.MODEL, START.plusSeconds(100)))
        .isInstanceOf(RunTakenOverException.class);
    assertThatThrownBy(() -> store.plans().recordPlan(runId, List.of(StepKey.of("m"))))
        .isInstanceOf(RunTakenOverException.class);
    assertThatThrownBy(
            () ->
                store
                    .partitions()
                    .recordMaterialized(
                        "m", List.of("2024-04"), runId, START.plusSeconds(100), 1L, 1L, Map.of()))
        .isInstanceOf(RunTakenOverException.class);
    assertThatThrownBy(
            () -> store.runs().finishRun(runId, RunStatus.SUCCEEDED, START.plusSeconds(100), null))
        .isInstanceOf(RunTakenOverException.class);
    // nothing of it was written
    RunDetail after = store.runs().findRun(runId).orElseThrow();
    assertThat(after.summary().status()).isEqualTo(RunStatus.INTERRUPTED);
    assertThat(after.steps()).singleElement().satisfies(s -> assertThat(s.checks()).isEmpty());
    assertThat(store.partitions().partitions("m")).isEmpty();
  }

  @Test
  void aLockIsHeldByOneOwnerUntilItExpiresOrIsReleased() {
    Locks locks = store.locks();
    Duration ttl = Duration.ofSeconds(10);
    assertThat(locks.lockHolder("table:t")).isEmpty();
    assertThat(locks.tryLock("table:t", "run-a", ttl, START)).isTrue();
    assertThat(locks.tryLock("table:t", "run-b", ttl, START.plusSeconds(5))).isFalse();
    // taking a lock one holds renews it
    assertThat(locks.tryLock("table:t", "run-a", ttl, START.plusSeconds(8))).isTrue();
    assertThat(locks.lockHolder("table:t"))
        .contains(new LockHolder("table:t", "run-a", START, START.plusSeconds(18)));
    assertThat(locks.tryLock("table:t", "run-b", ttl, START.plusSeconds(15))).isFalse();
    // expired: another owner takes it
    assertThat(locks.tryLock("table:t", "run-b", ttl, START.plusSeconds(19))).isTrue();
    assertThat(locks.lockHolder("table:t"))
        .contains(new LockHolder("table:t", "run-b", START.plusSeconds(19), START.plusSeconds(29)));
    assertThat(locks.renewLock("table:t", "run-a", ttl, START.plusSeconds(20))).isFalse();

    // a lock held by someone else is left alone
    locks.unlock("table:t", "run-a");
    assertThat(locks.lockHolder("table:t")).map(LockHolder::owner).contains("run-b");
    locks.unlock("table:t", "run-b");
    assertThat(locks.lockHolder("table:t")).isEmpty();

    assertThat(locks.tryLock("table:x", "run-c", ttl, START)).isTrue();
    assertThat(locks.tryLock("table:y", "run-c", ttl, START)).isTrue();
    assertThat(locks.tryLock("table:z", "run-d", ttl, START)).isTrue();
    assertThat(locks.unlockAll("run-c")).isEqualTo(2);
    assertThat(locks.unlockAll("run-c")).isZero();
    assertThat(locks.lockHolder("table:x")).isEmpty();
    assertThat(locks.lockHolder("table:z")).map(LockHolder::owner).contains("run-d");
  }

  @Test
  void onlyOneOfManyStoresRacingForALockTakesIt() throws Exception {
    try (RunStore other = RunStore.open(jdbcUrl(), properties())) {
      List<RunStore> stores = List.of(store, other);
      List<String> winners = java.util.Collections.synchronizedList(new ArrayList<>());
      runConcurrently(
          4,
          thread -> {
            if (stores
                .get(thread % 2)
                .locks()
                .tryLock("scheduler", "owner-" + thread, Duration.ofMinutes(1), START)) {
              winners.add("owner-" + thread);
            }
          });

      assertThat(winners).hasSize(1);
      assertThat(other.locks().lockHolder("scheduler"))
          .map(LockHolder::owner)
          .contains(winners.get(0));
    }
  }

  @Test
  void recordsTheLastTickOfEachSchedule() {
    ScheduleTicks ticks = store.scheduleTicks();
    assertThat(ticks.lastScheduleTick("hourly")).isEmpty();

    ticks.recordScheduleTick("hourly", START);
    ticks.recordScheduleTick("daily", START.plusSeconds(1));
    ticks.recordScheduleTick("hourly", START.plusSeconds(3600));

    assertThat(ticks.lastScheduleTick("hourly")).contains(START.plusSeconds(3600));
    assertThat(ticks.lastScheduleTick("daily")).contains(START.plusSeconds(1));
  }

  @Test
  void storesRecordingTheSameNewSchedulesAtOnceAllSucceed() throws Exception {
    try (RunStore other = RunStore.open(jdbcUrl(), properties())) {
      List<RunStore> stores = List.of(store, other);
      runConcurrently(
          4,
          thread -> {
            for (int i = 0; i < 20; i++) {
              stores
                  .get(thread % 2)
                  .scheduleTicks()
                  .recordScheduleTick("schedule-" + i, START.plusSeconds(thread));
            }
          });

      for (int i = 0; i < 20; i++) {
        assertThat(other.scheduleTicks().lastScheduleTick("schedule-" + i))
            .hasValueSatisfying(tick -> assertThat(tick).isBetween(START, START.plusSeconds(3)));
      }
    }
  }

  @Test
  void keepsTheEventsOfEachRunOldestFirst() {
    String runId = store.runs().startRun("run", List.of(), START);
    String otherRun = store.runs().startRun("run", List.of(), START);
    RunEvent started = new RunEvent(runId, null, START, "run_started", null);
    RunEvent step = new RunEvent(runId, "raw.orders", START.plusSeconds(1), "step_started", "x");
    RunEvent elsewhere = new RunEvent(otherRun, "m", START.plusSeconds(2), "step_failed", "boom");
    RunEvent finished = new RunEvent(runId, "raw.orders", START.plusSeconds(1), "step_ok", null);

    store.events().recordEvent(started);
    store.events().recordEvent(step);
    store.events().recordEvent(elsewhere);
    store.events().recordEvent(finished);

    assertThat(store.events().events(runId)).containsExactly(started, step, finished);
    assertThat(store.events().events(otherRun)).containsExactly(elsewhere);
    assertThat(store.events().events("20990101-000000-0000")).isEmpty();
  }

  @Test
  void asksARunningRunToStopByAPrefixOfItsId() {
    String runId = store.runs().startRun("run", List.of(), START);
    assertThat(store.runs().isCancelRequested(runId)).isFalse();

    assertThat(store.runs().requestCancel(runId.substring(0, runId.length() - 1), START))
        .isEqualTo(runId);

    assertThat(store.runs().isCancelRequested(runId)).isTrue();
    assertThat(store.runs().isCancelRequested("20990101-000000-0000")).isFalse();
    assertThat(store.runs().findRun(runId).orElseThrow().summary().status())
        .as("the run's process stops it")
        .isEqualTo(RunStatus.RUNNING);
  }

  @Test
  void refusesToCancelAFinishedOrUnknownRun() {
    String runId = store.runs().startRun("run", List.of(), START);
    store.runs().finishRun(runId, RunStatus.SUCCEEDED, START.plusSeconds(1), null);

    assertThatThrownBy(() -> store.runs().requestCancel(runId, START.plusSeconds(2)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("Run " + runId + " has already finished (succeeded)");
    assertThat(store.runs().isCancelRequested(runId)).isFalse();
    assertThatThrownBy(() -> store.runs().requestCancel("20990101", START))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("No run 20990101: 'sluice runs' lists them");
  }

  @Test
  void keepsThePlanOfARun() throws SQLException {
    String runId = store.runs().startRun("run", List.of(), START);
    assertThat(store.plans().plan(runId)).isEmpty();
    List<StepKey> plan =
        List.of(StepKey.of("raw.orders"), StepKey.of("daily", "2024-03-01"), StepKey.of("revenue"));

    store.plans().recordPlan(runId, plan);

    assertThat(store.plans().plan(runId)).contains(plan);
    assertThat(store.plans().plan("20990101-000000-0000")).isEmpty();
    try (RunStore other = RunStore.open(jdbcUrl(), properties())) {
      assertThat(other.plans().plan(runId)).contains(plan);
    }
    // the state database keeps the steps by name, as it always did
    try (Connection connection = connect();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT plan FROM sluice_runs")) {
      assertThat(rows.next()).isTrue();
      assertThat(rows.getString(1)).isEqualTo("[\"raw.orders\",\"daily[2024-03-01]\",\"revenue\"]");
    }
  }

  @Test
  void aHeartbeatIsKeptOnlyWhileTheRunRuns() {
    String runId = store.runs().startRun("run", List.of(), START, new RunProcess("builder", 7));
    try (RunStore other = RunStore.open(jdbcUrl(), properties())) {
      // a store that did not start the run (no fencing) records it too
      other.runs().heartbeat(runId, START.plusSeconds(5));
      assertThat(store.runs().runOwner(runId).orElseThrow().lastSeenAt())
          .isEqualTo(START.plusSeconds(5));
    }
    store.runs().heartbeat(runId, START.plusSeconds(10));
    store.runs().finishRun(runId, RunStatus.SUCCEEDED, START.plusSeconds(11), null);

    store.runs().heartbeat(runId, START.plusSeconds(20));

    assertThat(store.runs().runOwner(runId).orElseThrow().lastSeenAt())
        .isEqualTo(START.plusSeconds(10));
  }

  @Test
  void recordsBuiltAndFailedPartitionsKeepingWhatWasMaterialized() {
    String runId = store.runs().startRun("run", List.of(), START);
    Partitions partitions = store.partitions();
    partitions.recordMaterialized(
        "daily",
        List.of("2024-03-02", "2024-03-01"),
        runId,
        START,
        42L,
        7L,
        Map.of("raw.orders", 11L, "raw.items", 12L));
    partitions.recordMaterialized("weekly", List.of("2024-W09"), runId, START, 1L, 8L, Map.of());

    String retry = store.runs().startRun("run", List.of(), START.plusSeconds(60));
    partitions.recordFailed("daily", List.of("2024-03-02"), retry, START.plusSeconds(61), "boom");

    Map<String, PartitionState> daily = partitions.partitions("daily");
    assertThat(daily).containsOnlyKeys("2024-03-01", "2024-03-02");
    assertThat(new ArrayList<>(daily.keySet())).containsExactly("2024-03-01", "2024-03-02");
    assertThat(daily.get("2024-03-01"))
        .isEqualTo(
            new PartitionState(
                "daily",
                "2024-03-01",
                PartitionStatus.MATERIALIZED,
                runId,
                START,
                START,
                42L,
                7L,
                null,
                Map.of("raw.orders", 11L, "raw.items", 12L)));
    // a failed rebuild keeps what the earlier build materialized
    assertThat(daily.get("2024-03-02"))
        .isEqualTo(
            new PartitionState(
                "daily",
                "2024-03-02",
                PartitionStatus.FAILED,
                retry,
                START.plusSeconds(61),
                START,
                42L,
                7L,
                "boom",
                Map.of("raw.orders", 11L, "raw.items", 12L)));
    assertThat(partitions.partitions("weekly").get("2024-W09").inputs()).isEmpty();
    assertThat(partitions.partitions("monthly")).isEmpty();
  }

  @Test
  void startsAPartitionStepWithItsPartitionsAtOnce() throws SQLException {
    String runId = store.runs().startRun("run", List.of(), START);
    long partitionStep =
        store.steps().startStep(runId, StepKey.of("daily", "2024-03-01"), StepKind.MODEL, START);
    long plainStep = store.steps().startStep(runId, "revenue", StepKind.MODEL, START);
    store.runs().finishRun(runId, RunStatus.FAILED, START.plusSeconds(1), "stopped");

    assertThatThrownBy(
            () ->
                store
                    .steps()
                    .startStep(runId, StepKey.of("daily", "2024-03-02"), StepKind.MODEL, START))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the run has already finished as FAILED");

    try (Connection connection = connect();
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT id, asset, partition_key FROM sluice_steps ORDER BY id")) {
      List<String> steps = new ArrayList<>();
      while (rows.next()) {
        steps.add(rows.getLong(1) + " " + rows.getString(2) + " " + rows.getString(3));
      }
      assertThat(steps)
          .containsExactly(
              partitionStep + " daily[2024-03-01] 2024-03-01", plainStep + " revenue null");
    }
  }

  @Test
  void renewingALockNeverTakesOneThatWasReleased() {
    assertThat(store.locks().tryLock("table:t", "run-a", Duration.ofMinutes(1), START)).isTrue();
    assertThat(
            store
                .locks()
                .renewLock("table:t", "run-a", Duration.ofMinutes(1), START.plusSeconds(20)))
        .isTrue();
    assertThat(store.locks().lockHolder("table:t").orElseThrow().expiresAt())
        .isEqualTo(START.plusSeconds(80));

    store.locks().unlockAll("run-a");
    assertThat(
            store
                .locks()
                .renewLock("table:t", "run-a", Duration.ofMinutes(1), START.plusSeconds(40)))
        .isFalse();
    assertThat(store.locks().lockHolder("table:t")).isEmpty();
  }

  @Test
  void takesOverARunOnThisHostAtOnceWhenItsProcessIsGone() throws Exception {
    Process finished = new ProcessBuilder("true").start();
    assertThat(finished.waitFor(30, TimeUnit.SECONDS)).isTrue();
    RunProcess gone = new RunProcess(RunProcess.current().host(), finished.pid());
    String deadRun = store.runs().startRun("backfill daily", List.of(), START, gone);
    String liveRun = store.runs().startRun("run", List.of(), START, RunProcess.current());
    store.locks().tryLock("table:curated.daily", deadRun, Duration.ofMinutes(1), START);
    // the heartbeats are fresh: only the process id tells
    AbandonedRuns abandoned =
        new AbandonedRuns(store, Clock.fixed(START.plusSeconds(1), ZoneOffset.UTC));

    List<AbandonedRuns.Interrupted> interrupted = abandoned.interruptAll();

    assertThat(interrupted).extracting(AbandonedRuns.Interrupted::runId).containsExactly(deadRun);
    assertThat(interrupted.get(0).message())
        .contains("its process (pid " + finished.pid() + " on " + gone.host() + ") is gone")
        .contains("locks are released")
        .contains("'sluice backfill --resume " + deadRun + "'");
    assertThat(store.locks().lockHolder("table:curated.daily")).isEmpty();
    assertThat(store.runs().findRun(liveRun).orElseThrow().summary().status())
        .isEqualTo(RunStatus.RUNNING);
  }

  @Test
  void takesOverARunOfAnotherHostOnlyWhenItsHeartbeatExpired() {
    String runId = store.runs().startRun("run", List.of(), START, new RunProcess("elsewhere", 1));
    store.runs().heartbeat(runId, START.plusSeconds(30));

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
    assertThat(store.runs().findRun(runId).orElseThrow().summary().status())
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
  @Test
  void accessRequestsAreDecidedOnceAndHoldForTheirPeriod() throws Exception {
    dev.sluice.api.TableName table = dev.sluice.api.TableName.parse("published.customers");
    AccessRequest asked =
        store
            .accessRequests()
            .create(
                "nora", table, List.of("id", "email"), "fraud review", Duration.ofDays(2), START);
    assertThat(store.accessRequests().find(asked.id())).contains(asked);
    assertThat(asked.status(START)).isEqualTo(AccessRequestStatus.PENDING);

    // two stores (two connections) decide at once: exactly one decision is made
    List<Optional<AccessRequest>> decisions =
        java.util.Collections.synchronizedList(new ArrayList<>());
    try (RunStore other = RunStore.open(jdbcUrl(), properties())) {
      RunStore[] stores = {store, other};
      runConcurrently(
          2,
          thread ->
              decisions.add(
                  stores[thread]
                      .accessRequests()
                      .decide(
                          asked.id(),
                          thread == 0,
                          thread == 0 ? "olga" : "grace",
                          START.plusSeconds(60),
                          Optional.of("thread " + thread))));
    }
    assertThat(decisions.stream().filter(Optional::isPresent).count()).isEqualTo(1);
    AccessRequest decided = store.accessRequests().find(asked.id()).orElseThrow();
    AccessRequest.Decision decision = decided.decision().orElseThrow();
    assertThat(decisions.stream().flatMap(Optional::stream).toList()).containsExactly(decided);
    if (decision.approved()) {
      assertThat(decision.expiresAt()).isEqualTo(START.plusSeconds(60).plus(Duration.ofDays(2)));
      assertThat(store.accessRequests().approvedAt(START.plusSeconds(60)))
          .extracting(AccessRequest::id)
          .contains(asked.id());
      assertThat(store.accessRequests().approvedAt(START.plusSeconds(59)))
          .extracting(AccessRequest::id)
          .as("not before its approval")
          .doesNotContain(asked.id());
      assertThat(store.accessRequests().approvedAt(decision.expiresAt()))
          .extracting(AccessRequest::id)
          .as("not from its end")
          .doesNotContain(asked.id());
      assertThat(decided.status(decision.expiresAt())).isEqualTo(AccessRequestStatus.EXPIRED);
    } else {
      assertThat(decision.expiresAt()).isNull();
      assertThat(decided.status(START.plusSeconds(60))).isEqualTo(AccessRequestStatus.DENIED);
    }
    assertThat(decided.columns()).containsExactly("id", "email");
    assertThat(store.accessRequests().all()).extracting(AccessRequest::id).contains(asked.id());
    assertThat(store.accessRequests().find(Long.MAX_VALUE)).isEmpty();
  }

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
