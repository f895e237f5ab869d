package dev.sluice.core.state;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What one step wrote to one table, or to one partition of it: rows, bytes, files and a profile of
 * each column, measured on the data written (not the whole table).
 *
 * @param table the table written, e.g. {@code curated.orders}
 * @param partition the partition written (its key, e.g. {@code 2024-03-01}), or null for a table
 *     that is not partitioned
 * @param rowCount rows written, never negative
 * @param bytes bytes of the data files written, never negative
 * @param files data files written, never negative
 * @param columns one profile per column, in the table's order
 */
public record TableProfile(
    String table,
    String partition,
    long rowCount,
    long bytes,
    long files,
    List<ColumnProfile> columns) {
  public TableProfile {
    requireNonNull(table, "table is null");
    requireNonNull(columns, "columns is null");
    if (rowCount < 0 || bytes < 0 || files < 0) {
      throw new IllegalArgumentException(
          String.format(
              "Metrics of %s must not be negative: %d rows, %d bytes, %d files",
              table, rowCount, bytes, files));
    }
    columns = List.copyOf(columns);
  }

  /** The profile of a column, or null when the table has no column of that name. */
  public ColumnProfile column(String name) {
    for (ColumnProfile column : columns) {
      if (column.name().equalsIgnoreCase(name)) {
        return column;
      }
    }
    return null;
  }
}
