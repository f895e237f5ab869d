package dev.sluice.lake;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.DataFile;

/**
 * One commit of a {@link TableWrite}, in the style of Iceberg's {@code PendingUpdate}: built (the
 * {@link WriteOperation}, its files, snapshot summary properties such as a source's load state, and
 * its target: main, or the write's audit branch), validated by {@link #apply}, then made real by
 * {@link #commit}, together with the schema, partition spec and property changes the write staged.
 * A write commits once.
 */
public final class PendingWrite {
  private final TableWrite write;
  private final WriteOperation operation;
  private final List<DataFile> files = new ArrayList<>();
  private final Map<String, String> summary = new LinkedHashMap<>();
  private boolean toAuditBranch;

  PendingWrite(TableWrite write, WriteOperation operation) {
    this.write = requireNonNull(write, "write is null");
    this.operation = requireNonNull(operation, "operation is null");
  }

  /** Adds data files (described by {@link TableWrite#toDataFile}) to the commit. */
  public PendingWrite addFiles(List<DataFile> dataFiles) {
    dataFiles.forEach(file -> files.add(requireNonNull(file, "file is null")));
    return this;
  }

  /** Sets a property of the new snapshot's summary (e.g. the run id or a source's load state). */
  public PendingWrite set(String property, String value) {
    summary.put(
        requireNonNull(property, "property is null"), requireNonNull(value, "value is null"));
    return this;
  }

  /** Sets properties of the new snapshot's summary. */
  public PendingWrite setAll(Map<String, String> properties) {
    properties.forEach(this::set);
    return this;
  }

  /**
   * Commits to the write's audit branch instead of main: readers of main see nothing until {@link
   * TableWrite#publish}.
   */
  public PendingWrite toAuditBranch() {
    this.toAuditBranch = true;
    return this;
  }

  /**
   * Validates the commit without making it: the write has not committed yet, the first write of a
   * table commits to main, and an {@link WriteOperation.OverwriteRows} finds no existing data file
   * with rows both inside and outside its filter.
   *
   * @throws IllegalStateException when the commit cannot be made in the write's state
   * @throws dev.sluice.api.DataException when the table's data does not allow the operation
   */
  public PendingWrite apply() {
    write.validate(this);
    return this;
  }

  /**
   * Validates and makes the commit, as one Iceberg commit.
   *
   * @return the new snapshot's id
   * @throws dev.sluice.api.TransientException when another run changed the table in a way that
   *     conflicts with this commit (nothing was committed)
   */
  public long commit() {
    return write.commit(this);
  }

  WriteOperation operation() {
    return operation;
  }

  List<DataFile> files() {
    return files;
  }

  Map<String, String> summary() {
    return summary;
  }

  boolean isToAuditBranch() {
    return toAuditBranch;
  }
}
