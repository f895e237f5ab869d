package dev.sluice.core.state;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * What a table held in storage when it was measured (from its Iceberg metadata).
 *
 * @param liveBytes data its current snapshot reads
 * @param oldSnapshotBytes data only older snapshots, branches or tags still reference
 * @param metadataBytes metadata files, manifest lists and manifests
 */
public record StorageSample(
    String table,
    Instant measuredAt,
    long liveBytes,
    long liveFiles,
    long oldSnapshotBytes,
    long oldSnapshotFiles,
    long metadataBytes,
    int snapshots) {
  public StorageSample {
    requireNonNull(table, "table is null");
    requireNonNull(measuredAt, "measuredAt is null");
  }

  /** All the bytes the table held. */
  public long totalBytes() {
    return liveBytes + oldSnapshotBytes + metadataBytes;
  }
}
