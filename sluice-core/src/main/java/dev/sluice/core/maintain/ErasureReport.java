package dev.sluice.core.maintain;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import java.util.List;

/**
 * What an erasure removed, or in a dry run would remove.
 *
 * @param subject the subject
 * @param dryRun whether nothing was changed
 * @param tables each table deleted from or rebuilt, in graph order
 * @param notes what needed nothing, or needs the user (a seed's file)
 * @param rebuildRunId the run that rebuilt the downstream aggregates, or null
 * @param rebuildSucceeded whether that run succeeded (true when there was none)
 */
public record ErasureReport(
    ErasureSubject subject,
    boolean dryRun,
    List<TableErasure> tables,
    List<String> notes,
    String rebuildRunId,
    boolean rebuildSucceeded) {
  public ErasureReport {
    requireNonNull(subject, "subject is null");
    tables = List.copyOf(tables);
    notes = List.copyOf(notes);
  }

  /** Why a table is part of the erasure. */
  public enum Reason {
    /** It has a column holding the subject's identifier: the subject's rows are deleted. */
    HOLDS_SUBJECT,
    /** The rejected records of such a source table: those holding the value are deleted. */
    REJECTED_RECORDS,
    /** A model aggregating the subject's rows without the identifier: rebuilt in full. */
    REBUILT
  }

  /**
   * One table's part.
   *
   * @param table the table
   * @param reason why
   * @param columns the columns holding the identifier (empty for a rebuilt table)
   * @param rows the rows removed (or that would be)
   * @param snapshotId the deleting commit, or null
   * @param snapshotsExpired snapshots expired, so time travel cannot find the rows
   * @param filesDeleted files deleted with them
   */
  public record TableErasure(
      TableName table,
      Reason reason,
      List<String> columns,
      long rows,
      Long snapshotId,
      int snapshotsExpired,
      int filesDeleted) {
    public TableErasure {
      requireNonNull(table, "table is null");
      requireNonNull(reason, "reason is null");
      columns = List.copyOf(columns);
    }
  }

  /** Rows removed from all tables (rebuilt tables not counted). */
  public long rowsRemoved() {
    return tables.stream().mapToLong(TableErasure::rows).sum();
  }

  /** Snapshots expired in all tables. */
  public int snapshotsExpired() {
    return tables.stream().mapToInt(TableErasure::snapshotsExpired).sum();
  }
}
