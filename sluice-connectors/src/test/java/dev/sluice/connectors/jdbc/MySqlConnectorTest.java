package dev.sluice.connectors.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.sluice.api.InvalidInputException;
import dev.sluice.api.TransientException;
import dev.sluice.api.connector.LoadState;
import dev.sluice.api.connector.SourceConnectors;
import dev.sluice.api.connector.SourceTableSpec;
import dev.sluice.api.connector.StagedData;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.engine.duckdb.DuckDbEngine;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The mysql connector against a real MariaDB server started by the test (see {@link TestMariaDb})
 * and a real DuckDB engine.
 */
class MySqlConnectorTest {
  private static Path spillDirectory;
  private static DuckDbEngine engine;

  private final MySqlConnector connector = new MySqlConnector();
  private TestMariaDb.Database database;
  private EngineSession session;

  @BeforeAll
  static void startEngine() throws IOException {
    TestMariaDb.requireServer();
    spillDirectory = Files.createTempDirectory("sluice-mysql-test-spill");
    engine = DuckDbEngine.start(spillDirectory, "1GB");
  }

  @AfterAll
  static void stopEngine() {
    if (engine != null) {
      engine.close();
    }
    TestMariaDb.stop();
  }

  @BeforeEach
  void setUp() {
    database = TestMariaDb.newDatabase();
    session = engine.openSession();
  }

  @AfterEach
  void closeSession() {
    session.close();
  }

  @Test
  void isFoundByServiceLoaderAndDescribesItsOptions() {
    assertThat(SourceConnectors.get("mysql")).isInstanceOf(MySqlConnector.class);
    assertThat(connector.options())
        .extracting(option -> option.name())
        .contains("url", "user", "password", "schema", "table", "query", "mode", "cursor")
        .contains("lookback", "primary_key", "split_column", "parallelism", "chunk_rows")
        .contains("snapshot_lock");
    assertThat(connector.options())
        .filteredOn(option -> option.name().equals("password"))
        .singleElement()
        .satisfies(option -> assertThat(option.secret()).isTrue());
  }

  @Test
  void fullLoadMapsEveryType() {
    database.execute(
        "CREATE TABLE everything ("
            + " id int unsigned PRIMARY KEY, flag tinyint(1), yes bool, tiny tinyint,"
            + " small smallint unsigned, medium mediumint, whole int, whole_unsigned int unsigned,"
            + " big bigint, big_unsigned bigint unsigned, price decimal(12,2),"
            + " float_value float, double_value double, letter char(2), code varchar(10),"
            + " body text, day date, local_time datetime(6), instant timestamp(3) NULL,"
            + " doc json, fixed binary(3), bytes varbinary(8), payload blob,"
            + " size enum('small','large'), tags set('a','b','c'), vintage year)",
        // the session's zone is +02:00: the timestamp is the instant 03:04:05.123 UTC
        "SET time_zone = '+02:00'",
        "INSERT INTO everything VALUES (4294967295, 1, false, -5, 65535, -8388608, -7,"
            + " 4294967295, 9223372036854775807, 18446744073709551615, 1234.56, 1.5, 2.25,"
            + " 'x', 'abc', 'héllo', '2024-02-29', '2024-01-02 03:04:05.123456',"
            + " '2024-01-02 05:04:05.123', '{\"a\": [1, 2]}', 'abc', x'0102ff', x'00ff',"
            + " 'large', 'a,c', 2024)",
        "INSERT INTO everything (id) VALUES (2)");

    StagedData staged = stage("everything", Map.of(), LoadState.empty());

    assertThat(staged.rows()).isEqualTo(2);
    assertThat(staged.write()).isEqualTo(StagedData.Write.replace());
    Schema schema = session.describe("SELECT * FROM " + staged.relation());
    assertThat(schema.findType("id")).isEqualTo(Types.LongType.get());
    assertThat(schema.findType("flag")).isEqualTo(Types.BooleanType.get());
    assertThat(schema.findType("yes")).isEqualTo(Types.BooleanType.get());
    assertThat(schema.findType("tiny")).isEqualTo(Types.IntegerType.get());
    assertThat(schema.findType("small")).isEqualTo(Types.IntegerType.get());
    assertThat(schema.findType("medium")).isEqualTo(Types.IntegerType.get());
    assertThat(schema.findType("whole")).isEqualTo(Types.IntegerType.get());
    assertThat(schema.findType("whole_unsigned")).isEqualTo(Types.LongType.get());
    assertThat(schema.findType("big")).isEqualTo(Types.LongType.get());
    assertThat(schema.findType("big_unsigned")).isEqualTo(Types.DecimalType.of(20, 0));
    assertThat(schema.findType("price")).isEqualTo(Types.DecimalType.of(12, 2));
    assertThat(schema.findType("float_value")).isEqualTo(Types.FloatType.get());
    assertThat(schema.findType("double_value")).isEqualTo(Types.DoubleType.get());
    assertThat(schema.findType("letter")).isEqualTo(Types.StringType.get());
    assertThat(schema.findType("code")).isEqualTo(Types.StringType.get());
    assertThat(schema.findType("body")).isEqualTo(Types.StringType.get());
    assertThat(schema.findType("day")).isEqualTo(Types.DateType.get());
    assertThat(schema.findType("local_time")).isEqualTo(Types.TimestampType.withoutZone());
    assertThat(schema.findType("instant")).isEqualTo(Types.TimestampType.withZone());
    assertThat(schema.findType("doc")).isEqualTo(Types.StringType.get());
    assertThat(schema.findType("fixed")).isEqualTo(Types.BinaryType.get());
    assertThat(schema.findType("bytes")).isEqualTo(Types.BinaryType.get());
    assertThat(schema.findType("payload")).isEqualTo(Types.BinaryType.get());
    assertThat(schema.findType("size")).isEqualTo(Types.StringType.get());
    assertThat(schema.findType("tags")).isEqualTo(Types.StringType.get());
    assertThat(schema.findType("vintage")).isEqualTo(Types.IntegerType.get());

    QueryResult row =
        session.query(
            "SELECT id, flag, yes, tiny, small, medium, whole, whole_unsigned, big,"
                + " big_unsigned, price, float_value, double_value, letter, code, body, day,"
                + " CAST(local_time AS VARCHAR), epoch_ms(instant), doc, hex(fixed), hex(bytes),"
                + " hex(payload), size, tags, vintage FROM "
                + staged.relation()
                + " WHERE id = 4294967295",
            10);
    assertThat(row.rows().get(0))
        .containsExactly(
            4294967295L,
            true,
            false,
            -5,
            65535,
            -8388608,
            -7,
            4294967295L,
            9223372036854775807L,
            new BigDecimal("18446744073709551615"),
            new BigDecimal("1234.56"),
            1.5f,
            2.25,
            "x",
            "abc",
            "héllo",
            LocalDate.of(2024, 2, 29),
            "2024-01-02 03:04:05.123456",
            1704164645123L,
            "{\"a\": [1, 2]}",
            "616263",
            "0102FF",
            "00FF",
            "large",
            "a,c",
            2024);
    QueryResult nulls =
        session.query(
            "SELECT count(*) FROM "
                + staged.relation()
                + " WHERE id = 2 AND flag IS NULL AND big_unsigned IS NULL AND instant IS NULL"
                + " AND payload IS NULL AND doc IS NULL AND vintage IS NULL AND day IS NULL",
            1);
    assertThat(nulls.rows().get(0).get(0)).isEqualTo(1L);
  }

  @Test
  void incrementalLoadReadsOnlyNewRowsWithLookbackAndMergesOnTheKey() {
    database.execute(
        "CREATE TABLE orders (id int PRIMARY KEY, status varchar(10), updated_at datetime(6))",
        "INSERT INTO orders VALUES"
            + " (1, 'new', '2024-01-01 10:00:00'),"
            + " (2, 'new', '2024-01-01 11:00:00'),"
            + " (3, 'new', '2024-01-01 12:00:00')");
    Map<String, String> options =
        Map.of(
            "mode", "incremental",
            "cursor", "updated_at",
            "lookback", "30m",
            "primary_key", "id");

    StagedData first = stage("orders", options, LoadState.empty());
    assertThat(first.rows()).isEqualTo(3);
    assertThat(first.write()).isEqualTo(StagedData.Write.merge(List.of("id")));
    assertThat(first.state())
        .containsEntry(JdbcSourceConnector.CURSOR_COLUMN, "updated_at")
        .containsKey(JdbcSourceConnector.CURSOR_VALUE);

    // an update, an insert, a row committed late (within the lookback) and one too old for it
    database.execute(
        "UPDATE orders SET status = 'paid', updated_at = '2024-01-01 13:00:00' WHERE id = 1",
        "INSERT INTO orders VALUES (4, 'new', '2024-01-01 14:00:00'),"
            + " (5, 'late', '2024-01-01 11:45:00'), (6, 'lost', '2024-01-01 11:00:00')");
    StagedData second = stage("orders", options, new LoadState(Map.of(), first.state()));

    QueryResult rows =
        session.query("SELECT id, status FROM " + second.relation() + " ORDER BY id", 100);
    // 3 is read again (within 30 minutes of the last cursor), 6 is older than the lookback
    assertThat(rows.rows())
        .containsExactly(
            List.of(1, "paid"), List.of(3, "new"), List.of(4, "new"), List.of(5, "late"));

    StagedData third =
        stage(
            "orders",
            Map.of("mode", "incremental", "cursor", "updated_at"),
            new LoadState(Map.of(), second.state()));
    assertThat(third.nothingNew()).isTrue();
    assertThat(third.state()).isEqualTo(second.state());
  }

  @Test
  void incrementalOnANumericCursorKeepsTheGreatestPerKeyAndAppendsWithoutOne() {
    database.execute(
        "CREATE TABLE changes (id int, version bigint unsigned, value text)",
        "INSERT INTO changes VALUES (1, 1, 'a'), (1, 2, 'b'), (2, 1, 'c'), (3, NULL, 'd')");

    Map<String, String> merged =
        Map.of("mode", "incremental", "cursor", "version", "primary_key", "id");
    StagedData staged = stage("changes", merged, LoadState.empty());
    assertThat(
            session.query("SELECT id, value FROM " + staged.relation() + " ORDER BY id", 10).rows())
        .containsExactly(List.of(1, "b"), List.of(2, "c"), List.of(3, "d"));
    assertThat(staged.state()).containsEntry(JdbcSourceConnector.CURSOR_VALUE, "2");

    database.execute("INSERT INTO changes VALUES (4, 18446744073709551615, 'e')");
    StagedData appended =
        stage(
            "changes",
            Map.of("mode", "incremental", "cursor", "version"),
            new LoadState(Map.of(), staged.state()));
    assertThat(appended.write()).isEqualTo(StagedData.Write.append());
    assertThat(session.query("SELECT id FROM " + appended.relation(), 10).rows())
        .containsExactly(List.of(4));
    assertThat(appended.state())
        .containsEntry(JdbcSourceConnector.CURSOR_VALUE, "18446744073709551615");
  }

  @Test
  void chunkedParallelReadEqualsTheTable() {
    database.execute(
        "CREATE TABLE events (id bigint PRIMARY KEY, grp int, amount decimal(12,2), note text)",
        "INSERT INTO events SELECT seq, IF(seq % 7 = 0, NULL, seq % 100), seq * 0.25,"
            + " CONCAT('n', seq) FROM seq_1_to_20000");
    String expected =
        "SELECT count(*), CAST(sum(id) AS VARCHAR), sum(amount), count(DISTINCT note) FROM ";
    List<Object> table = List.of(20000L, "200010000", new BigDecimal("50002500.00"), 20000L);

    StagedData byKey =
        stage("events", Map.of("parallelism", "3", "chunk_rows", "1000"), LoadState.empty());
    assertThat(byKey.rows()).isEqualTo(20000);
    assertThat(session.query(expected + byKey.relation(), 1).rows().get(0))
        .containsExactlyElementsOf(table);

    StagedData byGroup =
        stage(
            "events",
            Map.of("parallelism", "4", "split_column", "grp", "fetch_size", "100"),
            LoadState.empty());
    assertThat(session.query(expected + byGroup.relation(), 1).rows().get(0))
        .containsExactlyElementsOf(table);

    StagedData oneStream = stage("events", Map.of("parallelism", "1"), LoadState.empty());
    assertThat(session.query(expected + oneStream.relation(), 1).rows().get(0))
        .containsExactlyElementsOf(table);

    StagedData byQuery =
        stage(
            "recent",
            Map.of(
                "query", "SELECT id, amount FROM events WHERE id > 10000",
                "split_column", "id",
                "chunk_rows", "999"),
            LoadState.empty());
    assertThat(session.query("SELECT count(*), min(id) FROM " + byQuery.relation(), 1).rows())
        .containsExactly(List.of(10000L, 10001L));
  }

  /**
   * A writer moves amounts between the first and the last key range, and adds pairs of rows (one in
   * each) that sum to nothing, one transaction at a time, while the table is read in chunks on four
   * connections: read as of one moment, the total and the parity of the row count never change.
   * Chunks begun each in a snapshot of their own would see some transfers half.
   */
  @Test
  void chunksReadTheTableAsOfOneMomentWhileAWriterMovesAmountsBetweenThem() throws Exception {
    database.execute(
        "CREATE TABLE accounts (id bigint PRIMARY KEY, balance bigint NOT NULL)",
        "INSERT INTO accounts SELECT seq, 100 FROM seq_1_to_20000");
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong transfers = new AtomicLong();
    ExecutorService writer = Executors.newSingleThreadExecutor();
    Future<?> writing =
        writer.submit(
            () -> {
              try (Connection connection = connect();
                  Statement statement = connection.createStatement()) {
                connection.setAutoCommit(false);
                for (long i = 1; !stop.get(); i++) {
                  long from = 1 + i % 1000;
                  statement.execute("UPDATE accounts SET balance = balance - 3 WHERE id = " + from);
                  statement.execute(
                      "UPDATE accounts SET balance = balance + 3 WHERE id = " + (20001 - from));
                  statement.execute(
                      "INSERT INTO accounts VALUES (" + (-i) + ", 7), (" + (20000 + i) + ", -7)");
                  connection.commit();
                  transfers.set(i);
                }
              }
              return null;
            });
    try {
      // the writer must commit between the loads' reads, not only before or after them
      for (int load = 0; load < 4 || transfers.get() < 100; load++) {
        if (writing.isDone()) {
          writing.get(); // the writer failed: its failure is the test's
        }
        long before = transfers.get();
        boolean query = load % 2 == 1;
        StagedData staged =
            query
                ? stage(
                    "accounts_query",
                    Map.of(
                        "query", "SELECT id, balance FROM accounts",
                        "split_column", "id",
                        "snapshot_lock", "global",
                        "parallelism", "4",
                        "chunk_rows", "700",
                        "fetch_size", "100"),
                    LoadState.empty())
                : stage(
                    "accounts",
                    Map.of("parallelism", "4", "chunk_rows", "700", "fetch_size", "100"),
                    LoadState.empty());
        assertThat(
                session
                    .query(
                        "SELECT CAST(sum(balance) AS BIGINT), count(*) % 2 FROM "
                            + staged.relation(),
                        1)
                    .rows())
            .as("load %d (%s), after %d transfers", load, query ? "query" : "table", before)
            .containsExactly(List.of(2_000_000L, 0L));
      }
    } finally {
      stop.set(true);
      writing.get();
      writer.shutdown();
    }
  }

  @Test
  void withoutTheLockPrivilegeChunksReadInSnapshotsOfTheirOwnAndAWarningSaysSo() throws Exception {
    database.execute(
        "CREATE TABLE events (id bigint PRIMARY KEY, note text)",
        "INSERT INTO events SELECT seq, CONCAT('n', seq) FROM seq_1_to_5000");
    String user = "reader_" + UUID.randomUUID().toString().substring(0, 8);
    String password = "pw-" + UUID.randomUUID();
    database.execute(
        "CREATE USER '" + user + "'@'%' IDENTIFIED BY '" + password + "'",
        "GRANT SELECT ON " + database.name() + ".* TO '" + user + "'@'%'");
    ch.qos.logback.classic.Logger logger =
        (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(MySqlDialect.class);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    logger.addAppender(logs);
    try {
      Map<String, String> options = new LinkedHashMap<>();
      options.put("url", database.url());
      options.put("user", user);
      options.put("password", password);
      options.put("parallelism", "3");
      StagedData staged = connector.stage(spec("events", options), LoadState.empty(), session);
      assertThat(staged.rows()).isEqualTo(5000);
      assertThat(logs.list)
          .filteredOn(event -> event.getLevel() == Level.WARN)
          .singleElement()
          .satisfies(
              event ->
                  assertThat(event.getFormattedMessage())
                      .contains("Source table 'shop.events'")
                      .contains("cannot take LOCK TABLES")
                      .contains("snapshot of its own")
                      .contains("Grant the LOCK TABLES privilege")
                      .contains("snapshot_lock: none")
                      .doesNotContain(password));

      // snapshot_lock: none reads the same way, knowingly, without a warning
      logs.list.clear();
      options.put("snapshot_lock", "none");
      assertThat(connector.stage(spec("events", options), LoadState.empty(), session).rows())
          .isEqualTo(5000);
      assertThat(logs.list).noneMatch(event -> event.getLevel() == Level.WARN);
    } finally {
      logger.detachAppender(logs);
      database.execute("DROP USER '" + user + "'@'%'");
    }
  }

  private Connection connect() throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", database.user());
    properties.setProperty("password", database.password());
    return DriverManager.getConnection(database.url(), properties);
  }

  @Test
  void acceptsMySqlUrlsAndAnExplicitDatabase() {
    database.execute("CREATE TABLE items (id int PRIMARY KEY, name varchar(10))");
    database.execute("INSERT INTO items VALUES (1, 'a'), (2, 'b')");
    Map<String, String> options = new LinkedHashMap<>(connection());
    options.put("url", "jdbc:mysql://127.0.0.1:" + database.port() + "/");
    options.put("schema", database.name());

    StagedData staged = connector.stage(spec("items", options), LoadState.empty(), session);

    assertThat(staged.rows()).isEqualTo(2);
  }

  @Test
  void rejectsOptionsThatCannotWork() {
    database.execute("CREATE TABLE orders (id int PRIMARY KEY, status text)");
    assertThatThrownBy(
            () -> stage("orders", Map.of("url", "jdbc:postgresql://x/y"), LoadState.empty()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'url' must be a MySQL or MariaDB JDBC URL");
    assertThatThrownBy(() -> stage("orders", Map.of("parallelsm", "4"), LoadState.empty()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("Unknown option 'parallelsm'")
        .hasMessageContaining("parallelism");
    assertThatThrownBy(() -> stage("orders", Map.of("chunk_rows", "0"), LoadState.empty()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'chunk_rows' must be at least 1");
    assertThatThrownBy(() -> stage("orders", Map.of("split_column", "status"), LoadState.empty()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("must be a numeric column");
    assertThatThrownBy(
            () ->
                stage(
                    "orders",
                    Map.of("mode", "incremental", "cursor", "id", "lookback", "1h"),
                    LoadState.empty()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("needs 'primary_key'");
    assertThatThrownBy(
            () ->
                stage(
                    "orders",
                    Map.of(
                        "mode",
                        "incremental",
                        "cursor",
                        "id",
                        "lookback",
                        "1h",
                        "primary_key",
                        "id"),
                    LoadState.empty()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("needs a date or timestamp cursor");
    assertThatThrownBy(() -> stage("absent", Map.of(), LoadState.empty()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("source 'shop' (mysql at 127.0.0.1:")
        .hasMessageContaining("absent");
  }

  @Test
  void unreachableServerFailsNamingSourceHostAndCauseButNotThePassword() {
    String planted = "planted-" + UUID.randomUUID();
    Map<String, String> options =
        Map.of(
            "url", "jdbc:mysql://127.0.0.1:1/shop",
            "user", "loader",
            "password", planted,
            "connect_timeout", "2s");

    assertThatThrownBy(() -> connector.stage(spec("orders", options), LoadState.empty(), session))
        .isInstanceOf(TransientException.class)
        .hasMessageContaining("source 'shop'")
        .hasMessageContaining("mysql at 127.0.0.1:1/shop")
        .hasMessageContaining("refused")
        .satisfies(e -> assertThat(fullText(e)).doesNotContain(planted));
  }

  @Test
  void wrongPasswordFailsWithoutShowingIt() {
    database.execute("CREATE TABLE orders (id int)");
    String planted = "planted-" + UUID.randomUUID();
    Map<String, String> options = new LinkedHashMap<>(connection());
    options.put("password", planted);

    assertThatThrownBy(() -> connector.stage(spec("orders", options), LoadState.empty(), session))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("Cannot log in to source 'shop'")
        .hasMessageContaining("Access denied")
        .hasMessageContaining("check url, user and password")
        .satisfies(e -> assertThat(fullText(e)).doesNotContain(planted));
  }

  private static String fullText(Throwable e) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      text.append(t).append('\n');
      for (Throwable suppressed : t.getSuppressed()) {
        text.append(suppressed).append('\n');
      }
    }
    return text.toString();
  }

  private Map<String, String> connection() {
    return Map.of("url", database.url(), "user", database.user(), "password", database.password());
  }

  private StagedData stage(String table, Map<String, String> options, LoadState state) {
    Map<String, String> all = new LinkedHashMap<>(connection());
    all.putAll(options);
    return connector.stage(spec(table, all), state, session);
  }

  private static SourceTableSpec spec(String table, Map<String, String> options) {
    return new SourceTableSpec("shop", table, Path.of("."), false, false, options, List.of());
  }
}
