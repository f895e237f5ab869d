package dev.sluice.lake;

import static java.util.Objects.requireNonNull;

import org.apache.iceberg.expressions.Expression;

/**
 * What one commit of a {@link TableWrite} does to the table's data. Branch, delete and rewrite
 * operations join this sealed type, each handled by the one commit path of {@link PendingWrite}.
 */
public sealed interface WriteOperation {
  /** Adds the files; the table's rows stay. Appends of other writers meanwhile are kept. */
  record Append() implements WriteOperation {}

  /**
   * The files replace all of the table's data. On main it fails when another writer added or
   * removed rows since the write started.
   */
  record ReplaceAll() implements WriteOperation {}

  /**
   * The files replace the rows that match {@code rows} (the partitions a step rebuilt); the rest of
   * the table is untouched. It fails when another writer wrote rows matching {@code rows} since the
   * write started, and each existing data file must lie wholly inside or outside {@code rows}.
   */
  record OverwriteRows(Expression rows) implements WriteOperation {
    public OverwriteRows {
      requireNonNull(rows, "rows is null");
    }
  }

  /**
   * A merge's copy-on-write: {@code rewrite}'s files are removed and the files added. It fails when
   * another writer added or removed data since the snapshot the merge read.
   */
  record RewriteFiles(FileRewrite rewrite) implements WriteOperation {
    public RewriteFiles {
      requireNonNull(rewrite, "rewrite is null");
    }
  }

  /**
   * Deletes the rows that match {@code rows}, copy-on-write: {@code rewrite}'s files (those holding
   * a matching row) are removed and the commit's files, written with their other rows, are added,
   * so no data file of the new snapshot holds a deleted row. It fails when another writer wrote
   * rows matching {@code rows} since the snapshot the files were read at.
   */
  record DeleteRows(Expression rows, FileRewrite rewrite) implements WriteOperation {
    public DeleteRows {
      requireNonNull(rows, "rows is null");
      requireNonNull(rewrite, "rewrite is null");
    }
  }

  /**
   * Table maintenance's rewrite of data files into fewer or better ordered ones with the same rows
   * (Iceberg's {@code RewriteFiles}): {@code rewrite}'s files are replaced by the commit's files.
   * Rows other writers appended meanwhile are kept (an append does not conflict); it fails when
   * another writer removed one of the rewritten files since the snapshot they were read at. Like a
   * delete, it carries the table's load state ({@link CarriedState}).
   */
  record Compact(FileRewrite rewrite) implements WriteOperation {
    public Compact {
      requireNonNull(rewrite, "rewrite is null");
      if (rewrite.readSnapshotId() == null) {
        throw new IllegalArgumentException("A compaction reads a snapshot of the table");
      }
    }
  }

  /**
   * Whether the operation leaves the table's loaded data as it is (the same rows, or fewer by a
   * delete): such a commit carries the table's load state forward.
   */
  default boolean carriesLoadState() {
    return this instanceof DeleteRows || this instanceof Compact;
  }

  static WriteOperation compact(FileRewrite rewrite) {
    return new Compact(rewrite);
  }

  static WriteOperation append() {
    return new Append();
  }

  static WriteOperation replaceAll() {
    return new ReplaceAll();
  }

  static WriteOperation overwriteRows(Expression rows) {
    return new OverwriteRows(rows);
  }

  static WriteOperation rewriteFiles(FileRewrite rewrite) {
    return new RewriteFiles(rewrite);
  }

  static WriteOperation deleteRows(Expression rows, FileRewrite rewrite) {
    return new DeleteRows(rows, rewrite);
  }
}
