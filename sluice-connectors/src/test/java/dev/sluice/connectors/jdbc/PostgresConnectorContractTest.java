package dev.sluice.connectors.jdbc;

import dev.sluice.api.connector.ReplayWindow;
import dev.sluice.api.connector.SourceConnector;
import dev.sluice.api.connector.SourceTableSpec;
import dev.sluice.connector.testkit.ConnectorContractTest;
import dev.sluice.connector.testkit.ConnectorFixture;
import dev.sluice.connector.testkit.PostgresDatabase;
import dev.sluice.connector.testkit.TestPostgres;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The connector contract, kept by the postgres connector on a real embedded PostgreSQL. */
class PostgresConnectorContractTest extends ConnectorContractTest {
  @Override
  protected SourceConnector connector() {
    return new PostgresConnector();
  }

  @Override
  protected ConnectorFixture newFixture() {
    return new PostgresFixture(TestPostgres.newDatabase());
  }

  /**
   * A table {@code items(id bigint primary key, name text, tags int[])} in a database of its own;
   * incremental loads use {@code id} as cursor and key.
   */
  static final class PostgresFixture implements ConnectorFixture {
    private final PostgresDatabase database;

    PostgresFixture(PostgresDatabase database) {
      this.database = database;
      database.execute("CREATE TABLE items (id bigint PRIMARY KEY, name text, tags int[])");
    }

    @Override
    public void addRows(long fromId, long toId) {
      database.execute(
          "INSERT INTO items SELECT i, 'name-' || i, ARRAY[1, 2] FROM generate_series("
              + fromId
              + ", "
              + toId
              + ") AS i");
    }

    /** A two-dimensional array, which no Iceberg type holds. */
    @Override
    public void addBadRecord() {
      database.execute("INSERT INTO items VALUES (999, 'name-999', '{{1,2},{3,4}}')");
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
      options.put("url", database.jdbcUrl());
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
