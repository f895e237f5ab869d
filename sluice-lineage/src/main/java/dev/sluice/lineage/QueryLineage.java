package dev.sluice.lineage;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The column-level lineage of one query: every output column in order with its inputs, and the
 * columns that decide which rows it returns (filters, joins, grouping), from all its parts (CTEs,
 * subqueries, union branches).
 */
public record QueryLineage(List<OutputColumn> columns, List<ConditionDependency> conditions) {
  public QueryLineage {
    requireNonNull(columns, "columns is null");
    requireNonNull(conditions, "conditions is null");
    columns = List.copyOf(columns);
    conditions = List.copyOf(conditions);
  }

  /** The output column of that name (not case-sensitive). */
  public Optional<OutputColumn> column(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return columns.stream()
        .filter(column -> column.name().toLowerCase(Locale.ROOT).equals(lower))
        .findFirst();
  }
}
