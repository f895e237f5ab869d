package dev.sluice.api.engine;

import dev.sluice.api.TableName;
import dev.sluice.api.sql.Identifiers;
import dev.sluice.api.sql.SqlLiterals;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.apache.iceberg.Schema;

/**
 * One connection to an engine. Not thread-safe. Tables of the lake become visible to SQL under
 * their quoted names ({@code "zone"."name"}) once registered with {@link #registerTable}.
 */
public interface EngineSession extends AutoCloseable {

  /**
   * Makes a table readable under its name for this session: the given data files, read with columns
   * mapped by Iceberg field id so that renamed and added columns read correctly.
   */
  void registerTable(TableName name, Schema schema, List<String> dataFiles);

  /**
   * As {@link #registerTable(TableName, Schema, List)}, matching the files' columns as {@code
   * mapping} says. {@link ColumnMapping#NAME} is only correct when every file was written with the
   * schema's current column names and types; the lake says when (see {@code TableScanFiles}).
   */
  default void registerTable(
      TableName name, Schema schema, List<String> dataFiles, ColumnMapping mapping) {
    registerTable(name, schema, dataFiles);
  }

  /**
   * A relation to read the files' rows from in one query ({@code SELECT ... FROM <relation>}), as
   * {@link #registerTable(TableName, Schema, List, ColumnMapping)} would make them readable as
   * {@code name}. By default they are registered as {@code name} and its quoted name is returned;
   * DuckDB returns the scan of the files itself, so that a single query over new files (a data
   * profile) binds them once and needs no view statement of its own.
   */
  default String readFiles(
      TableName name, Schema schema, List<String> dataFiles, ColumnMapping mapping) {
    registerTable(name, schema, dataFiles, mapping);
    return name.quoted();
  }

  /**
   * As {@link #registerTable(TableName, Schema, List, ColumnMapping)}, with one more column, {@code
   * fileColumn}, holding the data file each row was read from, as named in {@code dataFiles}: for a
   * merge, which rewrites only the files that hold a merged key.
   *
   * @throws UnsupportedOperationException when the engine cannot tell the file of a row
   */
  default void registerTableWithFiles(
      TableName name,
      Schema schema,
      List<String> dataFiles,
      ColumnMapping mapping,
      String fileColumn) {
    throw new UnsupportedOperationException("This engine cannot tell the data file of a row");
  }

  /**
   * Makes a deterministic function of one VARCHAR, computed in Java, callable from SQL as {@code
   * name(text)}; NULL gives NULL. For keyed masks, whose key must not appear in any SQL text.
   * Function names are global to the engine: a name must identify one function for the engine's
   * life.
   *
   * @throws UnsupportedOperationException when the engine cannot call Java functions
   */
  default void registerTextFunction(
      String name, java.util.function.UnaryOperator<String> function) {
    throw new UnsupportedOperationException("This engine cannot call Java functions");
  }

  /**
   * As {@link #registerTextFunction}, for a function of one BIGINT giving a BIGINT.
   *
   * @throws UnsupportedOperationException when the engine cannot call Java functions
   */
  default void registerNumberFunction(String name, java.util.function.LongUnaryOperator function) {
    throw new UnsupportedOperationException("This engine cannot call Java functions");
  }

  /** Makes a view readable under its name for this session. */
  void registerView(TableName name, String sql);

  /**
   * Parses user SQL (a model, a check, a query) with the engine's own parser, without running it,
   * and checks that it is exactly one SELECT that reaches nothing but the tables it names: no table
   * functions that read files, URLs or the engine's state, no functions that read settings or the
   * environment, no other databases. The caller decides which of the returned tables may be read.
   *
   * @throws dev.sluice.api.SqlRejectedException for a syntax error, anything but one SELECT, or a
   *     reach outside the named tables
   * @throws UnsupportedOperationException when the engine cannot check SQL
   */
  default ParsedSelect parseSelect(String sql) {
    throw new UnsupportedOperationException("This engine cannot check SQL before running it");
  }

  /**
   * Runs a statement that returns no rows.
   *
   * @throws dev.sluice.api.QueryException when it fails; a {@link
   *     dev.sluice.api.TransientQueryException} when it may pass if run again (the engine could not
   *     read or write a file), a {@link dev.sluice.api.QueryCancelledException} when it was
   *     cancelled
   */
  void execute(String sql);

  /** Runs a query and returns at most {@code maxRows} rows of its result. */
  QueryResult query(String sql, int maxRows);

  /**
   * Runs a query with values for its positional parameters ({@code ?}, in order) and returns at
   * most {@code maxRows} rows of its result. The values are bound by the engine, never written into
   * the SQL text: {@code null}, {@link Boolean}, {@link Integer}, {@link Long}, {@link Float},
   * {@link Double}, {@link java.math.BigDecimal}, {@link String}, {@link java.time.LocalDate},
   * {@link java.time.LocalTime}, {@link java.time.LocalDateTime} or {@code byte[]}.
   *
   * @throws dev.sluice.api.QueryException when the engine rejects the query or a value
   * @throws UnsupportedOperationException when the engine cannot bind parameters
   */
  default QueryResult query(String sql, List<Object> parameters, int maxRows) {
    if (parameters.isEmpty()) {
      return query(sql, maxRows);
    }
    throw new UnsupportedOperationException("This engine cannot bind query parameters");
  }

  /**
   * Prepares a query without running it: its result columns and the types of its parameters.
   *
   * @throws dev.sluice.api.QueryException when the engine rejects the query
   * @throws UnsupportedOperationException when the engine cannot prepare statements
   */
  default StatementDescription prepare(String sql) {
    throw new UnsupportedOperationException("This engine cannot prepare statements");
  }

  /** Returns the result columns of a query as an Iceberg schema (fresh field ids from 1). */
  Schema describe(String sql);

  /** Creates (or replaces) a temporary table holding the result of a query; returns its rows. */
  long createTemporaryTable(String name, String sql);

  /**
   * How this session's SQL names a temporary table made by {@link #createTemporaryTable}, e.g. from
   * a view: DuckDB's {@code temp.main."name"} by default.
   */
  default String temporaryTableReference(String name) {
    return "temp.main." + Identifiers.quote(name);
  }

  /**
   * An SQL expression of a struct of text values (e.g. a principal's attributes, which row filters
   * read as {@code principal.NAME}), each value written as this engine's string literal so that it
   * is data, never SQL, whatever it holds: DuckDB's {@code {'name': 'ana'}} by default.
   *
   * @param fields field names to values, in the order of the struct's fields
   */
  default String structExpression(Map<String, String> fields) {
    StringJoiner struct = new StringJoiner(", ", "{", "}");
    fields.forEach(
        (name, value) -> struct.add(SqlLiterals.literal(name) + ": " + SqlLiterals.literal(value)));
    return struct.toString();
  }

  /**
   * The value as this engine's SQL string literal, so that it stays a value whatever it holds
   * (quotes, backslashes): DuckDB's standard literal by default, in which only a quote is escaped
   * (doubled). Every text Sluice writes into SQL as a value (a mask's constant, a subject's
   * identifier, a check's accepted values, a partition's value) is written with it.
   */
  default String stringLiteral(String value) {
    return SqlLiterals.literal(value);
  }

  /**
   * An SQL expression of the instant as this engine's timestamp with time zone, to compare with a
   * column of Iceberg's {@code timestamptz}: DuckDB's {@code CAST('... +00' AS TIMESTAMPTZ)} by
   * default.
   */
  default String timestampWithTimeZoneLiteral(Instant instant) {
    return "CAST('"
        + LocalDateTime.ofInstant(instant, ZoneOffset.UTC)
            .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS"))
        + "+00' AS TIMESTAMPTZ)";
  }

  /**
   * An SQL expression of a 64-bit hash of the values of {@code expressions} (at least one), as an
   * exact whole number that may be negative: rows with equal values hash alike within one engine
   * (the hash differs between engines). DuckDB's {@code hash(...)} by default.
   */
  default String hashExpression(List<String> expressions) {
    return "hash(" + String.join(", ", expressions) + ")";
  }

  /** Drops a temporary table, if there is one of that name. */
  default void dropTemporaryTable(String name) {
    execute("DROP TABLE IF EXISTS " + Identifiers.quote(name));
  }

  /**
   * Drops temporary tables after {@code failure}, which remains what the caller throws: a table
   * that cannot be dropped is added to it as a suppressed exception rather than hiding it.
   */
  default void dropTemporaryTablesAfter(RuntimeException failure, String... names) {
    for (String name : names) {
      try {
        dropTemporaryTable(name);
      } catch (RuntimeException e) {
        failure.addSuppressed(e);
      }
    }
  }

  /**
   * Writes the result of a query to one Parquet file carrying the schema's field ids. The query's
   * columns must match the schema's columns by name.
   */
  WrittenFile writeParquet(String sql, Schema schema, Path target);

  /**
   * As {@link #writeParquet(String, Schema, Path)}, compressed as {@code compression} says (a
   * table's {@link ParquetCompression#fromTableProperties Iceberg properties}). An engine that
   * cannot choose its codec writes with its own (the default).
   */
  default WrittenFile writeParquet(
      String sql, Schema schema, Path target, ParquetCompression compression) {
    return writeParquet(sql, schema, target);
  }

  /**
   * What the footers of the Parquet files at {@code dataFiles} (as {@link #registerTable} takes
   * them) state about the schema's top-level columns, read from the footers alone, without reading
   * the values; empty when the engine cannot read footers. Each min and max is rendered as this
   * engine's {@code CAST(min(column) AS VARCHAR)} over the values would render it.
   */
  default java.util.Optional<FooterStatistics> footerStatistics(
      Schema schema, List<String> dataFiles) {
    return java.util.Optional.empty();
  }

  /**
   * Whether this session reads and writes the data files of a warehouse in object storage itself,
   * at their locations ({@code s3a://bucket/key}), rather than from local copies that Sluice
   * downloads and uploads. An engine that runs on other hosts (a Spark cluster) must: they cannot
   * read Sluice's local files. For such a session the lake hands {@link #registerTable} the files'
   * object-store locations and writes with {@link #writeParquet(String, Schema, String)}.
   */
  default boolean readsObjectStoreLocations() {
    return false;
  }

  /**
   * As {@link #writeParquet(String, Schema, Path)}, into object storage: the engine writes one
   * Parquet file under {@code directory} (an {@code s3a://} location no other write uses), and the
   * returned file's {@link WrittenFile#location()} names it. A write that fails or is abandoned
   * leaves at most files there that no commit references.
   *
   * @throws UnsupportedOperationException when the session does not {@link
   *     #readsObjectStoreLocations()}
   */
  default WrittenFile writeParquet(String sql, Schema schema, String directory) {
    throw new UnsupportedOperationException("This engine writes local files only");
  }

  /**
   * As {@link #writeParquet(String, Schema, String)}, compressed as {@code compression} says (a
   * table's {@link ParquetCompression#fromTableProperties Iceberg properties}). An engine that
   * cannot choose its codec writes with its own (the default).
   *
   * @throws UnsupportedOperationException when the session does not {@link
   *     #readsObjectStoreLocations()}
   */
  default WrittenFile writeParquet(
      String sql, Schema schema, String directory, ParquetCompression compression) {
    return writeParquet(sql, schema, directory);
  }

  /**
   * Whether {@link #mergeIntoLakeTable} can run: the engine reaches the lake's Iceberg catalog
   * itself ({@link EngineSettings#lakeCatalog()}) and the warehouse's files. False by default.
   */
  default boolean mergesIntoLakeTables() {
    return false;
  }

  /**
   * Merges the rows of the query {@code rows} (a SELECT of the table's columns, by name, over the
   * session's relations) into branch {@code branch} of the lake's table {@code table} with the
   * engine's own Iceberg {@code MERGE INTO}, copy-on-write: a row whose {@code keys} equal a table
   * row's (NULL equal to NULL) replaces it, every other row is inserted, and only the data files
   * holding a matched row are rewritten. The engine commits the result to {@code branch} (which
   * must exist) through the lake's catalog, as one or more snapshots; the lake reads the files it
   * added and removed from there.
   *
   * @throws UnsupportedOperationException unless the session {@link #mergesIntoLakeTables()}
   * @throws dev.sluice.api.QueryException when the engine refuses the merge, e.g. two rows of
   *     {@code rows} match one table row
   */
  default void mergeIntoLakeTable(TableName table, String branch, String rows, List<String> keys) {
    throw new UnsupportedOperationException("This engine cannot merge into the lake's tables");
  }

  /**
   * Cancels the statement this session is running, if any; may be called from another thread. The
   * cancelled statement, and any this session starts after, fails with a {@link
   * dev.sluice.api.QueryCancelledException}.
   */
  default void cancel() {
    throw new UnsupportedOperationException("This engine cannot cancel statements");
  }

  /**
   * Creates (or replaces) a temporary table with the schema's columns and opens a writer that
   * appends rows to it in bulk, without SQL per row. Rows are buffered by the engine, not on the
   * Java heap, so that a source can stream any number of them.
   *
   * @throws UnsupportedOperationException when the engine has no bulk writer
   */
  default RowWriter openRowWriter(String name, Schema schema) {
    throw new UnsupportedOperationException("This engine cannot write rows in bulk");
  }

  @Override
  void close();

  /**
   * Appends rows to a temporary table; see {@link #openRowWriter}. Not thread-safe. Closing it
   * makes every appended row visible; rows appended to a writer that failed are discarded.
   */
  interface RowWriter extends AutoCloseable {
    /**
     * Appends one row, its values in column order: {@code null}, {@link Boolean}, {@link Integer},
     * {@link Long}, {@link Float}, {@link Double}, {@link java.math.BigDecimal}, {@link String},
     * {@link java.time.LocalDate}, {@link java.time.LocalTime}, {@link java.time.LocalDateTime},
     * {@link java.time.OffsetDateTime}, {@link java.util.UUID}, {@code byte[]} or a {@link List} of
     * those for a list column.
     *
     * @throws dev.sluice.api.DataException for a value that does not fit its column, naming it
     */
    void append(Object... values);

    /** How many rows were appended so far. */
    long rows();

    /** Flushes the remaining rows into the table. */
    @Override
    void close();
  }
}
