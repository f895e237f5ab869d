package dev.sluice.lineage;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import java.util.Comparator;
import java.util.Locale;

/**
 * A column of a table, named as the warehouse names it. The column name is kept in lower case: SQL
 * identifiers are not case-sensitive.
 */
public record ColumnRef(TableName table, String column) implements Comparable<ColumnRef> {
  private static final Comparator<ColumnRef> ORDER =
      Comparator.comparing((ColumnRef ref) -> ref.table().toString())
          .thenComparing(ColumnRef::column);

  public ColumnRef {
    requireNonNull(table, "table is null");
    requireNonNull(column, "column is null");
    column = column.toLowerCase(Locale.ROOT);
  }

  /** {@code zone.table.column}. */
  @Override
  public String toString() {
    return table + "." + column;
  }

  @Override
  public int compareTo(ColumnRef other) {
    return ORDER.compare(this, other);
  }
}
