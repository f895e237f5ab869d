package dev.sluice.connectors.cdc;

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
import java.util.Set;

/** The connector contract, kept by the postgres_cdc connector on a real embedded PostgreSQL. */
class PostgresCdcConnectorContractTest extends ConnectorContractTest {
  @Override
  protected SourceConnector connector() {
    return new PostgresCdcConnector();
  }

  @Override
  protected ConnectorFixture newFixture() {
    return new CdcFixture(TestPostgres.logicalReplication().createDatabase());
  }

  /**
   * A table {@code items(id bigint primary key, name text)} in a database of its own; incremental
   * loads read its changes, full loads a new snapshot each time.
   */
  static final class CdcFixture implements ConnectorFixture {
    private final PostgresDatabase database;

    CdcFixture(PostgresDatabase database) {
      this.database = database;
      database.execute("CREATE TABLE items (id bigint PRIMARY KEY, name text)");
    }

    @Override
    public void addRows(long fromId, long toId) {
      database.execute(
          "INSERT INTO items SELECT i, 'name-' || i FROM generate_series("
              + fromId
              + ", "
              + toId
              + ") AS i");
    }

    /** PostgreSQL holds only values of a column's type, all of which the connector stores. */
    @Override
    public void addBadRecord() {
      throw new UnsupportedOperationException("PostgreSQL enforces the column types");
    }

    @Override
    public SourceTableSpec table(boolean incremental, boolean quarantine) {
      return spec(Map.of("mode", incremental ? "incremental" : "full"), quarantine);
    }

    @Override
    public SourceTableSpec tableWithInvalidOptions() {
      return spec(Map.of("max_events", "-1"), false);
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

    /** Merges of changes carry the delete marker. */
    @Override
    public Set<String> addedColumns() {
      return Set.of(PostgresCdcConnector.DELETED);
    }

    @Override
    public boolean quarantines() {
      return false;
    }

    @Override
    public void close() {
      database.dropSlots();
    }
  }
}
