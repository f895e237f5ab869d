package dev.sluice.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.SluiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run store on an SQLite file, the default state database. */
class SqliteRunStoreTest extends RunStoreContractTest {
  @TempDir Path directory;

  @Override
  String jdbcUrl() {
    return url(directory.resolve("project/.sluice/state.db"));
  }

  @Override
  Map<String, String> properties() {
    return Map.of();
  }

  @Test
  void createsTheDirectoryOfTheFileAndUsesWriteAheadLogging() throws SQLException {
    assertThat(directory.resolve("project/.sluice/state.db")).isRegularFile();
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      assertThat(singleString(statement, "PRAGMA journal_mode")).isEqualToIgnoringCase("wal");
    }
  }

  @Test
  void sharesTheFileWithAnotherStoreWritingAtTheSameTime() throws Exception {
    try (RunStore other = RunStore.open(jdbcUrl(), properties())) {
      List<RunStore> stores = List.of(store, other);
      runConcurrently(
          4,
          thread -> {
            RunStore writer = stores.get(thread % 2);
            for (int i = 0; i < 20; i++) {
              String runId = writer.runs().startRun("run", List.of(), START);
              long step = writer.steps().startStep(runId, "asset", StepKind.SEED, START);
              writer
                  .steps()
                  .finishStep(step, StepStatus.SUCCEEDED, START, StepMetrics.empty(), null);
              writer.runs().finishRun(runId, RunStatus.SUCCEEDED, START, null);
            }
          });

      assertThat(store.runs().listRuns(1000))
          .hasSize(80)
          .allSatisfy(run -> assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED));
    }
  }

  @Test
  void aTransactionThatReadsBeforeItWritesWaitsForAnotherStoreInsteadOfFailing() throws Exception {
    // Regression: a transaction that read first and wrote after another connection's commit was
    // refused at once with SQLITE_BUSY_SNAPSHOT (it failed CI through the access request test).
    try (RunStore other = RunStore.open(jdbcUrl(), properties())) {
      CountDownLatch read = new CountDownLatch(1);
      CountDownLatch otherWrote = new CountDownLatch(1);
      ExecutorService executor = Executors.newSingleThreadExecutor();
      try {
        Future<String> transaction =
            executor.submit(
                () ->
                    store.inOneTransaction(
                        "read, then write",
                        () -> {
                          store.runs().listRuns(10);
                          read.countDown();
                          try {
                            // the other store's write cannot commit inside this transaction
                            assertThat(otherWrote.await(500, TimeUnit.MILLISECONDS)).isFalse();
                          } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IllegalStateException(e);
                          }
                          return store.runs().startRun("first", List.of(), START);
                        }));
        assertThat(read.await(30, TimeUnit.SECONDS)).isTrue();
        String second = other.runs().startRun("second", List.of(), START);
        otherWrote.countDown();
        String first = transaction.get(30, TimeUnit.SECONDS);

        assertThat(store.runs().listRuns(10))
            .extracting(RunSummary::id)
            .containsExactlyInAnyOrder(first, second);
      } finally {
        executor.shutdownNow();
      }
    }
  }

  @Test
  void letsSeveralStoresOpenANewFileAtOnce() throws Exception {
    for (int attempt = 0; attempt < 3; attempt++) {
      String url = url(directory.resolve("new-" + attempt + "/state.db"));
      List<String> runIds = Collections.synchronizedList(new ArrayList<>());

      runConcurrently(
          4,
          thread -> {
            try (RunStore opened = RunStore.open(url, Map.of())) {
              runIds.add(opened.runs().startRun("run", List.of(), START));
            }
          });

      try (RunStore reopened = RunStore.open(url, Map.of())) {
        assertThat(reopened.runs().listRuns(10))
            .extracting(RunSummary::id)
            .hasSameElementsAs(runIds);
      }
    }
  }

  @Test
  void explainsADirectoryThatCannotBeCreated() throws Exception {
    Path file = Files.writeString(directory.resolve("not-a-directory"), "x");

    assertThatThrownBy(() -> RunStore.open(url(file.resolve("state.db")), Map.of()))
        .isInstanceOf(SluiceException.class)
        .hasMessageContaining("Cannot create the directory of state database")
        .hasMessageContaining("not-a-directory");
  }

  private static String url(Path file) {
    return "jdbc:sqlite:" + file.toAbsolutePath();
  }
}
