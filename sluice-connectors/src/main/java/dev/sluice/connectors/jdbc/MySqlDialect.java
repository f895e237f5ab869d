package dev.sluice.connectors.jdbc;

import dev.sluice.api.connector.ConnectorOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import org.apache.iceberg.types.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MySQL and MariaDB, read with the MariaDB JDBC driver (which speaks to both).
 *
 * <table>
 *   <caption>Type mapping</caption>
 *   <tr><th>MySQL / MariaDB</th><th>Iceberg</th></tr>
 *   <tr><td>tinyint(1), bool, bit(1)</td><td>boolean</td></tr>
 *   <tr><td>tinyint, smallint, mediumint (signed or unsigned), int, year</td><td>int</td></tr>
 *   <tr><td>int unsigned, bigint</td><td>long</td></tr>
 *   <tr><td>bigint unsigned</td><td>decimal(20,0)</td></tr>
 *   <tr><td>decimal(p,s), p &le; 38</td><td>decimal(p,s); larger: decimal(38,9)</td></tr>
 *   <tr><td>float / double</td><td>float / double</td></tr>
 *   <tr><td>date</td><td>date</td></tr>
 *   <tr><td>datetime</td><td>timestamp (no zone)</td></tr>
 *   <tr><td>timestamp</td><td>timestamptz (the UTC instant)</td></tr>
 *   <tr><td>binary, varbinary, blobs, bit(n)</td><td>binary</td></tr>
 *   <tr><td>char, varchar, texts, json, enum, set, time, others</td><td>string</td></tr>
 * </table>
 *
 * <p>The session's time zone is UTC, so TIMESTAMP values (instants) read as UTC whatever the
 * server's zone; DATETIME values have no zone and read as they are. TIME is a duration in MySQL (up
 * to 838 hours, negative too), so it is kept as text. The driver streams a result when a fetch size
 * is set.
 *
 * <p>MySQL and MariaDB cannot share a snapshot between connections, so a chunked read begins the
 * chunks' consistent-snapshot transactions while nothing can change the table: under {@code LOCK
 * TABLES ... READ} (or {@code FLUSH TABLES WITH READ LOCK}) taken on the coordinating connection,
 * released as soon as every chunk's transaction has begun, as mydumper and Debezium do. Without the
 * privilege the lock needs, the chunks begin one after another, each in its own snapshot, and a
 * warning says so.
 */
final class MySqlDialect implements JdbcDialect {
  private static final Logger LOG = LoggerFactory.getLogger(MySqlDialect.class);

  /** How long to wait for the lock (seconds), while writers of the table wait behind it. */
  static final int LOCK_WAIT_SECONDS = 10;

  private static final String LOCK_TABLE = "table";
  private static final String LOCK_GLOBAL = "global";
  private static final String LOCK_NONE = "none";

  @Override
  public String type() {
    return "mysql";
  }

  @Override
  public String product() {
    return "MySQL or MariaDB";
  }

  @Override
  public String urlExample() {
    return "jdbc:mysql://host:port/database or jdbc:mariadb://host:port/database";
  }

  @Override
  public boolean acceptsUrl(String url) {
    return url.startsWith("jdbc:mysql:") || url.startsWith("jdbc:mariadb:");
  }

  @Override
  public String driverUrl(String url) {
    // the MariaDB driver speaks to MySQL too, but takes only its own scheme by default
    return url.startsWith("jdbc:mysql:") ? "jdbc:mariadb:" + url.substring(11) : url;
  }

  @Override
  public String defaultSchema() {
    return null;
  }

  @Override
  public String schemaDescription() {
    return "the database (schema) of 'table'; by default the URL's database";
  }

  @Override
  public String quote(String identifier) {
    return "`" + identifier.replace("`", "``") + "`";
  }

  @Override
  public List<JdbcColumn> columns(ResultSetMetaData metadata) throws SQLException {
    List<JdbcColumn> columns = new ArrayList<>();
    for (int i = 1; i <= metadata.getColumnCount(); i++) {
      String typeName = metadata.getColumnTypeName(i).toUpperCase(Locale.ROOT);
      String name = metadata.getColumnLabel(i);
      int precision = metadata.getPrecision(i);
      int scale = metadata.getScale(i);
      columns.add(column(name, typeName, precision, scale));
    }
    return columns;
  }

  private static JdbcColumn column(String name, String typeName, int precision, int scale) {
    boolean unsigned = typeName.endsWith(" UNSIGNED");
    String base = unsigned ? typeName.substring(0, typeName.length() - 9) : typeName;
    if (base.equals("BIT") && precision > 1) {
      return JdbcColumn.scalar(name, typeName, JdbcColumn.Kind.BINARY, 0, 0);
    }
    JdbcColumn.Kind kind =
        switch (base) {
          case "BOOLEAN", "BIT" -> JdbcColumn.Kind.BOOLEAN;
          case "TINYINT", "SMALLINT", "MEDIUMINT", "YEAR" -> JdbcColumn.Kind.INTEGER;
          case "INT", "INTEGER" -> unsigned ? JdbcColumn.Kind.LONG : JdbcColumn.Kind.INTEGER;
          case "BIGINT" -> unsigned ? JdbcColumn.Kind.DECIMAL : JdbcColumn.Kind.LONG;
          case "DECIMAL", "NUMERIC" -> JdbcColumn.Kind.DECIMAL;
          case "FLOAT" -> JdbcColumn.Kind.FLOAT;
          case "DOUBLE", "REAL" -> JdbcColumn.Kind.DOUBLE;
          case "DATE" -> JdbcColumn.Kind.DATE;
          case "DATETIME" -> JdbcColumn.Kind.TIMESTAMP;
          case "TIMESTAMP" -> JdbcColumn.Kind.TIMESTAMP_UTC;
          case "BINARY", "VARBINARY", "TINYBLOB", "BLOB", "MEDIUMBLOB", "LONGBLOB", "GEOMETRY" ->
              JdbcColumn.Kind.BINARY;
          default -> JdbcColumn.Kind.STRING;
        };
    if (base.equals("BIGINT") && unsigned) {
      return JdbcColumn.scalar(name, typeName, kind, Types.DecimalType.of(20, 0));
    }
    return JdbcColumn.scalar(name, typeName, kind, precision, scale);
  }

  @Override
  public List<String> primaryKey(Connection connection, String schema, String table)
      throws SQLException {
    // MySQL's databases are JDBC catalogs
    String database = schema == null ? connection.getCatalog() : schema;
    try (ResultSet keys = connection.getMetaData().getPrimaryKeys(database, null, table)) {
      return JdbcDialect.keyColumns(keys);
    }
  }

  @Override
  public Properties connectionProperties(Duration connectTimeout, String source) {
    Properties properties = new Properties();
    properties.setProperty("connectTimeout", Long.toString(Math.max(1, connectTimeout.toMillis())));
    properties.setProperty("connectionAttributes", "program_name:sluice source " + source);
    return properties;
  }

  @Override
  public void beginRead(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      // TIMESTAMP values are instants: read them in UTC whatever the server's time zone
      statement.execute("SET time_zone = '+00:00'");
      statement.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
      statement.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
    }
  }

  @Override
  public void stream(Statement statement, int fetchSize) throws SQLException {
    // the MariaDB driver streams a result fetchSize rows at a time when a fetch size is set
    statement.setFetchSize(fetchSize);
  }

  @Override
  public String cursorBound(JdbcColumn cursor, boolean lookback) {
    String cast =
        switch (cursor.kind() == null ? JdbcColumn.Kind.STRING : cursor.kind()) {
          case INTEGER, LONG -> "CAST(? AS SIGNED)";
          case DECIMAL ->
              cursor.sourceType().startsWith("BIGINT")
                  ? "CAST(? AS UNSIGNED)"
                  : "CAST(? AS DECIMAL(65,30))";
          case FLOAT, DOUBLE -> "CAST(? AS DOUBLE)";
          case DATE -> "CAST(? AS DATE)";
          case TIMESTAMP, TIMESTAMP_UTC -> "CAST(? AS DATETIME(6))";
          default -> "?";
        };
    return lookback ? cast + " - INTERVAL ? MICROSECOND" : cast;
  }

  @Override
  public String ascendingNullsFirst(String column) {
    // MySQL has no NULLS FIRST; its ascending order puts NULLs first already
    return column;
  }

  @Override
  public void bindLookback(PreparedStatement statement, int index, Duration lookback)
      throws SQLException {
    statement.setLong(index, lookback.toNanos() / 1_000);
  }

  @Override
  public String beginSnapshot(Connection coordinator) throws SQLException {
    beginRead(coordinator);
    return null;
  }

  @Override
  public void beginChunk(Connection connection, String snapshot) throws SQLException {
    beginRead(connection);
  }

  @Override
  public List<ConnectorOption> extraOptions() {
    return List.of(
        ConnectorOption.builder(JdbcOptions.SNAPSHOT_LOCK, ConnectorOption.Type.CHOICE)
            .description(
                "for mode: full read in chunks, how their connections begin one snapshot: table"
                    + " holds LOCK TABLES ... READ on the table (needs the LOCK TABLES privilege)"
                    + " while they begin, global FLUSH TABLES WITH READ LOCK (needs RELOAD; for a"
                    + " 'query'), none no lock (each chunk's connection its own snapshot); a lock"
                    + " that cannot be taken is logged as a warning and the read goes on without")
            .allowedValues(LOCK_TABLE, LOCK_GLOBAL, LOCK_NONE)
            .defaultValue(LOCK_TABLE)
            .build());
  }

  /**
   * Begins every chunk's consistent-snapshot transaction while a read lock keeps the table (or, for
   * {@code snapshot_lock: global}, every table) unchanged, then releases the lock: the lock is held
   * only while the transactions begin, and the chunks read as of that one moment. The coordinator's
   * transaction ends with the lock (LOCK TABLES commits it); it reads no chunk.
   */
  @Override
  public String beginChunks(
      Connection coordinator,
      String snapshot,
      List<Connection> connections,
      JdbcOptions options,
      String table,
      String what)
      throws SQLException {
    String mode = options.snapshotLock() == null ? LOCK_TABLE : options.snapshotLock();
    if (LOCK_NONE.equals(mode)) {
      beginEach(connections);
      return "a consistent snapshot per connection (snapshot_lock: none)";
    }
    if (LOCK_TABLE.equals(mode) && table == null) {
      LOG.warn(
          "Source table '{}' reads a query in {} chunks, and a query's tables cannot be locked by"
              + " name: each chunk's connection reads in a snapshot of its own, so a change"
              + " committed while they begin may be seen by some chunks and not others. Set"
              + " snapshot_lock: global to lock all tables for that moment (needs the RELOAD"
              + " privilege), parallelism: 1 to read in one snapshot, or snapshot_lock: none to"
              + " accept this",
          what,
          connections.size());
      beginEach(connections);
      return "a consistent snapshot per connection (a query cannot be locked by name)";
    }
    String lock =
        LOCK_GLOBAL.equals(mode) ? "FLUSH TABLES WITH READ LOCK" : "LOCK TABLES " + table + " READ";
    try (Statement statement = coordinator.createStatement()) {
      statement.execute("SET SESSION lock_wait_timeout = " + LOCK_WAIT_SECONDS);
      try {
        statement.execute(lock);
      } catch (SQLException e) {
        if (!isDenied(e) && !isLockTimeout(e)) {
          throw e;
        }
        LOG.warn(
            "Source table '{}': cannot take {} ({}), so each of its {} chunk connections reads in"
                + " a snapshot of its own, and a change committed while they begin may be seen by"
                + " some chunks and not others. {}",
            what,
            lock,
            options.secrets().redact(e.getMessage()),
            connections.size(),
            isDenied(e)
                ? (LOCK_GLOBAL.equals(mode)
                        ? "Grant the RELOAD privilege"
                        : "Grant the LOCK TABLES privilege on the table's database")
                    + " to the source's user, set parallelism: 1 to read in one snapshot, or set"
                    + " snapshot_lock: none to accept this"
                : "A long transaction held the table for "
                    + LOCK_WAIT_SECONDS
                    + " s; the next load tries again");
        beginEach(connections);
        return "a consistent snapshot per connection (the lock could not be taken)";
      }
      try {
        beginEach(connections);
      } finally {
        statement.execute("UNLOCK TABLES");
      }
    }
    return "one snapshot for all chunks, begun under " + lock;
  }

  private void beginEach(List<Connection> connections) throws SQLException {
    for (Connection connection : connections) {
      beginRead(connection);
    }
  }

  /** Missing LOCK TABLES (1044, 1142) or RELOAD (1227) privilege. */
  private static boolean isDenied(SQLException e) {
    return e.getErrorCode() == 1044 || e.getErrorCode() == 1142 || e.getErrorCode() == 1227;
  }

  /** Waited longer than lock_wait_timeout (1205). */
  private static boolean isLockTimeout(SQLException e) {
    return e.getErrorCode() == 1205;
  }

  @Override
  public String chunkConsistency() {
    return "a consistent snapshot per connection";
  }

  @Override
  public boolean isUnreachable(SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    return state.startsWith("08") || e instanceof java.sql.SQLTransientConnectionException;
  }

  @Override
  public boolean isLoginFailure(SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    // 1045: access denied; 1044: no access to the database; 1049: unknown database
    return state.startsWith("28")
        || e.getErrorCode() == 1045
        || e.getErrorCode() == 1044
        || e.getErrorCode() == 1049;
  }
}
