package dev.sluice.lineage;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A set of column dependencies that keeps, per input column, the closest one. */
final class Dependencies {
  private final Map<ColumnRef, ColumnDependency> byColumn = new LinkedHashMap<>();

  void add(ColumnDependency dependency) {
    byColumn.merge(
        dependency.column(),
        dependency,
        (previous, next) -> next.rank() < previous.rank() ? next : previous);
  }

  void addAll(Collection<ColumnDependency> dependencies) {
    dependencies.forEach(this::add);
  }

  List<ColumnDependency> sorted() {
    return byColumn.values().stream().sorted().toList();
  }
}
