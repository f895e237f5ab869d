package dev.sluice.connector.testkit;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A new, empty database on a {@link TestPostgres} server, for one test. Closing it drops it, even
 * while connections to it are still open.
 *
 * @param server the server it is on
 * @param name the database name, such as {@code sluice_test_1a2b3c4d5e6f}
 * @param jdbcUrl the JDBC URL of the database, without credentials
 * @param user the role that owns the database and logs in with {@code password}
 * @param password the role's password, or null when the server asks for none
 */
public record PostgresDatabase(
    TestPostgres server, String name, String jdbcUrl, String user, String password)
    implements AutoCloseable {
  public PostgresDatabase {
    requireNonNull(server, "server is null");
    requireNonNull(name, "name is null");
    requireNonNull(jdbcUrl, "jdbcUrl is null");
  }

  /** The driver properties {@code user} and {@code password}, those of them that are set. */
  public Map<String, String> credentials() {
    Map<String, String> credentials = new LinkedHashMap<>();
    if (user != null) {
      credentials.put("user", user);
    }
    if (password != null) {
      credentials.put("password", password);
    }
    return credentials;
  }

  /** A new connection to the database as its owner. */
  public Connection connect() throws SQLException {
    Properties properties = new Properties();
    properties.putAll(credentials());
    return DriverManager.getConnection(jdbcUrl, properties);
  }

  /** Runs statements as the owner. */
  public void execute(String... statements) {
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot run SQL on " + name + ": " + e.getMessage(), e);
    }
  }

  /** The rows of a query as the owner, each value as text. */
  public List<List<String>> rows(String sql) {
    try (Connection connection = connect();
        Statement statement = connection.createStatement();
        ResultSet resultSet = statement.executeQuery(sql)) {
      List<List<String>> rows = new ArrayList<>();
      int count = resultSet.getMetaData().getColumnCount();
      while (resultSet.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
          row.add(resultSet.getString(i));
        }
        rows.add(row);
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot query " + name + ": " + e.getMessage(), e);
    }
  }

  /**
   * Drops the database's replication slots, which would otherwise outlive it (and, holding a slot
   * name, fail the next test that uses it). The connection of a load that just ended may still hold
   * its slot: it is ended first.
   */
  public void dropSlots() {
    server.admin(
        "SELECT pg_terminate_backend(active_pid, 10000) FROM pg_replication_slots WHERE"
            + " database = '"
            + name
            + "' AND active");
    server.admin(
        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '"
            + name
            + "' AND NOT active");
  }

  /** Drops the database. */
  @Override
  public void close() {
    server.dropDatabase(name);
  }

  /** Shows everything but the password. */
  @Override
  public String toString() {
    return "PostgresDatabase[name=" + name + ", jdbcUrl=" + jdbcUrl + ", user=" + user + "]";
  }
}
