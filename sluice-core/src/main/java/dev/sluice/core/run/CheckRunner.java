package dev.sluice.core.run;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.QueryException;
import dev.sluice.api.SqlRejectedException;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.core.project.CheckDef;
import dev.sluice.core.project.Severity;
import dev.sluice.core.query.SqlSandbox;
import dev.sluice.core.state.TableProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.Function;

/**
 * Runs checks as SQL: each check compiles to a query that returns the failing rows of the table
 * under test.
 */
final class CheckRunner {
  static final int SAMPLE_ROWS = 5;

  private final SampleMasking sampleMasking;
  private final AnomalyJudge anomalies;
  private final Function<String, TableName> relationshipTargets;
  private final Function<CheckDef, String> customQueryRenderer;
  private Set<String> schemas = Set.of();
  private java.util.function.BiConsumer<TableName, String> failureStore = (table, sql) -> {};
  private java.util.function.Predicate<CheckDef> leftOut = check -> false;

  /**
   * @param relationshipTargets resolves a {@code relationships} check's {@code to:}
   * @param customQueryRenderer renders a {@code sql} check's query template for the table
   */
  CheckRunner(
      Function<String, TableName> relationshipTargets,
      Function<CheckDef, String> customQueryRenderer) {
    this(
        new SampleMasking(
            new dev.sluice.governance.AccessPolicy(
                dev.sluice.governance.Policies.none(),
                dev.sluice.governance.ColumnClassification.NONE)),
        new AnomalyJudge(table -> List.of(), java.time.Instant.EPOCH),
        relationshipTargets,
        customQueryRenderer);
  }

  /**
   * @param sampleMasking masks the failing rows a check keeps
   * @param anomalies judges anomaly checks against the metric history
   * @param relationshipTargets resolves a {@code relationships} check's {@code to:}
   * @param customQueryRenderer renders a {@code sql} check's query template for the table
   */
  CheckRunner(
      SampleMasking sampleMasking,
      AnomalyJudge anomalies,
      Function<String, TableName> relationshipTargets,
      Function<CheckDef, String> customQueryRenderer) {
    this.sampleMasking = requireNonNull(sampleMasking, "sampleMasking is null");
    this.anomalies = requireNonNull(anomalies, "anomalies is null");
    this.relationshipTargets = requireNonNull(relationshipTargets, "relationshipTargets is null");
    this.customQueryRenderer = requireNonNull(customQueryRenderer, "customQueryRenderer is null");
  }

  /**
   * Keeps the failing rows of the checks with dbt's {@code store_failures} in their table: {@code
   * store} replaces the table's rows with those of the query.
   */
  CheckRunner storingFailuresWith(java.util.function.BiConsumer<TableName, String> store) {
    this.failureStore = requireNonNull(store, "store is null");
    return this;
  }

  /**
   * Leaves out the checks another step runs: a dbt project's tests on several nodes, which run
   * after all of their parents ({@link dev.sluice.core.project.TestAfterParents}), not in the step
   * of the asset they test.
   */
  CheckRunner leavingOut(java.util.function.Predicate<CheckDef> checks) {
    this.leftOut = requireNonNull(checks, "checks is null");
    return this;
  }

  /**
   * Lets checks read the tables of these namespaces besides the zones': a dbt project's schemas.
   */
  CheckRunner withSchemas(Set<String> schemas) {
    this.schemas = Set.copyOf(schemas);
    return this;
  }

  /**
   * Runs every check against the table as the session currently sees it; anomaly checks have no
   * written data to judge and pass with a note.
   */
  List<CheckOutcome> run(EngineSession session, TableName table, List<CheckDef> checks) {
    return run(session, table, checks, List.of());
  }

  /**
   * Runs every check against the table as the session currently sees it; anomaly checks judge
   * {@code written}, the profiles of the data the step wrote, against the metric history.
   */
  List<CheckOutcome> run(
      EngineSession session, TableName table, List<CheckDef> checks, List<TableProfile> written) {
    List<CheckOutcome> outcomes = new ArrayList<>();
    for (CheckDef check : checks) {
      if (leftOut.test(check)) {
        continue;
      }
      if (check.type().equals("anomaly")) {
        outcomes.add(judge(table, check, written));
      } else {
        outcomes.add(runOne(session, table, check));
      }
    }
    return outcomes;
  }

  private CheckOutcome judge(TableName table, CheckDef check, List<TableProfile> written) {
    try {
      return anomalies.judge(table, check, written);
    } catch (RuntimeException e) {
      return new CheckOutcome(check, 0, null, "anomaly check failed: " + e.getMessage());
    }
  }

  private CheckOutcome runOne(EngineSession session, TableName table, CheckDef check) {
    String failing;
    try {
      failing = failingRowsSql(session, table, check);
    } catch (RuntimeException e) {
      return new CheckOutcome(check, 0, null, e.getMessage());
    }
    return runFailing(session, table, check, failing).withSql(failing);
  }

  private CheckOutcome runFailing(
      EngineSession session, TableName table, CheckDef check, String failing) {
    try {
      // a check's sql, expression and values come from the project's files: the same sandbox as a
      // model's SQL (docs/security.md)
      SqlSandbox.checkQuery(session, failing, schemas);
    } catch (SqlRejectedException e) {
      return new CheckOutcome(check, 0, null, "check query refused: " + e.getMessage());
    }
    if (check.testConfig().get(CheckDef.FAILURES_TABLE) instanceof String stored) {
      // dbt's store_failures: the test's failing rows replace the table's, every run
      try {
        failureStore.accept(TableName.parse(stored), failing);
      } catch (RuntimeException e) {
        return new CheckOutcome(
            check, 0, null, "storing the failing rows in " + stored + " failed: " + e.getMessage());
      }
    }
    if (judgedByThresholds(check)) {
      return runWithThresholds(session, table, check, failing);
    }
    try {
      QueryResult count = session.query("SELECT count(*) FROM (" + failing + ") AS failing", 1);
      long failingRows = ((Number) count.rows().get(0).get(0)).longValue();
      QueryResult sample =
          failingRows == 0
              ? null
              // masked as policies.yaml says: the sample is kept in the run's history
              : sampleMasking.sample(session, table, failing, SAMPLE_ROWS);
      return new CheckOutcome(check, failingRows, sample, null);
    } catch (QueryException e) {
      return new CheckOutcome(check, 0, null, "check query failed: " + e.getMessage());
    }
  }

  private static boolean judgedByThresholds(CheckDef check) {
    Map<String, Object> config = check.testConfig();
    return config.containsKey("fail_calc")
        || config.containsKey("warn_if")
        || config.containsKey("error_if")
        || config.containsKey("limit");
  }

  /**
   * A dbt test with {@code fail_calc}, {@code warn_if}, {@code error_if} or {@code limit}, judged
   * as dbt's test materialization judges it: the failures are {@code fail_calc} over the failing
   * rows (at most {@code limit} of them); an error-severity test fails when they meet {@code
   * error_if}, else warns when they meet {@code warn_if}; a warn-severity test warns when they meet
   * {@code warn_if}.
   */
  private CheckOutcome runWithThresholds(
      EngineSession session, TableName table, CheckDef check, String failing) {
    Map<String, Object> config = check.testConfig();
    String failCalc = String.valueOf(config.getOrDefault("fail_calc", "count(*)"));
    String warnIf = String.valueOf(config.getOrDefault("warn_if", "!= 0"));
    String errorIf = String.valueOf(config.getOrDefault("error_if", "!= 0"));
    String limited =
        config.get("limit") == null
            ? failing
            : "SELECT * FROM (\n" + failing + "\n) AS dbt_limited LIMIT " + config.get("limit");
    String judged =
        "SELECT "
            + failCalc
            + " AS failures, ("
            + failCalc
            + ") "
            + warnIf
            + " AS should_warn, ("
            + failCalc
            + ") "
            + errorIf
            + " AS should_error FROM (\n"
            + limited
            + "\n) AS dbt_internal_test";
    try {
      SqlSandbox.checkQuery(session, judged, schemas);
    } catch (SqlRejectedException e) {
      return new CheckOutcome(check, 0, null, "check query refused: " + e.getMessage());
    }
    try {
      List<Object> row = session.query(judged, 1).rows().get(0);
      long failures = row.get(0) instanceof Number number ? number.longValue() : 0;
      boolean shouldWarn = Boolean.TRUE.equals(row.get(1));
      boolean shouldError = Boolean.TRUE.equals(row.get(2));
      CheckDef judgedAs;
      if (check.severity() == Severity.ERROR && shouldError) {
        judgedAs = check;
      } else if (shouldWarn) {
        judgedAs = check.withSeverity(Severity.WARN);
      } else {
        return CheckOutcome.withNote(
            check,
            0,
            failures
                + " failures ("
                + failCalc
                + "): neither error_if '"
                + errorIf
                + "' nor warn_if '"
                + warnIf
                + "' is met");
      }
      QueryResult sample = sampleMasking.sample(session, table, limited, SAMPLE_ROWS);
      String note =
          failures == 0
              ? "0 failures ("
                  + failCalc
                  + ") meet "
                  + (judgedAs.severity() == Severity.ERROR
                      ? "error_if '" + errorIf
                      : "warn_if '" + warnIf)
                  + "'"
              : null;
      // a test that fails with 0 failures (error_if: '= 0') still fails
      return new CheckOutcome(judgedAs, Math.max(failures, 1), sample, null, note);
    } catch (QueryException e) {
      return new CheckOutcome(check, 0, null, "check query failed: " + e.getMessage());
    }
  }

  /** The SQL returning the rows that fail the check, with values as the session's literals. */
  String failingRowsSql(EngineSession session, TableName table, CheckDef check) {
    Object where = check.testConfig().get("where");
    // dbt's get_where_subquery: a test reads only the rows its 'where' config selects (a generic
    // test's query applies it itself)
    String relation =
        where == null || check.type().equals("sql")
            ? table.quoted()
            : "(SELECT * FROM " + table.quoted() + " WHERE " + where + ")";
    Map<String, Object> arguments = check.arguments();
    String column = check.column() == null ? null : TableName.quote(check.column());
    return switch (check.type()) {
      case "not_null" ->
          "SELECT * FROM " + relation + " WHERE " + requireColumn(check, column) + " IS NULL";
      case "unique" -> {
        String key = requireColumn(check, column);
        yield "SELECT "
            + key
            + ", count(*) AS occurrences FROM "
            + relation
            + " WHERE "
            + key
            + " IS NOT NULL GROUP BY "
            + key
            + " HAVING count(*) > 1";
      }
      case "accepted_values" -> {
        StringJoiner values = new StringJoiner(", ", "(", ")");
        for (Object value : listArgument(arguments.get("values"))) {
          values.add(session.stringLiteral(String.valueOf(value)));
        }
        String key = requireColumn(check, column);
        yield "SELECT * FROM "
            + relation
            + " WHERE "
            + key
            + " IS NOT NULL AND CAST("
            + key
            + " AS STRING) NOT IN "
            + values;
      }
      case "relationships" -> {
        String key = requireColumn(check, column);
        TableName target = relationshipTargets.apply(String.valueOf(arguments.get("to")));
        String field = TableName.quote(String.valueOf(arguments.get("field")));
        yield "SELECT child.* FROM "
            + relation
            + " AS child WHERE child."
            + key
            + " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
            + target.quoted()
            + " AS parent WHERE parent."
            + field
            + " = child."
            + key
            + ")";
      }
      case "row_count" -> {
        StringJoiner conditions = new StringJoiner(" OR ");
        if (arguments.get("min") != null) {
          conditions.add("row_count < " + toLong(arguments.get("min"), "min"));
        }
        if (arguments.get("max") != null) {
          conditions.add("row_count > " + toLong(arguments.get("max"), "max"));
        }
        if (conditions.length() == 0) {
          conditions.add("false");
        }
        yield "SELECT row_count FROM (SELECT count(*) AS row_count FROM "
            + relation
            + ") AS counted WHERE "
            + conditions;
      }
      case "expression" ->
          "SELECT * FROM "
              + relation
              + " WHERE NOT coalesce(("
              + arguments.get("expression")
              + "), false)";
      case "sql" -> customQueryRenderer.apply(check);
      default -> throw new IllegalArgumentException("unknown check type " + check.type());
    };
  }

  private static String requireColumn(CheckDef check, String column) {
    if (column == null) {
      throw new IllegalArgumentException(
          "check " + check.name() + " needs a column: declare it under a column or add column:");
    }
    return column;
  }

  private static List<?> listArgument(Object value) {
    return value instanceof List<?> list ? list : List.of(value);
  }

  private static long toLong(Object value, String name) {
    if (value instanceof Number number) {
      return number.longValue();
    }
    try {
      return Long.parseLong(String.valueOf(value));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "row_count " + name + " must be a whole number: " + value, e);
    }
  }
}
