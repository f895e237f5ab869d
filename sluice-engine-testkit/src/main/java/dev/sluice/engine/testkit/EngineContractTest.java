package dev.sluice.engine.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.LIST;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.api.DataException;
import dev.sluice.api.QueryCancelledException;
import dev.sluice.api.QueryException;
import dev.sluice.api.SqlRejectedException;
import dev.sluice.api.TableName;
import dev.sluice.api.TransientQueryException;
import dev.sluice.api.engine.ColumnMapping;
import dev.sluice.api.engine.Engine;
import dev.sluice.api.engine.EngineProvider;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.engine.EngineSettings;
import dev.sluice.api.engine.Engines;
import dev.sluice.api.engine.ParsedSelect;
import dev.sluice.api.engine.StatementDescription;
import dev.sluice.api.engine.TableReference;
import dev.sluice.api.engine.WrittenFile;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every {@link Engine} keeps, run against the real engine. An engine's tests subclass
 * it and name its provider and a query that runs long enough to be cancelled:
 *
 * <pre>{@code
 * class DuckDbEngineContractTest extends EngineContractTest {
 *   protected EngineProvider provider() { return new DuckDbEngineProvider(); }
 *   protected String longRunningQuery() { return "SELECT count(*) FROM range(...) ..."; }
 * }
 * }</pre>
 *
 * <p>What it checks: the engine is installed under its name ({@link Engines}); sessions do not see
 * each other's temporary tables and views; every Iceberg primitive type is written to Parquet and
 * read back unchanged; written files carry the schema's field ids, and files are read by field id,
 * so that a renamed column still reads from files written before the rename; the files of an older
 * snapshot read as that snapshot; files of a table whose columns never changed read alike by name;
 * each row can name the file it was read from; a list column round-trips; a value that does not fit
 * its column is a {@link DataException}; SQL is parsed without running it and only one SELECT
 * passes; a statement cancelled from another thread stops with a {@link QueryCancelledException}; a
 * file that cannot be read is a {@link TransientQueryException}, any other failed statement a
 * {@link QueryException}.
 *
 * <p>Optional abilities of {@link EngineSession} (they are {@code default} methods throwing {@link
 * UnsupportedOperationException}) are tested only when {@link #supports} says the engine has them,
 * as Trino's {@code BaseConnectorTest} does with {@code hasBehavior}.
 */
public abstract class EngineContractTest {
  /** How long a cancelled statement may take to stop. */
  private static final long CANCEL_SECONDS = 30;

  @TempDir protected Path directory;

  /** The engine under test, started before each test. */
  protected Engine engine;

  /** The provider of the engine under test. */
  protected abstract EngineProvider provider();

  /** A query returning rows that runs for a minute or more unless cancelled. */
  protected abstract String longRunningQuery();

  /** The optional abilities of {@link EngineSession} an engine may lack. */
  protected enum Ability {
    /** {@link EngineSession#parseSelect}. */
    PARSE_SELECT,
    /** {@link EngineSession#registerTableWithFiles}. */
    ROW_FILES,
    /** {@link EngineSession#openRowWriter}. */
    ROW_WRITER,
    /** {@link EngineSession#cancel}. */
    CANCEL,
    /**
     * {@link EngineSession#prepare} and {@link EngineSession#query(String, List, int)} with
     * parameters.
     */
    PREPARE
  }

  /**
   * Whether the engine under test has an optional ability; by default it has them all. An engine
   * that lacks one overrides this, and the tests of that ability check that it says so with an
   * {@link UnsupportedOperationException}.
   */
  protected boolean supports(Ability ability) {
    return true;
  }

  /** The settings each test's engine is started with: a temporary directory, 1 GB of memory. */
  protected EngineSettings settings() throws IOException {
    return new EngineSettings(Files.createDirectories(directory.resolve("spill")), "1GB");
  }

  @BeforeEach
  void startEngine() throws IOException {
    engine = provider().start(settings());
  }

  @AfterEach
  void stopEngine() {
    if (engine != null) {
      engine.close();
    }
  }

  @Test
  void theEngineIsInstalledUnderItsName() {
    assertThat(Engines.find(provider().name()))
        .as("META-INF/services/%s lists the provider", EngineProvider.class.getName())
        .get()
        .isInstanceOf(provider().getClass());
    assertThat(engine.name()).isEqualTo(provider().name());
  }

  @Test
  void sessionsDoNotSeeEachOthersTemporaryTablesAndViews() {
    TableName view = new TableName("raw", "mine");
    try (EngineSession first = engine.openSession();
        EngineSession second = engine.openSession()) {
      assertThat(first.createTemporaryTable("staged", "SELECT 1 AS x")).isEqualTo(1);
      first.registerView(view, "SELECT 'first' AS owner");

      assertThatThrownBy(() -> second.query("SELECT * FROM staged", 10))
          .isInstanceOf(QueryException.class);
      assertThatThrownBy(() -> second.query("SELECT * FROM " + view.quoted(), 10))
          .isInstanceOf(QueryException.class);

      second.createTemporaryTable("staged", "SELECT 2 AS x UNION ALL SELECT 3 AS x");
      second.registerView(view, "SELECT 'second' AS owner");
      assertThat(first.query("SELECT x FROM staged", 10).rows()).containsExactly(List.of(1));
      assertThat(first.query("SELECT owner FROM " + view.quoted(), 10).rows())
          .containsExactly(List.of("first"));
      assertThat(second.query("SELECT count(*) FROM staged", 10).rows().get(0).get(0))
          .isInstanceOfSatisfying(Number.class, n -> assertThat(n.longValue()).isEqualTo(2));
    }
    try (EngineSession later = engine.openSession()) {
      assertThatThrownBy(() -> later.query("SELECT * FROM staged", 10))
          .as("a closed session's temporary tables are gone")
          .isInstanceOf(QueryException.class);
    }
  }

  /** One column of every Iceberg primitive type, and a value for it. */
  private static final List<Types.NestedField> PRIMITIVES =
      List.of(
          Types.NestedField.optional(1, "a_boolean", Types.BooleanType.get()),
          Types.NestedField.optional(2, "an_int", Types.IntegerType.get()),
          Types.NestedField.optional(3, "a_long", Types.LongType.get()),
          Types.NestedField.optional(4, "a_float", Types.FloatType.get()),
          Types.NestedField.optional(5, "a_double", Types.DoubleType.get()),
          Types.NestedField.optional(6, "a_decimal", Types.DecimalType.of(12, 3)),
          Types.NestedField.optional(7, "a_date", Types.DateType.get()),
          Types.NestedField.optional(8, "a_time", Types.TimeType.get()),
          Types.NestedField.optional(9, "a_timestamp", Types.TimestampType.withoutZone()),
          Types.NestedField.optional(10, "a_timestamptz", Types.TimestampType.withZone()),
          Types.NestedField.optional(11, "a_string", Types.StringType.get()),
          Types.NestedField.optional(12, "a_uuid", Types.UUIDType.get()),
          Types.NestedField.optional(13, "a_fixed", Types.FixedType.ofLength(4)),
          Types.NestedField.optional(14, "a_binary", Types.BinaryType.get()));

  private static final Object[] VALUES = {
    true,
    -42,
    9_007_199_254_740_993L,
    1.5f,
    -2.25e300,
    new BigDecimal("123456789.125"),
    LocalDate.of(1969, 12, 31),
    LocalTime.of(23, 59, 58, 123_456_000),
    LocalDateTime.of(2024, 2, 29, 12, 30, 45, 654_321_000),
    OffsetDateTime.of(2024, 7, 1, 8, 0, 0, 0, ZoneOffset.UTC),
    "grüße, 'quoted' \"text\"",
    UUID.fromString("123e4567-e89b-12d3-a456-426614174000"),
    new byte[] {0, 1, (byte) 0xfe, (byte) 0xff},
    "bytes".getBytes(StandardCharsets.UTF_8)
  };

  @Test
  void everyIcebergPrimitiveTypeRoundTripsThroughParquet() {
    assumeTrue(supports(Ability.ROW_WRITER), "the engine has no row writer");
    Schema schema = new Schema(PRIMITIVES);
    Path file = directory.resolve("data/primitives.parquet");
    TableName table = new TableName("raw", "primitives");
    try (EngineSession session = engine.openSession()) {
      try (EngineSession.RowWriter writer = session.openRowWriter("primitives_in", schema)) {
        writer.append(VALUES);
        writer.append(new Object[VALUES.length]);
      }
      WrittenFile written = session.writeParquet("SELECT * FROM primitives_in", schema, file);
      assertThat(written.rowCount()).isEqualTo(2);
      assertThat(written.sizeInBytes()).isPositive();
      session.registerTable(table, schema, List.of(file.toString()));

      Schema described = session.describe("SELECT * FROM " + table.quoted());
      for (Types.NestedField column : schema.columns()) {
        assertThat(described.findField(column.name()))
            .as("column %s", column.name())
            .isNotNull()
            .satisfies(field -> assertThat(field.type()).isEqualTo(describedAs(column.type())));
      }
      List<List<Object>> before =
          comparable(session.query("SELECT * FROM primitives_in ORDER BY a_long", 10).rows());
      List<List<Object>> after =
          comparable(
              session.query("SELECT * FROM " + table.quoted() + " ORDER BY a_long", 10).rows());
      assertThat(after).isEqualTo(before);
      assertThat(after.get(0)).as("values survive, none turns null").doesNotContainNull();
      assertThat(after.get(1)).as("nulls stay null").containsOnlyNulls();
    }
  }

  /**
   * The type {@link EngineSession#describe} reports for a column of {@code written}: by default the
   * same. An engine whose SQL has no equivalent of a type says what it reads it as.
   */
  protected Type describedAs(Type written) {
    return written;
  }

  @Test
  void writtenFilesCarryTheSchemasFieldIds() {
    Schema written =
        new Schema(
            Types.NestedField.optional(10, "x", Types.IntegerType.get()),
            Types.NestedField.optional(20, "y", Types.StringType.get()));
    // the same field ids under each other's names: only ids in the file put the values right
    Schema swapped =
        new Schema(
            Types.NestedField.optional(20, "x", Types.StringType.get()),
            Types.NestedField.optional(10, "y", Types.IntegerType.get()));
    Path file = directory.resolve("data/ids.parquet");
    TableName table = new TableName("raw", "ids");
    try (EngineSession session = engine.openSession()) {
      session.writeParquet("SELECT 7 AS x, 'seven' AS y", written, file);
      session.registerTable(table, swapped, List.of(file.toString()));
      assertThat(session.query("SELECT x, y FROM " + table.quoted(), 10).rows())
          .containsExactly(List.of("seven", 7));
    }
  }

  @Test
  void renamedAndAddedColumnsReadFromFilesWrittenBeforeTheChange() {
    Schema before =
        new Schema(
            Types.NestedField.required(1, "id", Types.LongType.get()),
            Types.NestedField.optional(2, "name", Types.StringType.get()));
    Schema after =
        new Schema(
            Types.NestedField.required(1, "id", Types.LongType.get()),
            Types.NestedField.optional(2, "full_name", Types.StringType.get()),
            Types.NestedField.optional(3, "age", Types.IntegerType.get()));
    Path old = directory.resolve("data/old.parquet");
    Path current = directory.resolve("data/new.parquet");
    TableName table = new TableName("curated", "people");
    try (EngineSession session = engine.openSession()) {
      session.writeParquet("SELECT CAST(1 AS BIGINT) AS id, 'ada' AS name", before, old);
      session.writeParquet(
          "SELECT CAST(2 AS BIGINT) AS id, 'grace' AS full_name, 85 AS age", after, current);
      session.registerTable(table, after, List.of(old.toString(), current.toString()));
      assertThat(session.query("SELECT id, full_name, age FROM " + table.quoted(), 10).rows())
          .containsExactlyInAnyOrder(Arrays.asList(1L, "ada", null), List.of(2L, "grace", 85));
    }
  }

  @Test
  void theFilesOfAnOlderSnapshotReadAsThatSnapshot() {
    Schema v1 = new Schema(Types.NestedField.required(1, "id", Types.LongType.get()));
    Schema v2 =
        new Schema(
            Types.NestedField.required(1, "key", Types.LongType.get()),
            Types.NestedField.optional(2, "note", Types.StringType.get()));
    Path first = directory.resolve("data/first.parquet");
    Path second = directory.resolve("data/second.parquet");
    TableName table = new TableName("curated", "events");
    try (EngineSession session = engine.openSession()) {
      session.writeParquet("SELECT CAST(1 AS BIGINT) AS id UNION ALL SELECT 2", v1, first);
      session.writeParquet("SELECT CAST(3 AS BIGINT) AS key, 'new' AS note", v2, second);

      // the current snapshot: both files, the current schema
      session.registerTable(table, v2, List.of(first.toString(), second.toString()));
      assertThat(session.query("SELECT key FROM " + table.quoted() + " ORDER BY key", 10).rows())
          .containsExactly(List.of(1L), List.of(2L), List.of(3L));

      // the first snapshot: its one file, its schema
      session.registerTable(table, v1, List.of(first.toString()));
      assertThat(session.query("SELECT id FROM " + table.quoted() + " ORDER BY id", 10).rows())
          .containsExactly(List.of(1L), List.of(2L));

      // a table with no files yet reads as empty, with its columns
      session.registerTable(table, v2, List.of());
      assertThat(session.query("SELECT key, note FROM " + table.quoted(), 10).rows()).isEmpty();
    }
  }

  @Test
  void aPreparedQueryDescribesItselfAndBindsValuesWithoutPastingThem() {
    try (EngineSession session = engine.openSession()) {
      String sql = "SELECT x AS id, 'n' || x AS name FROM range(5) t(x) WHERE x = ? OR 'a' = ?";
      if (!supports(Ability.PREPARE)) {
        assertThatThrownBy(() -> session.prepare(sql))
            .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> session.query(sql, List.of(1L, "b"), 10))
            .isInstanceOf(UnsupportedOperationException.class);
        return;
      }
      StatementDescription description = session.prepare(sql);
      assertThat(description.columns()).containsExactly("id", "name");
      assertThat(description.parameterTypes()).hasSize(2);
      assertThat(session.query(sql, List.of(3L, "b"), 10).rows())
          .containsExactly(List.of(3L, "n3"));
      // a value is data, never SQL: a quote or a statement in it changes nothing
      assertThat(session.query(sql, Arrays.asList(null, "a' OR '1' = '1"), 10).rows()).isEmpty();
      assertThatThrownBy(() -> session.prepare("SELECT * FROM no_such_table WHERE x = ?"))
          .isInstanceOf(QueryException.class);
    }
  }

  @Test
  void aStatementCancelledFromAnotherThreadStopsWithQueryCancelledException() throws Exception {
    if (!supports(Ability.CANCEL)) {
      try (EngineSession session = engine.openSession()) {
        assertThatThrownBy(session::cancel).isInstanceOf(UnsupportedOperationException.class);
      }
      return;
    }
    ScheduledExecutorService canceller = Executors.newSingleThreadScheduledExecutor();
    try (EngineSession session = engine.openSession()) {
      CompletableFuture<Object> running =
          CompletableFuture.supplyAsync(() -> session.query(longRunningQuery(), 10));
      // cancelled once it runs (or, should it not have started yet, before it starts: the
      // session is cancelled either way)
      ScheduledFuture<?> cancelling =
          canceller.schedule(session::cancel, 300, TimeUnit.MILLISECONDS);
      Throwable failure = failureOf(running);
      cancelling.get(CANCEL_SECONDS, TimeUnit.SECONDS); // cancel() itself returned normally
      assertThat(failure).isInstanceOf(QueryCancelledException.class);
      assertThatThrownBy(() -> session.query("SELECT 1", 1))
          .as("a cancelled session runs nothing more")
          .isInstanceOf(QueryCancelledException.class);
    } finally {
      canceller.shutdownNow();
    }
    try (EngineSession other = engine.openSession()) {
      assertThat(other.query("SELECT 1 AS one", 1).rows()).containsExactly(List.of(1));
    }
  }

  @Test
  void filesOfATableWhoseColumnsNeverChangedReadAlikeByNameAndByFieldId() {
    Schema schema =
        new Schema(
            Types.NestedField.required(1, "id", Types.LongType.get()),
            Types.NestedField.optional(2, "name", Types.StringType.get()));
    Path first = directory.resolve("data/by-name-1.parquet");
    Path second = directory.resolve("data/by-name-2.parquet");
    TableName byName = new TableName("curated", "by_name");
    TableName byId = new TableName("curated", "by_id");
    try (EngineSession session = engine.openSession()) {
      session.writeParquet("SELECT CAST(1 AS BIGINT) AS id, 'one' AS name", schema, first);
      session.writeParquet("SELECT CAST(2 AS BIGINT) AS id, NULL AS name", schema, second);
      List<String> files = List.of(first.toString(), second.toString());
      session.registerTable(byName, schema, files, ColumnMapping.NAME);
      session.registerTable(byId, schema, files, ColumnMapping.FIELD_ID);
      List<List<Object>> expected = List.of(List.of(1L, "one"), Arrays.asList(2L, null));
      assertThat(
              session.query("SELECT id, name FROM " + byName.quoted() + " ORDER BY id", 10).rows())
          .isEqualTo(expected);
      assertThat(session.query("SELECT id, name FROM " + byId.quoted() + " ORDER BY id", 10).rows())
          .isEqualTo(expected);
    }
  }

  @Test
  void filesReadInOneQueryAsTheirRegisteredTableReadsThem() {
    Schema schema =
        new Schema(
            Types.NestedField.required(1, "id", Types.LongType.get()),
            Types.NestedField.optional(2, "name", Types.StringType.get()));
    Path first = directory.resolve("data/read-1.parquet");
    Path second = directory.resolve("data/read-2.parquet");
    List<String> files = List.of(first.toString(), second.toString());
    try (EngineSession session = engine.openSession()) {
      session.writeParquet("SELECT CAST(1 AS BIGINT) AS id, 'one' AS name", schema, first);
      session.writeParquet("SELECT CAST(2 AS BIGINT) AS id, NULL AS name", schema, second);
      for (ColumnMapping mapping : ColumnMapping.values()) {
        String read =
            session.readFiles(new TableName("sluice_profile", "read"), schema, files, mapping);
        assertThat(session.query("SELECT count(*), max(id), count(name) FROM " + read, 10).rows())
            .as("read by %s", mapping)
            .containsExactly(List.of(2L, 2L, 1L));
      }
    }
  }

  @Test
  void eachRowNamesTheDataFileItWasReadFrom() {
    Schema schema = new Schema(Types.NestedField.required(1, "id", Types.LongType.get()));
    Path first = directory.resolve("data/rows-1.parquet");
    Path second = directory.resolve("data/rows-2.parquet");
    TableName table = new TableName("curated", "with_files");
    List<String> files = List.of(first.toString(), second.toString());
    try (EngineSession session = engine.openSession()) {
      if (!supports(Ability.ROW_FILES)) {
        assertThatThrownBy(
                () ->
                    session.registerTableWithFiles(
                        table, schema, files, ColumnMapping.FIELD_ID, "source_file"))
            .isInstanceOf(UnsupportedOperationException.class);
        return;
      }
      session.writeParquet("SELECT CAST(1 AS BIGINT) AS id UNION ALL SELECT 2", schema, first);
      session.writeParquet("SELECT CAST(3 AS BIGINT) AS id", schema, second);
      for (ColumnMapping mapping : ColumnMapping.values()) {
        session.registerTableWithFiles(table, schema, files, mapping, "source_file");
        assertThat(
                session
                    .query("SELECT id, source_file FROM " + table.quoted() + " ORDER BY id", 10)
                    .rows())
            .as("read by %s", mapping)
            .containsExactly(
                List.of(1L, first.toString()),
                List.of(2L, first.toString()),
                List.of(3L, second.toString()));
      }
    }
  }

  @Test
  void aListColumnRoundTripsThroughParquet() {
    assumeTrue(supports(Ability.ROW_WRITER), "the engine has no row writer");
    Schema schema =
        new Schema(
            Types.NestedField.required(1, "id", Types.LongType.get()),
            Types.NestedField.optional(
                2, "tags", Types.ListType.ofOptional(3, Types.StringType.get())));
    Path file = directory.resolve("data/lists.parquet");
    TableName table = new TableName("raw", "lists");
    try (EngineSession session = engine.openSession()) {
      try (EngineSession.RowWriter writer = session.openRowWriter("lists_in", schema)) {
        writer.append(1L, List.of("a", "b"));
        writer.append(2L, List.of());
        writer.append(3L, null);
        assertThat(writer.rows()).isEqualTo(3);
      }
      session.writeParquet("SELECT * FROM lists_in", schema, file);
      session.registerTable(table, schema, List.of(file.toString()));
      assertThat(session.describe("SELECT tags FROM " + table.quoted()).columns().get(0).type())
          .isInstanceOfSatisfying(
              Types.ListType.class,
              list -> assertThat(list.elementType()).isEqualTo(Types.StringType.get()));
      List<List<Object>> rows =
          session.query("SELECT id, tags FROM " + table.quoted() + " ORDER BY id", 10).rows();
      assertThat(rows).hasSize(3);
      assertThat(rows.get(0).get(1)).asInstanceOf(LIST).containsExactly("a", "b");
      assertThat(rows.get(1).get(1)).asInstanceOf(LIST).isEmpty();
      assertThat(rows.get(2).get(1)).isNull();
    }
  }

  @Test
  void aValueThatDoesNotFitItsColumnIsADataErrorNamingTheColumn() {
    Schema schema =
        new Schema(
            Types.NestedField.optional(1, "id", Types.IntegerType.get()),
            Types.NestedField.optional(2, "amount", Types.DecimalType.of(4, 2)));
    try (EngineSession session = engine.openSession()) {
      if (!supports(Ability.ROW_WRITER)) {
        assertThatThrownBy(() -> session.openRowWriter("too_big", schema))
            .isInstanceOf(UnsupportedOperationException.class);
        return;
      }
      EngineSession.RowWriter writer = session.openRowWriter("too_big", schema);
      writer.append(1, new BigDecimal("12.34"));
      assertThatThrownBy(() -> writer.append(2, new BigDecimal("123.45")))
          .isInstanceOf(DataException.class)
          .hasMessageContaining("amount");
    }
  }

  @Test
  void userSqlIsParsedWithoutRunningItAndOnlyOneSelectPasses() {
    try (EngineSession session = engine.openSession()) {
      if (!supports(Ability.PARSE_SELECT)) {
        assertThatThrownBy(() -> session.parseSelect("SELECT 1"))
            .isInstanceOf(UnsupportedOperationException.class);
        return;
      }
      ParsedSelect parsed =
          session.parseSelect(
              "WITH recent AS (SELECT * FROM raw.orders)\n"
                  + "SELECT * FROM recent JOIN customers c ON recent.customer = c.id");
      assertThat(parsed.tables())
          .extracting(TableReference::toString)
          .containsExactly("raw.orders", "customers");
      assertThat(parsed.tables().get(0).line()).isIn(0, 1);

      session.createTemporaryTable("kept", "SELECT 1 AS x");
      assertThatThrownBy(() -> session.parseSelect("DROP TABLE kept"))
          .isInstanceOf(SqlRejectedException.class);
      assertThatThrownBy(() -> session.parseSelect("SELECT 1; DROP TABLE kept"))
          .isInstanceOf(SqlRejectedException.class);
      assertThatThrownBy(() -> session.parseSelect("SELEC 1"))
          .isInstanceOf(SqlRejectedException.class);
      assertThat(session.query("SELECT x FROM kept", 1).rows())
          .as("parsing ran nothing")
          .containsExactly(List.of(1));
    }
  }

  @Test
  void aDataFileThatCannotBeReadIsATransientQueryException() {
    Schema schema = new Schema(Types.NestedField.required(1, "id", Types.LongType.get()));
    TableName table = new TableName("curated", "gone");
    String missing = directory.resolve("data/not-there.parquet").toString();
    try (EngineSession session = engine.openSession()) {
      assertThatThrownBy(
              () -> {
                // an engine may read a file's footer when the table is registered, or at the query
                session.registerTable(table, schema, List.of(missing));
                session.query("SELECT * FROM " + table.quoted(), 1);
              })
          .isInstanceOf(TransientQueryException.class)
          .hasMessageContaining("not-there.parquet");
    }
  }

  @Test
  void aFailingStatementRaisesQueryException() {
    try (EngineSession session = engine.openSession()) {
      assertThatThrownBy(() -> session.query("SELECT * FROM no_such_table", 1))
          .isInstanceOf(QueryException.class)
          .isNotInstanceOf(QueryCancelledException.class)
          .hasMessageContaining("no_such_table");
    }
  }

  private static Throwable failureOf(CompletableFuture<?> running)
      throws InterruptedException, TimeoutException {
    try {
      running.get(CANCEL_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("the statement finished although it was cancelled");
  }

  /** Rows whose byte arrays compare by content. */
  private static List<List<Object>> comparable(List<List<Object>> rows) {
    List<List<Object>> result = new ArrayList<>();
    for (List<Object> row : rows) {
      List<Object> values = new ArrayList<>();
      for (Object value : row) {
        values.add(value instanceof byte[] bytes ? HexFormat.of().formatHex(bytes) : value);
      }
      result.add(values);
    }
    return result;
  }
}
