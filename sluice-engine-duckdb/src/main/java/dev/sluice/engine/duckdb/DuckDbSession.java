package dev.sluice.engine.duckdb;

import static dev.sluice.api.sql.SqlLiterals.literal;
import static java.util.Objects.requireNonNull;

import dev.sluice.api.QueryException;
import dev.sluice.api.SluiceException;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.ColumnMapping;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.engine.ParquetCompression;
import dev.sluice.api.engine.ParsedSelect;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.api.engine.StatementDescription;
import dev.sluice.api.engine.WrittenFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Connection;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Struct;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongUnaryOperator;
import java.util.function.UnaryOperator;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.duckdb.DuckDBFunctions;

/** One DuckDB connection working in its own attached in-memory catalog. */
final class DuckDbSession implements EngineSession {
  private final Connection connection;
  private final String catalog;
  private final Set<String> schemas = new HashSet<>();
  private final Consumer<DuckDbSession> onClose;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Statement running;
  private volatile boolean cancelled;

  /** The SQL check's statements, the engine's (they parse only: no catalog of the session's). */
  private final SelectParsers parsers;

  /**
   * @param parsers the engine's statements for the SQL check
   * @param onClose what closing the session does: it is handed the session to {@link #detach()}
   */
  DuckDbSession(
      Connection connection,
      String catalog,
      SelectParsers parsers,
      Consumer<DuckDbSession> onClose) {
    this.connection = requireNonNull(connection, "connection is null");
    this.catalog = requireNonNull(catalog, "catalog is null");
    this.parsers = requireNonNull(parsers, "parsers is null");
    this.onClose = requireNonNull(onClose, "onClose is null");
    run("ATTACH ':memory:' AS " + TableName.quote(catalog));
    run("USE " + TableName.quote(catalog));
  }

  @Override
  public void registerTable(TableName name, Schema schema, List<String> dataFiles) {
    registerTable(name, schema, dataFiles, ColumnMapping.FIELD_ID);
  }

  @Override
  public void registerTable(
      TableName name, Schema schema, List<String> dataFiles, ColumnMapping mapping) {
    ensureSchema(name.zone());
    run("CREATE OR REPLACE VIEW " + name.quoted() + " AS " + scanSql(schema, dataFiles, mapping));
  }

  @Override
  public String readFiles(
      TableName name, Schema schema, List<String> dataFiles, ColumnMapping mapping) {
    return "(" + scanSql(schema, dataFiles, mapping) + ") AS " + TableName.quote(name.name());
  }

  @Override
  public void registerTableWithFiles(
      TableName name,
      Schema schema,
      List<String> dataFiles,
      ColumnMapping mapping,
      String fileColumn) {
    ensureSchema(name.zone());
    run(
        "CREATE OR REPLACE VIEW "
            + name.quoted()
            + " AS "
            + scanSql(schema, dataFiles, mapping, fileColumn));
  }

  @Override
  public void registerTextFunction(String name, UnaryOperator<String> function) {
    try {
      DuckDBFunctions.scalarFunction()
          .withName(name)
          .withParameter(String.class)
          .withReturnType(String.class)
          .withFunction(function)
          .withNullInNullOut()
          .register(connection);
    } catch (SQLException e) {
      throw queryError(e);
    }
  }

  @Override
  public void registerNumberFunction(String name, LongUnaryOperator function) {
    try {
      DuckDBFunctions.scalarFunction()
          .withName(name)
          .withParameter(long.class)
          .withReturnType(long.class)
          .withLongFunction(function)
          .withNullInNullOut()
          .register(connection);
    } catch (SQLException e) {
      throw queryError(e);
    }
  }

  @Override
  public void registerView(TableName name, String sql) {
    ensureSchema(name.zone());
    run("CREATE OR REPLACE VIEW " + name.quoted() + " AS " + sql);
  }

  /** A SELECT that reads the files by field id into the schema's current column names. */
  static String scanSql(Schema schema, List<String> dataFiles) {
    return scanSql(schema, dataFiles, ColumnMapping.FIELD_ID);
  }

  /**
   * A SELECT that reads the files into the schema's current column names, matching columns by field
   * id or, when the lake says the files carry the current names, by name: DuckDB's {@code
   * read_parquet(..., schema = MAP {...})} costs 3 to 5 times more than a plain read on multi-join
   * queries (TPC-H q05, q21 at SF 1), so the field-id read is kept for tables whose columns
   * changed.
   */
  static String scanSql(Schema schema, List<String> dataFiles, ColumnMapping mapping) {
    return scanSql(schema, dataFiles, mapping, null);
  }

  /**
   * As {@link #scanSql(Schema, List, ColumnMapping)}, with each row's file in {@code fileColumn}.
   */
  static String scanSql(
      Schema schema, List<String> dataFiles, ColumnMapping mapping, String fileColumn) {
    List<Types.NestedField> columns = schema.columns();
    String fileSelect = fileColumn == null ? "" : ", filename AS " + TableName.quote(fileColumn);
    String fileOption = fileColumn == null ? "" : ", filename = true";
    if (dataFiles.isEmpty()) {
      Map<String, Type> empty = new LinkedHashMap<>();
      columns.forEach(column -> empty.put(column.name(), column.type()));
      if (fileColumn != null) {
        empty.put(fileColumn, Types.StringType.get());
      }
      return DuckDbTypes.emptySelect(empty);
    }
    StringJoiner files = new StringJoiner(", ", "[", "]");
    dataFiles.forEach(file -> files.add(literal(file)));
    if (mapping == ColumnMapping.NAME) {
      StringJoiner select = new StringJoiner(", ", "SELECT ", "");
      for (Types.NestedField column : columns) {
        String quoted = TableName.quote(column.name());
        select.add(
            "CAST(" + quoted + " AS " + DuckDbTypes.toDuckDb(column.type()) + ") AS " + quoted);
      }
      return select + fileSelect + " FROM read_parquet(" + files + fileOption + ")";
    }
    StringJoiner fieldIds = new StringJoiner(", ", "MAP {", "}");
    StringJoiner names = new StringJoiner(", ");
    for (Types.NestedField column : columns) {
      fieldIds.add(
          column.fieldId()
              + ": {name: "
              + literal(column.name())
              + ", type: "
              + literal(DuckDbTypes.toDuckDb(column.type()))
              + ", default_value: NULL}");
      names.add(TableName.quote(column.name()));
    }
    return "SELECT "
        + names
        + fileSelect
        + " FROM read_parquet("
        + files
        + ", schema = "
        + fieldIds
        + fileOption
        + ")";
  }

  @Override
  public ParsedSelect parseSelect(String sql) {
    requireNonNull(sql, "sql is null");
    try {
      return parsers.check(sql);
    } catch (SQLException e) {
      throw queryError(e);
    }
  }

  @Override
  public void execute(String sql) {
    run(sql);
  }

  @Override
  public QueryResult query(String sql, int maxRows) {
    try (Statement statement = track(connection.createStatement());
        ResultSet resultSet = statement.executeQuery(sql)) {
      return read(resultSet, maxRows);
    } catch (SQLException e) {
      throw queryError(e);
    }
  }

  @Override
  public QueryResult query(String sql, List<Object> parameters, int maxRows) {
    if (parameters.isEmpty()) {
      return query(sql, maxRows);
    }
    try (PreparedStatement statement = track(connection.prepareStatement(sql))) {
      for (int i = 0; i < parameters.size(); i++) {
        statement.setObject(i + 1, parameters.get(i));
      }
      try (ResultSet resultSet = statement.executeQuery()) {
        return read(resultSet, maxRows);
      }
    } catch (SQLException e) {
      throw queryError(e);
    }
  }

  @Override
  public StatementDescription prepare(String sql) {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      ResultSetMetaData metadata = statement.getMetaData();
      List<String> columns = new ArrayList<>();
      List<String> types = new ArrayList<>();
      for (int i = 1; i <= metadata.getColumnCount(); i++) {
        columns.add(metadata.getColumnLabel(i));
        types.add(metadata.getColumnTypeName(i));
      }
      ParameterMetaData parameters = statement.getParameterMetaData();
      List<String> parameterTypes = new ArrayList<>();
      for (int i = 1; i <= parameters.getParameterCount(); i++) {
        parameterTypes.add(parameters.getParameterTypeName(i));
      }
      return new StatementDescription(columns, types, parameterTypes);
    } catch (SQLException e) {
      throw queryError(e);
    }
  }

  private static QueryResult read(ResultSet resultSet, int maxRows) throws SQLException {
    ResultSetMetaData metadata = resultSet.getMetaData();
    List<String> columns = new ArrayList<>();
    List<String> types = new ArrayList<>();
    for (int i = 1; i <= metadata.getColumnCount(); i++) {
      columns.add(metadata.getColumnLabel(i));
      types.add(metadata.getColumnTypeName(i));
    }
    List<List<Object>> rows = new ArrayList<>();
    boolean truncated = false;
    while (resultSet.next()) {
      if (rows.size() >= maxRows) {
        truncated = true;
        break;
      }
      List<Object> row = new ArrayList<>(columns.size());
      for (int i = 1; i <= columns.size(); i++) {
        row.add(toJava(resultSet.getObject(i)));
      }
      rows.add(row);
    }
    return new QueryResult(columns, types, rows, truncated);
  }

  private static Object toJava(Object value) throws SQLException {
    if (value instanceof Array array) {
      Object[] elements = (Object[]) array.getArray();
      List<Object> list = new ArrayList<>(elements.length);
      for (Object element : elements) {
        list.add(toJava(element));
      }
      return list;
    }
    if (value instanceof Struct struct) {
      return Arrays.asList(struct.getAttributes());
    }
    if (value instanceof Blob blob) {
      return blob.getBytes(1, (int) blob.length());
    }
    return value;
  }

  @Override
  public Schema describe(String sql) {
    QueryResult description = query("DESCRIBE " + sql, Integer.MAX_VALUE);
    List<String> names = new ArrayList<>();
    List<String> types = new ArrayList<>();
    for (List<Object> row : description.rows()) {
      names.add((String) row.get(0));
      types.add((String) row.get(1));
    }
    try {
      return DuckDbTypes.toSchema(names, types);
    } catch (IllegalArgumentException e) {
      throw new QueryException(e.getMessage(), e);
    }
  }

  @Override
  public long createTemporaryTable(String name, String sql) {
    run("CREATE OR REPLACE TEMP TABLE " + TableName.quote(name) + " AS " + sql);
    return count("SELECT count(*) FROM " + TableName.quote(name));
  }

  private long count(String sql) {
    QueryResult result = query(sql, 1);
    return ((Number) result.rows().get(0).get(0)).longValue();
  }

  @Override
  public WrittenFile writeParquet(String sql, Schema schema, Path target) {
    return writeParquet(sql, schema, target, ParquetCompression.DEFAULT);
  }

  @Override
  public WrittenFile writeParquet(
      String sql, Schema schema, Path target, ParquetCompression compression) {
    StringJoiner select = new StringJoiner(", ");
    for (Types.NestedField column : schema.columns()) {
      select.add(
          "CAST("
              + TableName.quote(column.name())
              + " AS "
              + DuckDbTypes.toDuckDb(column.type())
              + ") AS "
              + TableName.quote(column.name()));
    }
    StringJoiner fieldIds = new StringJoiner(", ", "{", "}");
    for (Types.NestedField column : schema.columns()) {
      fieldIds.add(TableName.quote(column.name()) + ": " + fieldIdSpec(column));
    }
    try {
      Files.createDirectories(target.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // DuckDB's default row groups (122,880 rows): with ROW_GROUP_SIZE 1000000 the same COPY took
    // twice the CPU (1.5 M TPC-H lineitem rows: 4.7-4.9 s against 2.0-2.3 s), and a reader can
    // scan a file's row groups in parallel.
    String copy =
        "COPY (SELECT "
            + select
            + " FROM ("
            + sql
            + ") AS source) TO "
            + literal(target.toString())
            + " (FORMAT parquet, COMPRESSION "
            + compression.codec()
            + (compression.level() == null ? "" : ", COMPRESSION_LEVEL " + compression.level())
            + ", FIELD_IDS "
            + fieldIds
            + ")";
    long rows;
    try (Statement statement = track(connection.createStatement())) {
      statement.execute(copy);
      rows = statement.getUpdateCount();
    } catch (SQLException e) {
      throw queryError(e);
    }
    try {
      return new WrittenFile(target, rows, Files.size(target));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public java.util.Optional<dev.sluice.api.engine.FooterStatistics> footerStatistics(
      Schema schema, List<String> dataFiles) {
    return java.util.Optional.of(DuckDbFooterStatistics.read(this, schema, dataFiles));
  }

  /** DuckDB's FIELD_IDS value for a column: a number, or a struct for nested types. */
  private static String fieldIdSpec(Types.NestedField field) {
    Type type = field.type();
    if (type.isPrimitiveType()) {
      return Integer.toString(field.fieldId());
    }
    StringJoiner nested = new StringJoiner(", ", "{", "}");
    nested.add("__duckdb_field_id: " + field.fieldId());
    switch (type.typeId()) {
      case LIST -> nested.add("element: " + fieldIdSpec(type.asListType().fields().get(0)));
      case MAP -> {
        nested.add("key: " + fieldIdSpec(type.asMapType().fields().get(0)));
        nested.add("value: " + fieldIdSpec(type.asMapType().fields().get(1)));
      }
      case STRUCT -> {
        for (Types.NestedField child : type.asStructType().fields()) {
          nested.add(TableName.quote(child.name()) + ": " + fieldIdSpec(child));
        }
      }
      default -> throw new IllegalStateException("Unexpected nested type " + type);
    }
    return nested.toString();
  }

  /**
   * Creates the zones' schemas now rather than at the first registration in each: the pool does it
   * for a session it attaches ahead of use, off the step's thread (the statement was 5 % of a no-op
   * table step's sampled time, docs/benchmarks.md).
   */
  void createZoneSchemas() {
    for (dev.sluice.api.Zone zone : dev.sluice.api.Zone.values()) {
      ensureSchema(zone.namespace());
    }
  }

  private void ensureSchema(String schema) {
    if (schemas.add(schema)) {
      run("CREATE SCHEMA IF NOT EXISTS " + TableName.quote(schema));
    }
  }

  private void run(String sql) {
    try (Statement statement = track(connection.createStatement())) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw queryError(e);
    }
  }

  private <T extends Statement> T track(T statement) throws SQLException {
    if (cancelled) {
      statement.close();
      throw new SQLException("INTERRUPT: the session was cancelled");
    }
    running = statement;
    return statement;
  }

  @Override
  public void cancel() {
    cancelled = true;
    Statement statement = running;
    if (statement != null) {
      try {
        statement.cancel();
      } catch (SQLException e) {
        // the statement finished or closed meanwhile: nothing left to cancel
      }
    }
  }

  private QueryException queryError(SQLException e) {
    return DuckDbErrors.translate(e, cancelled);
  }

  @Override
  public RowWriter openRowWriter(String name, Schema schema) {
    requireNonNull(name, "name is null");
    requireNonNull(schema, "schema is null");
    StringJoiner columns = new StringJoiner(", ", "(", ")");
    for (Types.NestedField column : schema.columns()) {
      columns.add(TableName.quote(column.name()) + " " + DuckDbTypes.toDuckDb(column.type()));
    }
    run("CREATE OR REPLACE TEMP TABLE " + TableName.quote(name) + " " + columns);
    try {
      DuckDBAppender appender =
          connection.unwrap(DuckDBConnection.class).createAppender("temp", "main", name);
      return new DuckDbRowWriter(name, schema, appender);
    } catch (SQLException e) {
      throw queryError(e);
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      onClose.accept(this);
    }
  }

  /** Drops the session's catalog and closes its connection. */
  void detach() {
    try {
      try (Statement statement = connection.createStatement()) {
        statement.execute("USE memory");
        statement.execute("DETACH " + TableName.quote(catalog));
      } finally {
        connection.close();
      }
    } catch (SQLException e) {
      throw new SluiceException("Cannot close DuckDB session: " + e.getMessage(), e);
    }
  }
}
