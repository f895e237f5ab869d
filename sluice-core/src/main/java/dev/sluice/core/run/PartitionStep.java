package dev.sluice.core.run;

import dev.sluice.api.DataException;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.ColumnMapping;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.engine.ParquetCompression;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.api.engine.WrittenFile;
import dev.sluice.core.project.CheckDef;
import dev.sluice.core.project.ModelDef;
import dev.sluice.core.project.PartitionKey;
import dev.sluice.core.project.PartitionRange;
import dev.sluice.core.project.PartitionVariables;
import dev.sluice.core.project.PartitionsDef;
import dev.sluice.core.state.StepKind;
import dev.sluice.core.state.StepStatus;
import dev.sluice.core.state.TableProfile;
import dev.sluice.lake.Lake;
import dev.sluice.lake.SchemaChange;
import dev.sluice.lake.TableWrite;
import dev.sluice.lake.WriteOperation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.regex.Pattern;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;

/**
 * Builds a range of partitions of a partitioned model: renders its SQL with the window, checks that
 * every row lies inside the range, writes one data file per partition, runs the checks on just
 * those rows, and replaces exactly the range's rows in one Iceberg commit. Nothing is visible
 * before the commit, and a blocking check failure commits nothing.
 */
final class PartitionStep {
  /** Snapshot summary key naming the partitions a commit replaced. */
  static final String PARTITIONS = "sluice.partitions";

  /** A template that may read the model's own table: any word {@code this}, even in a comment. */
  private static final Pattern MENTIONS_THIS = Pattern.compile("\\bthis\\b");

  private PartitionStep() {}

  /**
   * Builds the partitions of {@code work}.
   *
   * @param rowsByPartition receives the rows written per partition key
   * @param inputsRead receives the snapshot id of each table the build read (not the model's own),
   *     by table name: what {@link PartitionStaleness} compares the inputs' current state with
   */
  static StepResult run(
      StepContext context,
      ModelDef model,
      Work work,
      Map<String, Long> rowsByPartition,
      Map<String, Long> inputsRead) {
    Instant started = context.now();
    TableName target = model.tableName();
    Lake lake = context.lake();
    boolean tableExists = lake.findTable(target).isPresent();
    if (tableExists && !work.replaceAll()) {
      checkLayout(model, lake.loadTable(target).properties().get(LAYOUT));
    }
    // the model's own table is registered (all its files planned) only when its SQL may read it
    ModelStep.registerInputs(
            context, model, tableExists && MENTIONS_THIS.matcher(model.sqlTemplate()).find())
        .forEach(
            (table, snapshot) -> {
              if (!table.equals(target)) {
                inputsRead.put(table.toString(), snapshot);
              }
            });
    EngineSession session = context.session();
    String resultName = "partition_rows_" + model.name();
    String result = TableName.quote(resultName);
    long rows = 0;
    Schema desired = null;
    List<PartitionFilter> filters = new ArrayList<>();
    // each range's rows are checked on their own before they join the step's rows (checked
    // together, the rows of the ranges before would count as outside this one); one range is the
    // step's rows, several are put together with a UNION ALL, which every engine's SQL has
    boolean single = work.ranges().size() == 1;
    List<String> rangeTables = new ArrayList<>();
    for (PartitionRange range : work.ranges()) {
      String sql =
          ModelStep.render(
              context, model, tableExists && !work.replaceAll(), PartitionVariables.of(range));
      sql = ModelStep.enforceContract(model, session, sql);
      sql = DeclaredTypes.apply(model, session, sql);
      String rangeName =
          single ? resultName : "range_rows_" + model.name() + "_" + rangeTables.size();
      String rangeRows = TableName.quote(rangeName);
      try {
        rows += session.createTemporaryTable(rangeName, sql);
        if (desired == null) {
          desired = session.describe("SELECT * FROM " + rangeRows);
        }
      } catch (dev.sluice.api.QueryException e) {
        throw new dev.sluice.api.QueryException(ModelStep.describeError(model, e), e);
      }
      rangeTables.add(rangeRows);
      PartitionFilter filter = PartitionFilter.of(model.name(), range, desired, session);
      rejectRowsOutside(model, range, session, rangeRows, filter);
      filters.add(filter);
    }
    if (!single) {
      StringJoiner union = new StringJoiner(" UNION ALL ");
      for (String rangeRows : rangeTables) {
        union.add("SELECT * FROM " + rangeRows);
      }
      rows = session.createTemporaryTable(resultName, union.toString());
    }

    // a new table is created by the commit of its first partitions, so that a first build that
    // fails, is blocked, cancelled or killed leaves no table (not an empty one)
    TableWrite write = null;
    String environment = context.options().environment();
    if (!tableExists && environment != null) {
      // a model new in an environment: main has the table without data until it is promoted
      try {
        lake.createTable(
            target,
            desired,
            IcebergPartitioning.spec(model.partitions(), desired),
            newTableProperties(model, context.compression(model)));
      } catch (org.apache.iceberg.exceptions.AlreadyExistsException e) {
        checkLayout(model, lake.loadTable(target).properties().get(LAYOUT));
      }
    } else if (!tableExists) {
      try {
        write = newTableWrite(lake, model, desired, context);
      } catch (org.apache.iceberg.exceptions.AlreadyExistsException e) {
        // another step of the same run (a backfill's partitions run side by side) committed first
        checkLayout(model, lake.loadTable(target).properties().get(LAYOUT));
      }
    }
    if (write == null) {
      write = newWrite(context, target);
    }
    Prepared prepared = prepare(write, model, work, desired, context.compression(model));
    List<WrittenFile> written = new ArrayList<>();
    List<TableProfile> profiles = new ArrayList<>();
    boolean committed = false;
    long snapshot;
    List<CheckOutcome> checks;
    try {
      List<DataFile> files =
          writePartitions(
              context,
              model,
              work,
              desired,
              result,
              write,
              prepared,
              written,
              profiles,
              rowsByPartition);
      List<CheckDef> checkDefs = model.allChecks();
      boolean microbatch =
          context.project().dbt() != null
              && context.project().dbt().microbatch().isMicrobatch(model.name());
      // a dbt microbatch model's batches are audited and committed one at a time, so that each
      // batch's data tests read the table as it will be, with the batches committed before it
      Object audit =
          microbatch ? MICROBATCH_AUDITS.computeIfAbsent(target, t -> new Object()) : new Object();
      synchronized (audit) {
        if (!checkDefs.isEmpty()) {
          List<String> writtenFiles =
              written.stream()
                  .filter(file -> file.rowCount() > 0)
                  .map(WrittenFile::location)
                  .toList();
          if (microbatch && !work.replaceAll() && lake.findTable(target).isPresent()) {
            auditAsPublished(context, target, prepared.schema(), writtenFiles, filters);
          } else {
            // the checks read just the rows written, from files this step wrote with these names
            session.registerTable(target, prepared.schema(), writtenFiles, ColumnMapping.NAME);
          }
        }
        checks = context.checkRunner(target).run(session, target, checkDefs, profiles);
        if (checks.stream().anyMatch(CheckOutcome::blocks)) {
          return result(
                  context,
                  model,
                  work,
                  StepStatus.FAILED,
                  rows,
                  0,
                  null,
                  started,
                  checks,
                  Steps.blockedMessage(target, checks))
              .toBuilder()
              .profiles(profiles)
              .build();
        }
        Map<String, String> summary = new HashMap<>();
        summary.put("sluice.run-id", context.runId());
        summary.put(Planner.FINGERPRINT, Planner.fingerprint(context.project(), model));
        summary.put(PARTITIONS, work.partitionLabel());
        Expression replaced = Expressions.alwaysFalse();
        for (PartitionFilter filter : filters) {
          replaced = Expressions.or(replaced, filter.iceberg());
        }
        WriteOperation operation =
            WriteOperation.overwriteRows(work.replaceAll() ? Expressions.alwaysTrue() : replaced);
        try {
          snapshot = write.newCommit(operation).addFiles(files).setAll(summary).commit();
          context.tally().wrote(files.size());
        } catch (dev.sluice.api.TransientException e) {
          if (!write.createsTable() || lake.findTable(target).isEmpty()) {
            throw e;
          }
          // another step (a backfill's partitions run side by side) created the table first: commit
          // these partitions into it, with data files written for its column ids
          checkLayout(model, lake.loadTable(target).properties().get(LAYOUT));
          written.forEach(AuditedWrite::deleteQuietly);
          written.clear();
          profiles.clear();
          write = newWrite(context, target);
          prepared = prepare(write, model, work, desired, context.compression(model));
          files =
              writePartitions(
                  context,
                  model,
                  work,
                  desired,
                  result,
                  write,
                  prepared,
                  written,
                  profiles,
                  rowsByPartition);
          snapshot = write.newCommit(operation).addFiles(files).setAll(summary).commit();
          context.tally().wrote(files.size());
        }
        committed = true;
      }
      long bytes = written.stream().mapToLong(WrittenFile::sizeInBytes).sum();
      return result(
              context,
              model,
              work,
              StepStatus.SUCCEEDED,
              rows,
              bytes,
              snapshot,
              started,
              checks,
              null)
          .toBuilder()
          .profiles(profiles)
          .build();
    } finally {
      // the step's session ends with it: its registrations need no restoring
      if (!committed) {
        written.forEach(AuditedWrite::deleteQuietly);
      }
    }
  }

  /** The lock of each dbt microbatch model's table that its batches' audits and commits take. */
  private static final java.util.concurrent.ConcurrentMap<TableName, Object> MICROBATCH_AUDITS =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * Registers, under the model's name, the table as it will be once the batch is committed: its
   * published rows outside the batch's windows and the batch's new rows, so that the batch's data
   * tests see what dbt's see (dbt runs them on the whole table after the batches).
   */
  private static void auditAsPublished(
      StepContext context,
      TableName target,
      Schema schema,
      List<String> writtenFiles,
      List<PartitionFilter> filters) {
    EngineSession session = context.session();
    Expression replaced = Expressions.alwaysFalse();
    StringJoiner inWindows = new StringJoiner(" OR ");
    for (PartitionFilter filter : filters) {
      replaced = Expressions.or(replaced, filter.iceberg());
      inWindows.add("coalesce((" + filter.sql() + "), false)");
    }
    TableName published = new TableName(target.zone(), "__published_" + target.name());
    TableName batch = new TableName(target.zone(), "__batch_" + target.name());
    dev.sluice.lake.TableScanFiles scan =
        context.lake().scan(target, context.readPoint(), Expressions.not(replaced));
    session.registerTable(published, schema, scan.dataFiles(), scan.columnMapping());
    session.registerTable(batch, schema, writtenFiles, ColumnMapping.NAME);
    StringJoiner columns = new StringJoiner(", ");
    schema.columns().forEach(column -> columns.add(TableName.quote(column.name())));
    session.registerView(
        target,
        "SELECT "
            + columns
            + " FROM "
            + published.quoted()
            + " WHERE NOT ("
            + inWindows
            + ") UNION ALL SELECT "
            + columns
            + " FROM "
            + batch.quoted());
  }

  /** The schema and partition spec the data files of a write are written and described with. */
  private record Prepared(Schema schema, PartitionSpec spec) {}

  /** The first write of a partitioned model's table, which creates it when it commits. */
  private static TableWrite newTableWrite(
      Lake lake, ModelDef model, Schema desired, StepContext context) {
    return lake.newTableWrite(
        model.tableName(),
        desired,
        IcebergPartitioning.spec(model.partitions(), desired),
        newTableProperties(model, context.compression(model)),
        context.auditBranch());
  }

  private static Map<String, String> newTableProperties(
      ModelDef model, ParquetCompression compression) {
    Map<String, String> properties =
        StepContext.tableProperties(model.description(), model.owner(), model.tags());
    properties.putAll(compression.tableProperties());
    properties.putAll(PartitionFilter.tableProperties(model.partitions()));
    properties.put(LAYOUT, layout(model));
    return properties;
  }

  /**
   * A write of an existing table: to main, or in an environment to its branch (which starts at
   * main's head, so the partitions the step does not replace are main's files, not copies).
   */
  private static TableWrite newWrite(StepContext context, TableName target) {
    String environment = context.options().environment();
    return environment == null
        ? context.lake().newWrite(target, context.auditBranch())
        : context.lake().newWrite(target, context.auditBranch(), environment);
  }

  /** Stages the write's schema, partition spec, compression and (for a full refresh) properties. */
  private static Prepared prepare(
      TableWrite write, ModelDef model, Work work, Schema desired, ParquetCompression compression) {
    // a full refresh rebuilds every partition: columns take the model's types, as in a first build
    Schema schema =
        write.prepareSchema(desired, work.replaceAll() ? SchemaChange.REPLACE : SchemaChange.UNION);
    PartitionSpec spec =
        write.preparePartitionSpec(IcebergPartitioning.spec(model.partitions(), schema));
    write.setCompression(compression);
    if (work.replaceAll()) {
      Map<String, String> properties = PartitionFilter.tableProperties(model.partitions());
      properties.put(LAYOUT, layout(model));
      write.setProperties(properties);
    }
    return new Prepared(schema, spec);
  }

  /**
   * Writes one data file per partition key of {@code work} from the step's rows in {@code result},
   * adding each to {@code written} and its profile to {@code profiles}.
   *
   * @return the files that hold rows, described for the commit
   */
  private static List<DataFile> writePartitions(
      StepContext context,
      ModelDef model,
      Work work,
      Schema desired,
      String result,
      TableWrite write,
      Prepared prepared,
      List<WrittenFile> written,
      List<TableProfile> profiles,
      Map<String, Long> rowsByPartition) {
    EngineSession session = context.session();
    DataProfiler profiler = context.profiler();
    List<DataFile> files = new ArrayList<>();
    for (PartitionRange range : work.ranges()) {
      for (PartitionKey key : range.keys()) {
        PartitionFilter one =
            PartitionFilter.of(
                model.name(), PartitionRange.of(range.partitions(), key), desired, session);
        WrittenFile file =
            write.writeDataFile(
                session,
                AuditedWrite.projectOnto(
                    prepared.schema(), desired, "SELECT * FROM " + result + " WHERE " + one.sql()),
                prepared.schema());
        written.add(file);
        rowsByPartition.put(key.toString(), file.rowCount());
        // profiled before the file is handed to the lake, which may move it (object storage)
        profiles.add(
            profiler.profile(
                session, model.tableName(), key.toString(), prepared.schema(), List.of(file)));
        if (file.rowCount() > 0) {
          files.add(
              write.toDataFile(
                  file,
                  prepared.spec().isUnpartitioned()
                      ? null
                      : IcebergPartitioning.partitionOf(
                          prepared.spec(), model.partitions(), key, prepared.schema())));
        }
      }
    }
    return files;
  }

  /** Table property recording how the data files are split (which columns, grain and zone). */
  static final String LAYOUT = "sluice.partition-layout";

  /** The part of a model's partitions that decides which rows share a data file. */
  static String layout(ModelDef model) {
    StringBuilder layout = new StringBuilder();
    for (PartitionsDef.Dimension dimension : model.partitions().dimensions()) {
      if (layout.length() > 0) {
        layout.append(", ");
      }
      layout.append(dimension.column());
      if (dimension instanceof PartitionsDef.TimeDimension time) {
        layout
            .append(' ')
            .append(time.grain().name().toLowerCase(java.util.Locale.ROOT))
            .append(' ')
            .append(time.zone());
      }
    }
    return layout.toString();
  }

  private static void checkLayout(ModelDef model, String recorded) {
    String wanted = layout(model);
    if (!wanted.equals(recorded)) {
      throw new DataException(
          "Model "
              + model.name()
              + " is partitioned by "
              + wanted
              + ", but its table was built "
              + (recorded == null ? "without partitions" : "partitioned by " + recorded)
              + "; rebuild it once with 'sluice run --select "
              + model.name()
              + " --full-refresh'");
    }
  }

  private static void rejectRowsOutside(
      ModelDef model,
      PartitionRange range,
      EngineSession session,
      String result,
      PartitionFilter filter) {
    QueryResult outside =
        session.query(
            "SELECT count(*) FROM " + result + " WHERE NOT coalesce((" + filter.sql() + "), false)",
            1);
    long count = ((Number) outside.rows().get(0).get(0)).longValue();
    if (count > 0) {
      String timeHint =
          range.partitions().time().isPresent()
              ? " e.g. WHERE "
                  + range.partitions().time().get().column()
                  + " >= '{{ start }}' AND "
                  + range.partitions().time().get().column()
                  + " < '{{ end }}'"
              : " e.g. WHERE ... = '{{ partition." + range.partitions().columns().get(0) + " }}'";
      throw new DataException(
          "Model "
              + model.name()
              + " ("
              + model.sqlFileName()
              + ") returned "
              + count
              + " row(s) outside partition "
              + range.label()
              + " ("
              + filter.description()
              + "); nothing was written. Filter its SQL to the partition,"
              + timeHint);
    }
  }

  private static StepResult result(
      StepContext context,
      ModelDef model,
      Work work,
      StepStatus status,
      long rows,
      long bytes,
      Long snapshot,
      Instant started,
      List<CheckOutcome> checks,
      String error) {
    return StepResult.builder(model.name(), StepKind.MODEL, model.tableName().toString())
        .status(status)
        .rowsOut(status == StepStatus.SUCCEEDED ? rows : 0)
        .bytesOut(bytes)
        .snapshotId(snapshot)
        .duration(Duration.between(started, context.now()))
        .checks(checks)
        .detail(
            status == StepStatus.SUCCEEDED
                ? (work.replaceAll()
                        ? "rebuilt all " + work.keys().size() + " partitions"
                        : "replaced partition " + work.partitionLabel())
                    + " ("
                    + rows
                    + " rows)"
                : null)
        .error(error)
        .build();
  }
}
