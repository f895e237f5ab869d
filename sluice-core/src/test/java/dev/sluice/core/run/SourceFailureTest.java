package dev.sluice.core.run;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.TableName;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.connector.testkit.PostgresDatabase;
import dev.sluice.connector.testkit.TestPostgres;
import dev.sluice.core.Workspace;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.state.RunEvent;
import dev.sluice.core.state.StepStatus;
import dev.sluice.lake.ReadPoint;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A source that fails: unreachable, or whose connection breaks in the middle of a read (a real
 * PostgreSQL server ends the session after it has sent part of the rows). The step is retried with
 * backoff as often as its {@code retries} allow, then fails naming source, host and cause; what was
 * read before the break is never committed.
 */
class SourceFailureTest {
  private static final TableName ORDERS = new TableName("raw", "shop_orders");

  @TempDir Path project;

  @Test
  void aConnectionBrokenMidReadIsRetriedThenFailsAndCommitsNothing() throws Exception {
    try (PostgresDatabase source = TestPostgres.newDatabase()) {
      execute(
          source,
          "CREATE TABLE orders (id int PRIMARY KEY, amount int)",
          "INSERT INTO orders SELECT i, i * 10 FROM generate_series(1, 3000) AS i",
          "CREATE TABLE break_switch (broken boolean NOT NULL)",
          "INSERT INTO break_switch VALUES (false)",
          // when the switch is on, the session ends itself at row 2000, after 1999 rows were sent
          """
          CREATE FUNCTION break_at(i int) RETURNS int AS $$
          BEGIN
            IF i = 2000 AND (SELECT broken FROM break_switch) THEN
              PERFORM pg_terminate_backend(pg_backend_pid());
            END IF;
            RETURN i;
          END $$ LANGUAGE plpgsql
          """,
          "CREATE VIEW orders_feed AS SELECT break_at(id) AS id, amount FROM orders ORDER BY id");
      writeProject(source, "url: " + source.jdbcUrl());
      try (Workspace workspace = Workspace.open(project)) {
        RunResult good = runner(workspace).run(RunOptions.all(), RunListener.NONE);
        assertThat(good.succeeded()).as(String.valueOf(good.steps())).isTrue();
        long snapshot = workspace.lake().currentSnapshot(ORDERS).orElseThrow().snapshotId();

        execute(source, "UPDATE orders SET amount = 0", "UPDATE break_switch SET broken = true");
        RunResult broken = runner(workspace).run(RunOptions.all(), RunListener.NONE);
        StepResult step = broken.steps().get(0);
        assertThat(step.status()).isEqualTo(StepStatus.FAILED);
        assertThat(step.error())
            .contains("source 'shop'")
            .contains("postgres at localhost:")
            .contains(source.name())
            .containsIgnoringCase("terminat")
            .doesNotContain(source.password());
        List<RunEvent> events = workspace.runStore().events().events(broken.runId());
        assertThat(events).filteredOn(e -> e.kind().equals("retrying")).hasSize(2);

        // nothing of the broken reads was committed: the table is the first load's
        assertThat(workspace.lake().currentSnapshot(ORDERS).orElseThrow().snapshotId())
            .isEqualTo(snapshot);
        assertThat(rows(workspace, "select count(*), sum(amount) from raw.shop_orders"))
            .containsExactly(List.of("3000", "45015000"));
      }
    }
  }

  @Test
  void anUnreachableSourceIsRetriedThenFailsNamingSourceHostAndCause() throws Exception {
    writeProject(null, "url: jdbc:postgresql://127.0.0.1:1/shop");
    try (Workspace workspace = Workspace.open(project)) {
      RunResult run = runner(workspace).run(RunOptions.all(), RunListener.NONE);
      StepResult step = run.steps().get(0);
      assertThat(step.status()).isEqualTo(StepStatus.FAILED);
      assertThat(step.error())
          .contains("source 'shop'")
          .contains("127.0.0.1:1/shop")
          .containsIgnoringCase("refused");
      assertThat(workspace.runStore().events().events(run.runId()))
          .filteredOn(e -> e.kind().equals("retrying"))
          .hasSize(2);
      assertThat(workspace.lake().findTable(ORDERS)).isEmpty();
    }
  }

  private static Runner runner(Workspace workspace) {
    return new Runner(workspace, Duration.ofMillis(10), Duration.ofMillis(50));
  }

  private void writeProject(PostgresDatabase source, String url) throws IOException {
    write(project, "sluice.yaml", "name: shop\n");
    if (source != null) {
      write(project, "secrets/password", source.password());
    }
    write(
        project,
        "sources/shop.yaml",
        """
        connector: postgres
        options:
          %s
          user: %s
          password: ${file:secrets/password}
          fetch_size: 100
        tables:
          - name: orders
            retries: 2
            options:
              table: orders_feed
        """
            .formatted(url, source == null ? "sluice" : source.user()));
    if (source == null) {
      write(project, "secrets/password", "unused");
    }
  }

  private static List<List<String>> rows(Workspace workspace, String sql) {
    QueryResult result = new QueryService(workspace).query(sql, ReadPoint.main(), 1000);
    return result.rows().stream().map(row -> row.stream().map(String::valueOf).toList()).toList();
  }

  private static void execute(PostgresDatabase source, String... statements) throws SQLException {
    try (Connection connection = source.connect();
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }
}
