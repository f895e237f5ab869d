package dev.sluice.connectors.jdbc;

import dev.sluice.api.connector.ConnectorOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

/**
 * What differs between the databases that {@link JdbcSourceConnector} reads: URLs, identifier
 * quoting, the type mapping, how a driver streams rows and how a read sees one consistent snapshot.
 * Everything else (modes, cursors, de-duplication, chunked parallel reads, messages) is shared.
 */
interface JdbcDialect {
  /** The connector's name in source files, e.g. {@code postgres}. */
  String type();

  /** The database's name for messages and descriptions, e.g. {@code PostgreSQL}. */
  String product();

  /** An example URL for messages, e.g. {@code jdbc:postgresql://host:port/database}. */
  String urlExample();

  /** Whether a URL names a database of this dialect. */
  boolean acceptsUrl(String url);

  /** The URL handed to the driver for a URL the user gave (accepted by {@link #acceptsUrl}). */
  default String driverUrl(String url) {
    return url;
  }

  /** The schema a table is in when the options name none, or null for the URL's database. */
  String defaultSchema();

  /** The description of the {@code schema} option. */
  String schemaDescription();

  /** A quoted identifier, safe for any name. */
  String quote(String identifier);

  /** The columns of a result, with their Iceberg types; list element ids count from 1,000. */
  List<JdbcColumn> columns(ResultSetMetaData metadata) throws SQLException;

  /**
   * The primary key columns of a table, in key order; empty when it has none.
   *
   * @param schema the table's schema, or null for the connection's database
   */
  default List<String> primaryKey(Connection connection, String schema, String table)
      throws SQLException {
    try (ResultSet keys = connection.getMetaData().getPrimaryKeys(null, schema, table)) {
      return keyColumns(keys);
    }
  }

  /** The column names of a {@link java.sql.DatabaseMetaData#getPrimaryKeys} result, in order. */
  static List<String> keyColumns(ResultSet keys) throws SQLException {
    java.util.SortedMap<Integer, String> columns = new java.util.TreeMap<>();
    while (keys.next()) {
      columns.put(keys.getInt("KEY_SEQ"), keys.getString("COLUMN_NAME"));
    }
    return List.copyOf(columns.values());
  }

  /** Driver properties besides user and password, e.g. timeouts and the application name. */
  Properties connectionProperties(Duration connectTimeout, String source);

  /**
   * Starts the read-only transaction that a single (not chunked) read runs in, with whatever
   * session settings the type mapping needs.
   */
  void beginRead(Connection connection) throws SQLException;

  /** Sets a statement up to stream its result, {@code fetchSize} rows at a time. */
  void stream(Statement statement, int fetchSize) throws SQLException;

  /**
   * The SQL that the cursor column must be greater than: one parameter, the last cursor value as
   * the database's text, cast to the cursor's type; with {@code lookback}, a second parameter bound
   * by {@link #bindLookback} is subtracted from it.
   */
  String cursorBound(JdbcColumn cursor, boolean lookback);

  /** An ORDER BY item sorting a quoted column ascending, NULLs first. */
  String ascendingNullsFirst(String column);

  /** Binds the lookback parameter of {@link #cursorBound}. */
  void bindLookback(PreparedStatement statement, int index, Duration lookback) throws SQLException;

  /**
   * Starts the transaction of the coordinating connection of a chunked read (which reads the key
   * range) and returns a token that {@link #beginChunk} uses so that every chunk sees the same
   * snapshot, or null when the database cannot share a snapshot between connections.
   */
  String beginSnapshot(Connection coordinator) throws SQLException;

  /** Starts the read-only transaction of one chunk's connection, in the snapshot of the token. */
  void beginChunk(Connection connection, String snapshot) throws SQLException;

  /**
   * Begins the transactions of a chunked read's connections, opened beforehand (so that none is set
   * up while a lock is held), so that they see the snapshot of the token from {@link
   * #beginSnapshot} where the database can share one: by default each with {@link #beginChunk}.
   *
   * @param coordinator the connection that read the key range (its transaction may end here: it
   *     reads no chunk)
   * @param table the quoted table read, or null for a query
   * @param what the source table, for messages, e.g. {@code shop.orders}
   * @return what the read guarantees, for logs: e.g. one snapshot for all chunks
   */
  default String beginChunks(
      Connection coordinator,
      String snapshot,
      List<Connection> connections,
      JdbcOptions options,
      String table,
      String what)
      throws SQLException {
    for (Connection connection : connections) {
      beginChunk(connection, snapshot);
    }
    return chunkConsistency();
  }

  /** What a chunked read guarantees, for logs: e.g. one snapshot for all chunks. */
  String chunkConsistency();

  /** Options only this dialect's connector has, declared after the shared ones. */
  default List<ConnectorOption> extraOptions() {
    return List.of();
  }

  /** Whether the failure means the server could not be reached or the connection broke. */
  boolean isUnreachable(SQLException e);

  /** Whether the failure is a refused login or a missing database. */
  boolean isLoginFailure(SQLException e);

  /** The server a URL names, {@code host:port/database}, for messages; never a secret. */
  default String server(String url) {
    String rest = url.substring(url.indexOf(':', "jdbc:".length()) + 1);
    if (rest.startsWith("//")) {
      rest = rest.substring(2);
    }
    int query = rest.indexOf('?');
    if (query >= 0) {
      rest = rest.substring(0, query);
    }
    int at = rest.lastIndexOf('@');
    return at >= 0 ? rest.substring(at + 1) : rest;
  }
}
