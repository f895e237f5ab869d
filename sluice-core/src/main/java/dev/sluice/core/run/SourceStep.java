package dev.sluice.core.run;

import static dev.sluice.api.sql.SqlLiterals.literal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.api.DataException;
import dev.sluice.api.InvalidInputException;
import dev.sluice.api.TableName;
import dev.sluice.api.connector.LoadState;
import dev.sluice.api.connector.ReplayWindow;
import dev.sluice.api.connector.SourceConnector;
import dev.sluice.api.connector.SourceFile;
import dev.sluice.api.connector.SourceTableSpec;
import dev.sluice.api.connector.StagedData;
import dev.sluice.core.project.LoadMode;
import dev.sluice.core.project.SourceTableDef;
import dev.sluice.core.state.StepKind;
import dev.sluice.core.state.StepStatus;
import dev.sluice.lake.CarriedState;
import dev.sluice.lake.SchemaChange;
import dev.sluice.lake.WriteOperation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Loads one source table into the raw zone. */
final class SourceStep {
  static final String LOADED_FILES = CarriedState.LOADED_FILES;

  /** The snapshot summary key of a connector's state (e.g. a cursor), as a JSON object. */
  static final String SOURCE_STATE = CarriedState.SOURCE_STATE;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger LOG = LoggerFactory.getLogger(SourceStep.class);

  private SourceStep() {}

  static StepResult run(StepContext context, SourceTableDef table) {
    Instant started = context.now();
    String connectorType = context.project().sources().get(table.source()).connector();
    SourceConnector connector = connector(connectorType);
    boolean files = connector.supports(SourceConnector.Capability.LOADS_FILES);
    TableName target = table.tableName();
    boolean append = table.mode() == LoadMode.APPEND;
    ReplayWindow replay = context.options().replay();
    // a full refresh reads the source as a first load would, and replaces the table with it
    boolean fullRefresh = context.options().fullRefresh() && replay == null;
    // file sources read their state only to append; other connectors decide by their options
    LoadState state =
        (append || !files || replay != null) && !fullRefresh
            ? loadState(context, target)
            : LoadState.empty();
    // the rejected records of an earlier load whose data was never published are read again
    Quarantine.removeUnconfirmed(context.lake(), target);
    if (replay != null) {
      if (!connector.supportsReplay()) {
        throw new InvalidInputException(
            "Cannot replay "
                + table.assetName()
                + ": the "
                + connectorType
                + " connector cannot read a window again");
      }
      state = state.withReplay(replay);
    }
    StagedData stagedByConnector =
        connector.stage(spec(context, table, append), state, context.session());
    // a relation that reads its source once is complete only after the write below
    AtomicReference<StagedData> read = new AtomicReference<>(stagedByConnector);
    StagedData staged = stagedByConnector;
    String replayed = replay == null ? "" : "replay of " + replay.describe() + ": ";
    if (staged.nothingNew()) {
      Long stateSnapshot = null;
      if (staged.stateOnly() && replay == null && !staged.state().equals(state.state())) {
        stateSnapshot = commitStateOnly(context, target, staged.state());
        if (stateSnapshot != null) {
          connector.committed(spec(context, table, append), staged.state());
        }
      }
      return StepResult.builder(table.assetName(), StepKind.SOURCE, target.toString())
          .status(StepStatus.SUCCEEDED)
          .snapshotId(stateSnapshot)
          .duration(Duration.between(started, context.now()))
          .detail(
              replay != null
                  ? replayed + "nothing in the window"
                  : !files
                      ? stateSnapshot != null ? "no new rows; position committed" : "no new rows"
                      : append
                          ? "no new files at " + table.origin()
                          : "no files match " + table.origin())
          .build();
    }
    Map<String, String> summary = new TreeMap<>();
    summary.put("sluice.run-id", context.runId());
    String loadId = context.runId() + "/" + UUID.randomUUID();
    summary.put(Quarantine.LOAD_ID, loadId);
    if (files) {
      context.tally().read(staged.files().size(), 0);
      Map<String, String> loaded = new TreeMap<>(state.loadedFiles());
      for (SourceFile file : staged.files()) {
        loaded.put(file.path(), file.checksum());
      }
      summary.put(LOADED_FILES, toJson(loaded));
    }
    if (!staged.state().isEmpty()) {
      summary.put(SOURCE_STATE, toJson(new TreeMap<>(staged.state())));
    }
    StagedData.Write write =
        staged.write() != null
            ? staged.write()
            : append ? StagedData.Write.append() : StagedData.Write.replace();
    String loadedAt = "CAST(" + literal(context.runStartedAt().toString()) + " AS TIMESTAMPTZ)";
    String rows = stagedRows(staged.relation(), write.deleteColumn(), loadedAt);
    if (fullRefresh) {
      // whatever the mode, the rows read from scratch are the table's new content, in one commit
      write = StagedData.Write.replace();
    }
    SchemaChange schemaChange =
        write.kind() == StagedData.Write.Kind.REPLACE ? SchemaChange.REPLACE : SchemaChange.UNION;
    if (table.contract() != null && table.contract().enforced()) {
      ContractEnforcement.check(
          table.contract(),
          table.columns(),
          context.session().describe(rows),
          "source table "
              + table.assetName()
              + " (contract at "
              + table.contract().location()
              + ")",
          // the columns Sluice and the connectors add: _loaded_at, _source_file, _offset, ...
          column -> column.startsWith("_"));
    }
    Optional<Table> existing = context.lake().findTable(target);
    String drift = null;
    if (existing.isPresent()) {
      SchemaDiff diff =
          SchemaDiff.between(existing.get().schema(), context.session().describe(rows));
      if (!diff.isEmpty() && fullRefresh) {
        // a rebuild takes the source's columns as a first load does
        drift = evolved(diff, schemaChange);
      } else if (!diff.isEmpty()) {
        switch (table.schemaDrift()) {
          case FREEZE ->
              throw new DataException(
                  "The columns of source table "
                      + table.assetName()
                      + " changed, and its schema_drift is freeze: "
                      + diff.describe()
                      + ". Nothing was loaded. Change the source back, or set 'schema_drift:"
                      + " evolve' to let "
                      + target
                      + " follow it");
          case DISCARD -> {
            if (!diff.added().isEmpty()) {
              // the step's detail warns of it in the run output
              LOG.info(
                  "Dropping new columns of {} (schema_drift: discard): {}",
                  table.assetName(),
                  String.join(", ", diff.added()));
            }
            rows = keepColumns(existing.get().schema(), context.session().describe(rows), rows);
            schemaChange = SchemaChange.UNION;
            drift = discarded(diff);
          }
          case EVOLVE -> drift = evolved(diff, schemaChange);
        }
      }
    }
    FileMerge.Plan merge = null;
    if (write.kind() == StagedData.Write.Kind.MERGE && existing.isPresent()) {
      merge =
          FileMerge.plan(
              context.lake(), context.session(), target, staged.relation(), write.keys(), rows);
      rows = merge.rows();
    }
    WriteOperation operation =
        merge != null
            ? WriteOperation.rewriteFiles(merge.rewrite())
            : write.kind() == StagedData.Write.Kind.REPLACE
                ? WriteOperation.replaceAll()
                : WriteOperation.append();
    AuditedWrite.Outcome outcome;
    try {
      outcome =
          new AuditedWrite(context.lake(), context.session(), context.checkRunner(target))
              .countingInto(context.tally())
              // the load state must be committed even when no row is new (all were rejected)
              .committingEmpty()
              .profiled(context.profiler())
              .afterWrite(
                  file -> {
                    if (read.get().readsOnScan()) {
                      read.set(read.get().scanned(file.rowCount()));
                    }
                    // before the data: a crash between the two commits loses no rejected record
                    commitRejected(context, target, read.get(), loadedAt, loadId, fullRefresh);
                  })
              .write(
                  target,
                  rows,
                  schemaChange,
                  operation,
                  StepContext.columnDocs(table.columns()),
                  context.writtenTableProperties(
                      table, table.description(), table.owner(), table.tags()),
                  summary,
                  table.allChecks(),
                  context.auditBranch());
    } catch (RuntimeException e) {
      removeUnconfirmedQuietly(context, target, e);
      throw e;
    }
    staged = read.get();
    if (!outcome.published()) {
      removeUnconfirmedQuietly(context, target, null);
    }
    if (outcome.published()) {
      connector.committed(spec(context, table, append), staged.state());
    }
    String detail =
        replayed
            + (fullRefresh ? "rebuilt from scratch: " : "")
            + (files
                ? write.kind() == StagedData.Write.Kind.MERGE
                    ? reloadedFiles(staged.files(), state.loadedFiles())
                    : files(staged.files().size())
                        + (append && !fullRefresh ? " appended" : " loaded")
                : staged.rows()
                    + (staged.rows() == 1 ? " row" : " rows")
                    + switch (write.kind()) {
                      case REPLACE -> " loaded";
                      case APPEND -> " appended";
                      case MERGE -> " merged on " + String.join(", ", write.keys());
                    });
    if (drift != null) {
      detail += "; " + drift;
    }
    if (staged.rejectedRows() > 0) {
      detail += ", " + staged.rejectedRows() + " rejected rows in " + target + "__rejected";
    }
    return Steps.written(
            StepResult.builder(table.assetName(), StepKind.SOURCE, target.toString())
                .rowsIn(staged.rows() + staged.rejectedRows())
                .bytesIn(staged.bytesRead())
                .rejectedRows(staged.rejectedRows()),
            outcome,
            target,
            Duration.between(started, context.now()),
            detail)
        .build();
  }

  private static String files(long count) {
    return count + (count == 1 ? " file" : " files");
  }

  /** What a load that merges files says: the new files apart from those loaded before. */
  private static String reloadedFiles(List<SourceFile> read, Map<String, String> loadedBefore) {
    long reloaded = read.stream().filter(file -> loadedBefore.containsKey(file.path())).count();
    long added = read.size() - reloaded;
    List<String> parts = new ArrayList<>();
    if (added > 0) {
      parts.add(added + (added == 1 ? " new file" : " new files") + " appended");
    }
    if (reloaded > 0 || added == 0) {
      parts.add(
          files(reloaded)
              + (reloaded == 1
                  ? " reloaded (its earlier rows replaced)"
                  : " reloaded (their earlier rows replaced)"));
    }
    return String.join(", ", parts);
  }

  /**
   * Commits the load's rejected records to the rejected table, with the load's id; a full refresh
   * replaces the rejected records of earlier loads (the rebuild reads their records again).
   */
  private static void commitRejected(
      StepContext context,
      TableName target,
      StagedData staged,
      String loadedAt,
      String loadId,
      boolean fullRefresh) {
    TableName rejected = Quarantine.rejectedTable(target);
    Map<String, String> summary =
        Map.of("sluice.run-id", context.runId(), Quarantine.LOAD_ID, loadId);
    if (staged.rejectedRows() == 0) {
      Optional<Table> existing =
          fullRefresh ? context.lake().findTable(rejected) : Optional.empty();
      if (existing.isPresent() && existing.get().currentSnapshot() != null) {
        context
            .lake()
            .newWrite(rejected, context.auditBranch())
            .newCommit(WriteOperation.replaceAll())
            .setAll(summary)
            .commit();
      }
      return;
    }
    new AuditedWrite(context.lake(), context.session(), context.checkRunner(target))
        .countingInto(context.tally())
        .write(
            rejected,
            "SELECT *, "
                + loadedAt
                + " AS _rejected_at FROM "
                + TableName.quote(staged.rejectedRelation()),
            SchemaChange.UNION,
            fullRefresh ? WriteOperation.replaceAll() : WriteOperation.append(),
            Map.of(),
            Map.of(
                "comment", "Records of " + target + " that could not be loaded, with the reason"),
            summary,
            List.of(),
            context.auditBranch());
  }

  private static void removeUnconfirmedQuietly(
      StepContext context, TableName target, RuntimeException failure) {
    try {
      Quarantine.removeUnconfirmed(context.lake(), target);
    } catch (RuntimeException e) {
      // the next load of the table removes them
      if (failure != null) {
        failure.addSuppressed(e);
      } else {
        LOG.warn("Cannot remove the rejected records of an unpublished load of {}", target, e);
      }
    }
  }

  /**
   * Commits a connector's state alone, in a snapshot of main without data (an append of no files),
   * for a load that found nothing new while its position moved on.
   *
   * @return the new snapshot's id, or null when the table does not exist yet
   */
  private static Long commitStateOnly(
      StepContext context, TableName target, Map<String, String> state) {
    Optional<Table> existing = context.lake().findTable(target);
    if (existing.isEmpty()) {
      return null;
    }
    return context
        .lake()
        .newWrite(target, context.auditBranch())
        .newCommit(WriteOperation.append())
        .set("sluice.run-id", context.runId())
        .set(SOURCE_STATE, toJson(new TreeMap<>(state)))
        .commit();
  }

  /** The step detail of an evolved schema, e.g. {@code schema evolved: added discount int}. */
  private static String evolved(SchemaDiff diff, SchemaChange change) {
    List<String> parts = new ArrayList<>();
    if (!diff.added().isEmpty()) {
      parts.add("added " + String.join(", ", diff.added()));
    }
    if (!diff.retyped().isEmpty()) {
      parts.add("retyped " + String.join(", ", diff.retyped()));
    }
    if (!diff.removed().isEmpty()) {
      parts.add(
          (change == SchemaChange.REPLACE ? "removed " : "no longer in the source (NULL): ")
              + String.join(", ", diff.removed()));
    }
    return "schema evolved: " + String.join("; ", parts);
  }

  /** The step detail of a discarded drift: the warning that new columns were dropped. */
  private static String discarded(SchemaDiff diff) {
    List<String> parts = new ArrayList<>();
    if (!diff.added().isEmpty()) {
      parts.add(
          "warning: new columns dropped (schema_drift: discard): "
              + String.join(", ", diff.added()));
    }
    if (!diff.removed().isEmpty()) {
      parts.add("no longer in the source (NULL): " + String.join(", ", diff.removed()));
    }
    if (!diff.retyped().isEmpty()) {
      parts.add("retyped " + String.join(", ", diff.retyped()));
    }
    return String.join("; ", parts);
  }

  /** The rows with only the columns the table has (the table's other columns become NULL). */
  private static String keepColumns(Schema table, Schema load, String rows) {
    StringJoiner columns = new StringJoiner(", ");
    for (org.apache.iceberg.types.Types.NestedField column : load.columns()) {
      if (table.findField(column.name()) != null) {
        columns.add(TableName.quote(column.name()));
      }
    }
    return "SELECT " + columns + " FROM (" + rows + "\n) AS kept";
  }

  /**
   * The staged rows to write, with the load time. With a delete column, the rows that delete are
   * left out, and so is the column; in a merge they still remove the table's rows of their key.
   */
  static String stagedRows(String relation, String deleteColumn, String loadedAt) {
    if (deleteColumn == null) {
      return "SELECT *, " + loadedAt + " AS _loaded_at FROM " + TableName.quote(relation);
    }
    String column = TableName.quote(deleteColumn);
    return "SELECT * EXCLUDE ("
        + column
        + "), "
        + loadedAt
        + " AS _loaded_at FROM "
        + TableName.quote(relation)
        + " WHERE "
        + column
        + " IS NOT TRUE";
  }

  static SourceTableSpec spec(StepContext context, SourceTableDef table, boolean append) {
    return table.spec(context.project().root(), context.project().environment(), append);
  }

  static SourceConnector connector(String type) {
    for (SourceConnector connector : ServiceLoader.load(SourceConnector.class)) {
      if (connector.type().equals(type)) {
        return connector;
      }
    }
    throw new InvalidInputException("No connector of type '" + type + "' is installed");
  }

  /**
   * The files loaded so far and the connector's state, as committed with the table's current
   * snapshot (or carried into it by a commit that is not a load, see {@link CarriedState}).
   */
  static LoadState loadState(StepContext context, TableName target) {
    Table table = context.lake().findTable(target).orElse(null);
    Snapshot snapshot = table == null ? null : table.currentSnapshot();
    if (snapshot == null) {
      return LoadState.empty();
    }
    Map<String, String> state = CarriedState.of(table, snapshot);
    return new LoadState(
        fromJson(state.get(LOADED_FILES), target), fromJson(state.get(SOURCE_STATE), target));
  }

  private static Map<String, String> fromJson(String json, TableName target) {
    if (json == null) {
      return Map.of();
    }
    try {
      return JSON.readValue(json, new TypeReference<Map<String, String>>() {});
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "Unreadable load state in " + target + ": " + e.getMessage(), e);
    }
  }

  private static String toJson(Map<String, String> value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
