package dev.sluice.core.run;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.QueryException;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.core.project.Materialization;
import dev.sluice.core.project.ModelDef;
import dev.sluice.core.project.SourceRef;
import dev.sluice.core.project.SqlRenderer;
import dev.sluice.core.query.SqlSandbox;
import dev.sluice.core.state.StepKind;
import dev.sluice.core.state.StepStatus;
import dev.sluice.lake.Lake;
import dev.sluice.lake.SchemaChange;
import dev.sluice.lake.WriteOperation;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.types.Types;

/** Builds one SQL model. */
final class ModelStep {
  private static final Pattern ENGINE_LINE = Pattern.compile("LINE (\\d+):");

  private ModelStep() {}

  static StepResult run(StepContext context, ModelDef model) {
    return withHooks(context, model, postHooks -> build(context, model, postHooks));
  }

  /**
   * Builds a model with its hooks: a dbt model's pre-hooks run in its session before its SQL, its
   * post-hooks once it is published (each rendered once: {@code build} may render them before it
   * publishes, {@link DbtHookRunner#stageInserts}).
   */
  static StepResult withHooks(
      StepContext context,
      ModelDef model,
      java.util.function.Function<DbtHookRunner.PostHooks, StepResult> build) {
    Set<TableName> readable = inputs(context, model);
    DbtHookRunner.before(context, model.name(), model.tableName(), readable);
    DbtHookRunner.PostHooks postHooks = new DbtHookRunner.PostHooks();
    return DbtHookRunner.after(
        context, model.name(), model.tableName(), readable, build.apply(postHooks), postHooks);
  }

  private static StepResult build(
      StepContext context, ModelDef model, DbtHookRunner.PostHooks postHooks) {
    Instant started = context.now();
    TableName target = model.tableName();
    Lake lake = context.lake();
    // looked up once, under the step's lock on the table: the write starts from this version (a
    // writer that changed it meanwhile fails the commit's validation, never overwritten unseen)
    Optional<Table> found = lake.findTable(target);
    boolean tableExists = found.isPresent();
    boolean incremental =
        model.materialization() == Materialization.INCREMENTAL
            && tableExists
            && !context.options().fullRefresh();
    String sql = render(context, model, incremental, Map.of());
    // an incremental update and a snapshot's later runs read the model's own table
    registerInputs(
        context,
        model,
        incremental || (model.materialization() == Materialization.SNAPSHOT && tableExists));
    try {
      sql = enforceContract(model, context.session(), sql);
      sql = DeclaredTypes.apply(model, context.session(), sql);
      return switch (model.materialization()) {
        case VIEW -> view(context, model, sql, started);
        case TABLE -> table(context, model, sql, started, "rebuilt", found, postHooks);
        case INCREMENTAL ->
            incremental
                ? incrementalUpdate(context, model, sql, started)
                : table(context, model, sql, started, "built in full", found, postHooks);
        case SNAPSHOT -> snapshot(context, model, sql, started, tableExists);
        case EPHEMERAL ->
            throw new IllegalStateException(
                "Ephemeral model " + model.name() + " is inlined where it is read, never built");
        case INCREMENTAL_BY_TIME_RANGE, INCREMENTAL_BY_PARTITION ->
            throw new IllegalStateException(
                "Partitioned model " + model.name() + " is built by partitions");
      };
    } catch (QueryException e) {
      throw new QueryException(describeError(model, e), e);
    }
  }

  /**
   * Holds the columns of the model's SQL against its enforced contract, before anything is written:
   * a Sluice contract's declared columns ({@link ContractEnforcement}), a dbt model's as dbt holds
   * them ({@link DbtContractColumns}).
   *
   * @return the SQL to build: a dbt model's table has its contract's columns in their order
   * @throws dev.sluice.api.DataException with the column-by-column diff when they violate it
   */
  static String enforceContract(ModelDef model, EngineSession session, String sql) {
    if (model.contract() == null || !model.contract().enforced()) {
      return sql;
    }
    if (!model.contract().dataTypes().isEmpty()) {
      return DbtContractColumns.check(model, session, sql);
    }
    ContractEnforcement.check(
        model.contract(),
        model.columns(),
        session.describe(sql),
        "model " + model.name() + " (contract at " + model.contract().location() + ")",
        column -> false);
    return sql;
  }

  /**
   * Registers in the session the tables the model reads: its refs and sources, and its own table
   * when {@code withItself} (incremental SQL reads {@code this}).
   *
   * @return the snapshot of each table registered (views' tables included), by table
   */
  static java.util.Map<dev.sluice.api.TableName, Long> registerInputs(
      StepContext context, ModelDef model, boolean withItself) {
    Relations relations = context.relations();
    for (String ref : context.project().tableRefs(model)) {
      relations.register(context.resolveRef(ref));
    }
    for (SourceRef source : context.project().sourcesRead(model)) {
      TableName table = context.resolveSource(source.source(), source.table());
      if (!relations.tryRegister(table)) {
        throw new InvalidInputException(
            "Model "
                + model.name()
                + " reads source('"
                + source.source()
                + "', '"
                + source.table()
                + "'), table "
                + table
                + ", which the warehouse does not have"
                + (context.project().sourceTable(source.source(), source.table()).isPresent()
                    ? ": run 'sluice run' to load it"
                    : ": load it first (a seed or model that builds it, or the tool that loads"
                        + " it), or give the source table its file: meta: {external_location:"
                        + " '...'} (docs/dbt.md)"));
      }
    }
    if (withItself) {
      relations.register(model.tableName());
    }
    return relations.snapshotsRead();
  }

  /** The tables a model may read: its refs, its sources and its own table. */
  static Set<TableName> inputs(StepContext context, ModelDef model) {
    Set<TableName> inputs = new LinkedHashSet<>();
    for (String ref : context.project().tableRefs(model)) {
      inputs.add(context.resolveRef(ref));
    }
    for (SourceRef source : context.project().sourcesRead(model)) {
      inputs.add(context.resolveSource(source.source(), source.table()));
    }
    inputs.add(model.tableName());
    return inputs;
  }

  /** "Model x (models/x.sql:3): the engine's message". */
  static String describeError(ModelDef model, QueryException e) {
    String message = e.getMessage();
    Matcher line = ENGINE_LINE.matcher(message);
    String where = model.sqlFile().toString() + (line.find() ? ":" + line.group(1) : "");
    return "Model " + model.name() + " (" + where + "): " + message.strip();
  }

  private static StepResult view(StepContext context, ModelDef model, String sql, Instant started) {
    TableName target = model.tableName();
    EngineSession session = context.session();
    session.registerView(target, sql);
    List<CheckOutcome> checks = context.checkRunner(target).run(session, target, model.allChecks());
    boolean blocked = checks.stream().anyMatch(CheckOutcome::blocks);
    if (!blocked) {
      org.apache.iceberg.Schema schema = session.describe("SELECT * FROM " + target.quoted());
      String environment = context.options().environment();
      if (environment != null) {
        // an environment's version of the view, apart from production's (EnvironmentViews)
        context
            .lake()
            .environmentViews()
            .createOrReplace(target, environment, schema, sql, viewProperties(context, model));
      } else {
        if (context.lake().findTable(target).isPresent()) {
          context.lake().dropTable(target);
        }
        context.lake().createOrReplaceView(target, schema, sql, viewProperties(context, model));
      }
    }
    return StepResult.builder(model.name(), StepKind.MODEL, target.toString())
        .status(blocked ? StepStatus.FAILED : StepStatus.SUCCEEDED)
        .duration(Duration.between(started, context.now()))
        .checks(checks)
        .detail(blocked ? null : "view replaced")
        .error(blocked ? Steps.blockedMessage(target, checks) : null)
        .build();
  }

  private static Map<String, String> viewProperties(StepContext context, ModelDef model) {
    Map<String, String> properties =
        StepContext.tableProperties(model.description(), model.owner(), model.tags());
    properties.put(Planner.FINGERPRINT, Planner.fingerprint(context.project(), model));
    return properties;
  }

  /**
   * Rebuilds the model's table from its SQL.
   *
   * @param found the table as the step found it, or empty when there is none (a view of the name,
   *     the model's earlier materialization, is dropped: a name is a table or a view, never both)
   */
  private static StepResult table(
      StepContext context,
      ModelDef model,
      String sql,
      Instant started,
      String detail,
      Optional<Table> found,
      DbtHookRunner.PostHooks postHooks) {
    TableName target = model.tableName();
    if (found.isEmpty() && context.lake().findView(target).isPresent()) {
      context.lake().dropTable(target);
    }
    // a dbt post-hook's insert into {{ this }}: its rows are part of the version audited
    String rows =
        DbtHookRunner.stageInserts(context, model, sql, inputs(context, model), postHooks);
    try {
      AuditedWrite.Outcome outcome =
          write(
              auditedWrite(context, model).startingFrom(found),
              context,
              model,
              rows,
              SchemaChange.REPLACE,
              WriteOperation.replaceAll());
      return result(context, model, outcome, started, detail);
    } finally {
      if (!rows.equals(sql)) {
        context.session().dropTemporaryTable(DbtHookRunner.stagedTable(model));
      }
    }
  }

  /**
   * A snapshot (a type-2 slowly changing dimension, {@link SnapshotBuild}): the table's versions
   * with the changes of the query's rows, written as its new contents in one commit. A full refresh
   * does not rebuild it, as in dbt: its history would be lost.
   */
  private static StepResult snapshot(
      StepContext context, ModelDef model, String sql, Instant started, boolean tableExists) {
    TableName target = model.tableName();
    SnapshotBuild build = new SnapshotBuild(model.snapshot(), started);
    if (!tableExists) {
      AuditedWrite.Outcome outcome =
          write(
              context,
              model,
              build.initial(sql),
              SchemaChange.REPLACE,
              WriteOperation.replaceAll());
      return result(context, model, outcome, started, "snapshot taken");
    }
    EngineSession session = context.session();
    String rows =
        build.update(
            session,
            target,
            sql,
            columnNames(session.describe(sql)),
            context.lake().loadTable(target).schema());
    AuditedWrite.Outcome outcome =
        write(context, model, rows, SchemaChange.UNION, WriteOperation.replaceAll());
    return result(context, model, outcome, started, "snapshot updated");
  }

  private static StepResult incrementalUpdate(
      StepContext context, ModelDef model, String sql, Instant started) {
    TableName target = model.tableName();
    EngineSession session = context.session();
    String newRows = "new_rows_" + model.name();
    long rows = session.createTemporaryTable(newRows, sql);
    if (rows == 0) {
      Long current =
          context
              .lake()
              .currentSnapshot(target)
              .map(snapshot -> snapshot.snapshotId())
              .orElse(null);
      return StepResult.builder(model.name(), StepKind.MODEL, target.toString())
          .status(StepStatus.SUCCEEDED)
          .snapshotId(current)
          .duration(Duration.between(started, context.now()))
          .detail("no new rows")
          .build();
    }
    SchemaUpdate update = schemaUpdate(context, model, newRows);
    if (model.uniqueKey().isEmpty()) {
      AuditedWrite.Outcome outcome =
          write(context, model, update.newRows(), update.change(), WriteOperation.append());
      return result(
          context, model, outcome, started, update.describe("appended " + rows + " new rows"));
    }
    Schema incoming = session.mergesIntoLakeTables() ? session.describe(update.newRows()) : null;
    if (incoming != null && IcebergMerge.applies(context, model, incoming, update.change())) {
      return IcebergMerge.run(
          context,
          model,
          update.newRows(),
          incoming,
          update.change(),
          update.note(),
          rows,
          started);
    }
    if (update.change() == SchemaChange.UNION) {
      return merge(context, model, newRows, update, rows, started);
    }
    // the table's columns are replaced (sync_all_columns): every row is written with them
    StringJoiner join = new StringJoiner(" AND ");
    for (String key : model.uniqueKey()) {
      join.add(
          "existing."
              + TableName.quote(key)
              + " IS NOT DISTINCT FROM incoming."
              + TableName.quote(key));
    }
    String kept =
        "SELECT "
            + update.existingColumns()
            + " FROM "
            + target.quoted()
            + " AS existing ANTI JOIN "
            + TableName.quote(newRows)
            + " AS incoming ON "
            + join;
    String merged = unionAllByName(session, kept, update.newRows());
    AuditedWrite.Outcome outcome =
        write(context, model, merged, update.change(), WriteOperation.replaceAll());
    return result(
        context,
        model,
        outcome,
        started,
        update.describe(
            "merged " + rows + " new or changed rows on " + String.join(", ", model.uniqueKey())));
  }

  /**
   * Merges the new rows into the table on its {@code unique_key} as Iceberg's copy-on-write, on the
   * model's engine ({@link FileMerge}): only the data files that hold a key of a new row are
   * rewritten (their other rows with the new ones), every other file stays, and the commit is
   * Sluice's, on the audit branch with the step's snapshot properties, as for every write.
   */
  private static StepResult merge(
      StepContext context,
      ModelDef model,
      String newRows,
      SchemaUpdate update,
      long rows,
      Instant started) {
    FileMerge.Plan merge =
        FileMerge.plan(
            context.lake(),
            context.session(),
            model.tableName(),
            newRows,
            model.uniqueKey(),
            update.newRows(),
            context.readPoint());
    int rewritten = merge.rewrite().removed().size();
    AuditedWrite.Outcome outcome =
        write(
            context,
            model,
            merge.rows(),
            update.change(),
            WriteOperation.rewriteFiles(merge.rewrite()));
    return result(
        context, model, outcome, started, update.describe(mergeDetail(model, rows, "", rewritten)));
  }

  /** "merged 3 new or changed rows on id{how} (rewrote 1 data file holding their keys)". */
  static String mergeDetail(ModelDef model, long rows, String how, int rewritten) {
    return "merged "
        + rows
        + " new or changed rows on "
        + String.join(", ", model.uniqueKey())
        + how
        + " (rewrote "
        + rewritten
        + (rewritten == 1 ? " data file" : " data files")
        + " holding their keys)";
  }

  /**
   * {@code left UNION ALL BY NAME right} in SQL every engine reads: the columns of both, the left's
   * first, each side selecting its own or NULL for a column only the other has (so that an added or
   * removed column is NULL in the rows that lack it). DuckDB's {@code BY NAME} is not Spark SQL.
   */
  static String unionAllByName(EngineSession session, String left, String right) {
    List<String> leftColumns = columnNames(session.describe(left));
    List<String> rightColumns = columnNames(session.describe(right));
    LinkedHashSet<String> all = new LinkedHashSet<>(leftColumns);
    all.addAll(rightColumns);
    return "SELECT "
        + selectByName(all, leftColumns)
        + " FROM ("
        + left
        + ") AS kept_rows UNION ALL SELECT "
        + selectByName(all, rightColumns)
        + " FROM ("
        + right
        + ") AS new_rows";
  }

  private static List<String> columnNames(Schema schema) {
    return schema.columns().stream().map(Types.NestedField::name).toList();
  }

  private static String selectByName(java.util.Collection<String> all, List<String> present) {
    StringJoiner columns = new StringJoiner(", ");
    for (String column : all) {
      String quoted = TableName.quote(column);
      columns.add(present.contains(column) ? quoted : "NULL AS " + quoted);
    }
    return columns.toString();
  }

  /**
   * How an incremental update's rows meet the table when the SQL's columns changed ({@code
   * on_schema_change}).
   *
   * @param newRows the query of the rows to write
   * @param existingColumns what a merge keeps of the table's rows, e.g. {@code existing.*}
   * @param note what happened to the table's columns, for the step's detail, or null
   */
  private record SchemaUpdate(
      String newRows, String existingColumns, SchemaChange change, String note) {
    String describe(String detail) {
      return note == null ? detail : detail + "; " + note;
    }
  }

  private static SchemaUpdate schemaUpdate(StepContext context, ModelDef model, String newRows) {
    String all = "SELECT * FROM " + TableName.quote(newRows);
    Schema table = context.lake().loadTable(model.tableName()).schema();
    Schema incoming = context.session().describe(all);
    SchemaDiff diff = SchemaDiff.between(table, incoming);
    if (diff.isEmpty()) {
      return new SchemaUpdate(all, "existing.*", SchemaChange.UNION, null);
    }
    return switch (model.onSchemaChange()) {
      case FAIL ->
          throw new InvalidInputException(
              "The columns of incremental model "
                  + model.name()
                  + " ("
                  + model.sqlFileName()
                  + ") changed and its on_schema_change is fail: "
                  + diff.describe()
                  + ". Nothing was written. Change the SQL back, rebuild the table with"
                  + " --full-refresh, or set on_schema_change: append_new_columns or"
                  + " sync_all_columns");
      case IGNORE ->
          new SchemaUpdate(
              select(table, incoming, null, newRows),
              "existing.*",
              SchemaChange.UNION,
              "warning: the SQL's columns changed ("
                  + diff.describe()
                  + ") and the table kept its own (on_schema_change: ignore, the default): set"
                  + " on_schema_change: append_new_columns or sync_all_columns, or run"
                  + " --full-refresh");
      case APPEND_NEW_COLUMNS ->
          new SchemaUpdate(
              all,
              "existing.*",
              SchemaChange.UNION,
              "schema: "
                  + diff.describe()
                  + (diff.added().isEmpty() ? "" : " (new columns are NULL in earlier rows)")
                  + (diff.removed().isEmpty() ? "" : " (removed columns kept, NULL in new rows)")
                  + " (on_schema_change: append_new_columns)");
      case SYNC_ALL_COLUMNS ->
          new SchemaUpdate(
              all,
              select(incoming, table, "existing", null),
              SchemaChange.REPLACE,
              "schema synced: "
                  + diff.describe()
                  + (diff.added().isEmpty() ? "" : " (new columns are NULL in earlier rows)")
                  + " (on_schema_change: sync_all_columns)");
    };
  }

  /**
   * The columns of {@code wanted} that {@code available} has (the write and {@code UNION ALL BY
   * NAME} make the others NULL): qualified by {@code alias}, or as a query of {@code relation}.
   */
  private static String select(Schema wanted, Schema available, String alias, String relation) {
    StringJoiner columns = new StringJoiner(", ");
    for (Types.NestedField column : wanted.columns()) {
      if (available.findField(column.name()) != null) {
        columns.add((alias == null ? "" : alias + ".") + TableName.quote(column.name()));
      }
    }
    return relation == null
        ? columns.toString()
        : "SELECT " + columns + " FROM " + TableName.quote(relation);
  }

  private static AuditedWrite.Outcome write(
      StepContext context,
      ModelDef model,
      String sql,
      SchemaChange change,
      WriteOperation operation) {
    return write(auditedWrite(context, model), context, model, sql, change, operation);
  }

  private static AuditedWrite.Outcome write(
      AuditedWrite audited,
      StepContext context,
      ModelDef model,
      String sql,
      SchemaChange change,
      WriteOperation operation) {
    return audited.write(
        model.tableName(),
        sql,
        change,
        operation,
        StepContext.columnDocs(model.columns()),
        context.writtenTableProperties(model, model.description(), model.owner(), model.tags()),
        summary(context, model),
        model.allChecks(),
        context.auditBranch());
  }

  /** The write-audit-publish of a model's step: to the run's branch, profiled, counted. */
  static AuditedWrite auditedWrite(StepContext context, ModelDef model) {
    return new AuditedWrite(
            context.lake(), context.session(), context.checkRunner(model.tableName()))
        .publishingTo(context.targetBranch())
        .profiled(context.profiler())
        .countingInto(context.tally());
  }

  /** The snapshot properties of a model's step: the run and the model's fingerprint. */
  static Map<String, String> summary(StepContext context, ModelDef model) {
    return Map.of(
        "sluice.run-id",
        context.runId(),
        Planner.FINGERPRINT,
        Planner.fingerprint(context.project(), model));
  }

  /**
   * The model's SQL rendered for this run, checked with the engine's parser to be a single SELECT
   * that reads only the model's inputs (docs/security.md).
   *
   * @param incremental what {@code is_incremental()} says
   * @param partitionVariables the variables of the partition range being built, or empty
   */
  static String render(
      StepContext context,
      ModelDef model,
      boolean incremental,
      Map<String, Object> partitionVariables) {
    String sql =
        context
            .renderer()
            .render(
                model,
                new SqlRenderer.RenderContext(
                    incremental,
                    context.project().config().vars(),
                    context::resolveRef,
                    context::resolveSource,
                    model.tableName(),
                    partitionVariables,
                    context.project().dbt(),
                    context.templateQueries()));
    SqlSandbox.checkModel(context.session(), model.sqlFileName(), sql, inputs(context, model));
    DbtRunFiles.write(context.project(), model, sql); // a dbt project's target/run/ SQL
    return sql;
  }

  static StepResult result(
      StepContext context,
      ModelDef model,
      AuditedWrite.Outcome outcome,
      Instant started,
      String detail) {
    TableName target = model.tableName();
    return Steps.written(
            StepResult.builder(model.name(), StepKind.MODEL, target.toString()),
            outcome,
            target,
            Duration.between(started, context.now()),
            detail)
        .build();
  }
}
