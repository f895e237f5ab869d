package dev.sluice.lineage;

import static java.util.Objects.requireNonNull;

/**
 * An input column a query uses to filter, join or group its rows: it decides which rows the result
 * has, not the values of one output column.
 */
public record ConditionDependency(ColumnRef column, ConditionClause clause)
    implements Comparable<ConditionDependency> {
  public ConditionDependency {
    requireNonNull(column, "column is null");
    requireNonNull(clause, "clause is null");
  }

  @Override
  public int compareTo(ConditionDependency other) {
    int byColumn = column.compareTo(other.column);
    return byColumn != 0 ? byColumn : clause.compareTo(other.clause);
  }

  @Override
  public String toString() {
    return column + " (" + clause.label() + ")";
  }
}
