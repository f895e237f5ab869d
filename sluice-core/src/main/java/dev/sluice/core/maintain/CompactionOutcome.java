package dev.sluice.core.maintain;

import dev.sluice.api.TableName;

/**
 * What a compaction or layout rewrite did to one table, or would do in a dry run.
 *
 * @param kind {@code compact} (bin-pack), {@code sort} ({@code sort_by}) or {@code cluster}
 *     (Z-order of {@code cluster_by})
 * @param filesBefore live data files before
 * @param filesAfter live data files after (in a dry run: expected)
 * @param bytesBefore bytes of live data files before
 * @param bytesAfter bytes after (in a dry run: as before)
 * @param filesRewritten data files removed by the rewrite (in a dry run: to be)
 * @param filesWritten data files written (in a dry run: expected)
 * @param groups groups of files rewritten, each within one partition
 * @param snapshotId the rewrite's commit, or null when nothing was committed
 * @param attempts plans made: a second when another writer removed a file being rewritten
 * @param skipped why nothing was rewritten, or null
 */
public record CompactionOutcome(
    TableName table,
    String kind,
    long filesBefore,
    long filesAfter,
    long bytesBefore,
    long bytesAfter,
    int filesRewritten,
    int filesWritten,
    int groups,
    Long snapshotId,
    int attempts,
    String skipped,
    boolean dryRun) {

  static CompactionOutcome nothing(
      TableName table, String kind, long files, long bytes, String reason) {
    return new CompactionOutcome(
        table, kind, files, files, bytes, bytes, 0, 0, 0, null, 1, reason, false);
  }
}
