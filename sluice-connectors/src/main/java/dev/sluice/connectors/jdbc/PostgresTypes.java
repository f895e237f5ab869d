package dev.sluice.connectors.jdbc;

import static java.util.Objects.requireNonNull;

import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.List;
import org.apache.iceberg.types.Type;

/**
 * The Iceberg types the {@code postgres} connector stores PostgreSQL columns as (see {@link
 * PostgresDialect}), for other connectors reading PostgreSQL, such as {@code postgres_cdc}, so that
 * a column is stored alike whichever connector loads it.
 */
public final class PostgresTypes {
  private PostgresTypes() {}

  /**
   * A column of a PostgreSQL result.
   *
   * @param name the column's name
   * @param postgresType the PostgreSQL type name, e.g. {@code timestamptz} or {@code _int4}
   * @param type the Iceberg type its values are stored as
   */
  public record Column(String name, String postgresType, Type type) {
    public Column {
      requireNonNull(name, "name is null");
      requireNonNull(postgresType, "postgresType is null");
      requireNonNull(type, "type is null");
    }
  }

  /** The columns of a result (e.g. of {@code SELECT * FROM t WHERE false}), in order. */
  public static List<Column> columns(ResultSetMetaData metadata) throws SQLException {
    return new PostgresDialect()
        .columns(metadata).stream()
            .map(column -> new Column(column.name(), column.sourceType(), column.type()))
            .toList();
  }
}
