package dev.sluice.core.project;

/** How a run stores a model's result. */
public enum Materialization {
  /** An Iceberg view: reads always see the current upstream data. */
  VIEW,
  /** Recompute the result and replace the table atomically (the default). */
  TABLE,
  /** Like TABLE on the first run; later runs append or, with a unique key, merge the result. */
  INCREMENTAL,
  /**
   * Built one time partition (and static partition) at a time: the SQL receives the window as
   * {@code start} and {@code end}, and its rows replace exactly that partition.
   */
  INCREMENTAL_BY_TIME_RANGE,
  /** Built one partition of static values at a time; its rows replace exactly that partition. */
  INCREMENTAL_BY_PARTITION,
  /**
   * A type-2 slowly changing dimension, as dbt's snapshots: each run keeps the rows' earlier
   * versions and adds their changes ({@link SnapshotDef}).
   */
  SNAPSHOT,
  /**
   * dbt's ephemeral model: never built; the models that read it with {@code ref()} get its SQL as a
   * common table expression ({@link EphemeralModels}). It stays a node of the graph, for lineage
   * and selection.
   */
  EPHEMERAL;

  /** Whether models of this materialization are built at all (an ephemeral one is inlined). */
  public boolean built() {
    return this != EPHEMERAL;
  }

  /** Whether models of this materialization are built partition by partition. */
  public boolean partitioned() {
    return this == INCREMENTAL_BY_TIME_RANGE || this == INCREMENTAL_BY_PARTITION;
  }
}
