package dev.sluice.lake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sluice.api.DataException;
import dev.sluice.api.TransientException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.jdbc.UncheckedSQLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lake explains its catalog's failures by their types and codes: what may pass when tried again
 * leaves it as a {@link TransientException} with the same message, anything else as it was. The
 * SQLite errors are real ones, raised by a second connection to a locked database file.
 */
class CatalogFailuresTest {
  @TempDir Path directory;
  private Lake lake;

  @BeforeEach
  void open() {
    lake =
        Lake.open(
            directory.resolve("warehouse"),
            "jdbc:sqlite:" + directory.resolve("catalog.db"),
            Map.of());
  }

  @AfterEach
  void close() {
    lake.close();
  }

  /** What SQLite raises for {@code sql} on a database another connection holds exclusively. */
  private SQLException whileLocked(String sql) throws SQLException {
    String url = "jdbc:sqlite:" + directory.resolve("locked.db");
    try (Connection holder = DriverManager.getConnection(url);
        Statement hold = holder.createStatement()) {
      hold.execute("CREATE TABLE IF NOT EXISTS t (x INTEGER)");
      hold.execute("BEGIN EXCLUSIVE");
      Properties noWait = new Properties();
      noWait.setProperty("busy_timeout", "0");
      try (Connection waiter = DriverManager.getConnection(url, noWait);
          Statement statement = waiter.createStatement()) {
        return catchThrowableOfType(SQLException.class, () -> statement.execute(sql));
      } finally {
        hold.execute("ROLLBACK");
      }
    }
  }

  /** What SQLite raises for {@code sql} on a database nobody else holds. */
  private SQLException unlocked(String sql) throws SQLException {
    try (Connection connection =
            DriverManager.getConnection("jdbc:sqlite:" + directory.resolve("free.db"));
        Statement statement = connection.createStatement()) {
      return catchThrowableOfType(SQLException.class, () -> statement.execute(sql));
    }
  }

  @Test
  void aBusySqliteCatalogIsTransientWithItsMessage() throws SQLException {
    // JdbcCatalog wraps its driver's exceptions so
    UncheckedSQLException busy =
        new UncheckedSQLException(
            whileLocked("INSERT INTO t VALUES (1)"), "Failed to update table curated.orders");

    RuntimeException explained = lake.explain(busy);

    assertThat(explained)
        .isInstanceOf(TransientException.class)
        .hasMessage(busy.getMessage())
        .hasCause(busy);
  }

  @Test
  void aCommitThatLostToConcurrentOnesIsTransient() {
    CommitFailedException lost =
        new CommitFailedException("Cannot commit curated.orders: metadata location changed");
    assertThat(lake.explain(lost)).isInstanceOf(TransientException.class).hasCause(lost);
    assertThat(lake.explain(new IllegalStateException("step failed", lost)))
        .as("a cause deeper down counts too")
        .isInstanceOf(TransientException.class);
  }

  @Test
  void anUnreachableOrDeadlockedPostgresCatalogIsTransient() {
    for (String state : new String[] {"08001", "08006", "40001", "40P01"}) {
      UncheckedSQLException failure =
          new UncheckedSQLException(new SQLException("catalog failed", state), "catalog failed");
      assertThat(lake.explain(failure)).as(state).isInstanceOf(TransientException.class);
    }
  }

  @Test
  void otherCatalogFailuresAreReturnedAsTheyAre() throws SQLException {
    UncheckedSQLException missing =
        new UncheckedSQLException(unlocked("SELECT * FROM no_such_table"), "Failed to read");
    assertThat(lake.explain(missing)).isSameAs(missing);

    UncheckedSQLException constraint =
        new UncheckedSQLException(new SQLException("duplicate key", "23505"), "Failed to insert");
    assertThat(lake.explain(constraint)).isSameAs(constraint);

    DataException data = new DataException("Table curated.orders has data files that span");
    assertThat(lake.explain(data)).isSameAs(data);

    TransientException already = new TransientException("storage did not answer");
    assertThat(lake.explain(already)).isSameAs(already);
  }

  @Test
  void aMessageThatReadsTransientDecidesNothing() {
    IllegalStateException text = new IllegalStateException("[SQLITE_BUSY] database is locked");
    assertThat(lake.explain(text)).isSameAs(text);
  }
}
