package dev.sluice.api.engine;

/** How an engine matches the columns of a table's data files to the table's columns. */
public enum ColumnMapping {
  /**
   * By Iceberg field id: correct whatever happened to the table's columns since its files were
   * written (renames, drops, columns re-added under an old name).
   */
  FIELD_ID,

  /**
   * By name: only for tables whose every schema, now and in their history, has the same columns
   * (ids, names and types) as the schema read, so that every data file carries the current names.
   * Engines may read such files faster (DuckDB's field-id reads cost several times more on joins).
   */
  NAME
}
