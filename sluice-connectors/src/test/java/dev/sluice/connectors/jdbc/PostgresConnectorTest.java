package dev.sluice.connectors.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.TransientException;
import dev.sluice.api.connector.LoadState;
import dev.sluice.api.connector.SourceConnectors;
import dev.sluice.api.connector.SourceTableSpec;
import dev.sluice.api.connector.StagedData;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.connector.testkit.PostgresDatabase;
import dev.sluice.connector.testkit.TestPostgres;
import dev.sluice.engine.duckdb.DuckDbEngine;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The postgres connector against a real PostgreSQL server and a real DuckDB engine. */
class PostgresConnectorTest {
  private static Path spillDirectory;
  private static DuckDbEngine engine;

  private final PostgresConnector connector = new PostgresConnector();
  private PostgresDatabase database;
  private EngineSession session;

  @BeforeAll
  static void startEngine() throws IOException {
    spillDirectory = Files.createTempDirectory("sluice-postgres-test-spill");
    engine = DuckDbEngine.start(spillDirectory, "1GB");
  }

  @AfterAll
  static void stopEngine() {
    engine.close();
  }

  @BeforeEach
  void setUp() {
    database = TestPostgres.newDatabase();
    session = engine.openSession();
  }

  @AfterEach
  void closeSession() {
    session.close();
  }

  @Test
  void isFoundByServiceLoaderAndDescribesItsOptions() {
    assertThat(SourceConnectors.get("postgres")).isInstanceOf(PostgresConnector.class);
    assertThat(connector.options())
        .extracting(option -> option.name())
        .contains("url", "user", "password", "schema", "table", "query", "mode", "cursor")
        .contains("lookback", "primary_key", "fetch_size");
    assertThat(connector.options())
        .filteredOn(option -> option.name().equals("password"))
        .singleElement()
        .satisfies(option -> assertThat(option.secret()).isTrue());
  }

  @Test
  void fullLoadMapsEveryType() {
    database.execute(
        "CREATE TABLE everything ("
            + " id bigint PRIMARY KEY, small smallint, whole integer, real_value real,"
            + " double_value double precision, price numeric(12,2), unbounded numeric,"
            + " flag boolean, name text, code varchar(10), letter char(2), day date,"
            + " clock time, local_time timestamp, instant timestamptz, doc json, docb jsonb,"
            + " key uuid, payload bytea, tags text[], scores int[], span interval)",
        "INSERT INTO everything VALUES (1, 2, 3, 1.5, 2.25, 1234.56, 3.141592653,"
            + " true, 'héllo', 'abc', 'x', '2024-02-29', '13:14:15',"
            + " '2024-01-02 03:04:05.123456', '2024-01-02 03:04:05+02', '{\"a\": 1}',"
            + " '{\"b\": [1, 2]}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '\\x0102ff',"
            + " ARRAY['a', 'b'], ARRAY[1, NULL, 3], '1 day 2 hours')",
        "INSERT INTO everything (id) VALUES (2)");

    StagedData staged = stage("everything", Map.of(), LoadState.empty());

    assertThat(staged.rows()).isEqualTo(2);
    assertThat(staged.write()).isEqualTo(StagedData.Write.replace());
    Schema schema = session.describe("SELECT * FROM " + staged.relation());
    assertThat(schema.findType("id")).isEqualTo(Types.LongType.get());
    assertThat(schema.findType("small")).isEqualTo(Types.IntegerType.get());
    assertThat(schema.findType("whole")).isEqualTo(Types.IntegerType.get());
    assertThat(schema.findType("real_value")).isEqualTo(Types.FloatType.get());
    assertThat(schema.findType("double_value")).isEqualTo(Types.DoubleType.get());
    assertThat(schema.findType("price")).isEqualTo(Types.DecimalType.of(12, 2));
    assertThat(schema.findType("unbounded")).isEqualTo(Types.DecimalType.of(38, 9));
    assertThat(schema.findType("flag")).isEqualTo(Types.BooleanType.get());
    assertThat(schema.findType("name")).isEqualTo(Types.StringType.get());
    assertThat(schema.findType("day")).isEqualTo(Types.DateType.get());
    assertThat(schema.findType("clock")).isEqualTo(Types.TimeType.get());
    assertThat(schema.findType("local_time")).isEqualTo(Types.TimestampType.withoutZone());
    assertThat(schema.findType("instant")).isEqualTo(Types.TimestampType.withZone());
    assertThat(schema.findType("doc")).isEqualTo(Types.StringType.get());
    assertThat(schema.findType("docb")).isEqualTo(Types.StringType.get());
    assertThat(schema.findType("key")).isEqualTo(Types.UUIDType.get());
    assertThat(schema.findType("payload")).isEqualTo(Types.BinaryType.get());
    assertThat(schema.findType("tags").isListType()).isTrue();
    assertThat(schema.findType("tags").asListType().elementType())
        .isEqualTo(Types.StringType.get());
    assertThat(schema.findType("scores").asListType().elementType())
        .isEqualTo(Types.IntegerType.get());
    assertThat(schema.findType("span")).isEqualTo(Types.StringType.get());

    QueryResult row =
        session.query(
            "SELECT small, whole, real_value, double_value, price, unbounded, flag, name, code,"
                + " letter, day, CAST(clock AS VARCHAR), CAST(local_time AS VARCHAR),"
                + " epoch(instant), doc, docb, CAST(key AS VARCHAR), hex(payload), tags,"
                + " scores, span FROM "
                + staged.relation()
                + " WHERE id = 1",
            10);
    assertThat(row.rows().get(0))
        .containsExactly(
            2,
            3,
            1.5f,
            2.25,
            new BigDecimal("1234.56"),
            new BigDecimal("3.141592653"),
            true,
            "héllo",
            "abc",
            "x ",
            LocalDate.of(2024, 2, 29),
            "13:14:15",
            "2024-01-02 03:04:05.123456",
            1704157445.0,
            "{\"a\": 1}",
            "{\"b\": [1, 2]}",
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
            "0102FF",
            List.of("a", "b"),
            java.util.Arrays.asList(1, null, 3),
            "1 day 02:00:00");
    QueryResult nulls =
        session.query(
            "SELECT count(*) FROM "
                + staged.relation()
                + " WHERE id = 2 AND name IS NULL AND instant IS NULL AND tags IS NULL"
                + " AND payload IS NULL AND key IS NULL AND price IS NULL",
            1);
    assertThat(nulls.rows().get(0).get(0)).isEqualTo(1L);
  }

  @Test
  void incrementalLoadReadsOnlyNewRowsWithLookbackAndKeepsOneRowPerKey() {
    database.execute(
        "CREATE TABLE orders (id int PRIMARY KEY, status text, updated_at timestamptz)",
        "INSERT INTO orders VALUES"
            + " (1, 'new', '2024-01-01 10:00:00+00'),"
            + " (2, 'new', '2024-01-01 11:00:00+00'),"
            + " (3, 'new', '2024-01-01 12:00:00+00')");
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
        "UPDATE orders SET status = 'paid', updated_at = '2024-01-01 13:00:00+00' WHERE id = 1",
        "INSERT INTO orders VALUES (4, 'new', '2024-01-01 14:00:00+00'),"
            + " (5, 'late', '2024-01-01 11:45:00+00'), (6, 'lost', '2024-01-01 11:00:00+00')");
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
  void keepsTheRowWithTheGreatestCursorPerKeyWithinOneLoad() {
    database.execute(
        "CREATE TABLE changes (id int, version int, value text)",
        "INSERT INTO changes VALUES (1, 1, 'a'), (1, 2, 'b'), (2, 1, 'c')");

    StagedData staged =
        stage(
            "changes",
            Map.of("mode", "incremental", "cursor", "version", "primary_key", "id"),
            LoadState.empty());

    assertThat(
            session.query("SELECT id, value FROM " + staged.relation() + " ORDER BY id", 10).rows())
        .containsExactly(List.of(1, "b"), List.of(2, "c"));
    assertThat(staged.state()).containsEntry(JdbcSourceConnector.CURSOR_VALUE, "2");
  }

  @Test
  void readsAQueryInsteadOfATable() {
    database.execute(
        "CREATE TABLE items (id int, price numeric(8,2))",
        "INSERT INTO items VALUES (1, 2.50), (2, 10.00)");

    StagedData staged =
        stage(
            "expensive",
            Map.of("query", "SELECT id, price * 2 AS doubled FROM items WHERE price > 5"),
            LoadState.empty());

    assertThat(session.query("SELECT * FROM " + staged.relation(), 10).rows())
        .containsExactly(List.of(2, new BigDecimal("20.000000000")));
  }

  @Test
  void chunkedParallelReadEqualsTheTable() {
    database.execute(
        "CREATE TABLE events (id bigint PRIMARY KEY, grp int, amount numeric(12,2), note text)",
        "INSERT INTO events SELECT i, CASE WHEN i % 7 = 0 THEN NULL ELSE i % 100 END,"
            + " i * 0.25, 'n' || i FROM generate_series(1, 20000) AS i");
    String expected =
        "SELECT count(*), CAST(sum(id) AS VARCHAR), sum(amount), count(DISTINCT note) FROM ";

    // on the primary key, in chunks of 1,000 keys, 3 at a time
    StagedData byKey =
        stage("events", Map.of("parallelism", "3", "chunk_rows", "1000"), LoadState.empty());
    assertThat(byKey.rows()).isEqualTo(20000);
    assertThat(session.query(expected + byKey.relation(), 1).rows().get(0))
        .containsExactly(20000L, "200010000", new BigDecimal("50002500.00"), 20000L);

    // on a column with NULLs and repeated values, and on a query
    StagedData byGroup =
        stage("events", Map.of("parallelism", "4", "split_column", "grp"), LoadState.empty());
    assertThat(session.query(expected + byGroup.relation(), 1).rows().get(0))
        .containsExactly(20000L, "200010000", new BigDecimal("50002500.00"), 20000L);
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

    // an empty table and one row
    database.execute("CREATE TABLE nothing (id int PRIMARY KEY)");
    assertThat(stage("nothing", Map.of(), LoadState.empty()).rows()).isZero();
    database.execute("INSERT INTO nothing VALUES (5)");
    assertThat(stage("nothing", Map.of("parallelism", "8"), LoadState.empty()).rows()).isOne();
  }

  @Test
  void chunksOfAFullReadShareOneSnapshotWhileOthersWrite() throws Exception {
    database.execute(
        "CREATE TABLE numbers (id int PRIMARY KEY)",
        "INSERT INTO numbers SELECT i FROM generate_series(1, 5000) AS i",
        "CREATE TABLE churn (id serial PRIMARY KEY)");
    // another client commits write transactions all along, so xmax moves between chunk starts
    java.util.concurrent.atomic.AtomicBoolean loading =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    Thread writer =
        new Thread(
            () -> {
              for (int i = 0; i < 100_000 && loading.get(); i++) {
                database.execute("INSERT INTO churn DEFAULT VALUES");
              }
            });
    writer.start();
    StagedData staged;
    try {
      staged =
          stage(
              "snapshots",
              Map.of(
                  "query",
                  "SELECT id, CAST(pg_current_snapshot() AS text) AS snap FROM numbers",
                  "split_column",
                  "id",
                  "chunk_rows",
                  "100",
                  "parallelism",
                  "3",
                  "fetch_size",
                  "10"),
              LoadState.empty());
    } finally {
      loading.set(false);
      writer.join();
    }
    assertThat(
            session
                .query("SELECT count(*), count(DISTINCT snap) FROM " + staged.relation(), 1)
                .rows())
        .containsExactly(List.of(5000L, 1L));
  }

  @Test
  void rejectsChunkingOptionsThatCannotWork() {
    database.execute("CREATE TABLE orders (id int PRIMARY KEY, status text)");
    assertThatThrownBy(() -> stage("orders", Map.of("split_column", "status"), LoadState.empty()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'split_column' of source table 'shop.orders'")
        .hasMessageContaining("must be a numeric column");
    assertThatThrownBy(() -> stage("orders", Map.of("split_column", "nope"), LoadState.empty()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("its columns are id, status");
    assertThatThrownBy(() -> stage("orders", Map.of("parallelism", "0"), LoadState.empty()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'parallelism' must be between 1 and 64");
    assertThatThrownBy(
            () ->
                stage(
                    "orders",
                    Map.of("mode", "incremental", "cursor", "id", "split_column", "id"),
                    LoadState.empty()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("apply only to mode: full");
  }

  @Test
  void rejectsOptionsThatCannotWork() {
    assertThatThrownBy(() -> stage("orders", Map.of("fetchsize", "10"), LoadState.empty()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("Unknown option 'fetchsize'")
        .hasMessageContaining("fetch_size");
    assertThatThrownBy(() -> stage("orders", Map.of("fetch_size", "many"), LoadState.empty()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'fetch_size'")
        .hasMessageContaining("whole number");
    assertThatThrownBy(() -> stage("orders", Map.of("mode", "incremental"), LoadState.empty()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("needs a 'cursor'");
    assertThatThrownBy(
            () ->
                stage(
                    "orders",
                    Map.of("mode", "incremental", "cursor", "id", "lookback", "1h"),
                    LoadState.empty()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("needs 'primary_key'");
    assertThatThrownBy(
            () -> connector.stage(spec("orders", Map.of("user", "x")), LoadState.empty(), session))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("Missing option 'url'");
  }

  @Test
  void namesAMissingTableOrColumn() {
    database.execute("CREATE TABLE present (id int)");
    assertThatThrownBy(() -> stage("absent", Map.of(), LoadState.empty()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("source 'shop'")
        .hasMessageContaining("absent");
    assertThatThrownBy(
            () ->
                stage(
                    "present",
                    Map.of("mode", "incremental", "cursor", "updated_at"),
                    LoadState.empty()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'updated_at'")
        .hasMessageContaining("its columns are id");
  }

  @Test
  void unreachableServerFailsNamingSourceHostAndCauseButNotThePassword() {
    String planted = "planted-" + UUID.randomUUID();
    Map<String, String> options =
        Map.of(
            "url", "jdbc:postgresql://127.0.0.1:1/shop",
            "user", "loader",
            "password", planted,
            "connect_timeout", "2s");

    assertThatThrownBy(() -> connector.stage(spec("orders", options), LoadState.empty(), session))
        .isInstanceOf(TransientException.class)
        .hasMessageContaining("source 'shop'")
        .hasMessageContaining("127.0.0.1:1/shop")
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
        .hasMessageContaining("password authentication failed")
        .satisfies(e -> assertThat(fullText(e)).doesNotContain(planted));
    assertThat(spec("orders", options).toString()).doesNotContain(planted);
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
    return Map.of(
        "url", database.jdbcUrl(), "user", database.user(), "password", database.password());
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
