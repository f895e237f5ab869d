package dev.sluice.connectors.jdbc;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.DataException;
import dev.sluice.api.InvalidInputException;
import dev.sluice.api.TableName;
import dev.sluice.api.TransientException;
import dev.sluice.api.connector.ConnectorOption;
import dev.sluice.api.connector.ConnectorOptions;
import dev.sluice.api.connector.DiscoveredSchema;
import dev.sluice.api.connector.LoadState;
import dev.sluice.api.connector.ReplayWindow;
import dev.sluice.api.connector.SourceConnector;
import dev.sluice.api.connector.SourceTableSpec;
import dev.sluice.api.connector.StagedData;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.sql.Identifiers;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Queue;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connector that reads a table, view or query of a database through JDBC; what differs between
 * databases is its {@link JdbcDialect}.
 *
 * <ul>
 *   <li>Rows are streamed: the driver fetches {@code fetch_size} rows at a time inside a read-only
 *       transaction, and each row goes straight to the engine's bulk {@link
 *       EngineSession.RowWriter}, so no table is ever held on the Java heap.
 *   <li>{@code mode: full} reads every row and replaces the table. When the table has a
 *       single-column numeric primary key (or a {@code split_column} is given) and {@code
 *       parallelism} is above 1, its [min, max] key range is split into chunks read concurrently on
 *       separate connections (see {@link ChunkedRead}), in one snapshot where the database can
 *       share one ({@link JdbcDialect#beginSnapshot}).
 *   <li>{@code mode: incremental} reads the rows whose {@code cursor} is greater than the greatest
 *       value the last load read, less {@code lookback}, in cursor order, in one stream; the
 *       greatest value read is committed with the data as {@value #CURSOR_VALUE}. With a {@code
 *       primary_key}, staged rows are de-duplicated on it (the row with the greatest cursor wins)
 *       and merged into the table, replacing rows with the same key; without, they are appended.
 *   <li>A server that cannot be reached fails the load with a {@link TransientException} naming the
 *       source, the server and the cause (a wrong password or a missing database with an {@link
 *       InvalidInputException}); the password is never part of a message.
 * </ul>
 */
public abstract class JdbcSourceConnector implements SourceConnector {
  /** The state key of the cursor column the last load used. */
  public static final String CURSOR_COLUMN = "cursor.column";

  /** The state key of the greatest cursor value the last load read, as the database's text. */
  public static final String CURSOR_VALUE = "cursor.value";

  private static final Logger LOG = LoggerFactory.getLogger(JdbcSourceConnector.class);

  private final JdbcDialect dialect;
  private final List<ConnectorOption> options;

  JdbcSourceConnector(JdbcDialect dialect) {
    this.dialect = requireNonNull(dialect, "dialect is null");
    this.options = JdbcOptions.declarations(dialect);
  }

  @Override
  public String type() {
    return dialect.type();
  }

  @Override
  public List<ConnectorOption> options() {
    return options;
  }

  /** In {@code mode: incremental}, a load reads what is new since the last. */
  @Override
  public boolean incremental(ConnectorOptions options) {
    return "incremental".equals(options.choice(JdbcOptions.MODE));
  }

  @Override
  public List<String> validate(ConnectorOptions options) {
    return JdbcOptions.problems(options, dialect);
  }

  /**
   * {@inheritDoc}
   *
   * @throws InvalidInputException for options that cannot work, a refused login, or a table, query
   *     or column that the database does not have
   * @throws TransientException when the server cannot be reached or the connection breaks
   * @throws DataException for a value that cannot be stored
   */
  @Override
  public StagedData stage(SourceTableSpec table, LoadState state, EngineSession session) {
    requireNonNull(table, "table is null");
    requireNonNull(state, "state is null");
    requireNonNull(session, "session is null");
    JdbcOptions options = checkedOptions(table);
    if (state.replay() != null) {
      checkReplay(options, table);
    }
    String staged = table.stagingName();
    String raw = staged + "__read";
    try (Connection connection = connect(options, table.source())) {
      return read(connection, options, table, state, session, raw, staged);
    } catch (SQLException e) {
      RuntimeException failure = failure(e, options, table.source());
      session.dropTemporaryTablesAfter(failure, raw, staged);
      throw failure;
    } catch (RuntimeException e) {
      session.dropTemporaryTablesAfter(e, raw, staged);
      throw e;
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>The columns and types are those a load stages; the primary key is the table's in the catalog
   * (none for a query); cursor candidates are the whole-number, date and timestamp columns.
   *
   * @throws InvalidInputException for options that cannot work, a refused login or a missing table
   * @throws TransientException when the server cannot be reached
   */
  @Override
  public DiscoveredSchema discover(SourceTableSpec table) {
    requireNonNull(table, "table is null");
    JdbcOptions options = checkedOptions(table);
    try (Connection connection = connect(options, table.source())) {
      List<JdbcColumn> columns = discover(connection, relation(options));
      List<String> primaryKey =
          options.query() != null
              ? List.of()
              : dialect.primaryKey(connection, options.schema(), options.table());
      List<String> cursors = new ArrayList<>();
      for (JdbcColumn column : columns) {
        if (column.isTemporal() || column.isIntegral()) {
          cursors.add(column.name());
        }
      }
      return new DiscoveredSchema(schema(columns), primaryKey, cursors);
    } catch (SQLException e) {
      throw failure(e, options, table.source());
    }
  }

  /** Replays a range of cursor values: {@code --from} and {@code --to} are cursor values. */
  @Override
  public boolean supportsReplay() {
    return true;
  }

  @Override
  public String replayWindowDescription() {
    return "values of the table's 'cursor' column (inclusive), e.g. --from 2026-01-01 --to"
        + " 2026-01-31; the rows read are merged on 'primary_key'";
  }

  private JdbcOptions checkedOptions(SourceTableSpec table) {
    return JdbcOptions.of(ConnectorOptions.checked(this, table), table.table(), dialect);
  }

  private static void checkReplay(JdbcOptions options, SourceTableSpec table) {
    if (!options.incremental() || options.primaryKey().isEmpty()) {
      throw new InvalidInputException(
          "Cannot replay source table '"
              + table.source()
              + "."
              + table.table()
              + "': a replay reads a range of cursor values again and merges the rows on their"
              + " key, which needs 'mode: incremental' with a 'cursor' and a 'primary_key'");
    }
  }

  private String relation(JdbcOptions options) {
    return options.query() != null
        ? "(" + options.query() + ") AS source"
        : (options.schema() == null ? "" : quote(options.schema()) + ".") + quote(options.table());
  }

  private StagedData read(
      Connection connection,
      JdbcOptions options,
      SourceTableSpec table,
      LoadState state,
      EngineSession session,
      String raw,
      String staged)
      throws SQLException {
    String relation = relation(options);
    List<JdbcColumn> columns = discover(connection, relation);
    int cursorIndex = -1;
    if (options.incremental()) {
      cursorIndex = indexOf(columns, options.cursor(), "cursor", table);
    }
    for (String key : options.primaryKey()) {
      indexOf(columns, key, "primary_key", table);
    }
    JdbcColumn cursor = cursorIndex < 0 ? null : columns.get(cursorIndex);
    if (cursor != null && !cursor.isTemporal() && !options.lookback().isZero()) {
      throw new InvalidInputException(
          "'lookback' of source table '"
              + table.source()
              + "."
              + table.table()
              + "' needs a date or timestamp cursor, but '"
              + cursor.name()
              + "' is "
              + cursor.sourceType());
    }
    Schema schema = schema(columns);
    long started = System.nanoTime();
    String greatest;
    JdbcColumn split =
        options.incremental() || (options.parallelism() < 2 && options.chunkRows() == 0)
            ? null
            : splitColumn(connection, options, columns, table);
    if (split != null) {
      greatest = null;
      readChunked(connection, options, table, relation, columns, split, session, raw, schema);
    } else {
      // a replay reads its window whatever the last load read
      String lastCursor =
          cursor != null
                  && state.replay() == null
                  && cursor.name().equals(state.state().get(CURSOR_COLUMN))
              ? state.state().get(CURSOR_VALUE)
              : null;
      greatest =
          readOne(
              connection,
              options,
              table,
              relation,
              columns,
              cursorIndex,
              lastCursor,
              state.replay(),
              session,
              raw,
              schema);
    }
    long read = count(session, raw);
    LOG.debug(
        "Read {} rows of {}.{} from {} in {} ms",
        read,
        table.source(),
        table.table(),
        dialect.server(options.url()),
        (System.nanoTime() - started) / 1_000_000);
    Map<String, String> newState =
        state.replay() != null
            ? state.state()
            : cursor == null
                ? Map.of()
                : greatest == null
                    ? Map.of(CURSOR_COLUMN, cursor.name())
                    : Map.of(CURSOR_COLUMN, cursor.name(), CURSOR_VALUE, greatest);
    // without a state (a first load, or a full refresh) an empty source is an empty table
    if (options.incremental()
        && read == 0
        && (state.replay() != null || !state.state().isEmpty())) {
      dropQuietly(session, raw);
      return StagedData.nothingNew(newState);
    }
    String deduplicated =
        options.primaryKey().isEmpty()
            ? "SELECT * FROM " + TableName.quote(raw)
            : "SELECT * FROM "
                + TableName.quote(raw)
                + " QUALIFY row_number() OVER (PARTITION BY "
                + quoteAll(options.primaryKey())
                + (cursor == null
                    ? ""
                    : " ORDER BY " + TableName.quote(cursor.name()) + " DESC NULLS LAST")
                + ") = 1";
    long rows = session.createTemporaryTable(staged, deduplicated);
    dropQuietly(session, raw);
    StagedData.Write write =
        !options.incremental()
            ? StagedData.Write.replace()
            : options.primaryKey().isEmpty()
                ? StagedData.Write.append()
                : StagedData.Write.merge(options.primaryKey());
    return StagedData.builder().relation(staged, rows).state(newState).write(write).build();
  }

  /**
   * Reads the table (or the rows past {@code lastCursor}, or those in the replay window, in cursor
   * order) in one stream.
   *
   * @return the greatest cursor value read, as the database's text, else {@code lastCursor}
   */
  private String readOne(
      Connection connection,
      JdbcOptions options,
      SourceTableSpec table,
      String relation,
      List<JdbcColumn> columns,
      int cursorIndex,
      String lastCursor,
      ReplayWindow replay,
      EngineSession session,
      String raw,
      Schema schema)
      throws SQLException {
    JdbcColumn cursor = cursorIndex < 0 ? null : columns.get(cursorIndex);
    boolean lookback = !options.lookback().isZero();
    StringBuilder sql = new StringBuilder("SELECT * FROM ").append(relation);
    if (replay != null) {
      sql.append(" WHERE ")
          .append(quote(cursor.name()))
          .append(" >= ")
          .append(dialect.cursorBound(cursor, false));
      if (replay.to() != null) {
        sql.append(" AND ")
            .append(quote(cursor.name()))
            .append(" <= ")
            .append(dialect.cursorBound(cursor, false));
      }
    } else if (lastCursor != null) {
      sql.append(" WHERE ")
          .append(quote(cursor.name()))
          .append(" > ")
          .append(dialect.cursorBound(cursor, lookback));
    }
    if (cursor != null) {
      sql.append(" ORDER BY ").append(dialect.ascendingNullsFirst(quote(cursor.name())));
    }
    dialect.beginRead(connection);
    String greatest = lastCursor;
    try (PreparedStatement statement =
        connection.prepareStatement(
            sql.toString(), ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
      dialect.stream(statement, options.fetchSize());
      if (replay != null) {
        statement.setString(1, replay.from());
        if (replay.to() != null) {
          statement.setString(2, replay.to());
        }
      } else if (lastCursor != null) {
        statement.setString(1, lastCursor);
        if (lookback) {
          dialect.bindLookback(statement, 2, options.lookback());
        }
      }
      try (ResultSet resultSet = statement.executeQuery();
          EngineSession.RowWriter writer = session.openRowWriter(raw, schema)) {
        while (resultSet.next()) {
          writer.append(row(resultSet, columns, table, writer.rows() + 1));
          if (cursorIndex >= 0) {
            String value = resultSet.getString(cursorIndex + 1);
            if (value != null) {
              // rows come in cursor order, so the last non-null value is the greatest
              greatest = value;
            }
          }
        }
      } catch (RuntimeException e) {
        // do not read the rest of a streamed result just to close it
        abortQuietly(connection);
        throw e;
      }
    }
    return greatest;
  }

  /** Reads a full table in key-range chunks, concurrently; see {@link ChunkedRead}. */
  private void readChunked(
      Connection coordinator,
      JdbcOptions options,
      SourceTableSpec table,
      String relation,
      List<JdbcColumn> columns,
      JdbcColumn split,
      EngineSession session,
      String raw,
      Schema schema)
      throws SQLException {
    String snapshot = dialect.beginSnapshot(coordinator);
    BigDecimal min;
    BigDecimal max;
    String column = quote(split.name());
    try (Statement statement = coordinator.createStatement();
        ResultSet bounds =
            statement.executeQuery(
                "SELECT min(" + column + "), max(" + column + ") FROM " + relation)) {
      bounds.next();
      min = bounds.getBigDecimal(1);
      max = bounds.getBigDecimal(2);
    }
    List<KeyRange> chunks =
        min == null
            ? List.of(new KeyRange(null, null))
            : KeyRange.plan(
                min, max, split.isIntegral(), options.parallelism(), options.chunkRows());
    String what = table.source() + "." + table.table();
    ChunkedRead.ChunkReader reader =
        (connection, chunk, sink) ->
            readRange(connection, options, table, relation, columns, split, chunk, sink);
    if (chunks.size() == 1) {
      try (EngineSession.RowWriter writer = session.openRowWriter(raw, schema)) {
        reader.read(coordinator, chunks.get(0), writer::append);
      }
      return;
    }
    // one connection per worker, opened before any transaction begins on them
    Queue<Connection> idle = new ConcurrentLinkedQueue<>();
    try {
      for (int i = Math.min(options.parallelism(), chunks.size()); i > 0; i--) {
        idle.add(connect(options, table.source()));
      }
      String consistency =
          dialect.beginChunks(
              coordinator,
              snapshot,
              List.copyOf(idle),
              options,
              options.query() == null ? relation : null,
              what);
      LOG.debug(
          "Reading {} in {} chunks on {} of [{}, {}], {} at a time, {}",
          what,
          chunks.size(),
          split.name(),
          min,
          max,
          idle.size(),
          consistency);
      try (EngineSession.RowWriter writer = session.openRowWriter(raw, schema)) {
        Consumer<Object[]> append = writer::append;
        new ChunkedRead(
                () -> {
                  Connection connection = idle.poll();
                  if (connection == null) {
                    throw new IllegalStateException("No connection left for a chunk of " + what);
                  }
                  return connection;
                },
                reader,
                options.parallelism(),
                what)
            .run(chunks, append);
      }
    } finally {
      // the workers close the connections they took; these were never taken
      for (Connection connection = idle.poll(); connection != null; connection = idle.poll()) {
        try {
          connection.close();
        } catch (SQLException e) {
          LOG.debug("Cannot close a connection of {}", what, e);
        }
      }
    }
  }

  private void readRange(
      Connection connection,
      JdbcOptions options,
      SourceTableSpec table,
      String relation,
      List<JdbcColumn> columns,
      JdbcColumn split,
      KeyRange chunk,
      Consumer<Object[]> sink)
      throws SQLException {
    String condition = chunk.condition(quote(split.name()));
    String sql = "SELECT * FROM " + relation + (condition == null ? "" : " WHERE " + condition);
    try (PreparedStatement statement =
        connection.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
      dialect.stream(statement, options.fetchSize());
      int index = 1;
      for (BigDecimal bound : chunk.parameters()) {
        bind(statement, index++, split, bound);
      }
      long rows = 0;
      try (ResultSet resultSet = statement.executeQuery()) {
        while (resultSet.next()) {
          sink.accept(row(resultSet, columns, table, ++rows));
        }
      } catch (RuntimeException e) {
        abortQuietly(connection);
        throw e;
      }
    }
  }

  private static void bind(
      PreparedStatement statement, int index, JdbcColumn split, BigDecimal bound)
      throws SQLException {
    if (split.isIntegral() && bound.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0) {
      // a parameter of the column's kind keeps the comparison on its index
      statement.setLong(index, bound.longValueExact());
    } else if (split.kind() == JdbcColumn.Kind.FLOAT || split.kind() == JdbcColumn.Kind.DOUBLE) {
      statement.setDouble(index, bound.doubleValue());
    } else {
      statement.setBigDecimal(index, bound);
    }
  }

  private static Object[] row(
      ResultSet resultSet, List<JdbcColumn> columns, SourceTableSpec table, long number)
      throws SQLException {
    Object[] values = new Object[columns.size()];
    for (int i = 0; i < values.length; i++) {
      try {
        values[i] = columns.get(i).read(resultSet, i + 1);
      } catch (IllegalArgumentException e) {
        throw new DataException(
            "Cannot read row "
                + number
                + " of "
                + table.source()
                + "."
                + table.table()
                + ": "
                + e.getMessage(),
            e);
      }
    }
    return values;
  }

  /**
   * The column a full read splits on: {@code split_column}, else the table's primary key when it is
   * one numeric column; null when there is none (the table is read in one stream).
   */
  private JdbcColumn splitColumn(
      Connection connection, JdbcOptions options, List<JdbcColumn> columns, SourceTableSpec table)
      throws SQLException {
    if (options.splitColumn() != null) {
      JdbcColumn column =
          columns.get(indexOf(columns, options.splitColumn(), "split_column", table));
      if (!column.isNumeric()) {
        throw new InvalidInputException(
            "'split_column' of source table '"
                + table.source()
                + "."
                + table.table()
                + "' names column '"
                + column.name()
                + "' of type "
                + column.sourceType()
                + "; it must be a numeric column such as an integer key");
      }
      return column;
    }
    if (options.table() == null) {
      return null;
    }
    List<String> key = dialect.primaryKey(connection, options.schema(), options.table());
    if (key.size() != 1) {
      LOG.debug(
          "{}.{} has no single-column primary key to split on; reading it in one stream",
          table.source(),
          table.table());
      return null;
    }
    for (JdbcColumn column : columns) {
      if (column.name().equals(key.get(0)) && column.isNumeric()) {
        return column;
      }
    }
    return null;
  }

  private List<JdbcColumn> discover(Connection connection, String relation) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet resultSet =
            statement.executeQuery("SELECT * FROM " + relation + " WHERE 1 = 0")) {
      return dialect.columns(resultSet.getMetaData());
    }
  }

  private static Schema schema(List<JdbcColumn> columns) {
    List<Types.NestedField> fields = new ArrayList<>();
    int id = 0;
    for (JdbcColumn column : columns) {
      fields.add(Types.NestedField.optional(++id, column.name(), column.type()));
    }
    return new Schema(fields);
  }

  private static int indexOf(
      List<JdbcColumn> columns, String name, String option, SourceTableSpec table) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(name)) {
        return i;
      }
    }
    throw new InvalidInputException(
        "'"
            + option
            + "' of source table '"
            + table.source()
            + "."
            + table.table()
            + "' names column '"
            + name
            + "', which the table does not have; its columns are "
            + String.join(", ", columns.stream().map(JdbcColumn::name).toList()));
  }

  private Connection connect(JdbcOptions options, String source) throws SQLException {
    Properties properties = dialect.connectionProperties(options.connectTimeout(), source);
    if (options.user() != null) {
      properties.setProperty("user", options.user());
    }
    if (options.password() != null) {
      properties.setProperty("password", options.password());
    }
    return DriverManager.getConnection(dialect.driverUrl(options.url()), properties);
  }

  /** The exception for a failed connection or read, naming source, server and cause. */
  private RuntimeException failure(SQLException e, JdbcOptions options, String source) {
    String cause = options.secrets().redact(e.getMessage());
    String where =
        "source '" + source + "' (" + dialect.type() + " at " + dialect.server(options.url()) + ")";
    // the SQLException is not kept as the cause: its message could quote a secret
    if (dialect.isUnreachable(e)) {
      return new TransientException("Cannot read " + where + ": " + cause);
    }
    if (dialect.isLoginFailure(e)) {
      return new InvalidInputException(
          "Cannot log in to " + where + ": " + cause + "; check url, user and password");
    }
    return new InvalidInputException("Cannot read " + where + ": " + cause);
  }

  private static long count(EngineSession session, String table) {
    return ((Number)
            session.query("SELECT count(*) FROM " + TableName.quote(table), 1).rows().get(0).get(0))
        .longValue();
  }

  private static void abortQuietly(Connection connection) {
    try {
      connection.abort(Runnable::run);
    } catch (SQLException | RuntimeException e) {
      LOG.debug("Cannot abort a connection", e);
    }
  }

  private static void dropQuietly(EngineSession session, String table) {
    try {
      session.dropTemporaryTable(table);
    } catch (RuntimeException e) {
      LOG.debug("Cannot drop staging table {}", table, e);
    }
  }

  private String quote(String identifier) {
    return dialect.quote(identifier);
  }

  private static String quoteAll(List<String> identifiers) {
    StringJoiner joiner = new StringJoiner(", ");
    identifiers.forEach(identifier -> joiner.add(Identifiers.quote(identifier)));
    return joiner.toString();
  }
}
