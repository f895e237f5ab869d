package dev.sluice.connectors.cdc;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.TableName;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.connector.testkit.PostgresDatabase;
import dev.sluice.connector.testkit.TestPostgres;
import dev.sluice.core.Workspace;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import dev.sluice.core.run.StepResult;
import dev.sluice.core.state.StepStatus;
import dev.sluice.lake.ReadPoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Projects whose source is read by the {@code postgres_cdc} connector, run by the real runner into
 * Iceberg tables: after every run the lake's table equals the PostgreSQL table.
 */
class PostgresCdcRunnerTest {
  private static final String SOURCE_ROWS = "SELECT id, status, amount FROM orders ORDER BY id";
  private static final String LAKE_ROWS =
      "SELECT id, status, amount FROM raw.shop_orders ORDER BY id";

  @TempDir Path project;

  private PostgresDatabase source;

  @BeforeEach
  void createSource() {
    source = TestPostgres.logicalReplication().createDatabase();
    source.execute(
        "CREATE TABLE orders (id int PRIMARY KEY, status text, amount numeric(10,2))",
        "INSERT INTO orders VALUES (1, 'new', 10.50), (2, 'new', 20.00), (3, 'new', 5.25)");
  }

  @AfterEach
  void dropSlots() {
    source.dropSlots();
  }

  @Test
  void snapshotThenInsertsUpdatesDeletesAndKeyChangesKeepTheTableEqualToTheSource()
      throws Exception {
    writeProject("");
    try (Workspace workspace = Workspace.open(project)) {
      RunResult first = run(workspace);
      assertThat(step(first, "shop.orders").detail()).isEqualTo("3 rows loaded");
      assertEqualToSource(workspace);

      source.execute(
          "INSERT INTO orders VALUES (4, 'new', 7.00)",
          "UPDATE orders SET status = 'paid' WHERE id = 1",
          "DELETE FROM orders WHERE id = 2",
          // a key change, and several changes to one key in one load: the last counts
          "UPDATE orders SET id = 30 WHERE id = 3",
          "UPDATE orders SET amount = 8.00 WHERE id = 4",
          "UPDATE orders SET amount = 9.00, status = 'paid' WHERE id = 4");
      RunResult second = run(workspace);
      assertThat(step(second, "shop.orders").detail()).endsWith("merged on id");
      assertEqualToSource(workspace);

      // delete and insert the same key again; a whole transaction at once
      source.execute(
          "BEGIN",
          "DELETE FROM orders WHERE id = 1",
          "INSERT INTO orders VALUES (1, 'again', 1.00)",
          "DELETE FROM orders WHERE id = 30",
          "COMMIT");
      run(workspace);
      assertEqualToSource(workspace);

      RunResult idle = run(workspace);
      assertThat(step(idle, "shop.orders").detail()).isEqualTo("no new rows");
      assertEqualToSource(workspace);

      source.execute("TRUNCATE orders", "INSERT INTO orders VALUES (5, 'after', 2.00)");
      run(workspace);
      assertEqualToSource(workspace);
    }
  }

  @Test
  void anIdleTableLetsTheSlotReleaseWalWrittenByOtherTables() throws Exception {
    writeProject("      heartbeat_interval: 0s\n");
    source.execute("CREATE TABLE audit_log (id int PRIMARY KEY, note text)");
    try (Workspace workspace = Workspace.open(project)) {
      run(workspace);
      assertEqualToSource(workspace);
      source.execute(
          "INSERT INTO audit_log SELECT g, repeat('x', 100) FROM generate_series(1, 1000) g");
      String written = source.rows("SELECT pg_current_wal_lsn()").get(0).get(0);
      assertThat(confirmedPast(written)).isFalse();

      RunResult idle = run(workspace);
      assertThat(step(idle, "shop.orders").detail()).isEqualTo("no new rows; position committed");
      assertEqualToSource(workspace);
      // the slot is confirmed up to the last commit a load read whole: the marker of the load
      // before, so one more idle load confirms it past everything the other table wrote
      RunResult again = run(workspace);
      assertThat(step(again, "shop.orders").detail()).isEqualTo("no new rows; position committed");
      assertThat(confirmedPast(written)).isTrue();
      assertEqualToSource(workspace);
    }
    // a restart: a new process resumes from the position committed alone
    source.execute(
        "INSERT INTO orders VALUES (4, 'new', 7.00)",
        "UPDATE orders SET status = 'paid' WHERE id = 1");
    try (Workspace workspace = Workspace.open(project)) {
      assertThat(step(run(workspace), "shop.orders").detail()).endsWith("merged on id");
      assertEqualToSource(workspace);
      assertThat(lake(workspace, "SELECT count(*) = count(DISTINCT id) FROM raw.shop_orders"))
          .containsExactly(List.of("true"));
    }
  }

  /** Whether the table's slot is confirmed up to {@code lsn} or past it. */
  private boolean confirmedPast(String lsn) {
    return source
        .rows(
            "SELECT confirmed_flush_lsn >= '"
                + lsn
                + "'::pg_lsn FROM pg_replication_slots WHERE slot_name = 'sluice_shop_orders'")
        .equals(List.of(List.of("t")));
  }

  @Test
  void loadsInBatchesOfMaxEventsWithoutLosingOrRepeatingChanges() throws Exception {
    writeProject("      max_events: 2\n");
    try (Workspace workspace = Workspace.open(project)) {
      run(workspace);
      assertEqualToSource(workspace);
      source.execute(
          "INSERT INTO orders SELECT g, 'bulk', g FROM generate_series(10, 14) g",
          "UPDATE orders SET amount = amount + 1 WHERE id IN (1, 10)",
          "DELETE FROM orders WHERE id IN (2, 11)");
      // 9 changes, two per load: the table follows the source's history and catches up
      List<List<String>> expected = source.rows(SOURCE_ROWS);
      for (int load = 1; load <= 5; load++) {
        run(workspace);
        assertThat(lake(workspace, "SELECT count(*) = count(DISTINCT id) FROM raw.shop_orders"))
            .containsExactly(List.of("true"));
      }
      assertThat(lake(workspace, LAKE_ROWS)).isEqualTo(expected);
      assertThat(step(run(workspace), "shop.orders").detail()).isEqualTo("no new rows");
    }
  }

  @Test
  void changesOfALoadWhoseCommitWasBlockedAreReadAgain() throws Exception {
    writeProject(
        """
            columns:
              - name: status
                checks: [not_null]
        """);
    try (Workspace workspace = Workspace.open(project)) {
      run(workspace);
      source.execute(
          "INSERT INTO orders VALUES (4, NULL, 7.00)", "UPDATE orders SET amount = 0 WHERE id = 1");
      RunResult blocked = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(step(blocked, "shop.orders").status()).isEqualTo(StepStatus.FAILED);
      // nothing of the blocked load is in the table
      assertThat(lake(workspace, "SELECT count(*) FROM raw.shop_orders"))
          .containsExactly(List.of("3"));

      source.execute("UPDATE orders SET status = 'fixed' WHERE id = 4");
      run(workspace);
      // the changes the blocked load read were not confirmed to the slot: they come again
      assertEqualToSource(workspace);
    }
  }

  @Test
  void historyKeepsEveryChange() throws Exception {
    writeProject("      history: true\n");
    try (Workspace workspace = Workspace.open(project)) {
      run(workspace);
      source.execute(
          "UPDATE orders SET status = 'paid' WHERE id = 1", "DELETE FROM orders WHERE id = 2");
      run(workspace);
      assertThat(
              lake(workspace, "SELECT _op, id, status FROM raw.shop_orders ORDER BY _lsn, _op, id"))
          .containsExactly(
              List.of("r", "1", "new"),
              List.of("r", "2", "new"),
              List.of("r", "3", "new"),
              List.of("u", "1", "paid"),
              java.util.Arrays.asList("d", "2", null));
      assertThat(
              lake(
                  workspace,
                  "SELECT count(*) FROM raw.shop_orders WHERE _committed_at IS NULL OR _lsn IS NULL"))
          .containsExactly(List.of("0"));
    }
  }

  @Test
  void thePasswordAppearsInNoLogRunHistoryOrFile() throws Exception {
    writeProject("");
    ch.qos.logback.classic.Logger root =
        (ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
        new ch.qos.logback.core.read.ListAppender<>();
    logs.start();
    ch.qos.logback.classic.Level level = root.getLevel();
    List<ch.qos.logback.core.Appender<ch.qos.logback.classic.spi.ILoggingEvent>> console =
        new ArrayList<>();
    root.iteratorForAppenders().forEachRemaining(console::add);
    console.forEach(root::detachAppender);
    root.setLevel(ch.qos.logback.classic.Level.DEBUG);
    root.addAppender(logs);
    try (Workspace workspace = Workspace.open(project)) {
      RunResult first = run(workspace);
      source.execute("UPDATE orders SET status = 'paid' WHERE id = 1");
      RunResult second = run(workspace);
      for (String runId : List.of(first.runId(), second.runId())) {
        assertThat(String.valueOf(workspace.runStore().runs().findRun(runId).orElseThrow()))
            .doesNotContain(source.password());
        assertThat(String.valueOf(workspace.runStore().events().events(runId)))
            .doesNotContain(source.password());
      }
    } finally {
      root.detachAppender(logs);
      root.setLevel(level);
      console.forEach(root::addAppender);
    }
    assertThat(logs.list).isNotEmpty();
    for (ch.qos.logback.classic.spi.ILoggingEvent event : logs.list) {
      String text =
          event.getFormattedMessage()
              + (event.getThrowableProxy() == null
                  ? ""
                  : ch.qos.logback.classic.spi.ThrowableProxyUtil.asString(
                      event.getThrowableProxy()));
      assertThat(text).as(event.getLoggerName()).doesNotContain(source.password());
    }
    try (java.util.stream.Stream<Path> files = Files.walk(project)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        if (!file.startsWith(project.resolve("secrets"))) {
          assertThat(
                  new String(
                      Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1))
              .as(file.toString())
              .doesNotContain(source.password());
        }
      }
    }
  }

  private RunResult run(Workspace workspace) {
    RunResult result = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
    assertThat(result.succeeded()).as(String.valueOf(result.steps())).isTrue();
    return result;
  }

  private void assertEqualToSource(Workspace workspace) {
    assertThat(lake(workspace, LAKE_ROWS)).isEqualTo(source.rows(SOURCE_ROWS));
    assertThat(
            workspace
                .lake()
                .currentSnapshot(new TableName("raw", "shop_orders"))
                .orElseThrow()
                .summary())
        .containsKey("sluice.source-state");
  }

  private static List<List<String>> lake(Workspace workspace, String sql) {
    QueryResult result = new QueryService(workspace).query(sql, ReadPoint.main(), 1000);
    List<List<String>> rows = new ArrayList<>();
    for (List<Object> row : result.rows()) {
      rows.add(row.stream().map(value -> value == null ? null : String.valueOf(value)).toList());
    }
    return rows;
  }

  private void writeProject(String tableOptions) throws IOException {
    write(project, "secrets/source-password", source.password() + "\n");
    write(project, "sluice.yaml", "name: shop\n");
    String options =
        tableOptions.isEmpty() || tableOptions.contains("columns:")
            ? ""
            : "    options:\n" + tableOptions;
    String columns = tableOptions.contains("columns:") ? tableOptions : "";
    write(
        project,
        "sources/shop.yaml",
        """
        connector: postgres_cdc
        options:
          url: %s
          user: %s
          password: ${file:secrets/source-password}
        tables:
          - name: orders
        %s%s"""
            .formatted(source.jdbcUrl(), source.user(), options, columns));
  }

  private static StepResult step(RunResult run, String asset) {
    return run.steps().stream()
        .filter(step -> step.asset().equals(asset))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no step " + asset + " in " + run.steps()));
  }
}
