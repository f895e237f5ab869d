package dev.sluice.core.project;

/** How a run stores a model's result. */
public enum Materialization {
  /** An Iceberg view: reads always see the current upstream data. */
  VIEW,
  /** Recompute the result and replace the table atomically (the default). */
  TABLE,
  /** Like TABLE on the first run; later runs append or, with a unique key, merge the result. */
  INCREMENTAL
}
