package dev.sluice.engine.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.QueryException;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.ColumnMapping;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.api.engine.WrittenFile;
import dev.sluice.lake.Lake;
import dev.sluice.lake.ReadPoint;
import dev.sluice.lake.SchemaChange;
import dev.sluice.lake.TableScanFiles;
import dev.sluice.lake.TableWrite;
import dev.sluice.lake.WriteOperation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DuckDB writes Iceberg-owned Parquet, the lake commits it, and both DuckDB and Iceberg read it.
 */
class DuckDbLakeRoundTripTest {
  private static final TableName ORDERS = new TableName("curated", "orders");

  @TempDir Path directory;
  private Lake lake;
  private DuckDbEngine engine;
  private EngineSession session;

  @BeforeEach
  void start() {
    lake =
        Lake.open(
            directory.resolve("warehouse"),
            "jdbc:sqlite:" + directory.resolve("catalog.db"),
            Map.of());
    engine = DuckDbEngine.start(directory.resolve("spill"), "1GB");
    session = engine.openSession();
  }

  @AfterEach
  void stop() {
    session.close();
    engine.close();
    lake.close();
  }

  private long write(String sql, SchemaChange change, boolean replace) {
    Schema desired = session.describe(sql);
    if (lake.findTable(ORDERS).isEmpty()) {
      lake.createTable(ORDERS, desired, Map.of());
    }
    TableWrite write = lake.newWrite(ORDERS, "audit_test");
    Schema schema = write.prepareSchema(desired, change);
    WrittenFile file = session.writeParquet(sql, schema, write.newDataFilePath());
    long snapshot =
        write
            .newCommit(replace ? WriteOperation.replaceAll() : WriteOperation.append())
            .addFiles(List.of(write.toDataFile(file)))
            .set("sluice.test", "x")
            .toAuditBranch()
            .commit();
    write.publish();
    return snapshot;
  }

  private QueryResult read(ReadPoint point, String sql) {
    TableScanFiles scan = lake.scan(ORDERS, point);
    session.registerTable(ORDERS, scan.schema(), scan.dataFiles(), scan.columnMapping());
    return session.query(sql, 1000);
  }

  @Test
  void writesEveryTypeAndReadsItBackThroughDuckDbAndIceberg() {
    String sql =
        """
        SELECT 1::TINYINT AS tiny, 2::INTEGER AS int_value, 3::BIGINT AS big, 1.25::DECIMAL(12,2) AS amount,
               1.5::FLOAT AS f, 2.5::DOUBLE AS d, 'hello' AS s, true AS b, DATE '2024-01-02' AS day,
               TIMESTAMP '2024-01-02 03:04:05' AS ts, TIMESTAMPTZ '2024-01-02 03:04:05+00' AS tstz,
               TIME '10:11:12' AS t, '\\xAA'::BLOB AS bin, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::UUID AS id,
               [1, 2, 3] AS list_value, {'x': 1, 'y': 'two'} AS struct_value, MAP {'k': 10} AS map_value
        """;
    write(sql, SchemaChange.REPLACE, true);

    QueryResult result = read(ReadPoint.main(), "SELECT * FROM " + ORDERS.quoted());
    assertThat(result.rows()).hasSize(1);
    assertThat(result.columns())
        .containsExactly(
            "tiny",
            "int_value",
            "big",
            "amount",
            "f",
            "d",
            "s",
            "b",
            "day",
            "ts",
            "tstz",
            "t",
            "bin",
            "id",
            "list_value",
            "struct_value",
            "map_value");
    List<Object> row = result.rows().get(0);
    assertThat(row.get(2)).isEqualTo(3L);
    assertThat(row.get(3).toString()).isEqualTo("1.25");
    assertThat(row.get(6)).isEqualTo("hello");
    assertThat(row.get(14)).isEqualTo(List.of(1, 2, 3));

    Table table = lake.loadTable(ORDERS);
    assertThat(table.schema().findType("amount")).isEqualTo(Types.DecimalType.of(12, 2));
    assertThat(table.schema().findType("tstz")).isEqualTo(Types.TimestampType.withZone());
    assertThat(table.schema().findType("id")).isEqualTo(Types.UUIDType.get());
    assertThat(table.schema().findType("map_value").isMapType()).isTrue();
    List<Record> records = icebergRecords(table);
    assertThat(records).hasSize(1);
    assertThat(records.get(0).getField("s")).isEqualTo("hello");
    assertThat(records.get(0).getField("big")).isEqualTo(3L);
    assertThat(records.get(0).getField("list_value")).isEqualTo(List.of(1, 2, 3));
    assertThat(((Record) records.get(0).getField("struct_value")).getField("y")).isEqualTo("two");
    assertThat(records.get(0).getField("map_value")).isEqualTo(Map.of("k", 10));
    assertThat(table.currentSnapshot().summary()).containsEntry("sluice.test", "x");
    // Iceberg's files are written without Hadoop: no checksum side files, no chmod processes
    try (Stream<Path> files = Files.walk(directory.resolve("warehouse"))) {
      assertThat(files.map(Path::toString)).isNotEmpty().noneMatch(file -> file.endsWith(".crc"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void tablesWhoseColumnsNeverChangedAreReadByNameOthersByFieldId() {
    long first =
        write("SELECT range AS id, range * 10 AS amount FROM range(3)", SchemaChange.REPLACE, true);
    assertThat(lake.scan(ORDERS, ReadPoint.main()).columnMapping()).isEqualTo(ColumnMapping.NAME);
    write("SELECT 3::BIGINT AS id, 30::BIGINT AS amount", SchemaChange.UNION, false);
    assertThat(lake.scan(ORDERS, ReadPoint.main()).columnMapping()).isEqualTo(ColumnMapping.NAME);
    assertThat(read(ReadPoint.main(), "SELECT max(amount) FROM " + ORDERS.quoted()).rows())
        .containsExactly(List.of(30L));

    // a column dropped and added again under its old name: old files hold the old column
    lake.loadTable(ORDERS).updateSchema().deleteColumn("amount").commit();
    lake.loadTable(ORDERS).updateSchema().addColumn("amount", Types.LongType.get()).commit();
    TableScanFiles scan = lake.scan(ORDERS, ReadPoint.main());
    assertThat(scan.columnMapping()).isEqualTo(ColumnMapping.FIELD_ID);
    assertThat(read(ReadPoint.main(), "SELECT count(amount) FROM " + ORDERS.quoted()).rows())
        .containsExactly(List.of(0L));
    // an old snapshot of a table whose columns changed since is read by field id too
    assertThat(lake.scan(ORDERS, ReadPoint.snapshot(first)).columnMapping())
        .isEqualTo(ColumnMapping.FIELD_ID);
  }

  @Test
  void renamedAndAddedColumnsReadByFieldIdAndTimeTravelReadsOldVersions() {
    long first =
        write("SELECT range AS id, range * 10 AS amount FROM range(3)", SchemaChange.REPLACE, true);
    lake.loadTable(ORDERS).updateSchema().renameColumn("amount", "total").commit();

    QueryResult renamed =
        read(ReadPoint.main(), "SELECT id, total FROM " + ORDERS.quoted() + " ORDER BY id");
    assertThat(renamed.rows()).containsExactly(List.of(0L, 0L), List.of(1L, 10L), List.of(2L, 20L));
    List<Record> records = icebergRecords(lake.loadTable(ORDERS));
    assertThat(records)
        .extracting(r -> r.getField("total"))
        .containsExactlyInAnyOrder(0L, 10L, 20L);

    write("SELECT 3::BIGINT AS id, 30::BIGINT AS total, 'new' AS note", SchemaChange.UNION, false);
    QueryResult added =
        read(ReadPoint.main(), "SELECT id, total, note FROM " + ORDERS.quoted() + " ORDER BY id");
    assertThat(added.rows()).hasSize(4);
    assertThat(added.rows().get(0)).containsExactly(0L, 0L, null);
    assertThat(added.rows().get(3)).containsExactly(3L, 30L, "new");

    QueryResult old = read(ReadPoint.snapshot(first), "SELECT count(*) FROM " + ORDERS.quoted());
    assertThat(old.rows().get(0).get(0)).isEqualTo(3L);
  }

  @Test
  void discardedWriteLeavesMainAndSchemaAsTheyWere() {
    write("SELECT range AS id FROM range(5)", SchemaChange.REPLACE, true);
    long before = lake.loadTable(ORDERS).currentSnapshot().snapshotId();
    TableWrite write = lake.newWrite(ORDERS, "audit_bad");
    String sql = "SELECT range AS id, 'x' AS extra FROM range(100)";
    Schema schema = write.prepareSchema(session.describe(sql), SchemaChange.REPLACE);
    WrittenFile file = session.writeParquet(sql, schema, write.newDataFilePath());
    long audited =
        write
            .newCommit(WriteOperation.replaceAll())
            .addFiles(List.of(write.toDataFile(file)))
            .toAuditBranch()
            .commit();

    QueryResult onBranch =
        read(ReadPoint.branch("audit_bad"), "SELECT count(*) FROM " + ORDERS.quoted());
    assertThat(onBranch.rows().get(0).get(0)).isEqualTo(100L);
    assertThat(audited).isNotEqualTo(before);
    write.discard();

    Table table = lake.loadTable(ORDERS);
    assertThat(table.currentSnapshot().snapshotId()).isEqualTo(before);
    assertThat(table.refs()).doesNotContainKey("audit_bad");
    assertThat(table.schema().findField("extra")).isNull();
    assertThat(
            read(ReadPoint.main(), "SELECT count(*) FROM " + ORDERS.quoted()).rows().get(0).get(0))
        .isEqualTo(5L);
  }

  @Test
  void sqlErrorsAreQueryExceptionsWithDuckDbsLine() {
    assertThatThrownBy(() -> session.query("SELECT\n  no_such_column\nFROM range(1)", 10))
        .isInstanceOf(QueryException.class)
        .hasMessageContaining("no_such_column");
  }

  private static List<Record> icebergRecords(Table table) {
    List<Record> records = new ArrayList<>();
    try (CloseableIterable<Record> iterable = IcebergGenerics.read(table).build()) {
      iterable.forEach(records::add);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return records;
  }
}
