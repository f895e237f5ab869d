package dev.sluice.core.state;

/** How the last build of a partition ended. */
public enum PartitionStatus {
  /** It succeeded: the partition holds the rows of that build. */
  MATERIALIZED,
  /** It failed. */
  FAILED
}
