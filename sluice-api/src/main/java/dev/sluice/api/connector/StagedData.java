package dev.sluice.api.connector;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import dev.sluice.api.engine.EngineSession;
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
 * @param afterScan for a relation that reads the source itself (a view over the files, so that they
 *     are read once, while being written), what to do after its one scan; null when the relation
 *     holds the rows already. Until then {@code rows} and the rejected records are unknown (0 and
 *     null).
 * @param stateOnly true when nothing new was staged but {@code state} moved on and is committed on
 *     its own, in a snapshot without data (see {@link #stateOnly(Map)})
 */
public record StagedData(
    String relation,
    long rows,
    String rejectedRelation,
    long rejectedRows,
    List<SourceFile> files,
    Map<String, String> state,
    Write write,
    AfterScan afterScan,
    boolean stateOnly) {
  public StagedData {
    files = List.copyOf(files);
    state = Map.copyOf(state);
    if (stateOnly && relation != null) {
      throw new IllegalArgumentException("A state-only result stages no rows: " + relation);
    }
    if (afterScan != null
        && (relation == null || (write != null && write.kind() == Write.Kind.MERGE))) {
      // a merge reads the staged rows twice (the rows, and the keys they replace)
      throw new IllegalArgumentException("Only a relation that is not merged is read lazily");
    }
  }

  /** A builder of staged data: no rows, nothing rejected, no files, no state, until set. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these values. */
  public Builder toBuilder() {
    Builder builder =
        builder()
            .relation(relation, rows)
            .rejected(rejectedRelation, rejectedRows)
            .files(files)
            .state(state)
            .write(write);
    builder.afterScan = afterScan;
    builder.stateOnly = stateOnly;
    return builder;
  }

  /** Nothing new was found: there is no relation to write, and the state stays as it was. */
  public static StagedData nothingNew(Map<String, String> state) {
    return builder().state(state).build();
  }

  /**
   * A relation that reads the source when it is scanned: the caller must scan it exactly once (e.g.
   * by writing it) and then call {@link #scanned(long)}.
   */
  public static StagedData readOnScan(
      String relation, List<SourceFile> files, Map<String, String> state, AfterScan afterScan) {
    Builder builder = builder().relation(relation, 0).files(files).state(state);
    builder.afterScan = requireNonNull(afterScan, "afterScan is null");
    return builder.build();
  }

  /**
   * Nothing new was found, but the connector read past data of no interest to the table and its
   * position moved on: Sluice commits {@code state} alone, in a snapshot without data, so that the
   * source can stop keeping what lies before it (e.g. WAL held by a replication slot). The table's
   * rows do not change.
   */
  public static StagedData stateOnly(Map<String, String> state) {
    Builder builder = builder().state(state);
    builder.stateOnly = true;
    return builder.build();
  }

  /** Whether there are no rows to write (also true for a {@link #stateOnly(Map)} result). */
  public boolean nothingNew() {
    return relation == null;
  }

  /** Whether the relation reads the source when scanned, see {@link #readOnScan}. */
  public boolean readsOnScan() {
    return afterScan != null;
  }

  /**
   * For a reader that scans the rows more than once: a {@link #readOnScan} relation copied into a
   * temporary table (its one scan) and completed; any other staged data as it is.
   *
   * @throws dev.sluice.api.DataException when the scan met a bad record and the table does not
   *     quarantine
   */
  public StagedData materialized(EngineSession session) {
    if (afterScan == null) {
      return this;
    }
    String table = relation + "__rows";
    long rows = session.createTemporaryTable(table, "SELECT * FROM " + TableName.quote(relation));
    try {
      StagedData done = scanned(rows);
      return done.toBuilder().relation(table, rows).build();
    } catch (RuntimeException e) {
      session.dropTemporaryTablesAfter(e, table);
      throw e;
    }
  }

  /**
   * The staged data after the one scan of a {@link #readOnScan} relation, with what it found.
   *
   * @param rows the rows the scan produced
   * @throws dev.sluice.api.DataException when the scan met a bad record and the table does not
   *     quarantine: nothing of this scan may be committed
   */
  public StagedData scanned(long rows) {
    if (afterScan == null) {
      throw new IllegalStateException("The relation " + relation + " holds its rows already");
    }
    Rejected rejected = afterScan.afterScan();
    Builder builder =
        toBuilder().relation(relation, rows).rejected(rejected.relation(), rejected.rows());
    builder.afterScan = null;
    return builder.build();
  }

  public long bytesRead() {
    return files.stream().mapToLong(SourceFile::sizeInBytes).sum();
  }

  /**
   * Builds {@link StagedData}. A relation that reads its source when scanned is made by {@link
   * #readOnScan}, a state-only result by {@link #stateOnly}.
   */
  public static final class Builder {
    private String relation;
    private long rows;
    private String rejectedRelation;
    private long rejectedRows;
    private List<SourceFile> files = List.of();
    private Map<String, String> state = Map.of();
    private Write write;
    private AfterScan afterScan;
    private boolean stateOnly;

    private Builder() {}

    /** The temporary table of staged rows and how many it holds; null for nothing new. */
    public Builder relation(String relation, long rows) {
      this.relation = relation;
      this.rows = rows;
      return this;
    }

    /** The temporary table of rejected records and how many; null and 0 for none. */
    public Builder rejected(String relation, long rows) {
      this.rejectedRelation = relation;
      this.rejectedRows = rows;
      return this;
    }

    /** The files read; none for sources that are not files. */
    public Builder files(List<SourceFile> files) {
      this.files = requireNonNull(files, "files is null");
      return this;
    }

    /** The connector's state to commit with the data. */
    public Builder state(Map<String, String> state) {
      this.state = requireNonNull(state, "state is null");
      return this;
    }

    /** How the rows go into the table; null (the default) for what the table's mode says. */
    public Builder write(Write write) {
      this.write = write;
      return this;
    }

    public StagedData build() {
      return new StagedData(
          relation,
          rows,
          rejectedRelation,
          rejectedRows,
          files,
          state,
          write,
          afterScan,
          stateOnly);
    }
  }

  /** What to do after the one scan of a relation that reads its source, see {@link #readOnScan}. */
  @FunctionalInterface
  public interface AfterScan {
    /**
     * Handles the bad records the scan met.
     *
     * @return the rejected records to quarantine
     * @throws dev.sluice.api.DataException for a bad record when the table does not quarantine
     */
    Rejected afterScan();
  }

  /**
   * Rejected records.
   *
   * @param relation the temporary table of rejected records (see {@code rejectedRelation}), or null
   *     when none were rejected
   * @param rows how many
   */
  public record Rejected(String relation, long rows) {
    public static final Rejected NONE = new Rejected(null, 0);
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
