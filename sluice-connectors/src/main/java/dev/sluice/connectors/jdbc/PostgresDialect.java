package dev.sluice.connectors.jdbc;

import dev.sluice.api.TableName;
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
import java.util.regex.Pattern;

/**
 * PostgreSQL, read with the PostgreSQL JDBC driver.
 *
 * <table>
 *   <caption>Type mapping</caption>
 *   <tr><th>PostgreSQL</th><th>Iceberg</th></tr>
 *   <tr><td>smallint, integer</td><td>int</td></tr>
 *   <tr><td>bigint, oid</td><td>long</td></tr>
 *   <tr><td>real / double precision</td><td>float / double</td></tr>
 *   <tr><td>numeric(p,s), p &le; 38</td><td>decimal(p,s)</td></tr>
 *   <tr><td>numeric without precision, or p &gt; 38</td><td>decimal(38,9), rounded</td></tr>
 *   <tr><td>boolean</td><td>boolean</td></tr>
 *   <tr><td>date, time</td><td>date, time</td></tr>
 *   <tr><td>timestamp / timestamptz</td><td>timestamp / timestamptz</td></tr>
 *   <tr><td>uuid</td><td>uuid</td></tr>
 *   <tr><td>bytea</td><td>binary</td></tr>
 *   <tr><td>one-dimensional arrays of the types above</td><td>list</td></tr>
 *   <tr><td>text, varchar, char, json, jsonb, xml, interval, timetz, inet, enums, others</td>
 *       <td>string (PostgreSQL's text form)</td></tr>
 * </table>
 *
 * <p>Rows stream because the driver uses a cursor when autocommit is off and a fetch size is set. A
 * chunked read exports the coordinating transaction's snapshot ({@code pg_export_snapshot()}) and
 * every chunk's REPEATABLE READ transaction imports it ({@code SET TRANSACTION SNAPSHOT}), so all
 * chunks together read the table exactly as it was at one moment.
 */
final class PostgresDialect implements JdbcDialect {
  private static final Pattern SNAPSHOT_ID = Pattern.compile("[0-9A-Fa-f]+(-[0-9A-Fa-f]+)*");

  @Override
  public String type() {
    return "postgres";
  }

  @Override
  public String product() {
    return "PostgreSQL";
  }

  @Override
  public String urlExample() {
    return "jdbc:postgresql://host:port/database";
  }

  @Override
  public boolean acceptsUrl(String url) {
    return url.startsWith("jdbc:postgresql:");
  }

  @Override
  public String defaultSchema() {
    return "public";
  }

  @Override
  public String schemaDescription() {
    return "the schema of 'table'";
  }

  @Override
  public String quote(String identifier) {
    return TableName.quote(identifier);
  }

  @Override
  public List<JdbcColumn> columns(ResultSetMetaData metadata) throws SQLException {
    List<JdbcColumn> columns = new ArrayList<>();
    int ids = 1_000;
    for (int i = 1; i <= metadata.getColumnCount(); i++) {
      String typeName = metadata.getColumnTypeName(i).toLowerCase(Locale.ROOT);
      String name = metadata.getColumnLabel(i);
      if (typeName.startsWith("_")) {
        JdbcColumn.Kind element = kind(typeName.substring(1));
        if (element == JdbcColumn.Kind.STRING && !isText(typeName.substring(1))) {
          // arrays of types kept as text (json, intervals, ...) are kept as text as a whole
          columns.add(JdbcColumn.scalar(name, typeName, JdbcColumn.Kind.STRING, 0, 0));
        } else {
          columns.add(JdbcColumn.list(name, typeName, element, ++ids));
        }
      } else {
        columns.add(
            JdbcColumn.scalar(
                name, typeName, kind(typeName), metadata.getPrecision(i), metadata.getScale(i)));
      }
    }
    return columns;
  }

  private static boolean isText(String typeName) {
    return switch (typeName) {
      case "text", "varchar", "bpchar", "name", "citext" -> true;
      default -> false;
    };
  }

  private static JdbcColumn.Kind kind(String typeName) {
    return switch (typeName) {
      case "int2", "int4" -> JdbcColumn.Kind.INTEGER;
      case "int8", "oid" -> JdbcColumn.Kind.LONG;
      case "float4" -> JdbcColumn.Kind.FLOAT;
      case "float8" -> JdbcColumn.Kind.DOUBLE;
      case "numeric" -> JdbcColumn.Kind.DECIMAL;
      case "bool" -> JdbcColumn.Kind.BOOLEAN;
      case "date" -> JdbcColumn.Kind.DATE;
      case "time" -> JdbcColumn.Kind.TIME;
      case "timestamp" -> JdbcColumn.Kind.TIMESTAMP;
      case "timestamptz" -> JdbcColumn.Kind.TIMESTAMPTZ;
      case "uuid" -> JdbcColumn.Kind.UUID;
      case "bytea" -> JdbcColumn.Kind.BINARY;
      default -> JdbcColumn.Kind.STRING;
    };
  }

  @Override
  public Properties connectionProperties(Duration connectTimeout, String source) {
    Properties properties = new Properties();
    long timeout = Math.max(1, connectTimeout.toSeconds());
    properties.setProperty("connectTimeout", Long.toString(timeout));
    properties.setProperty("loginTimeout", Long.toString(timeout));
    properties.setProperty("ApplicationName", "sluice source " + source);
    return properties;
  }

  @Override
  public void beginRead(Connection connection) throws SQLException {
    connection.setAutoCommit(false);
    connection.setReadOnly(true);
  }

  @Override
  public void stream(Statement statement, int fetchSize) throws SQLException {
    // with autocommit off, the driver reads through a portal, fetchSize rows at a time
    statement.setFetchSize(fetchSize);
  }

  @Override
  public String cursorBound(JdbcColumn cursor, boolean lookback) {
    return "CAST(? AS " + cursor.sourceType() + ")" + (lookback ? " - CAST(? AS interval)" : "");
  }

  @Override
  public String ascendingNullsFirst(String column) {
    return column + " NULLS FIRST";
  }

  @Override
  public void bindLookback(PreparedStatement statement, int index, Duration lookback)
      throws SQLException {
    statement.setString(index, lookback.toMillis() / 1000.0 + " seconds");
  }

  @Override
  public String beginSnapshot(Connection coordinator) throws SQLException {
    beginRepeatableRead(coordinator);
    try (Statement statement = coordinator.createStatement();
        ResultSet resultSet = statement.executeQuery("SELECT pg_export_snapshot()")) {
      resultSet.next();
      return resultSet.getString(1);
    }
  }

  @Override
  public void beginChunk(Connection connection, String snapshot) throws SQLException {
    beginRepeatableRead(connection);
    if (snapshot != null) {
      if (!SNAPSHOT_ID.matcher(snapshot).matches()) {
        throw new IllegalStateException("Unexpected snapshot id from the server: " + snapshot);
      }
      try (Statement statement = connection.createStatement()) {
        // the first statement of the transaction; the id is checked above, as it is no parameter
        statement.execute("SET TRANSACTION SNAPSHOT '" + snapshot + "'");
      }
    }
  }

  private static void beginRepeatableRead(Connection connection) throws SQLException {
    connection.setAutoCommit(false);
    connection.setReadOnly(true);
    connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
  }

  @Override
  public String chunkConsistency() {
    return "one exported snapshot shared by all chunks";
  }

  @Override
  public boolean isUnreachable(SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    return state.startsWith("08") || state.startsWith("57") || state.startsWith("53");
  }

  @Override
  public boolean isLoginFailure(SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    return state.startsWith("28") || state.equals("3D000");
  }
}
