package dev.sluice.core.maintain;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.DataException;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.api.engine.WrittenFile;
import dev.sluice.lake.DataFileScan;
import dev.sluice.lake.ExpiredSnapshots;
import dev.sluice.lake.FileRewrite;
import dev.sluice.lake.Lake;
import dev.sluice.lake.PendingWrite;
import dev.sluice.lake.ReadPoint;
import dev.sluice.lake.TableScanFiles;
import dev.sluice.lake.TableWrite;
import dev.sluice.lake.WriteOperation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.expressions.Expression;

/**
 * Deletes the rows of a table that match a predicate in one Iceberg commit through the lake's write
 * path ({@link WriteOperation.DeleteRows}, copy-on-write: files whose rows all match are removed,
 * files with some matching rows are rewritten with the others), then expires every snapshot before
 * that commit and deletes the files only they referenced, so that time travel cannot bring the rows
 * back. Retention and erasure delete through it.
 */
final class RowDeletion {
  private static final String FILE_COLUMN = "_sluice_data_file";

  /** Where the files a deletion reads are registered in the session, apart from the table. */
  private static final String SCRATCH_ZONE = "sluice_deletion";

  private final Lake lake;
  private final EngineSession session;

  RowDeletion(Lake lake, EngineSession session) {
    this.lake = requireNonNull(lake, "lake is null");
    this.session = requireNonNull(session, "session is null");
  }

  /**
   * The rows to delete: {@code filter} selects the files that may hold them (Iceberg's scan
   * planning and the commit's conflict check), {@code sql} is the engine's predicate of exactly
   * those rows over the table's columns, quoted and with literals only.
   */
  record Rows(Expression filter, String sql) {
    Rows {
      requireNonNull(filter, "filter is null");
      requireNonNull(sql, "sql is null");
    }
  }

  /**
   * What a deletion removed.
   *
   * @param rows rows deleted (counted before the commit; in a dry run, what would be deleted)
   * @param filesRemoved data files removed, wholly or to be rewritten
   * @param filesRewritten data files written anew with the rows that stay
   * @param snapshotId the deleting commit, or null when nothing matched (or a dry run)
   * @param snapshotsExpired snapshots expired after the commit
   * @param filesDeleted files deleted with them (data files, manifests, manifest lists)
   */
  record Deleted(
      long rows,
      int filesRemoved,
      int filesRewritten,
      Long snapshotId,
      int snapshotsExpired,
      int filesDeleted) {
    static final Deleted NONE = new Deleted(0, 0, 0, null, 0, 0);
  }

  /** How many of the table's rows match, without changing anything. */
  long count(TableName name, Rows rows) {
    DataFileScan scan = lake.scanDataFiles(name, ReadPoint.main(), rows.filter());
    if (scan.read().dataFiles().isEmpty()) {
      return 0;
    }
    return matchesByFile(name, scan.read(), rows).values().stream()
        .mapToLong(counts -> counts[0])
        .sum();
  }

  /**
   * Deletes the matching rows in one commit whose summary carries {@code summary}, then expires the
   * snapshots before it.
   */
  Deleted delete(TableName name, Rows rows, String writer, Map<String, String> summary) {
    TableWrite write = lake.newWrite(name, writer);
    DataFileScan scan = lake.scanDataFiles(name, ReadPoint.main(), rows.filter());
    TableScanFiles read = scan.read();
    if (read.dataFiles().isEmpty()) {
      write.discard();
      return Deleted.NONE;
    }
    List<DataFile> removed = new ArrayList<>();
    List<DataFile> added = new ArrayList<>();
    long deleted = 0;
    for (Map.Entry<String, long[]> file : matchesByFile(name, read, rows).entrySet()) {
      long matching = file.getValue()[0];
      long all = file.getValue()[1];
      if (matching == 0) {
        continue;
      }
      deleted += matching;
      DataFile original = scan.file(file.getKey());
      removed.add(original);
      if (matching < all) {
        added.add(rewrite(write, name, read, file.getKey(), original, rows.sql()));
      }
    }
    if (removed.isEmpty()) {
      write.discard();
      return Deleted.NONE;
    }
    PendingWrite commit =
        write
            .newCommit(
                WriteOperation.deleteRows(
                    rows.filter(), new FileRewrite(read.snapshotId(), removed)))
            .addFiles(added);
    // the lake's write path carries the load state across the deletion (CarriedState)
    summary.forEach(commit::set);
    long snapshotId = commit.commit();
    Snapshot committed = lake.loadTable(name).snapshot(snapshotId);
    // every snapshot before the delete still references the deleted rows' files
    ExpiredSnapshots expired =
        lake.expireSnapshots(name, Instant.ofEpochMilli(committed.timestampMillis() + 1));
    return new Deleted(
        deleted,
        removed.size(),
        added.size(),
        snapshotId,
        expired.snapshots(),
        expired.deletedFiles().size());
  }

  /** For each data file: {matching rows, all rows}. */
  private Map<String, long[]> matchesByFile(TableName name, TableScanFiles read, Rows rows) {
    TableName files = new TableName(SCRATCH_ZONE, name.name());
    session.registerTableWithFiles(
        files, read.schema(), read.dataFiles(), read.columnMapping(), FILE_COLUMN);
    QueryResult counts =
        session.query(
            "SELECT "
                + TableName.quote(FILE_COLUMN)
                + ", count(*) FILTER (WHERE "
                + rows.sql()
                + "), count(*) FROM "
                + files.quoted()
                + " GROUP BY 1",
            Integer.MAX_VALUE);
    Map<String, long[]> byFile = new java.util.LinkedHashMap<>();
    for (List<Object> row : counts.rows()) {
      byFile.put(
          (String) row.get(0),
          new long[] {((Number) row.get(1)).longValue(), ((Number) row.get(2)).longValue()});
    }
    return byFile;
  }

  /** A file's other rows, written to a new file of the same partition. */
  private DataFile rewrite(
      TableWrite write,
      TableName name,
      TableScanFiles read,
      String path,
      DataFile original,
      String sql) {
    TableName one = new TableName(SCRATCH_ZONE, name.name() + "_file");
    session.registerTable(one, read.schema(), List.of(path), read.columnMapping());
    WrittenFile kept =
        write.writeDataFile(
            session,
            "SELECT * FROM " + one.quoted() + " WHERE NOT COALESCE(" + sql + ", false)",
            write.table().schema());
    if (write.table().spec().isUnpartitioned()) {
      return write.toDataFile(kept);
    }
    if (original.specId() != write.table().spec().specId()) {
      throw new DataException(
          "Table "
              + name
              + " has data files of an older partition spec; rebuild it with --full-refresh before"
              + " rows of them can be deleted");
    }
    return write.toDataFile(kept, original.partition());
  }
}
