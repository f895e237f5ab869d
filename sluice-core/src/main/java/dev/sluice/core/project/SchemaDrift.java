package dev.sluice.core.project;

/**
 * What a load does when a source's columns no longer match its table's ({@code schema_drift:} of a
 * source or table).
 */
public enum SchemaDrift {
  /**
   * The table follows the source: new columns are added and types widened by Iceberg schema
   * evolution (a full load also drops columns the source no longer has); the run records what
   * changed.
   */
  EVOLVE,
  /**
   * The table's schema is fixed: a load whose columns differ (added, removed or retyped) fails with
   * the difference and commits nothing.
   */
  FREEZE,
  /**
   * The table keeps its columns: new columns of the source are dropped with a warning in the run,
   * and columns the source no longer has are loaded as NULL.
   */
  DISCARD
}
