package dev.sluice.core.run;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.ProjectException;
import dev.sluice.api.QueryException;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.core.project.DbtArtifacts;
import dev.sluice.core.project.DbtHooks;
import dev.sluice.core.project.DbtTemplates;
import dev.sluice.core.project.Materialization;
import dev.sluice.core.project.ModelDef;
import dev.sluice.core.project.Project;
import dev.sluice.core.project.SqlRenderer;
import dev.sluice.core.query.SqlSandbox;
import dev.sluice.core.state.StepKind;
import dev.sluice.core.state.StepStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a dbt project's hooks ({@link DbtHooks}) as dbt runs them: a model's, snapshot's or seed's
 * pre-hooks in its step's session before its SQL, its post-hooks after its new data is published
 * (so that {@code {{ this }}} reads the published rows), each rendered with the step's context. A
 * hook that fails fails the step; a post-hook runs after publishing and cannot undo it.
 *
 * <p>Each rendered hook is judged again ({@link DbtHooks#judge}: the run's context can render what
 * loading did not see) and, before it runs, checked by the engine's own parser to be one SELECT of
 * the tables the step may read (docs/security.md).
 */
final class DbtHookRunner {
  private static final Logger LOG = LoggerFactory.getLogger(DbtHookRunner.class);

  /** Where the rendered SQL of a failed hook is cut, in messages. */
  private static final int MAX_SQL_IN_MESSAGE = 300;

  private DbtHookRunner() {}

  /**
   * Runs the pre-hooks of a model, snapshot or seed in its step's session.
   *
   * @param readable the tables the step may read: its inputs and its own table
   * @throws QueryException when a hook fails, naming its file, line and SQL
   * @throws InvalidInputException when a hook renders to something Sluice does not run
   */
  static void before(StepContext context, String asset, TableName table, Set<TableName> readable) {
    DbtTemplates dbt = context.project().dbt();
    if (dbt == null || dbt.hooks().pre(asset).isEmpty()) {
      return;
    }
    // what a pre-hook may read: the step's inputs, and {{ this }} as it is before the step
    Relations relations = context.relations();
    readable.forEach(relations::tryRegister);
    for (DbtHooks.Hook hook : dbt.hooks().pre(asset)) {
      run(context.session(), context, hook, "pre-hook of " + asset, table, readable, null);
    }
  }

  /**
   * Runs the post-hooks of a model, snapshot or seed whose step succeeded, reading its table as it
   * was just published.
   *
   * @return the step's result; failed, with the hook's file, line and error, when a hook failed
   */
  static StepResult after(
      StepContext context,
      String asset,
      TableName table,
      Set<TableName> readable,
      StepResult step) {
    return after(context, asset, table, readable, step, new PostHooks());
  }

  /**
   * As {@link #after(StepContext, String, TableName, Set, StepResult)}, running the SQL {@code
   * postHooks} rendered before the step published ({@link #stageInserts}), not rendering it again.
   */
  static StepResult after(
      StepContext context,
      String asset,
      TableName table,
      Set<TableName> readable,
      StepResult step,
      PostHooks postHooks) {
    DbtTemplates dbt = context.project().dbt();
    if (dbt == null || dbt.hooks().post(asset).isEmpty() || step.status() != StepStatus.SUCCEEDED) {
      return step;
    }
    try {
      context.relations().register(table); // the version just published
      ModelDef model = context.project().models().get(asset);
      // a table model's inserts into {{ this }} were added to its rows before publishing
      TableName inserted =
          model != null && model.materialization() == Materialization.TABLE ? table : null;
      List<DbtHooks.Hook> hooks = dbt.hooks().post(asset);
      List<String> rendered = postHooks.render(context, asset, table);
      for (int i = 0; i < hooks.size(); i++) {
        execute(
            context.session(),
            hooks.get(i),
            "post-hook of " + asset,
            rendered.get(i),
            readable,
            inserted);
      }
      return step;
    } catch (dev.sluice.api.SluiceException e) {
      return step.toBuilder()
          .status(StepStatus.FAILED)
          .error(
              e.getMessage()
                  + ". The step's new data was published before its post-hooks ran, and stays"
                  + " published: a post-hook cannot undo it")
          .failure(e)
          .build();
    }
  }

  /** The temporary table a model's new rows are staged in while its post-hooks insert into it. */
  static String stagedTable(ModelDef model) {
    return "dbt_this_" + model.name();
  }

  /**
   * Adds the rows of a table model's post-hooks that {@code insert into {{ this }}} to its new
   * version, before it is written, audited by its data tests and published (so that one commit
   * holds them, and a failing test or insert publishes nothing): the model's rows are staged in a
   * temporary table, each such insert runs against it (its rows' query checked as a hook's select
   * is: it reads only what the model may), and what is written is the staged table. dbt inserts
   * after the table is built, and its tests then read the table with the rows; the rows are the
   * same.
   *
   * <p>Every post-hook is rendered here, once: what a hook renders to, not its template's text,
   * tells whether it inserts (a macro may write the insert), and {@link #after} runs the same SQL,
   * so that its Jinja ({@code log()}, ...) runs once, as in dbt. A hook that fails to render fails
   * the step before anything is published.
   *
   * @param postHooks where the rendered post-hooks are kept for {@link #after}
   * @return the SQL whose rows are the model's new version: {@code sql} when no hook inserts
   * @throws QueryException when an insert fails, naming the hook's file, line and SQL
   * @throws InvalidInputException when its rows read what the model may not
   */
  static String stageInserts(
      StepContext context,
      ModelDef model,
      String sql,
      Set<TableName> readable,
      PostHooks postHooks) {
    DbtTemplates dbt = context.project().dbt();
    if (dbt == null
        || dbt.hooks().post(model.name()).isEmpty()
        || model.materialization() != Materialization.TABLE) {
      return sql;
    }
    TableName table = model.tableName();
    EngineSession session = context.session();
    String reference = null;
    List<DbtHooks.Hook> hooks = dbt.hooks().post(model.name());
    List<String> renderings = postHooks.render(context, model.name(), table);
    for (int i = 0; i < hooks.size(); i++) {
      DbtHooks.Hook hook = hooks.get(i);
      String rendered = renderings.get(i);
      String rows = DbtHooks.insertedRows(rendered, table);
      if (rows == null) {
        continue; // runs after publishing, as any post-hook
      }
      String what = "post-hook of " + model.name();
      try {
        SqlSandbox.checkModel(
            session,
            hook.location().file(),
            "select * from (" + rows + ") as dbt_inserted_rows",
            readable);
      } catch (ProjectException e) {
        throw cannotRun(what, hook, e, rendered);
      }
      if (reference == null) {
        session.createTemporaryTable(stagedTable(model), sql);
        reference = session.temporaryTableReference(stagedTable(model));
      }
      String insert = DbtHooks.retargeted(rendered, table, reference);
      LOG.debug("Running the {} ({}) on the new rows: {}", what, hook.location(), insert);
      try {
        session.execute(insert);
      } catch (QueryException e) {
        session.dropTemporaryTable(stagedTable(model));
        throw new QueryException(failed(what, hook, e, rendered) + ". Nothing was published", e);
      }
    }
    return reference == null ? sql : "select * from " + reference;
  }

  /**
   * Runs the on-run-start or on-run-end hooks of a dbt project in a session.
   *
   * @param bindings what the hooks see besides the project's context (on-run-end's {@code results},
   *     {@code schemas}, {@code database_schemas})
   * @throws QueryException when a hook fails, naming its file, line and SQL
   */
  static void onRun(
      Project project,
      EngineSession session,
      SqlRenderer renderer,
      List<DbtHooks.Hook> hooks,
      String what,
      Map<String, Object> bindings) {
    for (DbtHooks.Hook hook : hooks) {
      String sql =
          render(
              renderer,
              project,
              hook,
              null,
              bindings,
              name -> project.refTable(name).orElse(null),
              (source, table) -> project.sourceTableName(source, table).orElse(null));
      // an on-run hook has no inputs: it may only read what it computes
      execute(session, hook, what, sql, Set.of());
    }
  }

  /**
   * What a dbt project's on-run-end hooks see ({@link DbtHooks#runEndContext}): each step's result
   * and each of its tests', as dbt's {@code results}, and the schemas of the models, seeds and
   * snapshots built (dbt leaves out those that failed or were skipped).
   */
  static Map<String, Object> runEndContext(Project project, List<StepResult> steps) {
    return runEndContext(project, steps, false);
  }

  /**
   * As {@link #runEndContext(Project, List)}; with {@code testsOnly} (dbt test), the results are
   * the tests' alone and no schema was built.
   */
  static Map<String, Object> runEndContext(
      Project project, List<StepResult> steps, boolean testsOnly) {
    return runEndContext(project, steps, testsOnly, List.of());
  }

  /**
   * As {@link #runEndContext(Project, List, boolean)}, with the results of the unit tests the run
   * ran ({@code build}, {@code test}), which dbt passes in {@code results} too.
   */
  static Map<String, Object> runEndContext(
      Project project,
      List<StepResult> steps,
      boolean testsOnly,
      List<dev.sluice.core.quality.UnitTests.Result> unitTests) {
    DbtArtifacts artifacts = new DbtArtifacts(project);
    String database = project.dbt().targetDatabase();
    List<Map<String, Object>> results = new ArrayList<>();
    Set<List<String>> schemas = new LinkedHashSet<>();
    for (StepResult step : steps) {
      if (step.kind() == StepKind.SOURCE) {
        continue; // dbt does not load sources
      }
      TableName table = TableName.parse(step.table());
      ModelDef model = project.models().get(step.asset());
      Map<String, Object> node = new LinkedHashMap<>();
      node.put("name", step.asset());
      node.put("unique_id", artifacts.uniqueId(step.asset()));
      node.put(
          "resource_type",
          model == null
              ? "seed"
              : model.materialization() == Materialization.SNAPSHOT ? "snapshot" : "model");
      node.put("database", database);
      node.put("schema", table.zone());
      node.put("alias", table.name());
      node.put("identifier", table.name());
      node.put("relation_name", artifacts.relationName(table));
      String status =
          switch (step.status()) {
            case SUCCEEDED -> "success";
            case SKIPPED -> "skipped";
            default -> "error";
          };
      if (!testsOnly) {
        results.add(
            result(
                status,
                node,
                step.status() == StepStatus.SUCCEEDED ? step.detail() : step.error(),
                step.duration().toMillis() / 1000.0,
                null));
        if (step.status() == StepStatus.SUCCEEDED) {
          schemas.add(List.of(database, table.zone()));
        }
      }
      for (CheckOutcome check : step.checks()) {
        String uniqueId = artifacts.testUniqueId(step.asset(), check.check());
        Map<String, Object> test = new LinkedHashMap<>();
        // test.<package>.<name>[.<hash>]
        String name = uniqueId.substring(uniqueId.indexOf('.', "test.".length()) + 1);
        test.put("name", name.contains(".") ? name.substring(0, name.indexOf('.')) : name);
        test.put("unique_id", uniqueId);
        test.put("resource_type", "test");
        results.add(
            result(
                check.error() != null
                    ? "error"
                    : check.passed() ? "pass" : check.blocks() ? "fail" : "warn",
                test,
                check.error() != null ? check.error() : check.note(),
                0,
                check.failingRows()));
      }
    }
    for (dev.sluice.core.quality.UnitTests.Result unitTest : unitTests) {
      Map<String, Object> node = new LinkedHashMap<>();
      node.put("name", unitTest.test().name());
      node.put("unique_id", artifacts.unitTestUniqueId(unitTest.test()));
      node.put("resource_type", "unit_test");
      results.add(
          result(
              switch (unitTest.status()) {
                case PASSED -> "pass";
                case FAILED -> "fail";
                case ERROR -> "error";
              },
              node,
              unitTest.message(),
              unitTest.duration().toMillis() / 1000.0,
              unitTest.status() == dev.sluice.core.quality.UnitTests.Status.FAILED ? 1L : 0L));
    }
    return DbtHooks.runEndContext(results, List.copyOf(schemas));
  }

  private static Map<String, Object> result(
      String status, Map<String, Object> node, String message, double seconds, Long failures) {
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("status", status);
    result.put("node", node);
    result.put("message", message);
    result.put("execution_time", seconds);
    result.put("failures", failures);
    result.put("thread_id", "Thread-1");
    result.put("adapter_response", Map.of());
    return result;
  }

  private static void run(
      EngineSession session,
      StepContext context,
      DbtHooks.Hook hook,
      String what,
      TableName table,
      Set<TableName> readable,
      TableName insertedInto) {
    execute(session, hook, what, render(context, hook, table), readable, insertedInto);
  }

  /** A model's, snapshot's or seed's hook, rendered with its step's context. */
  private static String render(StepContext context, DbtHooks.Hook hook, TableName table) {
    return render(
        context.renderer(),
        context.project(),
        hook,
        table,
        Map.of(),
        context::resolveRef,
        context::resolveSource);
  }

  /**
   * The post-hooks of one step, each rendered once, when they are first needed: before the step
   * publishes when a table model's hooks are searched for inserts ({@link #stageInserts}), else
   * when they run ({@link #after}). Hooks render without querying any table, so their SQL is the
   * same before and after publishing.
   */
  static final class PostHooks {
    private List<String> rendered;

    List<String> render(StepContext context, String asset, TableName table) {
      if (rendered == null) {
        List<String> sql = new ArrayList<>();
        for (DbtHooks.Hook hook : context.project().dbt().hooks().post(asset)) {
          sql.add(DbtHookRunner.render(context, hook, table));
        }
        rendered = List.copyOf(sql);
      }
      return rendered;
    }
  }

  private static String render(
      SqlRenderer renderer,
      Project project,
      DbtHooks.Hook hook,
      TableName table,
      Map<String, Object> bindings,
      Function<String, TableName> refs,
      BiFunction<String, String, TableName> sources) {
    return renderer.renderHook(
        hook, table, bindings, refs, sources, project.config().vars(), project.dbt());
  }

  private static void execute(
      EngineSession session, DbtHooks.Hook hook, String what, String sql, Set<TableName> readable) {
    execute(session, hook, what, sql, readable, null);
  }

  /**
   * Runs a rendered hook; an insert into {@code insertedInto} (a table model's {@code this}, whose
   * rows {@link #stageInserts} added before publishing) is not run again.
   */
  private static void execute(
      EngineSession session,
      DbtHooks.Hook hook,
      String what,
      String sql,
      Set<TableName> readable,
      TableName insertedInto) {
    DbtHooks.Verdict verdict = DbtHooks.judge(sql, insertedInto);
    switch (verdict.action()) {
      case NOTHING -> {
        return;
      }
      case INSERT_THIS -> {
        LOG.debug("{} ({}) inserted its rows before the model was published", what, hook);
        return;
      }
      case SKIP -> {
        LOG.debug("{} ({}) skipped: Iceberg keeps its tables' statistics: {}", what, hook, sql);
        return;
      }
      case REFUSE ->
          throw new InvalidInputException(
              "The "
                  + what
                  + " ("
                  + hook.location()
                  + ") cannot run in Sluice: "
                  + verdict.why()
                  + "; "
                  + verdict.hint()
                  + ". It rendered as: "
                  + shortened(sql));
      case RUN -> {
        // handled below
      }
    }
    try {
      SqlSandbox.checkModel(session, hook.location().file(), sql, readable);
    } catch (ProjectException e) {
      throw cannotRun(what, hook, e, sql);
    }
    LOG.debug("Running the {} ({}): {}", what, hook.location(), sql);
    try {
      session.execute(sql);
    } catch (QueryException e) {
      throw new QueryException(failed(what, hook, e, sql), e);
    }
  }

  /** A hook whose rendered SQL reads what its step may not, or is not one SELECT. */
  private static InvalidInputException cannotRun(
      String what, DbtHooks.Hook hook, ProjectException e, String sql) {
    return new InvalidInputException(
        "The "
            + what
            + " ("
            + hook.location()
            + ") cannot run: "
            + e.problems().get(0).message()
            + ". It rendered as: "
            + shortened(sql),
        e);
  }

  /** "The post-hook of x (file:line) failed: the engine's error. It ran: the SQL". */
  private static String failed(String what, DbtHooks.Hook hook, QueryException e, String sql) {
    return "The "
        + what
        + " ("
        + hook.location()
        + ") failed: "
        + e.getMessage().strip()
        + ". It ran: "
        + shortened(sql);
  }

  private static String shortened(String sql) {
    String text = sql.strip();
    return text.length() <= MAX_SQL_IN_MESSAGE
        ? text
        : text.substring(0, MAX_SQL_IN_MESSAGE) + " ...";
  }
}
