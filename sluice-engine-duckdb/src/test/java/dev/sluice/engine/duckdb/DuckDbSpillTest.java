package dev.sluice.engine.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.engine.EngineSession;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DuckDB's memory limit bounds the engine, and work larger than it completes by spilling to the
 * engine's temporary directory instead of failing.
 */
class DuckDbSpillTest {
  /** Both sides carry 1,000,000 rows of about 50 bytes: the join's hash table is over 64 MB. */
  private static final String JOIN =
      "SELECT count(*), count(DISTINCT b.s) FROM"
          + " (SELECT i, repeat('x', 40) || i AS s FROM range(1000000) t(i)) a"
          + " JOIN (SELECT i, repeat('y', 40) || i AS s FROM range(1000000) t(i)) b"
          + " ON a.i = b.i";

  private static final String LIMIT = "64MB";

  @TempDir Path directory;

  @Test
  void aJoinLargerThanTheMemoryLimitCompletesBySpilling() {
    try (DuckDbEngine engine = DuckDbEngine.start(directory.resolve("spill"), LIMIT);
        EngineSession session = engine.openSession()) {
      assertThat(session.query("SELECT current_setting('memory_limit')", 1).rows())
          .containsExactly(List.of("61.0 MiB"));

      assertThat(session.query(JOIN, 1).rows()).containsExactly(List.of(1_000_000L, 1_000_000L));
    }
  }

  @Test
  void theSameJoinRunsOutOfMemoryUnderTheSameLimitWithoutASpillDirectory() throws SQLException {
    // what the test above would meet if Sluice did not give DuckDB a place to spill
    Properties properties = new Properties();
    properties.setProperty("memory_limit", LIMIT);
    properties.setProperty("temp_directory", "");
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:", properties);
        Statement statement = connection.createStatement()) {
      assertThatThrownBy(() -> statement.executeQuery(JOIN).next())
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("Out of Memory");
    }
  }
}
