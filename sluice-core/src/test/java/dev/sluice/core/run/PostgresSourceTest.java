package dev.sluice.core.run;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.ProjectException;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.connector.testkit.PostgresDatabase;
import dev.sluice.connector.testkit.TestPostgres;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.Project;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.state.StepStatus;
import dev.sluice.lake.ReadPoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A project whose source is a real PostgreSQL database (see {@link TestPostgres}), read by the
 * {@code postgres} connector with the password given by reference: a full table and an incremental
 * one whose cursor is committed with its data.
 */
class PostgresSourceTest {
  @TempDir Path project;

  private PostgresDatabase source;

  @BeforeEach
  void createSource() throws SQLException {
    source = TestPostgres.newDatabase();
    execute(
        "CREATE TABLE orders (id int PRIMARY KEY, status text, amount numeric(10,2),"
            + " updated_at timestamptz NOT NULL)",
        "INSERT INTO orders VALUES (1, 'new', 10.50, '2024-01-01 10:00:00+00'),"
            + " (2, 'new', 20.00, '2024-01-01 11:00:00+00'),"
            + " (3, 'new', 5.25, '2024-01-01 12:00:00+00')",
        "CREATE TABLE customers (id int PRIMARY KEY, name text, tags text[])",
        "INSERT INTO customers VALUES (1, 'Ada', ARRAY['vip']), (2, 'Grace', NULL)");
  }

  @AfterEach
  void dropSource() {
    source.close();
  }

  @Test
  void loadsFullAndIncrementalTablesAndMergesChangedRows() throws Exception {
    writeProject();
    try (Workspace workspace = Workspace.open(project)) {
      RunResult first = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(first.succeeded()).as(String.valueOf(first.steps())).isTrue();
      QueryService queries = new QueryService(workspace);
      assertThat(rows(queries, "select id, status from raw.shop_orders order by id"))
          .containsExactly(List.of("1", "new"), List.of("2", "new"), List.of("3", "new"));
      assertThat(rows(queries, "select id, name, tags from raw.shop_customers order by id"))
          .containsExactly(List.of("1", "Ada", "[vip]"), List.of("2", "Grace", "null"));
      assertThat(
              workspace
                  .lake()
                  .currentSnapshot(new TableName("raw", "shop_orders"))
                  .orElseThrow()
                  .summary())
          .containsKey(SourceStep.SOURCE_STATE)
          .doesNotContainKey(SourceStep.LOADED_FILES);

      execute(
          "UPDATE orders SET status = 'paid', updated_at = '2024-01-01 13:00:00+00' WHERE id = 1",
          "INSERT INTO orders VALUES (4, 'new', 7.00, '2024-01-01 14:00:00+00')",
          "INSERT INTO customers VALUES (3, 'Edsger', ARRAY['a', 'b'])");
      RunResult second = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(second.succeeded()).as(String.valueOf(second.steps())).isTrue();
      // the update replaced row 1 (its unique check passes); 3 was read again by the lookback
      assertThat(rows(queries, "select id, status from raw.shop_orders order by id"))
          .containsExactly(
              List.of("1", "paid"), List.of("2", "new"), List.of("3", "new"), List.of("4", "new"));
      assertThat(rows(queries, "select count(*) from raw.shop_customers"))
          .containsExactly(List.of("3"));
      assertThat(step(second, "shop.orders").detail()).isEqualTo("3 rows merged on id");

      RunResult third =
          new Runner(workspace)
              .run(new RunOptions(List.of("shop.orders"), false), RunListener.NONE);
      // nothing changed: the lookback reads row 4 again, and merging it changes nothing
      assertThat(step(third, "shop.orders").status()).isEqualTo(StepStatus.SUCCEEDED);
      assertThat(step(third, "shop.orders").detail()).isEqualTo("1 row merged on id");
      assertThat(rows(queries, "select count(*), count(distinct id) from raw.shop_orders"))
          .containsExactly(List.of("4", "4"));
    }
  }

  @Test
  void failsAnUnreachableSourceNamingItsHostButNotThePassword() throws Exception {
    writeProject();
    Files.writeString(
        project.resolve("sources/shop.yaml"),
        Files.readString(project.resolve("sources/shop.yaml"))
            .replace(source.jdbcUrl(), "jdbc:postgresql://127.0.0.1:1/shop"));
    try (Workspace workspace = Workspace.open(project)) {
      RunResult run =
          new Runner(workspace)
              .run(new RunOptions(List.of("shop.customers"), false), RunListener.NONE);
      StepResult step = step(run, "shop.customers");
      assertThat(step.status()).isEqualTo(StepStatus.FAILED);
      assertThat(step.error())
          .contains("source 'shop'")
          .contains("127.0.0.1:1/shop")
          .doesNotContain(source.password());
    }
    try (Stream<Path> files = Files.walk(project)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        if (!file.startsWith(project.resolve("secrets"))) {
          // ISO-8859-1 maps every byte to one character, so binary files read too
          assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1))
              .as(file.toString())
              .doesNotContain(source.password());
        }
      }
    }
  }

  @Test
  void thePasswordAppearsInNoLogRunHistoryCatalogOrFile() throws Exception {
    writeProject();
    ch.qos.logback.classic.Logger root =
        (ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
        new ch.qos.logback.core.read.ListAppender<>();
    logs.start();
    ch.qos.logback.classic.Level level = root.getLevel();
    // capture everything at DEBUG, but keep the console quiet meanwhile
    List<ch.qos.logback.core.Appender<ch.qos.logback.classic.spi.ILoggingEvent>> console =
        new java.util.ArrayList<>();
    root.iteratorForAppenders().forEachRemaining(console::add);
    console.forEach(root::detachAppender);
    root.setLevel(ch.qos.logback.classic.Level.DEBUG);
    root.addAppender(logs);
    try (Workspace workspace = Workspace.open(project)) {
      RunResult good = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(good.succeeded()).as(String.valueOf(good.steps())).isTrue();
      Files.writeString(
          project.resolve("sources/shop.yaml"),
          Files.readString(project.resolve("sources/shop.yaml"))
              .replace(source.jdbcUrl(), "jdbc:postgresql://127.0.0.1:1/shop"));
      try (Workspace broken = Workspace.open(project)) {
        RunResult bad = new Runner(broken).run(RunOptions.all(), RunListener.NONE);
        assertThat(bad.succeeded()).isFalse();
        for (String runId : List.of(good.runId(), bad.runId())) {
          assertThat(String.valueOf(broken.runStore().runs().findRun(runId).orElseThrow()))
              .doesNotContain(source.password());
          assertThat(String.valueOf(broken.runStore().events().events(runId)))
              .doesNotContain(source.password());
        }
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
    try (Stream<Path> files = Files.walk(project)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        if (!file.startsWith(project.resolve("secrets"))) {
          assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1))
              .as(file.toString())
              .doesNotContain(source.password());
        }
      }
    }
  }

  @Test
  void reportsBadOptionsWithFileLineAndSuggestion() throws Exception {
    write(project, "sluice.yaml", "name: shop\n");
    write(
        project,
        "sources/shop.yaml",
        """
        connector: postgres
        options:
          url: jdbc:postgresql://localhost/shop
          password: not-a-reference
        tables:
          - name: orders
            options:
              curser: updated_at
              fetch_size: lots
          - name: events
            options:
              mode: incremental
        """);

    assertThatThrownBy(() -> Project.load(project))
        .isInstanceOf(ProjectException.class)
        .satisfies(
            e ->
                assertThat(((ProjectException) e).problems())
                    .extracting(Object::toString)
                    .containsExactly(
                        "sources/shop.yaml:4: Secrets must be given by reference: option"
                            + " 'password' holds a literal value (write ${env:NAME} to read an"
                            + " environment variable or ${file:path} to read a file, and keep"
                            + " the value out of the project)",
                        "sources/shop.yaml:8: Unknown option 'curser' of connector 'postgres'"
                            + " (did you mean 'cursor'?)",
                        "sources/shop.yaml:9: Option 'fetch_size' must be a whole number, got"
                            + " 'lots' (how many rows the driver fetches from the server at a"
                            + " time)",
                        "sources/shop.yaml:12: Options of source table 'shop.events' cannot"
                            + " work: mode: incremental needs a 'cursor' column, e.g. cursor:"
                            + " updated_at (see `sluice connectors describe postgres`)"))
        .hasMessageNotContaining("not-a-reference");
  }

  private void writeProject() throws IOException {
    write(project, "secrets/source-password", source.password() + "\n");
    write(project, "sluice.yaml", "name: shop\nthreads: 2\n");
    write(
        project,
        "sources/shop.yaml",
        """
        connector: postgres
        options:
          url: %s
          user: %s
          password: ${file:secrets/source-password}
        tables:
          - name: orders
            options:
              mode: incremental
              cursor: updated_at
              lookback: 1h
              primary_key: [id]
            columns:
              - name: id
                checks: [not_null, unique]
          - name: customers
        """
            .formatted(source.jdbcUrl(), source.user()));
  }

  private static StepResult step(RunResult run, String asset) {
    return run.steps().stream()
        .filter(step -> step.asset().equals(asset))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no step " + asset + " in " + run.steps()));
  }

  private void execute(String... statements) throws SQLException {
    try (Connection connection = source.connect();
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }

  private static List<List<String>> rows(QueryService queries, String sql) {
    QueryResult result = queries.query(sql, ReadPoint.main(), 1000);
    List<List<String>> rows = new ArrayList<>();
    for (List<Object> row : result.rows()) {
      rows.add(row.stream().map(String::valueOf).toList());
    }
    return rows;
  }
}
