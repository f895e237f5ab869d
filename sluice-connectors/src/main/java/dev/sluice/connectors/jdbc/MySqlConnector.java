package dev.sluice.connectors.jdbc;

/**
 * The {@code mysql} connector: reads a table, view or query of a MySQL or MariaDB database with the
 * MariaDB JDBC driver. Types map as {@link MySqlDialect} says; each chunk of a chunked full read is
 * a consistent snapshot of its own.
 */
public final class MySqlConnector extends JdbcSourceConnector {
  public MySqlConnector() {
    super(new MySqlDialect());
  }

  @Override
  public String description() {
    return "tables, views and queries of a MySQL or MariaDB database, full (in parallel key-range"
        + " chunks) or incremental on a cursor";
  }
}
