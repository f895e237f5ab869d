package dev.sluice.engine.duckdb;

import dev.sluice.api.SluiceException;
import dev.sluice.api.engine.Engine;
import dev.sluice.api.engine.EngineSession;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.duckdb.DuckDBConnection;

/**
 * The embedded DuckDB engine: one in-process database; every session is a connection with its own
 * attached in-memory catalog, so that sessions running in parallel never see each other's
 * registered tables or temporary results. Catalogs are attached ahead of use and detached behind it
 * ({@link SessionPool}).
 */
public final class DuckDbEngine implements Engine {
  private final DuckDBConnection root;
  private final SessionPool sessions;
  private final String version;

  private DuckDbEngine(DuckDBConnection root, String version) {
    this.root = root;
    this.version = version;
    this.sessions = new SessionPool(root);
  }

  /**
   * Starts an in-process DuckDB.
   *
   * @param spillDirectory where DuckDB may spill intermediate results larger than memory
   * @param memoryLimit DuckDB's memory limit, e.g. {@code 4GB}, or null for {@link
   *     #defaultMemoryLimit()}
   * @throws SluiceException when DuckDB cannot start, e.g. refuses the memory limit
   */
  public static DuckDbEngine start(Path spillDirectory, String memoryLimit) {
    try {
      Properties properties = new Properties();
      properties.setProperty("temp_directory", spillDirectory.toAbsolutePath().toString());
      properties.setProperty(
          "memory_limit", memoryLimit == null ? defaultMemoryLimit() : memoryLimit);
      properties.setProperty("autoinstall_known_extensions", "false");
      properties.setProperty("autoload_known_extensions", "false");
      properties.setProperty("allow_community_extensions", "false");
      Connection connection = DriverManager.getConnection("jdbc:duckdb:", properties);
      try (Statement statement = connection.createStatement()) {
        statement.execute("SET preserve_insertion_order = true");
        // last: from here on no SQL can change a setting (re-enable extension loading, move the
        // spill directory, ...); defence in depth behind the parser check of user SQL, see
        // docs/security.md. Settings of the database go above this line.
        statement.execute("SET lock_configuration = true");
      }
      // read once, before sessions share the root connection
      String version = "DuckDB " + connection.getMetaData().getDatabaseProductVersion();
      return new DuckDbEngine(connection.unwrap(DuckDBConnection.class), version);
    } catch (SQLException e) {
      throw new SluiceException("Cannot start DuckDB: " + e.getMessage(), e);
    }
  }

  /**
   * Sluice's default memory limit for DuckDB: as much as the JVM's largest heap (at least 256 MiB),
   * and never more than half of the machine's memory that the heap leaves. The heap is what the
   * operator gave the process ({@code -Xmx}, else the JVM's default of a quarter of the machine),
   * so the process stays near twice that: with {@code -Xmx512m} a 10-million-row load peaked at 3.1
   * GB of RSS under DuckDB's own default (80 % of the machine's memory, not counting the JVM) and
   * under half of what the heap leaves (11.7 GB on 24 GB), as DuckDB kept what it could.
   */
  public static String defaultMemoryLimit() {
    long total =
        ((com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean())
            .getTotalMemorySize();
    long heap = Runtime.getRuntime().maxMemory();
    long limit =
        Math.min(Math.max(MINIMUM_DEFAULT, heap), Math.max(MINIMUM_DEFAULT, (total - heap) / 2));
    return (limit >> 20) + "MiB";
  }

  /** The smallest default limit: enough for DuckDB to spill a large join rather than fail. */
  private static final long MINIMUM_DEFAULT = 256L << 20;

  @Override
  public String name() {
    return "duckdb";
  }

  @Override
  public String version() {
    return version;
  }

  @Override
  public EngineSession openSession() {
    return sessions.take();
  }

  @Override
  public void close() {
    sessions.close();
    try {
      root.close();
    } catch (SQLException e) {
      throw new SluiceException("Cannot close DuckDB: " + e.getMessage(), e);
    }
  }
}
