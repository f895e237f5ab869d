package dev.sluice.connectors.jdbc;

/**
 * The {@code postgres} connector: reads a table, view or query of a PostgreSQL database with the
 * PostgreSQL JDBC driver. Types map as {@link PostgresDialect} says; a chunked full read sees one
 * snapshot exported by its coordinating transaction.
 */
public final class PostgresConnector extends JdbcSourceConnector {
  public PostgresConnector() {
    super(new PostgresDialect());
  }

  @Override
  public String description() {
    return "tables, views and queries of a PostgreSQL database, full (in parallel key-range chunks)"
        + " or incremental on a cursor";
  }
}
