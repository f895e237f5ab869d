package dev.sluice.core.run;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import dev.sluice.api.engine.ColumnMapping;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.engine.ParquetCompression;
import dev.sluice.api.engine.WrittenFile;
import dev.sluice.api.timing.PhaseTimer;
import dev.sluice.api.timing.StepPhase;
import dev.sluice.core.project.CheckDef;
import dev.sluice.core.state.TableProfile;
import dev.sluice.lake.EngineBranch;
import dev.sluice.lake.Lake;
import dev.sluice.lake.PendingWrite;
import dev.sluice.lake.ReadPoint;
import dev.sluice.lake.SchemaChange;
import dev.sluice.lake.TableScanFiles;
import dev.sluice.lake.TableWrite;
import dev.sluice.lake.WriteOperation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.function.Consumer;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.types.Types;

/**
 * Write-audit-publish of one query result into one table: the result is written as Parquet and
 * committed to an audit branch in one Iceberg commit, the checks run against that branch, and main
 * moves to it only when no blocking check failed. A table without checks has nothing to audit: its
 * data is committed to main in one commit.
 */
final class AuditedWrite {
  /**
   * The outcome of a write.
   *
   * @param snapshotId the published snapshot, or null when nothing was published
   * @param profiles the profile of the data written, when the write was {@link #profiled} and wrote
   *     a file; else empty
   */
  record Outcome(
      boolean published,
      long rowsWritten,
      long bytesWritten,
      Long snapshotId,
      List<CheckOutcome> checks,
      List<TableProfile> profiles) {}

  private final Lake lake;
  private final EngineSession session;
  private final CheckRunner checkRunner;
  private Consumer<WrittenFile> afterWrite = file -> {};
  private boolean committingEmpty;
  private String target = "main";
  private DataProfiler profiler;
  private StepTally tally = new StepTally();

  /** The table as the caller found it (empty: none), or null to look it up when writing. */
  private Optional<Table> found;

  AuditedWrite(Lake lake, EngineSession session, CheckRunner checkRunner) {
    this.lake = requireNonNull(lake, "lake is null");
    this.session = requireNonNull(session, "session is null");
    this.checkRunner = requireNonNull(checkRunner, "checkRunner is null");
  }

  /**
   * Writes to the table as the caller just found it ({@link Lake#findTable}; empty when it does not
   * exist) instead of looking it up again. The commit still validates against the catalog's current
   * version: a writer that changed the table meanwhile fails it.
   */
  AuditedWrite startingFrom(Optional<Table> table) {
    this.found = requireNonNull(table, "table is null");
    return this;
  }

  /** Counts the data files this write commits into the step's tally. */
  AuditedWrite countingInto(StepTally tally) {
    this.tally = requireNonNull(tally, "tally is null");
    return this;
  }

  /**
   * Runs {@code action} after the rows are written to their data file and before it is committed:
   * when it throws, nothing is committed and the file is deleted.
   */
  AuditedWrite afterWrite(Consumer<WrittenFile> action) {
    this.afterWrite = requireNonNull(action, "action is null");
    return this;
  }

  /**
   * Publishes to branch {@code target} (an environment's) instead of main: readers of main see
   * nothing of the write. A table that does not exist yet is created without data first.
   */
  AuditedWrite publishingTo(String target) {
    this.target = requireNonNull(target, "target is null");
    return this;
  }

  private boolean toMain() {
    return target.equals("main");
  }

  /**
   * Commits an append of no rows too (else it commits nothing), for the summary it carries: a
   * source's load state, which must move on when every record of the load was rejected.
   */
  AuditedWrite committingEmpty() {
    this.committingEmpty = true;
    return this;
  }

  /**
   * Profiles the data written (in one pass over the file written, before the checks run) and
   * returns the profile in the outcome, for the metric history.
   */
  AuditedWrite profiled(DataProfiler profiler) {
    this.profiler = requireNonNull(profiler, "profiler is null");
    return this;
  }

  /**
   * Writes the rows of {@code sql} into {@code name}.
   *
   * @param operation how the rows meet the table's data: appended, replacing all of it, or (a
   *     merge's) replacing the files they rewrite, whose kept rows are part of the query
   * @param columnDocs descriptions for columns, by name
   * @param summary snapshot summary properties to commit with the data
   */
  Outcome write(
      TableName name,
      String sql,
      SchemaChange schemaChange,
      WriteOperation operation,
      Map<String, String> columnDocs,
      Map<String, String> tableProperties,
      Map<String, String> summary,
      List<CheckDef> checks,
      String branch) {
    Schema desired = withDocs(session.describe(sql), columnDocs);
    // a table's first write creates it in its commit: a write that fails leaves no empty table
    TableWrite write;
    Optional<Table> existing = found != null ? found : lake.findTable(name);
    if (!toMain()) {
      if (existing.isEmpty()) {
        // a model new in an environment: main has the table without data until it is promoted
        lake.createTable(name, desired, tableProperties);
      }
      write = lake.newWrite(name, branch, target);
    } else {
      write =
          existing.isPresent()
              ? lake.newWrite(name, existing.get(), branch)
              : lake.newTableWrite(
                  name, desired, PartitionSpec.unpartitioned(), tableProperties, branch);
    }
    try {
      Schema schema = write.prepareSchema(desired, schemaChange);
      // the compression the project sets, staged in this commit when the table's differs
      ParquetCompression.fromTableProperties(tableProperties).ifPresent(write::setCompression);
      // a table that was once a partitioned model's: this write's file is of no one partition
      write.preparePartitionSpec(PartitionSpec.unpartitioned());
      WrittenFile file = write.writeDataFile(session, projectOnto(schema, desired, sql), schema);
      try {
        afterWrite.accept(file);
      } catch (RuntimeException e) {
        deleteQuietly(file);
        throw e;
      }
      // profiled before the file is handed to the lake, which may move it (object storage)
      List<TableProfile> profiles =
          profiler == null
              ? List.of()
              : List.of(profiler.profile(session, name, null, schema, List.of(file)));
      List<DataFile> files = new ArrayList<>();
      if (file.rowCount() > 0) {
        files.add(write.toDataFile(file));
      } else {
        deleteQuietly(file);
      }
      if (files.isEmpty()
          && operation instanceof WriteOperation.Append
          && !committingEmpty
          && write.previousSnapshotId() != null) {
        write.discard();
        return new Outcome(true, 0, 0, write.previousSnapshotId(), List.of(), List.of());
      }
      if (write.createsTable() && !checks.isEmpty()) {
        return auditThenCreate(
            name, write, schema, file, files, operation, summary, checks, profiles);
      }
      return auditAndPublish(
          name,
          write,
          files,
          file.rowCount(),
          file.sizeInBytes(),
          operation,
          summary,
          checks,
          profiles);
    } catch (RuntimeException e) {
      discardAfter(e, write);
      throw e;
    }
  }

  /**
   * Commits what an engine's own {@code MERGE INTO} committed on its branch ({@link EngineBranch}):
   * the files it removed and added become one rewrite of this write, with {@code summary},
   * validated from the snapshot the engine started at, then audited and published as every write.
   * The engine's snapshots stay off main: main gets this write's one snapshot.
   *
   * @throws dev.sluice.api.TransientException when the table's target moved since the engine's
   *     branch started (another run wrote it); nothing is committed
   */
  Outcome commitMerge(
      TableName name,
      EngineBranch.Changes changes,
      Map<String, String> summary,
      List<CheckDef> checks,
      String branch) {
    TableWrite write = toMain() ? lake.newWrite(name, branch) : lake.newWrite(name, branch, target);
    try {
      if (!java.util.Objects.equals(
          write.previousSnapshotId(), changes.rewrite().readSnapshotId())) {
        throw new dev.sluice.api.TransientException(
            "Table "
                + name
                + " was changed by another run while this run merged into it; nothing was"
                + " committed. Run it again.");
      }
      // the engine's files, where the engine wrote them (read by the session at the path it
      // reads them by: s3a:// for Spark on object storage): never deleted by Sluice
      List<WrittenFile> written =
          changes.added().stream()
              .map(
                  file ->
                      new WrittenFile(
                          null,
                          file.recordCount(),
                          file.fileSizeInBytes(),
                          lake.readablePath(file.location())))
              .toList();
      Schema schema = write.table().schema();
      List<TableProfile> profiles =
          profiler == null || written.isEmpty()
              ? List.of()
              : List.of(profiler.profile(session, name, null, schema, written));
      return auditAndPublish(
          name,
          write,
          changes.added(),
          changes.addedRows(),
          changes.addedBytes(),
          WriteOperation.rewriteFiles(changes.rewrite()),
          summary,
          checks,
          profiles);
    } catch (RuntimeException e) {
      discardAfter(e, write);
      throw e;
    }
  }

  private static void discardAfter(RuntimeException e, TableWrite write) {
    try {
      write.discard();
    } catch (RuntimeException discardFailure) {
      e.addSuppressed(discardFailure);
    }
  }

  /**
   * Commits {@code files}: to the target at once when there are no checks, else to the audit
   * branch, where the checks run, then publishes or discards.
   */
  private Outcome auditAndPublish(
      TableName name,
      TableWrite write,
      List<DataFile> files,
      long rows,
      long bytes,
      WriteOperation operation,
      Map<String, String> summary,
      List<CheckDef> checks,
      List<TableProfile> profiles) {
    if (checks.isEmpty()) {
      // nothing to audit: one commit to main instead of the audit branch and the publish
      long snapshot =
          commitCounted(write.newCommit(operation).addFiles(files).setAll(summary), files.size());
      return new Outcome(true, rows, bytes, snapshot, List.of(), profiles);
    }
    long snapshot =
        commitCounted(
            write.newCommit(operation).addFiles(files).setAll(summary).toAuditBranch(),
            files.size());
    try {
      List<CheckOutcome> outcomes =
          PhaseTimer.time(
              StepPhase.CHECKS, () -> auditBranch(name, write.branch(), checks, profiles));
      if (outcomes.stream().anyMatch(CheckOutcome::blocks)) {
        write.discard();
        restoreMain(name);
        return new Outcome(false, rows, bytes, null, outcomes, profiles);
      }
      write.publish();
      if (!toMain()) {
        // the session reads the environment's head, now the audited snapshot
        PhaseTimer.run(StepPhase.PUBLISH, () -> restoreMain(name));
      }
      // main is now the audited snapshot, which the session already reads: no new registration
      return new Outcome(true, rows, bytes, snapshot, outcomes, profiles);
    } catch (RuntimeException e) {
      discardAfter(e, write);
      restoreMain(name);
      throw e;
    }
  }

  /** Runs the checks on the audit branch of the table. */
  private List<CheckOutcome> auditBranch(
      TableName name, String branch, List<CheckDef> checks, List<TableProfile> profiles) {
    TableScanFiles audited = lake.scan(name, ReadPoint.branch(branch));
    session.registerTable(name, audited.schema(), audited.dataFiles(), audited.columnMapping());
    return checkRunner.run(session, name, checks, profiles);
  }

  /**
   * The first write of a table: the checks read the written file before any table exists, and the
   * table is created with the data only when no blocking check failed.
   */
  private Outcome auditThenCreate(
      TableName name,
      TableWrite write,
      Schema schema,
      WrittenFile file,
      List<DataFile> files,
      WriteOperation operation,
      Map<String, String> summary,
      List<CheckDef> checks,
      List<TableProfile> profiles) {
    List<CheckOutcome> outcomes =
        PhaseTimer.time(
            StepPhase.CHECKS,
            () -> {
              session.registerTable(
                  name,
                  schema,
                  files.isEmpty() ? List.of() : List.of(file.location()),
                  ColumnMapping.NAME);
              return checkRunner.run(session, name, checks, profiles);
            });
    if (outcomes.stream().anyMatch(CheckOutcome::blocks)) {
      deleteQuietly(file);
      return new Outcome(false, file.rowCount(), file.sizeInBytes(), null, outcomes, profiles);
    }
    long snapshot =
        commitCounted(write.newCommit(operation).addFiles(files).setAll(summary), files.size());
    PhaseTimer.run(StepPhase.PUBLISH, () -> restoreMain(name));
    return new Outcome(true, file.rowCount(), file.sizeInBytes(), snapshot, outcomes, profiles);
  }

  /** Commits a pending write and counts its files into the tally once it is committed. */
  private long commitCounted(PendingWrite pending, int files) {
    long snapshot = pending.commit();
    tally.wrote(files);
    return snapshot;
  }

  /**
   * Registers the version of the table this write publishes to (main, or an environment's branch)
   * in the session again, after auditing a branch.
   */
  private void restoreMain(TableName name) {
    TableScanFiles main =
        lake.scan(name, toMain() ? ReadPoint.main() : ReadPoint.environment(target));
    session.registerTable(name, main.schema(), main.dataFiles(), main.columnMapping());
  }

  /** Selects the table's columns from the query: those it lacks become NULL. */
  static String projectOnto(Schema table, Schema query, String sql) {
    StringJoiner columns = new StringJoiner(", ");
    for (Types.NestedField column : table.columns()) {
      String quoted = TableName.quote(column.name());
      columns.add(query.findField(column.name()) == null ? "NULL AS " + quoted : quoted);
    }
    return "SELECT " + columns + " FROM (" + sql + "\n) AS result";
  }

  /** {@code schema} with the descriptions of its columns ({@code docs}, by name). */
  static Schema withDocs(Schema schema, Map<String, String> docs) {
    if (docs.isEmpty()) {
      return schema;
    }
    List<Types.NestedField> fields = new ArrayList<>();
    for (Types.NestedField field : schema.columns()) {
      String doc = docs.get(field.name());
      fields.add(
          doc == null
              ? field
              : Types.NestedField.optional(field.fieldId(), field.name(), field.type(), doc));
    }
    return new Schema(fields);
  }

  /**
   * Deletes a local file written but not committed; one an engine wrote into object storage stays
   * there, referenced by no commit (maintenance removes such orphans).
   */
  static void deleteQuietly(WrittenFile file) {
    if (!file.isLocal()) {
      return;
    }
    try {
      Files.deleteIfExists(file.path());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
