package dev.sluice.core.maintain;

import dev.sluice.api.TableName;
import java.time.Instant;

/**
 * What retention did to one table.
 *
 * @param cutoff rows whose retention column is before this were deleted
 * @param rowsDeleted how many rows were deleted
 * @param filesRemoved the data files the commit removed (rewritten or wholly expired)
 * @param filesWritten the data files written with the kept rows of partly expired files
 * @param snapshotId the snapshot of the delete commit, or null when no row had expired
 * @param snapshotsExpired snapshots expired after the commit (time travel to them now fails)
 * @param filesDeleted files deleted from storage with the expired snapshots
 */
public record RetentionOutcome(
    TableName table,
    String column,
    Instant cutoff,
    long rowsDeleted,
    int filesRemoved,
    int filesWritten,
    Long snapshotId,
    int snapshotsExpired,
    int filesDeleted) {}
