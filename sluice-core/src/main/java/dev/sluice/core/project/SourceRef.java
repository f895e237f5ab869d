package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

/** A model's use of a source table: {@code {{ source('shop', 'orders') }}}. */
public record SourceRef(String source, String table) {
  public SourceRef {
    requireNonNull(source, "source is null");
    requireNonNull(table, "table is null");
  }

  /** The source table's asset name, e.g. {@code shop.orders}. */
  public String assetName() {
    return source + "." + table;
  }
}
