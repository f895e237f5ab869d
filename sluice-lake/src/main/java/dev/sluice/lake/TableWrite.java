package dev.sluice.lake;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.DataException;
import dev.sluice.api.SluiceException;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.ParquetCompression;
import dev.sluice.api.timing.PhaseTimer;
import dev.sluice.api.timing.StepPhase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.SnapshotUpdate;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.Transaction;
import org.apache.iceberg.UpdatePartitionSpec;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.expressions.Binder;
import org.apache.iceberg.expressions.Evaluator;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.expressions.Projections;
import org.apache.iceberg.expressions.StrictMetricsEvaluator;
import org.apache.iceberg.io.CloseableIterable;

/**
 * A write to one table, following write-audit-publish, in the style of Iceberg's {@code
 * Transaction}: {@link #prepareSchema}, {@link #preparePartitionSpec} and {@link #setProperties}
 * stage changes, {@link #newCommit} builds the write's one {@link PendingWrite} (an operation, its
 * files, summary and target) that commits them with the data in one Iceberg commit, either to main
 * or to an audit branch (readers of main see nothing yet), which {@link #publish} then
 * fast-forwards main to or {@link #discard} drops, restoring the previous schema.
 *
 * <p>A write may target another branch than main: an environment's (see {@link
 * Lake#newWrite(TableName, String, String)}). Then "main" above reads as that branch, which starts
 * at main's head when the table does not have it yet, and the table's current schema (the one
 * readers of main use) stays main's: the branch's snapshots carry their own.
 */
public final class TableWrite {
  private final Lake lake;
  private final TableName name;
  private Table table;
  private final String branch;
  private final String target;
  private final int previousSchemaId;
  private final Long previousSnapshotId;
  private final Transaction transaction;
  private Long committedSnapshotId;
  private State state = State.OPEN;

  /** Where a write is: a write commits once, then publishes or discards an audited commit. */
  private enum State {
    OPEN("open"),
    ON_BRANCH("committed to its audit branch"),
    ON_MAIN("committed to main"),
    PUBLISHED("published"),
    DISCARDED("discarded");

    private final String done;

    State(String done) {
      this.done = done;
    }
  }

  /** Whether the table does not exist yet: the commit to main creates it. */
  private boolean creating;

  TableWrite(Lake lake, TableName name, Table table, String branch) {
    this(lake, name, table, branch, SnapshotRef.MAIN_BRANCH);
  }

  /** A write whose commits go to branch {@code target} instead of main. */
  TableWrite(Lake lake, TableName name, Table table, String branch, String target) {
    this.lake = requireNonNull(lake, "lake is null");
    this.name = requireNonNull(name, "name is null");
    this.table = requireNonNull(table, "table is null");
    this.branch = requireNonNull(branch, "branch is null");
    this.target = requireNonNull(target, "target is null");
    if (branch.equals(target)) {
      throw new IllegalArgumentException("The audit branch cannot be the target: " + branch);
    }
    this.previousSchemaId = table.schema().schemaId();
    SnapshotRef targetRef = table.refs().get(target);
    Snapshot current =
        targetRef == null ? table.currentSnapshot() : table.snapshot(targetRef.snapshotId());
    this.previousSnapshotId = current == null ? null : current.snapshotId();
    this.transaction = table.newTransaction();
  }

  /** The first write of a table, which {@code create} creates when it commits. */
  TableWrite(Lake lake, TableName name, Transaction create, String branch) {
    this.lake = requireNonNull(lake, "lake is null");
    this.name = requireNonNull(name, "name is null");
    this.transaction = requireNonNull(create, "create is null");
    this.table = create.table();
    this.branch = requireNonNull(branch, "branch is null");
    this.target = SnapshotRef.MAIN_BRANCH;
    this.previousSchemaId = table.schema().schemaId();
    this.previousSnapshotId = null;
    this.creating = true;
  }

  /**
   * Whether the table does not exist until this write commits to main: it is audited before it
   * commits (a commit to an audit branch would create a table without data on main).
   */
  public boolean createsTable() {
    return creating;
  }

  public Table table() {
    return table;
  }

  public String branch() {
    return branch;
  }

  /** The branch this write publishes to: main, or an environment's. */
  public String target() {
    return target;
  }

  private boolean toMain() {
    return target.equals(SnapshotRef.MAIN_BRANCH);
  }

  /** The snapshot of main before this write, or null for a table without data. */
  public Long previousSnapshotId() {
    return previousSnapshotId;
  }

  /**
   * Stages the schema change that lets {@code desired} be written, and returns the schema (with the
   * table's field ids) that data files must be written with.
   *
   * @throws DataException when a column's type changes incompatibly in a {@link SchemaChange#UNION}
   *     write
   */
  public Schema prepareSchema(Schema desired, SchemaChange mode) {
    return SchemaEvolution.apply(transaction, desired, mode);
  }

  /** Stages table properties to be set in the same commit as the data. */
  public void setProperties(Map<String, String> properties) {
    org.apache.iceberg.UpdateProperties update = transaction.updateProperties();
    properties.forEach(update::set);
    update.commit();
  }

  /**
   * Stages the table's Parquet compression properties ({@link ParquetCompression#tableProperties})
   * in the same commit as the data when they differ from {@code compression}: the data files this
   * write and later ones write (Sluice's engine and any Iceberg writer) are compressed so.
   */
  public void setCompression(ParquetCompression compression) {
    Map<String, String> current = transaction.table().properties();
    Map<String, String> wanted = compression.tableProperties();
    boolean staleLevel =
        !wanted.containsKey(ParquetCompression.LEVEL_PROPERTY)
            && current.containsKey(ParquetCompression.LEVEL_PROPERTY);
    boolean same =
        wanted.entrySet().stream()
            .allMatch(entry -> entry.getValue().equals(current.get(entry.getKey())));
    if (same && !staleLevel) {
      return;
    }
    org.apache.iceberg.UpdateProperties update = transaction.updateProperties();
    wanted.forEach(update::set);
    if (staleLevel) {
      update.remove(ParquetCompression.LEVEL_PROPERTY);
    }
    update.commit();
  }

  /**
   * Writes the rows of {@code sql} with the session's engine as a new data file of this table, for
   * {@link #toDataFile}; see {@link Lake#writeDataFile}.
   */
  public dev.sluice.api.engine.WrittenFile writeDataFile(
      dev.sluice.api.engine.EngineSession session, String sql, Schema schema) {
    return lake.writeDataFile(transaction.table(), session, sql, schema);
  }

  /** Where to write the next data file of this table. */
  public Path newDataFilePath() {
    return lake.newDataFilePath(table);
  }

  /** Describes a written file for the commit, with column metrics. */
  public DataFile toDataFile(dev.sluice.api.engine.WrittenFile file) {
    return lake.toDataFile(transaction.table(), file);
  }

  /**
   * Describes a written file whose rows all belong to one partition of the spec staged by {@link
   * #preparePartitionSpec}.
   */
  public DataFile toDataFile(dev.sluice.api.engine.WrittenFile file, StructLike partition) {
    return lake.toDataFile(transaction.table(), file, partition);
  }

  /**
   * Stages the change of the table's partition spec to {@code wanted}, unless it already partitions
   * alike. Files already in the table keep the spec they were written with (Iceberg reads both);
   * the files of this write are written with {@code wanted}.
   *
   * @param wanted a spec over the schema returned by {@link #prepareSchema}, or {@link
   *     PartitionSpec#unpartitioned()}
   * @return the spec data files of this write must be described with
   */
  public PartitionSpec preparePartitionSpec(PartitionSpec wanted) {
    PartitionSpec current = transaction.table().spec();
    if (current.compatibleWith(wanted)) {
      return current;
    }
    Schema schema = transaction.table().schema();
    UpdatePartitionSpec update = transaction.updateSpec();
    for (PartitionField field : current.fields()) {
      update.removeField(field.name());
    }
    for (PartitionField field : wanted.fields()) {
      String column = schema.findColumnName(field.sourceId());
      update.addField(field.name(), Expressions.transform(column, field.transform()));
    }
    update.commit();
    return transaction.table().spec();
  }

  /**
   * Starts this write's one commit: {@code operation}'s files, summary and target are built on the
   * returned update, which {@link PendingWrite#commit} commits together with the staged schema,
   * partition spec and property changes.
   */
  public PendingWrite newCommit(WriteOperation operation) {
    return new PendingWrite(this, operation);
  }

  /** The checks of {@link PendingWrite#apply}. */
  void validate(PendingWrite pending) {
    if (state != State.OPEN) {
      throw new IllegalStateException(
          "Cannot commit to " + name + ": this write was already " + state.done);
    }
    if (pending.isToAuditBranch() && creating) {
      throw new IllegalStateException(
          "The first write of " + name + " is audited before it creates the table on main");
    }
    if (pending.operation() instanceof WriteOperation.OverwriteRows overwrite && !creating) {
      checkWhollyInsideOrOutside(overwrite.rows());
    }
  }

  /** The one commit path of {@link PendingWrite#commit}. */
  long commit(PendingWrite pending) {
    validate(pending);
    boolean toBranch = pending.isToAuditBranch();
    if (toBranch) {
      startBranch();
    } else if (!toMain()) {
      startTarget();
    }
    SnapshotUpdate<?> update = toIceberg(pending.operation(), pending.files(), toBranch);
    // the manifests of the snapshot this write started from: the commit filters them
    update.scanManifestsWith(
        ManifestWork.executorFor(
            previousSnapshotId == null ? null : table.snapshot(previousSnapshotId), table.io()));
    // and the new data manifest: on the calling thread, without Iceberg's 10 ms poll
    ManifestWork.writeManifestsFor(update, pending.files().size());
    if (pending.operation().carriesLoadState()) {
      // one place for every commit that is not a load: the next load reads its state from it
      CarriedState.carry(lake.loadTable(name)).forEach(update::set);
    }
    pending.summary().forEach(update::set);
    if (toBranch) {
      update.toBranch(branch);
    } else if (!toMain()) {
      update.toBranch(target);
    }
    try {
      // the snapshot: manifests and manifest list; then the metadata file and the catalog's swap
      PhaseTimer.run(StepPhase.MANIFEST, update::commit);
      PhaseTimer.run(StepPhase.CATALOG, transaction::commitTransaction);
    } catch (ValidationException e) {
      throw conflict(pending.operation(), e);
    } catch (AlreadyExistsException e) {
      throw createdMeanwhile(e);
    } catch (CommitFailedException e) {
      // other writers kept committing through all of Iceberg's own retries
      throw new dev.sluice.api.TransientException(
          "Table "
              + table.name()
              + " was changed by other runs while this run committed to it; nothing was committed."
              + " Run it again.",
          e);
    }
    String committedTo = toBranch ? branch : target;
    if (creating) {
      // the catalog's table, which the first write created
      table = PhaseTimer.time(StepPhase.CATALOG, () -> lake.loadTable(name));
      creating = false;
      committedSnapshotId = table.refs().get(committedTo).snapshotId();
    } else {
      // the transaction holds the metadata it committed (re-applied on a refreshed base when the
      // catalog had moved): no catalog look-up or metadata read to learn the new snapshot; the
      // table reads the catalog again when it is next used
      committedSnapshotId = transaction.table().refs().get(committedTo).snapshotId();
    }
    state = toBranch ? State.ON_BRANCH : State.ON_MAIN;
    if (!toBranch) {
      restoreMainSchema();
    }
    lake.committed(
        new TableCommit(
            name,
            committedSnapshotId,
            label(pending.operation()),
            toBranch ? branch : target,
            pending.summary()));
    return committedSnapshotId;
  }

  private SnapshotUpdate<?> toIceberg(
      WriteOperation operation, List<DataFile> files, boolean toBranch) {
    if (operation instanceof WriteOperation.Append) {
      AppendFiles append = transaction.newAppend();
      files.forEach(append::appendFile);
      return append;
    }
    if (operation instanceof WriteOperation.DeleteRows delete) {
      return deleteRows(delete, files, toBranch);
    }
    if (operation instanceof WriteOperation.Compact compact) {
      return compact(compact, files);
    }
    OverwriteFiles overwrite = transaction.newOverwrite();
    files.forEach(overwrite::addFile);
    if (operation instanceof WriteOperation.ReplaceAll) {
      overwrite.overwriteByRowFilter(Expressions.alwaysTrue());
      // an audited replace is checked at publish, when main must not have moved
      if (!toBranch) {
        validateFrom(overwrite, previousSnapshotId);
      }
    } else if (operation instanceof WriteOperation.OverwriteRows rows) {
      overwrite.overwriteByRowFilter(rows.rows()).conflictDetectionFilter(rows.rows());
      validateFrom(overwrite, previousSnapshotId);
    } else if (operation instanceof WriteOperation.RewriteFiles rewrite) {
      // no conflict filter: any data another writer added or removed since the snapshot read fails
      // the commit (a row of a merged key may be among it), and so does a removed file now gone
      rewrite.rewrite().removed().forEach(overwrite::deleteFile);
      validateFrom(overwrite, rewrite.rewrite().readSnapshotId());
    } else {
      throw new IllegalArgumentException("Unsupported write operation: " + operation);
    }
    return overwrite;
  }

  /**
   * A delete by row filter, copy-on-write: every data file with rows matching the filter is
   * rewritten without them (the engine wrote the kept rows as {@code files}, see {@link
   * WriteOperation.DeleteRows}), and files whose rows all match are removed.
   */
  private SnapshotUpdate<?> deleteRows(
      WriteOperation.DeleteRows delete, List<DataFile> files, boolean toBranch) {
    OverwriteFiles overwrite = transaction.newOverwrite();
    delete.rewrite().removed().forEach(overwrite::deleteFile);
    files.forEach(overwrite::addFile);
    overwrite.conflictDetectionFilter(delete.rows());
    if (!toBranch) {
      validateFrom(overwrite, delete.rewrite().readSnapshotId());
    }
    return overwrite;
  }

  /**
   * A rewrite of data files with the same rows (Iceberg's {@code RewriteFiles}), validated from the
   * snapshot the files were read at: appends of other writers meanwhile are kept, a removal of one
   * of the rewritten files fails the commit. The new files take the data sequence number of that
   * snapshot, so that they never look newer than rows deleted after it.
   */
  private SnapshotUpdate<?> compact(WriteOperation.Compact compact, List<DataFile> files) {
    long read = compact.rewrite().readSnapshotId();
    Snapshot readSnapshot = transaction.table().snapshot(read);
    if (readSnapshot == null) {
      throw new dev.sluice.api.TransientException(
          "Table "
              + name
              + " no longer has snapshot "
              + read
              + " that the compaction read (it was expired meanwhile); nothing was committed."
              + " Run it again.");
    }
    org.apache.iceberg.RewriteFiles rewrite = transaction.newRewrite();
    compact.rewrite().removed().forEach(rewrite::deleteFile);
    files.forEach(rewrite::addFile);
    rewrite.dataSequenceNumber(readSnapshot.sequenceNumber());
    rewrite.validateFromSnapshot(read);
    return rewrite;
  }

  private static void validateFrom(OverwriteFiles overwrite, Long snapshotId) {
    overwrite.validateNoConflictingData().validateNoConflictingDeletes();
    if (snapshotId != null) {
      overwrite.validateFromSnapshot(snapshotId);
    }
  }

  /** The failure of a commit that Iceberg's validation found in conflict with another writer. */
  private dev.sluice.api.TransientException conflict(
      WriteOperation operation, ValidationException e) {
    String message;
    if (operation instanceof WriteOperation.OverwriteRows) {
      message =
          "Another run wrote the same partitions of "
              + table.name()
              + " while this run built them; nothing was committed. Run it again.";
    } else if (operation instanceof WriteOperation.Compact) {
      message =
          "Table "
              + table.name()
              + " was changed by another run while maintenance compacted it (a rewritten file was"
              + " removed); nothing was committed. Run it again.";
    } else if (operation instanceof WriteOperation.RewriteFiles) {
      message =
          "Table "
              + table.name()
              + " was changed by another run while this run merged into it; nothing was"
              + " committed. Run it again.";
    } else {
      message =
          "Table "
              + table.name()
              + " was changed by another run while this run wrote it; nothing was published."
              + " Run it again.";
    }
    return new dev.sluice.api.TransientException(message, e);
  }

  /**
   * Fails an overwrite of the rows matching {@code filter} when an existing data file holds rows
   * both inside and outside it (judged by its partition and column bounds, as Iceberg judges a
   * delete by filter): such a table was built unpartitioned or with other partitions.
   */
  private void checkWhollyInsideOrOutside(Expression filter) {
    // the table as this write found it (a transaction's table has no scans): its files are main's
    Table current = table;
    if (previousSnapshotId == null) {
      return;
    }
    try {
      Binder.bind(current.schema().asStruct(), filter, true);
    } catch (ValidationException e) {
      // a column new with this write: no existing file has rows of it, Iceberg's commit judges
      return;
    }
    StrictMetricsEvaluator allRows = new StrictMetricsEvaluator(current.schema(), filter);
    Map<Integer, Evaluator> allPartition = new HashMap<>();
    try (CloseableIterable<FileScanTask> tasks =
        current
            .newScan()
            .useSnapshot(previousSnapshotId)
            .filter(filter)
            .includeColumnStats()
            .planFiles()) {
      for (FileScanTask task : tasks) {
        DataFile file = task.file();
        Evaluator partition =
            allPartition.computeIfAbsent(
                file.specId(),
                id -> {
                  PartitionSpec spec = current.specs().get(id);
                  return new Evaluator(
                      spec.partitionType(), Projections.strict(spec).project(filter));
                });
        if (!partition.eval(file.partition()) && !allRows.eval(file)) {
          throw new DataException(
              "Table "
                  + table.name()
                  + " has data files that span several partitions (it was built unpartitioned or"
                  + " with other partitions); rebuild it with --full-refresh");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list the data files of " + table.name(), e);
    }
  }

  private dev.sluice.api.TransientException createdMeanwhile(RuntimeException e) {
    return new dev.sluice.api.TransientException(
        "Table "
            + name
            + " was created by another run while this run built it; nothing was committed."
            + " Run it again.",
        e);
  }

  /** Points the audit branch at the snapshot this write started from (none: no branch yet). */
  private void startBranch() {
    boolean staleBranch = transaction.table().refs().containsKey(branch);
    if (staleBranch && previousSnapshotId == null) {
      transaction.manageSnapshots().removeBranch(branch).commit();
    } else if (staleBranch) {
      transaction.manageSnapshots().replaceBranch(branch, previousSnapshotId).commit();
    } else if (previousSnapshotId != null) {
      transaction.manageSnapshots().createBranch(branch, previousSnapshotId).commit();
    }
  }

  /**
   * Points the target branch at the snapshot this write started from, when the table does not have
   * it yet (a table without data: the commit creates it).
   */
  private void startTarget() {
    if (!transaction.table().refs().containsKey(target) && previousSnapshotId != null) {
      transaction.manageSnapshots().createBranch(target, previousSnapshotId).commit();
    }
  }

  /**
   * After a commit to another branch than main: the table's current schema, which readers of main
   * use, becomes main's again (the branch's snapshot keeps the schema it was written with).
   */
  private void restoreMainSchema() {
    if (toMain()) {
      return;
    }
    TableOperations operations = ((HasTableOperations) table).operations();
    TableMetadata base = operations.refresh();
    if (base.currentSchemaId() == previousSchemaId) {
      return;
    }
    operations.commit(
        base, TableMetadata.buildFrom(base).setCurrentSchema(previousSchemaId).build());
    table.refresh();
  }

  /** The snapshot committed to the audit branch. */
  public long committedSnapshotId() {
    if (committedSnapshotId == null) {
      throw new IllegalStateException("Nothing committed yet to " + branch);
    }
    return committedSnapshotId;
  }

  /**
   * Moves main to the audited snapshot and removes the audit branch, in one metadata commit.
   *
   * @throws IllegalStateException unless this write committed to its audit branch and neither
   *     published nor discarded it
   * @throws SluiceException when main moved since this write started (another run wrote the table)
   */
  public void publish() {
    PhaseTimer.run(StepPhase.PUBLISH, this::publishAudited);
  }

  private void publishAudited() {
    if (state != State.ON_BRANCH) {
      throw new IllegalStateException(
          "Cannot publish the write of "
              + name
              + ": "
              + (state == State.OPEN
                  ? "nothing is committed to its audit branch yet"
                  : "it was already " + state.done));
    }
    table.refresh();
    SnapshotRef main = table.refs().get(target);
    Long mainSnapshot =
        main != null
            ? Long.valueOf(main.snapshotId())
            : toMain() || table.currentSnapshot() == null
                ? null
                : table.currentSnapshot().snapshotId();
    if (!java.util.Objects.equals(mainSnapshot, previousSnapshotId)) {
      discard();
      throw new dev.sluice.api.TransientException(
          "Table "
              + table.name()
              + " was changed by another run while this run wrote it; nothing was published."
              + " Run it again.");
    }
    if (main == null) {
      table
          .manageSnapshots()
          .createBranch(target, committedSnapshotId())
          .removeBranch(branch)
          .commit();
    } else {
      table.manageSnapshots().fastForwardBranch(target, branch).removeBranch(branch).commit();
    }
    state = State.PUBLISHED;
    restoreMainSchema();
    // the audited snapshot, as this write's transaction committed it: no need to read the catalog
    Snapshot published = transaction.table().snapshot(committedSnapshotId());
    lake.committed(
        new TableCommit(
            name,
            committedSnapshotId(),
            "publish",
            target,
            published == null ? Map.of() : published.summary()));
  }

  /** The name of an operation in commit records: {@code append}, {@code delete_rows}, ... */
  static String label(WriteOperation operation) {
    if (operation instanceof WriteOperation.Append) {
      return "append";
    } else if (operation instanceof WriteOperation.ReplaceAll) {
      return "replace_all";
    } else if (operation instanceof WriteOperation.OverwriteRows) {
      return "overwrite_rows";
    } else if (operation instanceof WriteOperation.RewriteFiles) {
      return "rewrite_files";
    } else if (operation instanceof WriteOperation.DeleteRows) {
      return "delete_rows";
    } else if (operation instanceof WriteOperation.Compact) {
      return "compact";
    }
    throw new IllegalArgumentException("Unsupported write operation: " + operation);
  }

  /**
   * Drops the audit branch and restores the schema readers had, in one metadata commit; nothing
   * when the write was already discarded.
   *
   * @throws IllegalStateException when the write was published
   */
  public void discard() {
    if (state == State.PUBLISHED) {
      throw new IllegalStateException(
          "Cannot discard the write of " + name + ": it was already published");
    }
    if (state == State.DISCARDED) {
      return;
    }
    state = State.DISCARDED;
    if (creating) {
      // nothing was committed: there is no table to restore
      return;
    }
    TableOperations operations = ((HasTableOperations) table).operations();
    TableMetadata base = operations.refresh();
    TableMetadata.Builder builder = TableMetadata.buildFrom(base);
    if (base.ref(branch) != null) {
      builder.removeRef(branch);
    }
    if (base.currentSchemaId() != previousSchemaId) {
      builder.setCurrentSchema(previousSchemaId);
    }
    TableMetadata updated = builder.build();
    if (updated.changes().isEmpty()) {
      return;
    }
    operations.commit(base, updated);
    table.refresh();
  }
}
