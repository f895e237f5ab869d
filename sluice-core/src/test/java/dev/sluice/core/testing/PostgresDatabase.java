package dev.sluice.core.testing;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * A new, empty database on the test PostgreSQL server, for one test. Closing it drops it, even
 * while connections to it are still open.
 *
 * @param name the database name, such as {@code sluice_test_1a2b3c4d5e6f}
 * @param jdbcUrl the JDBC URL of the database, without credentials
 * @param user the role that owns the database and logs in with {@code password}
 * @param password the role's password, or null when the server asks for none
 */
public record PostgresDatabase(String name, String jdbcUrl, String user, String password)
    implements AutoCloseable {
  public PostgresDatabase {
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

  /** Drops the database. */
  @Override
  public void close() {
    TestPostgres.dropDatabase(name);
  }

  /** Shows everything but the password. */
  @Override
  public String toString() {
    return "PostgresDatabase[name=" + name + ", jdbcUrl=" + jdbcUrl + ", user=" + user + "]";
  }
}
