package dev.sluice.core.state;

import dev.sluice.connector.testkit.PostgresDatabase;
import dev.sluice.connector.testkit.TestPostgres;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The audit log on a real PostgreSQL server, each test in a new database of its own. */
class PostgresAuditLogTest extends AuditLogContractTest {
  private PostgresDatabase database;

  @Override
  String jdbcUrl() {
    return database.jdbcUrl();
  }

  @Override
  Map<String, String> properties() {
    return database.credentials();
  }

  @BeforeEach
  @Override
  void openStore() {
    database = TestPostgres.newDatabase();
    super.openStore();
  }

  @AfterEach
  @Override
  void closeStore() {
    try {
      super.closeStore();
    } finally {
      database.close();
    }
  }
}
