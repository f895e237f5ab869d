package dev.sluice.connectors.jdbc;

import dev.sluice.api.connector.ReplayWindow;
import dev.sluice.api.connector.SourceConnector;
import dev.sluice.api.connector.SourceTableSpec;
import dev.sluice.connector.testkit.ConnectorContractTest;
import dev.sluice.connector.testkit.ConnectorFixture;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The connector contract, kept by the mysql connector on a real MariaDB server. */
class MySqlConnectorContractTest extends ConnectorContractTest {
  @BeforeAll
  static void requireMariaDb() {
    TestMariaDb.requireServer();
  }

  @AfterAll
  static void stopMariaDb() {
    TestMariaDb.stop();
  }

  @Override
  protected SourceConnector connector() {
    return new MySqlConnector();
  }

  @Override
  protected ConnectorFixture newFixture() {
    return new MariaDbFixture(TestMariaDb.newDatabase());
  }

  /**
   * A table {@code items(id bigint primary key, name text, price decimal(10,2))} in a database of
   * its own; incremental loads use {@code id} as cursor and key.
   */
  static final class MariaDbFixture implements ConnectorFixture {
    private final TestMariaDb.Database database;

    MariaDbFixture(TestMariaDb.Database database) {
      this.database = database;
      database.execute(
          "CREATE TABLE items (id bigint PRIMARY KEY, name text, price decimal(10,2))");
    }

    @Override
    public void addRows(long fromId, long toId) {
      database.execute(
          "INSERT INTO items SELECT seq, CONCAT('name-', seq), seq / 4 FROM seq_"
              + fromId
              + "_to_"
              + toId);
    }

    /** Every value MySQL stores has an Iceberg type, so there is no bad record to add. */
    @Override
    public void addBadRecord() {
      throw new UnsupportedOperationException("every MySQL value maps to an Iceberg type");
    }

    @Override
    public SourceTableSpec table(boolean incremental, boolean quarantine) {
      Map<String, String> options = new LinkedHashMap<>();
      if (incremental) {
        options.put("mode", "incremental");
        options.put("cursor", "id");
        options.put("primary_key", "id");
      }
      return spec(options, quarantine);
    }

    @Override
    public SourceTableSpec tableWithInvalidOptions() {
      return spec(Map.of("mode", "incremental"), false);
    }

    private SourceTableSpec spec(Map<String, String> extra, boolean quarantine) {
      Map<String, String> options = new LinkedHashMap<>();
      options.put("url", database.url());
      options.put("user", database.user());
      options.put("password", database.password());
      options.putAll(extra);
      return new SourceTableSpec(
          "shop", "items", Path.of("."), false, quarantine, options, List.of());
    }

    /** Connector tables do not quarantine: a value that cannot be stored fails the load. */
    @Override
    public boolean quarantines() {
      return false;
    }

    @Override
    public ReplayWindow windowCoveringAllRows() {
      return new ReplayWindow("1", null);
    }

    @Override
    public void close() {}
  }
}
