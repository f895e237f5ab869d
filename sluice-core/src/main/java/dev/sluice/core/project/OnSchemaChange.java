package dev.sluice.core.project;

/**
 * What an incremental model's update does when the columns of its SQL no longer match its table's
 * ({@code on_schema_change:}, as in dbt, with dbt's default). The run's step detail says what
 * happened.
 */
public enum OnSchemaChange {
  /** The table keeps its columns: new columns are not added, removed ones are NULL in new rows. */
  IGNORE,
  /** Any added, removed or retyped column fails the step; nothing is written. */
  FAIL,
  /** New columns are added (NULL in the rows already there); removed ones are kept (NULL). */
  APPEND_NEW_COLUMNS,
  /** The table's columns become the SQL's: new ones added, removed ones dropped, types synced. */
  SYNC_ALL_COLUMNS
}
