package dev.sluice.connectors.jdbc;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real MariaDB server for tests, started from Debian's {@code mariadb-server} binaries: {@code
 * mariadb-install-db} into a temporary data directory, then {@code mariadbd} on a free port of
 * 127.0.0.1 with its socket in that directory, and a user {@value #USER} that logs in with a
 * password and may grant (tests create users with fewer privileges). One server per test JVM;
 * {@link #stop()} stops it and deletes its data.
 *
 * <p>When the binaries are missing, {@link #requireServer()} skips the calling tests, unless the
 * environment variable {@code SLUICE_REQUIRE_MARIADB=1} is set (as CI does): then they fail.
 */
final class TestMariaDb {
  static final String USER = "sluice";

  private static final List<Path> SEARCHED = List.of(Path.of("/usr/sbin"), Path.of("/usr/bin"));

  private static Process server;
  private static Path directory;
  private static int port;
  private static String password;

  private TestMariaDb() {}

  /** A new database: its JDBC URL, and the user and password that may use it. */
  record Database(String name, String url, String user, String password, int port) {
    /** Runs statements as the user. */
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

  /** Skips the calling tests (or fails them, with SLUICE_REQUIRE_MARIADB=1) without binaries. */
  static void requireServer() {
    if (binary("mariadbd").isPresent() && binary("mariadb-install-db").isPresent()) {
      return;
    }
    String message =
        "mariadbd or mariadb-install-db is not installed (on Debian: apt-get install"
            + " mariadb-server), so the MariaDB tests of the mysql connector cannot run";
    if ("1".equals(System.getenv("SLUICE_REQUIRE_MARIADB"))) {
      fail(message + "; SLUICE_REQUIRE_MARIADB=1 requires them");
    }
    Assumptions.abort(message + "; skipped");
  }

  static synchronized Database newDatabase() {
    if (server == null) {
      start();
    }
    String name = "sluice_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    String url = "jdbc:mariadb://127.0.0.1:" + port + "/";
    new Database("server", url, USER, password, port).execute("CREATE DATABASE " + name);
    return new Database(name, url + name, USER, password, port);
  }

  private static void start() {
    try {
      directory = Files.createTempDirectory("sluice-mariadb");
      Path data = directory.resolve("data");
      password = "test-" + UUID.randomUUID();
      Path init = directory.resolve("init.sql");
      Files.writeString(
          init,
          "CREATE USER '"
              + USER
              + "'@'%' IDENTIFIED BY '"
              + password
              + "';\nGRANT ALL ON *.* TO '"
              + USER
              + "'@'%' WITH GRANT OPTION;\n",
          StandardCharsets.UTF_8);
      run(
          binary("mariadb-install-db").orElseThrow().toString(),
          "--no-defaults",
          "--datadir=" + data,
          "--user=root",
          "--auth-root-authentication-method=socket",
          "--skip-test-db");
      port = freePort();
      server =
          new ProcessBuilder(
                  binary("mariadbd").orElseThrow().toString(),
                  "--no-defaults",
                  "--datadir=" + data,
                  "--user=root",
                  "--port=" + port,
                  "--bind-address=127.0.0.1",
                  "--socket=" + directory.resolve("mariadb.sock"),
                  "--pid-file=" + directory.resolve("mariadb.pid"),
                  "--log-error=" + directory.resolve("error.log"),
                  "--init-file=" + init,
                  "--innodb-buffer-pool-size=64M",
                  "--innodb-flush-log-at-trx-commit=0",
                  "--skip-log-bin")
              .redirectErrorStream(true)
              .redirectOutput(directory.resolve("mariadbd.out").toFile())
              .start();
      Runtime.getRuntime().addShutdownHook(new Thread(TestMariaDb::stop));
      awaitReady();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start MariaDB in " + directory, e);
    }
  }

  private static void awaitReady() throws IOException {
    Properties properties = new Properties();
    properties.setProperty("user", USER);
    properties.setProperty("password", password);
    // a startup wait, bounded generously for a loaded machine; no test asserts on its duration
    org.awaitility.Awaitility.await("MariaDB accepts connections")
        .atMost(java.time.Duration.ofMinutes(2))
        .pollInterval(java.time.Duration.ofMillis(200))
        .ignoreExceptionsInstanceOf(SQLException.class)
        .untilAsserted(
            () -> {
              if (!server.isAlive()) {
                throw new IllegalStateException(
                    "mariadbd stopped at startup: "
                        + Files.readString(directory.resolve("error.log")));
              }
              try (Connection connection =
                  DriverManager.getConnection(
                      "jdbc:mariadb://127.0.0.1:" + port + "/", properties)) {
                // connected
              }
            });
  }

  /** Stops the server and deletes its data directory. */
  static synchronized void stop() {
    if (server == null) {
      return;
    }
    server.destroy();
    try {
      if (!server.waitFor(60, TimeUnit.SECONDS)) {
        server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    server = null;
    try (Stream<Path> files = Files.walk(directory)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // a leftover temporary directory is harmless
    }
  }

  private static Optional<Path> binary(String name) {
    Stream<Path> path =
        Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
            .filter(entry -> !entry.isBlank())
            .map(Path::of);
    return Stream.concat(path, SEARCHED.stream())
        .map(folder -> folder.resolve(name))
        .filter(Files::isExecutable)
        .findFirst();
  }

  private static void run(String... command) throws IOException {
    Path log = directory.resolve("install.log");
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IllegalStateException(
            "mariadb-install-db failed: " + Files.readString(log, StandardCharsets.UTF_8));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while installing MariaDB", e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
