package dev.sluice.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.SluiceException;
import dev.sluice.connector.testkit.PostgresDatabase;
import dev.sluice.connector.testkit.TestPostgres;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The run store on a real PostgreSQL server (see {@link TestPostgres}), each test in a new database
 * of its own that only its owner may log in to, with a password.
 */
class PostgresRunStoreTest extends RunStoreContractTest {
  private PostgresDatabase database;

  @Override
  String jdbcUrl() {
    return database.jdbcUrl();
  }

  @Override
  Map<String, String> properties() {
    return database.credentials();
  }

  @BeforeEach
  @Override
  void openStore() {
    database = TestPostgres.newDatabase();
    super.openStore();
  }

  @AfterEach
  @Override
  void closeStore() {
    try {
      super.closeStore();
    } finally {
      database.close();
    }
  }

  @Test
  void aStepQueuedByOneProcessWakesAnotherWaitingOnTheQueue() throws Exception {
    String runId = store.runs().startRun("run", List.of(), START);
    try (RunStore worker = RunStore.open(jdbcUrl(), properties())) {
      QueueSignals changes = worker.stepQueue().changes();
      long seen = changes.generation();
      java.util.concurrent.CompletableFuture<Long> woken =
          java.util.concurrent.CompletableFuture.supplyAsync(
              () -> {
                long started = System.nanoTime();
                try {
                  changes.await(seen, java.time.Duration.ofMinutes(2));
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
                return System.nanoTime() - started;
              });
      store
          .stepQueue()
          .enqueue(
              new StepQueue.Request(
                  runId, StepKey.of("orders"), null, 0, false, START, "test", null, null),
              START);

      long waited = woken.get(1, java.util.concurrent.TimeUnit.MINUTES);
      assertThat(java.time.Duration.ofNanos(waited)).isLessThan(java.time.Duration.ofMinutes(1));
      assertThat(changes.generation()).isGreaterThan(seen);
      assertThat(worker.stepQueue().entries(runId)).hasSize(1);
    }
  }

  @Test
  void createsItsTablesWithGeneratedStepIds() throws SQLException {
    List<String> tables = new ArrayList<>();
    try (Connection connection = database.connect();
        Statement statement = connection.createStatement();
        ResultSet result =
            statement.executeQuery(
                "SELECT table_name FROM information_schema.tables"
                    + " WHERE table_schema = 'public' ORDER BY table_name")) {
      while (result.next()) {
        tables.add(result.getString(1));
      }
    }
    assertThat(tables)
        .contains(
            "sluice_runs",
            "sluice_steps",
            "sluice_check_results",
            StateDatabase.SCHEMA_HISTORY_TABLE);

    String runId = store.runs().startRun("run", List.of(), START);
    long first = store.steps().startStep(runId, "a", StepKind.MODEL, START);
    long second = store.steps().startStep(runId, "b", StepKind.MODEL, START);
    assertThat(second).isGreaterThan(first);
  }

  @Test
  void explainsAWrongPasswordWithoutShowingIt() {
    Map<String, String> wrong = new HashMap<>(properties());
    wrong.put("password", "certainly-wrong-password");

    assertThatThrownBy(() -> RunStore.open(jdbcUrl(), wrong))
        .isInstanceOf(SluiceException.class)
        .hasMessageContaining(jdbcUrl())
        .hasMessageContaining("password authentication failed")
        .hasMessageNotContaining("certainly-wrong-password")
        .satisfies(
            failure -> assertThat(stackTrace(failure)).doesNotContain("certainly-wrong-password"));
  }

  private static String stackTrace(Throwable failure) {
    StringWriter text = new StringWriter();
    failure.printStackTrace(new PrintWriter(text));
    return text.toString();
  }
}
