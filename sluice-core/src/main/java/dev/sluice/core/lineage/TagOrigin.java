package dev.sluice.core.lineage;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import dev.sluice.lineage.ColumnRef;
import dev.sluice.lineage.DependencyKind;

/**
 * Why a column holds a classification tag: declared on it, or inherited from an input column.
 *
 * @param tag the tag
 * @param declaredAt where the tag is declared, for a declared tag; null for an inherited one
 * @param from the input column it is inherited from, for an inherited tag; null for a declared one
 * @param kind how the column depends on {@code from} (direct or transformation, or an aggregation
 *     that carries values); null for a declared tag
 */
public record TagOrigin(String tag, Location declaredAt, ColumnRef from, DependencyKind kind) {
  public TagOrigin {
    requireNonNull(tag, "tag is null");
    if ((declaredAt == null) == (from == null)) {
      throw new IllegalArgumentException("A tag is either declared or inherited: " + tag);
    }
  }

  public boolean declared() {
    return declaredAt != null;
  }

  @Override
  public String toString() {
    return declared()
        ? tag + " declared at " + declaredAt
        : tag + " inherited from " + from + " (" + kind.label() + ")";
  }
}
