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
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code postgres} connector: reads a table, view or query of a PostgreSQL database with the
 * PostgreSQL JDBC driver.
 *
 * <ul>
 *   <li>Rows are streamed: the driver fetches {@code fetch_size} rows at a time inside a read-only
 *       transaction, and each row goes straight to the engine's bulk {@link
 *       EngineSession.RowWriter}, so no table is ever held on the Java heap.
 *   <li>{@code mode: full} reads every row and replaces the table. {@code mode: incremental} reads
 *       the rows whose {@code cursor} is greater than the greatest value the last load read, less
 *       {@code lookback}, in cursor order; the greatest value read is committed with the data as
 *       {@value #CURSOR_VALUE}. With a {@code primary_key}, staged rows are de-duplicated on it
 *       (the row with the greatest cursor wins) and merged into the table, replacing rows with the
 *       same key; without, they are appended.
 *   <li>Types map as described in {@link PostgresColumn}.
 *   <li>A server that cannot be reached fails the load with a {@link TransientException} naming the
 *       source, the server and the cause (a wrong password or a missing database with an {@link
 *       InvalidInputException}); the password is never part of a message.
 * </ul>
 */
public final class PostgresConnector implements SourceConnector {
  /** The state key of the cursor column the last load used. */
  public static final String CURSOR_COLUMN = "cursor.column";

  /** The state key of the greatest cursor value the last load read, as PostgreSQL's text. */
  public static final String CURSOR_VALUE = "cursor.value";

  private static final Logger LOG = LoggerFactory.getLogger(PostgresConnector.class);

  @Override
  public String type() {
    return "postgres";
  }

  @Override
  public String description() {
    return "tables, views and queries of a PostgreSQL database, full or incremental on a cursor";
  }

  @Override
  public List<ConnectorOption> options() {
    return PostgresOptions.DECLARATIONS;
  }

  @Override
  public List<String> validate(ConnectorOptions options) {
    return PostgresOptions.problems(options);
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
    PostgresOptions options = checkedOptions(table);
    if (state.replay() != null) {
      checkReplay(options, table);
    }
    String raw = "stage_" + sanitize(table.source()) + "_" + sanitize(table.table()) + "__read";
    String staged = "stage_" + sanitize(table.source()) + "_" + sanitize(table.table());
    try (Connection connection = connect(options, table.source())) {
      return read(connection, options, table, state, session, raw, staged);
    } catch (SQLException e) {
      dropQuietly(session, raw);
      dropQuietly(session, staged);
      throw failure(e, options, table.source());
    } catch (RuntimeException e) {
      dropQuietly(session, raw);
      dropQuietly(session, staged);
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
    PostgresOptions options = checkedOptions(table);
    try (Connection connection = connect(options, table.source())) {
      connection.setReadOnly(true);
      List<PostgresColumn> columns = discover(connection, relation(options));
      List<String> primaryKey =
          options.query() != null ? List.of() : primaryKey(connection, options);
      List<String> cursors = new ArrayList<>();
      for (PostgresColumn column : columns) {
        if (column.isTemporal()
            || column.type().typeId() == org.apache.iceberg.types.Type.TypeID.INTEGER
            || column.type().typeId() == org.apache.iceberg.types.Type.TypeID.LONG) {
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

  private PostgresOptions checkedOptions(SourceTableSpec table) {
    String what = "source table '" + table.source() + "." + table.table() + "'";
    ConnectorOptions checked = ConnectorOptions.of(options(), table.options(), what);
    List<String> problems = validate(checked);
    if (!problems.isEmpty()) {
      throw new InvalidInputException(
          "Options of " + what + " cannot work: " + String.join("; ", problems));
    }
    return PostgresOptions.of(checked, table.table());
  }

  private static void checkReplay(PostgresOptions options, SourceTableSpec table) {
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

  /** The primary key columns of the table in the catalog, in key order; empty for none. */
  private static List<String> primaryKey(Connection connection, PostgresOptions options)
      throws SQLException {
    String sql =
        "SELECT a.attname FROM pg_index i"
            + " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
            + " WHERE i.indrelid = CAST(? AS regclass) AND i.indisprimary"
            + " ORDER BY array_position(CAST(i.indkey AS int2[]), a.attnum)";
    List<String> columns = new ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, quote(options.schema()) + "." + quote(options.table()));
      try (ResultSet resultSet = statement.executeQuery()) {
        while (resultSet.next()) {
          columns.add(resultSet.getString(1));
        }
      }
    }
    return columns;
  }

  private static String relation(PostgresOptions options) {
    return options.query() != null
        ? "(" + options.query() + ") AS source"
        : quote(options.schema()) + "." + quote(options.table());
  }

  private StagedData read(
      Connection connection,
      PostgresOptions options,
      SourceTableSpec table,
      LoadState state,
      EngineSession session,
      String raw,
      String staged)
      throws SQLException {
    connection.setAutoCommit(false);
    connection.setReadOnly(true);
    String relation = relation(options);
    List<PostgresColumn> columns = discover(connection, relation);
    int cursorIndex = -1;
    if (options.incremental()) {
      cursorIndex = indexOf(columns, options.cursor(), "cursor", table);
    }
    for (String key : options.primaryKey()) {
      indexOf(columns, key, "primary_key", table);
    }
    PostgresColumn cursor = cursorIndex < 0 ? null : columns.get(cursorIndex);
    String lastCursor =
        cursor != null && cursor.name().equals(state.state().get(CURSOR_COLUMN))
            ? state.state().get(CURSOR_VALUE)
            : null;
    if (cursor != null && !cursor.isTemporal() && !options.lookback().isZero()) {
      throw new InvalidInputException(
          "'lookback' of source table '"
              + table.source()
              + "."
              + table.table()
              + "' needs a date or timestamp cursor, but '"
              + cursor.name()
              + "' is "
              + cursor.postgresType());
    }
    ReplayWindow replay = state.replay();
    if (replay != null) {
      // a replay reads its window whatever the last load read
      lastCursor = null;
    }
    StringBuilder sql = new StringBuilder("SELECT * FROM ").append(relation);
    if (replay != null) {
      sql.append(" WHERE ")
          .append(quote(cursor.name()))
          .append(" >= CAST(? AS ")
          .append(cursor.postgresType())
          .append(")");
      if (replay.to() != null) {
        sql.append(" AND ")
            .append(quote(cursor.name()))
            .append(" <= CAST(? AS ")
            .append(cursor.postgresType())
            .append(")");
      }
    } else if (lastCursor != null) {
      sql.append(" WHERE ")
          .append(quote(cursor.name()))
          .append(" > CAST(? AS ")
          .append(cursor.postgresType())
          .append(")");
      if (!options.lookback().isZero()) {
        sql.append(" - CAST(? AS interval)");
      }
    }
    if (cursor != null) {
      sql.append(" ORDER BY ").append(quote(cursor.name())).append(" NULLS FIRST");
    }
    Schema schema = schema(columns);
    String greatest = lastCursor;
    long started = System.nanoTime();
    try (PreparedStatement statement =
        connection.prepareStatement(
            sql.toString(), ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
      statement.setFetchSize(options.fetchSize());
      if (replay != null) {
        statement.setString(1, replay.from());
        if (replay.to() != null) {
          statement.setString(2, replay.to());
        }
      } else if (lastCursor != null) {
        statement.setString(1, lastCursor);
        if (!options.lookback().isZero()) {
          statement.setString(2, options.lookback().toMillis() / 1000.0 + " seconds");
        }
      }
      try (ResultSet resultSet = statement.executeQuery();
          EngineSession.RowWriter writer = session.openRowWriter(raw, schema)) {
        Object[] values = new Object[columns.size()];
        while (resultSet.next()) {
          for (int i = 0; i < values.length; i++) {
            try {
              values[i] = columns.get(i).read(resultSet, i + 1);
            } catch (IllegalArgumentException e) {
              throw new DataException(
                  "Cannot read row "
                      + (writer.rows() + 1)
                      + " of "
                      + table.source()
                      + "."
                      + table.table()
                      + ": "
                      + e.getMessage(),
                  e);
            }
          }
          writer.append(values);
          if (cursorIndex >= 0) {
            String value = resultSet.getString(cursorIndex + 1);
            if (value != null) {
              // rows come in cursor order, so the last non-null value is the greatest
              greatest = value;
            }
          }
        }
      }
    } finally {
      connection.rollback();
    }
    long read = count(session, raw);
    LOG.debug(
        "Read {} rows of {}.{} from {} in {} ms",
        read,
        table.source(),
        table.table(),
        options.server(),
        (System.nanoTime() - started) / 1_000_000);
    Map<String, String> newState =
        replay != null
            ? state.state()
            : cursor == null
                ? Map.of()
                : greatest == null
                    ? Map.of(CURSOR_COLUMN, cursor.name())
                    : Map.of(CURSOR_COLUMN, cursor.name(), CURSOR_VALUE, greatest);
    if (options.incremental() && read == 0) {
      dropQuietly(session, raw);
      return StagedData.nothingNew(newState);
    }
    String deduplicated =
        options.primaryKey().isEmpty()
            ? "SELECT * FROM " + quote(raw)
            : "SELECT * FROM "
                + quote(raw)
                + " QUALIFY row_number() OVER (PARTITION BY "
                + quoteAll(options.primaryKey())
                + (cursor == null ? "" : " ORDER BY " + quote(cursor.name()) + " DESC NULLS LAST")
                + ") = 1";
    long rows = session.createTemporaryTable(staged, deduplicated);
    dropQuietly(session, raw);
    StagedData.Write write =
        !options.incremental()
            ? StagedData.Write.replace()
            : options.primaryKey().isEmpty()
                ? StagedData.Write.append()
                : StagedData.Write.merge(options.primaryKey());
    return new StagedData(staged, rows, null, 0, List.of(), newState, write);
  }

  private static List<PostgresColumn> discover(Connection connection, String relation)
      throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet resultSet =
            statement.executeQuery("SELECT * FROM " + relation + " WHERE false")) {
      return PostgresColumn.of(resultSet.getMetaData(), new AtomicInteger(1_000));
    }
  }

  private static Schema schema(List<PostgresColumn> columns) {
    List<Types.NestedField> fields = new ArrayList<>();
    int id = 0;
    for (PostgresColumn column : columns) {
      fields.add(Types.NestedField.optional(++id, column.name(), column.type()));
    }
    return new Schema(fields);
  }

  private static int indexOf(
      List<PostgresColumn> columns, String name, String option, SourceTableSpec table) {
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
            + String.join(", ", columns.stream().map(PostgresColumn::name).toList()));
  }

  private static Connection connect(PostgresOptions options, String source) throws SQLException {
    Properties properties = new Properties();
    if (options.user() != null) {
      properties.setProperty("user", options.user());
    }
    if (options.password() != null) {
      properties.setProperty("password", options.password());
    }
    long timeout = Math.max(1, options.connectTimeout().toSeconds());
    properties.setProperty("connectTimeout", Long.toString(timeout));
    properties.setProperty("loginTimeout", Long.toString(timeout));
    properties.setProperty("ApplicationName", "sluice source " + source);
    return DriverManager.getConnection(options.url(), properties);
  }

  /** The exception for a failed connection or read, naming source, server and cause. */
  private static RuntimeException failure(SQLException e, PostgresOptions options, String source) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    String cause = options.withoutSecrets(e.getMessage());
    String where = "source '" + source + "' (postgres at " + options.server() + ")";
    // the SQLException is not kept as the cause: its message could quote a secret
    if (state.startsWith("08") || state.startsWith("57") || state.startsWith("53")) {
      return new TransientException("Cannot read " + where + ": " + cause);
    }
    if (state.startsWith("28") || state.equals("3D000")) {
      return new InvalidInputException(
          "Cannot log in to " + where + ": " + cause + "; check url, user and password");
    }
    return new InvalidInputException("Cannot read " + where + ": " + cause);
  }

  private static long count(EngineSession session, String table) {
    return ((Number) session.query("SELECT count(*) FROM " + quote(table), 1).rows().get(0).get(0))
        .longValue();
  }

  private static void dropQuietly(EngineSession session, String table) {
    try {
      session.execute("DROP TABLE IF EXISTS " + quote(table));
    } catch (RuntimeException e) {
      LOG.debug("Cannot drop staging table {}", table, e);
    }
  }

  private static String quote(String identifier) {
    return TableName.quote(identifier);
  }

  private static String quoteAll(List<String> identifiers) {
    StringJoiner joiner = new StringJoiner(", ");
    identifiers.forEach(identifier -> joiner.add(quote(identifier)));
    return joiner.toString();
  }

  private static String sanitize(String name) {
    return name.replaceAll("[^A-Za-z0-9_]", "_");
  }
}
