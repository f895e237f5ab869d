package dev.sluice.connectors.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.DataException;
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
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.replication.LogSequenceNumber;

/** The postgres_cdc connector against a real PostgreSQL server and a real DuckDB engine. */
class PostgresCdcConnectorTest {
  private static Path spillDirectory;
  private static DuckDbEngine engine;

  private final PostgresCdcConnector connector = new PostgresCdcConnector();
  private PostgresDatabase database;
  private EngineSession session;

  @BeforeAll
  static void startEngine() throws IOException {
    spillDirectory = Files.createTempDirectory("sluice-cdc-test-spill");
    engine = DuckDbEngine.start(spillDirectory, "1GB");
  }

  @AfterAll
  static void stopEngine() {
    engine.close();
  }

  @BeforeEach
  void setUp() {
    database = TestPostgres.logicalReplication().createDatabase();
    session = engine.openSession();
  }

  @AfterEach
  void tearDown() {
    session.close();
    database.dropSlots();
  }

  @Test
  void isFoundByServiceLoaderAndDescribesItsOptions() {
    assertThat(SourceConnectors.get("postgres_cdc")).isInstanceOf(PostgresCdcConnector.class);
    assertThat(connector.options())
        .extracting(option -> option.name())
        .contains("url", "user", "password", "schema", "table", "primary_key", "slot")
        .contains("publication", "history", "max_events", "max_duration");
    assertThat(connector.options())
        .filteredOn(option -> option.name().equals("password"))
        .singleElement()
        .satisfies(option -> assertThat(option.secret()).isTrue());
  }

  @Test
  void snapshotAndStreamedChangesMapEveryTypeAsThePostgresConnectorDoes() {
    database.execute(
        "CREATE TABLE everything ("
            + " id bigint PRIMARY KEY, small smallint, whole integer, real_value real,"
            + " double_value double precision, price numeric(12,2), unbounded numeric,"
            + " flag boolean, name text, code varchar(10), day date,"
            + " clock time, local_time timestamp, instant timestamptz, doc json, docb jsonb,"
            + " key uuid, payload bytea, tags text[], scores int[])",
        "INSERT INTO everything (id) VALUES (2)");
    StagedData snapshot = stage("everything", Map.of(), LoadState.empty());
    assertThat(snapshot.write()).isEqualTo(StagedData.Write.replace());
    assertThat(snapshot.rows()).isEqualTo(1);

    database.execute(
        "INSERT INTO everything VALUES (1, 2, 3, 1.5, 2.25, 1234.56, 3.141592653,"
            + " true, 'héllo', 'abc', '2024-02-29', '13:14:15.5',"
            + " '2024-01-02 03:04:05.123456', '2024-01-02 03:04:05+02', '{\"a\": 1}',"
            + " '{\"b\": [1, 2]}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '\\x0102ff',"
            + " ARRAY['a', 'b'], ARRAY[1, NULL, 3])");
    StagedData changes = stage("everything", Map.of(), new LoadState(Map.of(), snapshot.state()));
    assertThat(changes.write())
        .isEqualTo(StagedData.Write.mergeWithDeletes(List.of("id"), "_sluice_deleted"));
    Schema schema = session.describe("SELECT * FROM " + changes.relation());
    assertThat(schema.findType("id")).isEqualTo(Types.LongType.get());
    assertThat(schema.findType("small")).isEqualTo(Types.IntegerType.get());
    assertThat(schema.findType("real_value")).isEqualTo(Types.FloatType.get());
    assertThat(schema.findType("price")).isEqualTo(Types.DecimalType.of(12, 2));
    assertThat(schema.findType("unbounded")).isEqualTo(Types.DecimalType.of(38, 9));
    assertThat(schema.findType("local_time")).isEqualTo(Types.TimestampType.withoutZone());
    assertThat(schema.findType("instant")).isEqualTo(Types.TimestampType.withZone());
    assertThat(schema.findType("key")).isEqualTo(Types.UUIDType.get());
    assertThat(schema.findType("payload")).isEqualTo(Types.BinaryType.get());
    assertThat(schema.findType("scores").asListType().elementType())
        .isEqualTo(Types.IntegerType.get());

    QueryResult row =
        session.query(
            "SELECT small, whole, real_value, double_value, price, unbounded, flag, name, code,"
                + " day, CAST(clock AS VARCHAR), CAST(local_time AS VARCHAR),"
                + " epoch(instant), doc, docb, CAST(key AS VARCHAR), hex(payload), tags,"
                + " scores, _sluice_deleted FROM "
                + changes.relation()
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
            LocalDate.of(2024, 2, 29),
            "13:14:15.5",
            "2024-01-02 03:04:05.123456",
            1704157445.0,
            "{\"a\": 1}",
            "{\"b\": [1, 2]}",
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
            "0102FF",
            List.of("a", "b"),
            Arrays.asList(1, null, 3),
            false);
  }

  @Test
  void aLoadThatIsNotCommittedIsReadAgainWholeByTheNextLoad() {
    database.execute(
        "CREATE TABLE orders (id int PRIMARY KEY, status text)",
        "INSERT INTO orders VALUES (1, 'new')");
    StagedData snapshot = stage("orders", Map.of(), LoadState.empty());
    LoadState committed = new LoadState(Map.of(), snapshot.state());

    database.execute(
        "INSERT INTO orders VALUES (2, 'new')", "UPDATE orders SET status = 'paid' WHERE id = 1");
    StagedData lost = stage("orders", Map.of(), committed);
    assertThat(rows(lost)).containsExactly(List.of(1, "paid", false), List.of(2, "new", false));

    // the load above crashed before its commit: the next one starts from the same state
    database.execute("DELETE FROM orders WHERE id = 2", "INSERT INTO orders VALUES (3, 'new')");
    StagedData again = stage("orders", Map.of(), committed);
    assertThat(rows(again))
        .containsExactly(
            List.of(1, "paid", false), Arrays.asList(2, null, true), List.of(3, "new", false));

    // once committed, the next load starts after it and finds nothing new
    StagedData after = stage("orders", Map.of(), new LoadState(Map.of(), again.state()));
    assertThat(after.nothingNew()).isTrue();
  }

  @Test
  void anUnchangedOutOfLineValueIsNeverStoredAsAPlaceholder() {
    // random text does not compress, so 10 kB of it is stored out of line (TOAST)
    database.execute(
        "CREATE TABLE documents (id int PRIMARY KEY, title text, body text)",
        "INSERT INTO documents SELECT 1, 'a', string_agg(md5(random()::text), '')"
            + " FROM generate_series(1, 400)");
    StagedData snapshot = stage("documents", Map.of(), LoadState.empty());
    database.execute("UPDATE documents SET title = 'b' WHERE id = 1");

    assertThatThrownBy(
            () -> stage("documents", Map.of(), new LoadState(Map.of(), snapshot.state())))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("column 'body'")
        .hasMessageContaining("REPLICA IDENTITY FULL");

    // with REPLICA IDENTITY FULL, PostgreSQL sends the old value, which Debezium fills in
    database.execute(
        "ALTER TABLE documents REPLICA IDENTITY FULL",
        "UPDATE documents SET title = 'c' WHERE id = 1");
    StagedData full = stage("documents", Map.of("mode", "full"), LoadState.empty());
    database.execute("UPDATE documents SET title = 'd' WHERE id = 1");
    StagedData update = stage("documents", Map.of(), new LoadState(Map.of(), full.state()));
    assertThat(
            session
                .query(
                    "SELECT title, length(body) FROM "
                        + update.relation()
                        + " WHERE NOT _sluice_deleted",
                    10)
                .rows())
        .containsExactly(List.of("d", 12_800L));
  }

  @Test
  void hasNewDataOnlyForChangesOfTheTablePastTheCommittedPosition() {
    database.execute(
        "CREATE TABLE orders (id int PRIMARY KEY, status text)",
        "CREATE TABLE other (id int PRIMARY KEY)",
        "INSERT INTO orders VALUES (1, 'new')");
    SourceTableSpec orders = spec("orders", Map.of());
    // never loaded: the first load reads a snapshot
    assertThat(connector.hasNewData(orders, LoadState.empty())).isTrue();

    StagedData snapshot = stage("orders", Map.of(), LoadState.empty());
    LoadState committed = new LoadState(Map.of(), snapshot.state());
    assertThat(connector.hasNewData(orders, committed)).isFalse();

    // changes of a table the publication does not hold are not new data; the embedded server
    // commits asynchronously, and logical decoding reads only WAL flushed to disk
    database.execute(
        "SET synchronous_commit = on", "INSERT INTO other SELECT generate_series(1, 100)");
    assertThat(connector.hasNewData(orders, committed)).isFalse();

    database.execute(
        "SET synchronous_commit = on", "UPDATE orders SET status = 'paid' WHERE id = 1");
    assertThat(connector.hasNewData(orders, committed)).isTrue();
    // looking consumed nothing: the load still reads the change
    StagedData changes = stage("orders", Map.of(), committed);
    assertThat(rows(changes)).containsExactly(List.of(1, "paid", false));
    assertThat(connector.hasNewData(orders, new LoadState(Map.of(), changes.state()))).isFalse();

    database.dropSlots();
    assertThat(connector.hasNewData(orders, new LoadState(Map.of(), changes.state()))).isTrue();
  }

  @Test
  void anIdleLoadCommitsItsPositionOnlyAfterTheHeartbeatInterval() {
    database.execute(
        "CREATE TABLE orders (id int PRIMARY KEY, status text)",
        "CREATE TABLE other (id int PRIMARY KEY)",
        "INSERT INTO orders VALUES (1, 'new')");
    StagedData snapshot = stage("orders", Map.of(), LoadState.empty());
    LoadState committed = new LoadState(Map.of(), snapshot.state());
    database.execute("INSERT INTO other SELECT generate_series(1, 100)");

    StagedData quiet = stage("orders", Map.of(), committed);
    assertThat(quiet.nothingNew()).isTrue();
    assertThat(quiet.stateOnly()).isFalse();

    // the same load once the connector's clock is past the default interval (10 minutes)
    PostgresCdcConnector later =
        new PostgresCdcConnector(Clock.offset(Clock.systemUTC(), Duration.ofMinutes(11)));
    StagedData heartbeat = later.stage(spec("orders", Map.of()), committed, session);
    assertThat(heartbeat.nothingNew()).isTrue();
    assertThat(heartbeat.stateOnly()).isTrue();
    assertThat(heartbeat.state().get("confirmable.lsn"))
        .isNotEqualTo(snapshot.state().get("confirmable.lsn"));

    // the position committed alone is one to resume from: nothing lost, nothing repeated
    database.execute("INSERT INTO orders VALUES (2, 'new')");
    StagedData next = stage("orders", Map.of(), new LoadState(Map.of(), heartbeat.state()));
    assertThat(rows(next)).containsExactly(List.of(2, "new", false));
  }

  /**
   * The server logs its running transactions (as its background writer does every 15 seconds while
   * WAL is written) between a load's last commit and the marker it stops at. A slot confirmed up to
   * the marker would then let {@code restart_lsn} pass the offset's {@code lsn_commit}, and
   * Debezium would refuse to resume from it ("no longer available on the server"); confirmed up to
   * {@code lsn_commit}, every load resumes, after data loads and heartbeat commits alike.
   */
  @Test
  void resumesAfterDataAndHeartbeatCommitsWhileTheServerLogsItsRunningTransactions() {
    database.execute(
        "CREATE TABLE orders (id int PRIMARY KEY, status text)",
        "CREATE TABLE other (id serial PRIMARY KEY, note text)",
        "INSERT INTO orders VALUES (1, 'new'), (2, 'new')");
    SourceTableSpec orders = spec("orders", Map.of("heartbeat_interval", "0s"));
    StagedData snapshot = connector.stage(orders, LoadState.empty(), session);
    assertThat(snapshot.rows()).isEqualTo(2);
    LoadState committed = commit(orders, snapshot);

    // a data load, then a restart from its position
    database.execute(
        "UPDATE orders SET status = 'paid' WHERE id = 1", "INSERT INTO orders VALUES (3, 'new')");
    otherTablesWriteAndTheServerLogsItsRunningTransactions();
    StagedData changes = connector.stage(orders, committed, session);
    assertThat(rows(changes)).containsExactly(List.of(1, "paid", false), List.of(3, "new", false));
    committed = commit(orders, changes);
    otherTablesWriteAndTheServerLogsItsRunningTransactions();

    // an idle load commits its position alone (other tables wrote meanwhile), then a restart
    database.execute("INSERT INTO other (note) SELECT 'x' FROM generate_series(1, 100)");
    otherTablesWriteAndTheServerLogsItsRunningTransactions();
    StagedData heartbeat = connector.stage(orders, committed, session);
    assertThat(heartbeat.stateOnly()).isTrue();
    committed = commit(orders, heartbeat);
    otherTablesWriteAndTheServerLogsItsRunningTransactions();

    // a second heartbeat: the slot moves past what the other table wrote
    database.execute("INSERT INTO other (note) SELECT 'x' FROM generate_series(1, 100)");
    otherTablesWriteAndTheServerLogsItsRunningTransactions();
    StagedData again = connector.stage(orders, committed, session);
    assertThat(again.stateOnly()).isTrue();
    committed = commit(orders, again);
    otherTablesWriteAndTheServerLogsItsRunningTransactions();

    // nothing lost, nothing read twice
    database.execute(
        "DELETE FROM orders WHERE id = 2", "UPDATE orders SET status = 'sent' WHERE id = 3");
    otherTablesWriteAndTheServerLogsItsRunningTransactions();
    StagedData next = connector.stage(orders, committed, session);
    assertThat(rows(next)).containsExactly(Arrays.asList(2, null, true), List.of(3, "sent", false));
    committed = commit(orders, next);
    StagedData quiet = connector.stage(orders, committed, session);
    assertThat(quiet.nothingNew()).isTrue();
  }

  /**
   * What the runner does once a load's state is in the lake: confirms the slot through {@link
   * PostgresCdcConnector#committed}; checks that the slot still holds what Debezium resumes from.
   */
  private LoadState commit(SourceTableSpec table, StagedData staged) {
    connector.committed(table, staged.state());
    // the LSN Debezium checks the slot's restart_lsn against: lsn_commit, else lsn_proc
    Map<String, Object> offset =
        CommittedPosition.of(staged.state(), "sluice_shop_orders").offsetMap();
    Object checked = offset.getOrDefault("lsn_commit", offset.get("lsn_proc"));
    assertThat(checked).isInstanceOf(Number.class);
    String lsnCommit = LogSequenceNumber.valueOf(((Number) checked).longValue()).asString();
    assertThat(
            database.rows(
                "SELECT restart_lsn <= '"
                    + lsnCommit
                    + "'::pg_lsn, confirmed_flush_lsn = '"
                    + lsnCommit
                    + "'::pg_lsn FROM pg_replication_slots WHERE slot_name = 'sluice_shop_orders'"))
        .containsExactly(List.of("t", "t"));
    return new LoadState(Map.of(), staged.state());
  }

  /**
   * Writes to a table the slot does not publish, then logs the server's running transactions into
   * the WAL (xl_running_xacts), past the last commit of the captured table.
   */
  private void otherTablesWriteAndTheServerLogsItsRunningTransactions() {
    database.execute("INSERT INTO other (note) VALUES ('y')");
    TestPostgres.logicalReplication().admin("SELECT pg_log_standby_snapshot()");
  }

  @Test
  void aMissingSlotMeansANewSnapshot() {
    database.execute(
        "CREATE TABLE orders (id int PRIMARY KEY, status text)",
        "INSERT INTO orders VALUES (1, 'new')");
    StagedData snapshot = stage("orders", Map.of(), LoadState.empty());
    database.dropSlots();
    database.execute("INSERT INTO orders VALUES (2, 'new')");

    StagedData again = stage("orders", Map.of(), new LoadState(Map.of(), snapshot.state()));

    assertThat(again.write()).isEqualTo(StagedData.Write.replace());
    assertThat(again.rows()).isEqualTo(2);
  }

  @Test
  void explainsWhatIsMissingWithoutShowingThePassword() throws Exception {
    database.execute("CREATE TABLE orders (id int PRIMARY KEY)", "CREATE TABLE notes (text text)");

    assertThatThrownBy(() -> stage("nothing", Map.of(), LoadState.empty()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("has no table public.nothing");
    assertThatThrownBy(() -> stage("notes", Map.of(), LoadState.empty()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("has no primary key")
        .hasMessageContaining("REPLICA IDENTITY FULL");

    TestPostgres.logicalReplication()
        .admin("CREATE ROLE plain_" + database.name() + " LOGIN PASSWORD 'p-secret'");
    Map<String, String> plain = Map.of("user", "plain_" + database.name(), "password", "p-secret");
    assertThatThrownBy(() -> stage("orders", plain, LoadState.empty()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(
            "Source 'shop' (postgres at localhost:" + TestPostgres.logicalReplication().port())
        .hasMessageContaining("ALTER ROLE \"plain_" + database.name() + "\" WITH REPLICATION")
        .hasMessageNotContaining("p-secret");
    TestPostgres.logicalReplication()
        .admin("ALTER ROLE plain_" + database.name() + " WITH REPLICATION");
    assertThatThrownBy(() -> stage("orders", plain, LoadState.empty()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("GRANT SELECT ON \"public\".\"orders\"");

    Map<String, String> unreachable = new LinkedHashMap<>();
    unreachable.put("url", "jdbc:postgresql://127.0.0.1:1/shop");
    assertThatThrownBy(() -> stage("orders", unreachable, LoadState.empty()))
        .isInstanceOf(TransientException.class)
        .hasMessageContaining("Source 'shop' (postgres at 127.0.0.1:1/shop) cannot be reached")
        .hasMessageNotContaining(database.password());

    EmbeddedPostgres replicaLevel = EmbeddedPostgres.builder().start();
    try {
      Map<String, String> noLogical =
          Map.of(
              "url",
              "jdbc:postgresql://localhost:" + replicaLevel.getPort() + "/postgres",
              "user",
              "postgres");
      assertThatThrownBy(() -> stage("orders", noLogical, LoadState.empty()))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("has wal_level=replica")
          .hasMessageContaining("ALTER SYSTEM SET wal_level = logical");
    } finally {
      replicaLevel.close();
    }
  }

  private List<List<Object>> rows(StagedData staged) {
    return session
        .query("SELECT id, status, _sluice_deleted FROM " + staged.relation() + " ORDER BY id", 100)
        .rows();
  }

  private StagedData stage(String table, Map<String, String> options, LoadState state) {
    return connector.stage(spec(table, options), state, session);
  }

  private SourceTableSpec spec(String table, Map<String, String> options) {
    Map<String, String> all = new LinkedHashMap<>();
    all.put("url", database.jdbcUrl());
    all.put("user", database.user());
    all.put("password", database.password());
    all.putAll(options);
    return new SourceTableSpec("shop", table, Path.of("."), true, false, all, List.of());
  }
}
