package dev.sluice.core.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening a current state database skips Flyway; any other state still goes through it. */
class MigrationHistoryTest {
  @TempDir Path directory;

  @Test
  void everyMigrationOnTheClassPathIsListed() throws Exception {
    long files;
    try (Stream<Path> migrations = Files.list(Path.of("src/main/resources/db/migration/state"))) {
      files = migrations.filter(file -> file.getFileName().toString().startsWith("V")).count();
    }
    assertThat(MigrationHistory.available()).hasSize((int) files).contains("1", "18");
  }

  @Test
  void aDatabaseIsCurrentOnlyOnceEveryMigrationIsAppliedSuccessfully() throws Exception {
    String url = "jdbc:sqlite:" + directory.resolve("state.db");
    StateDatabase database = StateDatabase.of(url, Map.of());
    assertThat(MigrationHistory.isCurrent(database, StateDatabase.SCHEMA_HISTORY_TABLE)).isFalse();

    RunStore.open(url, Map.of()).close();
    assertThat(MigrationHistory.isCurrent(database, StateDatabase.SCHEMA_HISTORY_TABLE)).isTrue();
    // a second open finds it current and works on the migrated schema
    try (RunStore store = RunStore.open(url, Map.of())) {
      assertThat(store.runs().listRuns(10)).isEmpty();
    }

    try (Connection connection = database.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(
          "UPDATE " + StateDatabase.SCHEMA_HISTORY_TABLE + " SET success = 0 WHERE version = '18'");
    }
    assertThat(MigrationHistory.isCurrent(database, StateDatabase.SCHEMA_HISTORY_TABLE)).isFalse();

    try (Connection connection = database.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(
          "DELETE FROM " + StateDatabase.SCHEMA_HISTORY_TABLE + " WHERE version = '18'");
    }
    assertThat(MigrationHistory.isCurrent(database, StateDatabase.SCHEMA_HISTORY_TABLE)).isFalse();
  }
}
