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

  private DuckDbEngine(DuckDBConnection root) {
    this.root = root;
    this.sessions = new SessionPool(root);
  }

  /**
   * Starts an in-process DuckDB.
   *
   * @param spillDirectory where DuckDB may spill intermediate results larger than memory
   * @param memoryLimit DuckDB's memory limit, e.g. {@code 4GB}, or null for DuckDB's default
   */
  public static DuckDbEngine start(Path spillDirectory, String memoryLimit) {
    try {
      Properties properties = new Properties();
      properties.setProperty("temp_directory", spillDirectory.toAbsolutePath().toString());
      if (memoryLimit != null) {
        properties.setProperty("memory_limit", memoryLimit);
      }
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
      return new DuckDbEngine(connection.unwrap(DuckDBConnection.class));
    } catch (SQLException e) {
      throw new SluiceException("Cannot start DuckDB: " + e.getMessage(), e);
    }
  }

  @Override
  public String name() {
    return "duckdb";
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
