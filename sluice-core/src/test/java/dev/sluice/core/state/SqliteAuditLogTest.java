package dev.sluice.core.state;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/** The audit log on an SQLite file, the default state database. */
class SqliteAuditLogTest extends AuditLogContractTest {
  @TempDir Path directory;

  @Override
  String jdbcUrl() {
    return "jdbc:sqlite:" + directory.resolve(".sluice/state.db").toAbsolutePath();
  }

  @Override
  Map<String, String> properties() {
    return Map.of();
  }
}
