package dev.sluice.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sluice.api.SluiceException;
import dev.sluice.api.TransientException;
import dev.sluice.lake.SqliteErrors;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A state database held by another connection fails with a typed, transient exception. */
class StateDatabaseBusyTest {
  @TempDir Path directory;

  @Test
  void aDatabaseLockedByAnotherConnectionIsTransient() throws SQLException {
    String url = "jdbc:sqlite:" + directory.resolve("state.db");
    StateDatabase database = StateDatabase.of(url, Map.of());
    try (Connection holder = DriverManager.getConnection(url);
        Statement hold = holder.createStatement()) {
      hold.execute("CREATE TABLE t (x INTEGER)");
      hold.execute("BEGIN EXCLUSIVE");
      Properties noWait = new Properties();
      noWait.setProperty("busy_timeout", "0");
      SQLException busy;
      try (Connection waiter = DriverManager.getConnection(url, noWait);
          Statement write = waiter.createStatement()) {
        busy =
            catchThrowableOfType(
                SQLException.class, () -> write.execute("INSERT INTO t VALUES (1)"));
      }
      assertThat(SqliteErrors.isBusy(busy)).isTrue();
      assertThat(SqliteErrors.isBusy(new RuntimeException("wrapped", busy))).isTrue();
      assertThat(database.failure("record a step", busy))
          .isInstanceOf(TransientException.class)
          .hasMessageContaining("Cannot record a step in state database");
      hold.execute("ROLLBACK");
    }
  }

  @Test
  void otherFailuresAreNotTransient() throws SQLException {
    String url = "jdbc:sqlite:" + directory.resolve("state.db");
    StateDatabase database = StateDatabase.of(url, Map.of());
    try (Connection connection = DriverManager.getConnection(url);
        Statement statement = connection.createStatement()) {
      SQLException missing =
          catchThrowableOfType(
              SQLException.class, () -> statement.execute("SELECT * FROM no_such_table"));
      assertThat(SqliteErrors.isBusy(missing)).isFalse();
      assertThat(database.failure("read runs", missing)).isExactlyInstanceOf(SluiceException.class);
    }
  }
}
