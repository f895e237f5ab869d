package dev.sluice.core.lineage;

import static java.util.Objects.requireNonNull;

import dev.sluice.lineage.ColumnRef;
import dev.sluice.lineage.DependencyKind;

/**
 * A column reached by following column lineage from another, upstream or downstream.
 *
 * @param column the column reached
 * @param asset the asset whose table holds it
 * @param kind the dependency over the whole path: direct only if every step is a copy, aggregation
 *     if any step aggregates
 * @param carriesValues whether values flow along the whole path (see {@link
 *     dev.sluice.lineage.ColumnDependency#carriesValues()})
 * @param via the column one step back towards the start
 * @param distance how many models apart: 1 for a direct input or output
 */
public record TracedColumn(
    ColumnRef column,
    String asset,
    DependencyKind kind,
    boolean carriesValues,
    ColumnRef via,
    int distance) {
  public TracedColumn {
    requireNonNull(column, "column is null");
    requireNonNull(asset, "asset is null");
    requireNonNull(kind, "kind is null");
    requireNonNull(via, "via is null");
  }
}
