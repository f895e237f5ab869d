package dev.sluice.lineage;

import static java.util.Objects.requireNonNull;

/**
 * An input column an output column is computed from.
 *
 * @param carriesValues whether the output can hold the input's values: true for direct copies and
 *     transformations, and for aggregates that pick or concatenate input values ({@code min},
 *     {@code max}, {@code first}, {@code last}, {@code any_value}, {@code arg_min}/{@code arg_max}
 *     of their first argument, {@code string_agg}, {@code list}, {@code mode}, {@code lag}, {@code
 *     lead}, {@code first_value}, ...); false for aggregates that compute a new value ({@code
 *     count}, {@code sum}, {@code avg}, {@code rank}, ...) and for a window's partition and order
 *     columns. Classification tags flow only along dependencies that carry values.
 */
public record ColumnDependency(ColumnRef column, DependencyKind kind, boolean carriesValues)
    implements Comparable<ColumnDependency> {
  public ColumnDependency {
    requireNonNull(column, "column is null");
    requireNonNull(kind, "kind is null");
  }

  /** A direct copy of a column. */
  public static ColumnDependency direct(ColumnRef column) {
    return new ColumnDependency(column, DependencyKind.DIRECT, true);
  }

  /** This dependency read through an outer step of kind {@code outer}. */
  ColumnDependency through(DependencyKind outer, boolean outerCarries) {
    return new ColumnDependency(column, outer.then(kind), outerCarries && carriesValues);
  }

  /**
   * How close the dependency is, for choosing between two of the same column: 0 direct, 1
   * transformation, 2 an aggregation that carries values, 3 one that does not.
   */
  public int rank() {
    return switch (kind) {
      case DIRECT -> 0;
      case TRANSFORMATION -> 1;
      case AGGREGATION -> carriesValues ? 2 : 3;
    };
  }

  @Override
  public int compareTo(ColumnDependency other) {
    int byColumn = column.compareTo(other.column);
    return byColumn != 0 ? byColumn : Integer.compare(rank(), other.rank());
  }

  @Override
  public String toString() {
    return column
        + " ("
        + kind.label()
        + (kind == DependencyKind.AGGREGATION && carriesValues ? ", carries values)" : ")");
  }
}
