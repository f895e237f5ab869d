package dev.sluice.core.state;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * What the run store knows of one partition of a partitioned asset.
 *
 * @param status {@link PartitionStatus#MATERIALIZED} when its last build succeeded, else {@link
 *     PartitionStatus#FAILED}
 * @param runId the run of its last build
 * @param updatedAt when its last build ended
 * @param materializedAt when it was last built successfully, or null if never
 * @param rows the rows its last successful build wrote, or null
 * @param error why the last build failed, or null
 * @param inputs the snapshot id of each table its last successful build read, by table name; empty
 *     when not known (built before Sluice recorded them)
 */
public record PartitionState(
    String asset,
    String partition,
    PartitionStatus status,
    String runId,
    Instant updatedAt,
    Instant materializedAt,
    Long rows,
    Long snapshotId,
    String error,
    java.util.Map<String, Long> inputs) {
  public PartitionState {
    requireNonNull(asset, "asset is null");
    requireNonNull(partition, "partition is null");
    requireNonNull(status, "status is null");
    requireNonNull(updatedAt, "updatedAt is null");
    inputs = inputs == null ? java.util.Map.of() : java.util.Map.copyOf(inputs);
  }

  public boolean materialized() {
    return materializedAt != null;
  }
}
