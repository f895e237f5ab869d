package dev.sluice.api.connector;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * The result of staging: a temporary table of good rows and one of rejected records.
 *
 * @param relation the temporary table with the data columns (plus {@code _source_file} for file
 *     sources), or null when nothing was new
 * @param rows how many rows it holds
 * @param rejectedRelation the temporary table of rejected records ({@code _source_file VARCHAR,
 *     _line BIGINT, _raw_record VARCHAR, _reason VARCHAR}), or null when none were rejected
 * @param rejectedRows how many records were rejected
 * @param files the files read (empty when nothing was new, and for sources that are not files)
 * @param state the connector's state to commit with the data (e.g. the last cursor value), handed
 *     back in {@link LoadState#state()} at the next load; empty for none
 * @param write how the rows go into the table, or null for what the table's {@code mode:} says
 */
public record StagedData(
    String relation,
    long rows,
    String rejectedRelation,
    long rejectedRows,
    List<SourceFile> files,
    Map<String, String> state,
    Write write) {
  public StagedData {
    files = List.copyOf(files);
    state = Map.copyOf(state);
  }

  public StagedData(
      String relation,
      long rows,
      String rejectedRelation,
      long rejectedRows,
      List<SourceFile> files) {
    this(relation, rows, rejectedRelation, rejectedRows, files, Map.of(), null);
  }

  /** Nothing new was found: there is no relation to write, and the state stays as it was. */
  public static StagedData nothingNew(Map<String, String> state) {
    return new StagedData(null, 0, null, 0, List.of(), state, null);
  }

  public boolean nothingNew() {
    return relation == null;
  }

  public long bytesRead() {
    return files.stream().mapToLong(SourceFile::sizeInBytes).sum();
  }

  /**
   * How staged rows are applied to the table.
   *
   * @param kind replace the table, append to it, or merge into it
   * @param keys for a merge, the columns that identify a row: a staged row replaces the table's
   *     rows with the same values in these columns
   * @param deleteColumn for a merge that also deletes (e.g. of a change stream), a boolean column
   *     of the staged rows: a staged row where it is true removes the table's rows with its key and
   *     is not written itself; the column is not written to the table. Null for none.
   */
  public record Write(Kind kind, List<String> keys, String deleteColumn) {
    /** The kinds of write. */
    public enum Kind {
      REPLACE,
      APPEND,
      MERGE
    }

    public Write {
      requireNonNull(kind, "kind is null");
      keys = List.copyOf(keys);
      if ((kind == Kind.MERGE) == keys.isEmpty()) {
        throw new IllegalArgumentException("A merge, and only a merge, has keys: " + kind + keys);
      }
      if (deleteColumn != null && (kind != Kind.MERGE || keys.contains(deleteColumn))) {
        throw new IllegalArgumentException(
            "Only a merge deletes, with a column that is not a key: " + kind + keys + deleteColumn);
      }
    }

    public Write(Kind kind, List<String> keys) {
      this(kind, keys, null);
    }

    public static Write replace() {
      return new Write(Kind.REPLACE, List.of());
    }

    public static Write append() {
      return new Write(Kind.APPEND, List.of());
    }

    public static Write merge(List<String> keys) {
      return new Write(Kind.MERGE, keys);
    }

    /**
     * A merge on {@code keys} in which staged rows whose {@code deleteColumn} is true delete the
     * table's row with their key instead of replacing it.
     */
    public static Write mergeWithDeletes(List<String> keys, String deleteColumn) {
      return new Write(Kind.MERGE, keys, requireNonNull(deleteColumn, "deleteColumn is null"));
    }
  }
}
