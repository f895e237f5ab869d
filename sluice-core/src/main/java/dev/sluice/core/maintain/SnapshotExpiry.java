package dev.sluice.core.maintain;

import dev.sluice.api.TableName;
import java.time.Instant;

/**
 * What {@code keep_snapshots:} expired of one table.
 *
 * @param olderThan snapshots older than this were expired (the current one is always kept)
 * @param snapshotsExpired how many snapshots were expired
 * @param filesDeleted files deleted from storage with them
 */
public record SnapshotExpiry(
    TableName table, Instant olderThan, int snapshotsExpired, int filesDeleted) {}
