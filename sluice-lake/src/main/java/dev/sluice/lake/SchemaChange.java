package dev.sluice.lake;

/** How a write's schema is reconciled with its table's schema. */
public enum SchemaChange {
  /** The table's columns become exactly the new columns, in their order (a full replace). */
  REPLACE,
  /** New columns are added and types widened; existing columns stay (appends and merges). */
  UNION
}
