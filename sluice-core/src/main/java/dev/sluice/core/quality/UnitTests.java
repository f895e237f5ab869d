package dev.sluice.core.quality;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.Location;
import dev.sluice.api.ProjectException;
import dev.sluice.api.ProjectException.Problem;
import dev.sluice.api.QueryException;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.Engine;
import dev.sluice.api.engine.EngineProvider;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.engine.EngineSettings;
import dev.sluice.api.engine.Engines;
import dev.sluice.core.project.ColumnDef;
import dev.sluice.core.project.DbtTemplates;
import dev.sluice.core.project.Materialization;
import dev.sluice.core.project.ModelDef;
import dev.sluice.core.project.Project;
import dev.sluice.core.project.Selector;
import dev.sluice.core.project.SourceTableDef;
import dev.sluice.core.project.SqlRenderer;
import dev.sluice.core.project.SqlRenderer.RenderContext;
import dev.sluice.core.project.Suggestions;
import dev.sluice.core.project.UnitTestDef;
import dev.sluice.core.project.UnitTestDef.Cell;
import dev.sluice.core.project.UnitTestDef.Given;
import dev.sluice.core.project.UnitTestDef.InputKind;
import dev.sluice.core.project.UnitTestDef.Row;
import dev.sluice.core.project.UnitTestDef.Rows;
import dev.sluice.core.project.UnitTestValues;
import dev.sluice.core.query.SqlSandbox;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Runs unit tests of models ({@code unit_tests:}, see {@link UnitTestDef}) in an in-memory engine:
 * each test's given rows become the model's inputs, typed from the columns the inputs declare (else
 * inferred from the values); the model's SQL is rendered with the test's overrides and run on them;
 * for an incremental model with rows for {@code this}, its result is merged into them as a run
 * would (on its {@code unique_key}, else appended), so that the expected rows are the table after
 * the merge; in a dbt project, as in dbt, the expected rows are those the model selects. Only the
 * columns the expected rows name are compared, as a multiset of rows. The warehouse, the catalog
 * and the state database are never opened.
 *
 * <p>{@code sluice test --unit} and {@code sluice ci} call {@link #run(Project, List, List)}.
 */
public final class UnitTests {
  private static final Pattern ENGINE_LINE = Pattern.compile("LINE (\\d+):");
  private static final String OUTPUT = "sluice_unit_output";
  private static final String ACTUAL = "sluice_unit_actual";
  private static final String EXPECTED = "sluice_unit_expected";

  /** The columns Sluice's load adds to a source's table, which a dbt model's source() omits. */
  private static final Set<String> LOAD_COLUMNS = Set.of("_source_file", "_loaded_at");

  private final Project project;
  private final Function<TableName, Optional<Schema>> relations;
  private final SqlRenderer renderer = new SqlRenderer();

  private UnitTests(Project project) {
    this(project, name -> Optional.empty());
  }

  private UnitTests(Project project, Function<TableName, Optional<Schema>> relations) {
    this.project = project;
    this.relations = relations;
  }

  /** How a unit test ended. */
  public enum Status {
    PASSED,
    /** The model produced other rows than expected. */
    FAILED,
    /** The model's SQL failed on the given rows. */
    ERROR;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One test's result.
   *
   * @param columns the compared columns: those the expected rows name
   * @param missing expected rows the model did not produce (values in {@code columns} order)
   * @param unexpected rows the model produced that were not expected
   * @param error for ERROR, what failed, with the model's file and line when the engine says it
   */
  public record Result(
      UnitTestDef test,
      Status status,
      List<String> columns,
      List<List<Object>> missing,
      List<List<Object>> unexpected,
      long expectedRows,
      long actualRows,
      String error,
      Duration duration) {
    public Result {
      requireNonNull(test, "test is null");
      requireNonNull(status, "status is null");
      requireNonNull(duration, "duration is null");
      columns = List.copyOf(columns);
      missing = copyRows(missing);
      unexpected = copyRows(unexpected);
    }

    public boolean passed() {
      return status == Status.PASSED;
    }

    /**
     * What dbt gives as a failed unit test's {@code message} in run_results.json: {@code actual
     * differs from expected:} and the rows that differ, in daff's form ({@code ---} an expected row
     * the model did not give, {@code +++} a row it gave that was not expected); for an error, what
     * failed; null for a test that passed.
     */
    public String message() {
      if (status == Status.ERROR) {
        return error;
      }
      if (status == Status.PASSED) {
        return null;
      }
      List<List<String>> table = new ArrayList<>();
      List<String> header = new ArrayList<>();
      header.add("@@");
      header.addAll(columns);
      table.add(header);
      missing.forEach(row -> table.add(diffRow("---", row)));
      unexpected.forEach(row -> table.add(diffRow("+++", row)));
      int[] widths = new int[header.size()];
      for (List<String> row : table) {
        for (int i = 0; i < row.size(); i++) {
          widths[i] = Math.max(widths[i], row.get(i).length());
        }
      }
      StringBuilder text = new StringBuilder("\n\nactual differs from expected:\n\n");
      for (List<String> row : table) {
        StringJoiner line = new StringJoiner(",");
        for (int i = 0; i < row.size(); i++) {
          // daff pads each value to its column's width
          line.add(
              i == row.size() - 1
                  ? row.get(i)
                  : row.get(i) + " ".repeat(widths[i] - row.get(i).length()));
        }
        text.append(line).append('\n');
      }
      return text.toString();
    }

    private static List<String> diffRow(String kind, List<Object> values) {
      List<String> row = new ArrayList<>();
      row.add(kind);
      values.forEach(value -> row.add(value == null ? "null" : String.valueOf(value)));
      return row;
    }
  }

  /** The results of one invocation, in the order the tests ran. */
  public record Report(List<Result> results, Duration duration) {
    public Report {
      results = List.copyOf(results);
      requireNonNull(duration, "duration is null");
    }

    public long passed() {
      return results.stream().filter(Result::passed).count();
    }

    public long failed() {
      return results.size() - passed();
    }
  }

  /**
   * The unit tests {@code select} and {@code exclude} choose: a selector that names a unit test
   * chooses it; any other is an asset selector ({@link Selector}) that chooses the tests of the
   * models it selects. No selector chooses every test.
   *
   * @throws InvalidInputException for a selector that names nothing known
   */
  public static List<UnitTestDef> select(
      Project project, List<String> select, List<String> exclude) {
    requireNonNull(project, "project is null");
    Set<String> chosen = new LinkedHashSet<>();
    if (select.isEmpty()) {
      chosen.addAll(project.unitTests().keySet());
    } else {
      chosen.addAll(matching(project, select));
    }
    chosen.removeAll(matching(project, exclude));
    List<UnitTestDef> tests = new ArrayList<>();
    for (UnitTestDef test : project.unitTests().values()) {
      if (chosen.contains(test.name())) {
        tests.add(test);
      }
    }
    return tests;
  }

  private static Set<String> matching(Project project, List<String> selectors) {
    Set<String> tests = new LinkedHashSet<>();
    List<String> assetSelectors = new ArrayList<>();
    for (String argument : selectors) {
      for (String selector : argument.trim().split("\\s+", -1)) {
        if (selector.isEmpty()) {
          continue;
        }
        if (project.unitTests().containsKey(selector)) {
          tests.add(selector);
        } else {
          assetSelectors.add(selector);
        }
      }
    }
    if (!assetSelectors.isEmpty()) {
      Set<String> models =
          new LinkedHashSet<>(new Selector(project).select(assetSelectors, List.of()));
      project.unitTests().values().stream()
          .filter(test -> models.contains(test.model()))
          .forEach(test -> tests.add(test.name()));
    }
    return tests;
  }

  /**
   * Runs the selected unit tests of a project in an in-memory DuckDB started for them, which is
   * closed afterwards.
   *
   * @throws ProjectException naming the file and line of each value that does not fit its column
   *     and each expected column the model does not produce
   * @throws InvalidInputException for a selector that names nothing known, or when the DuckDB
   *     engine is not installed
   */
  public static Report run(Project project, List<String> select, List<String> exclude) {
    List<UnitTestDef> tests = select(project, select, exclude);
    try (InMemoryEngine engine = InMemoryEngine.start()) {
      return run(project, tests, engine.engine());
    }
  }

  /**
   * An in-memory DuckDB for unit tests, started for them and closed afterwards: the warehouse, the
   * catalog and the state database are never opened.
   */
  public static final class InMemoryEngine implements AutoCloseable {
    private final Path spill;
    private final Engine engine;

    private InMemoryEngine(Path spill, Engine engine) {
      this.spill = spill;
      this.engine = engine;
    }

    /**
     * Starts an in-memory DuckDB.
     *
     * @throws InvalidInputException when the DuckDB engine is not installed
     */
    public static InMemoryEngine start() {
      EngineProvider duckdb =
          Engines.find(Engines.DEFAULT)
              .orElseThrow(
                  () ->
                      new InvalidInputException(
                          "Unit tests run on DuckDB, which is not installed; the installed engines"
                              + " are: "
                              + String.join(", ", Engines.names())));
      Path spill;
      try {
        spill = Files.createTempDirectory("sluice-unit-tests");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new InMemoryEngine(spill, duckdb.start(new EngineSettings(spill, "1GB")));
    }

    public Engine engine() {
      return engine;
    }

    @Override
    public void close() {
      try {
        engine.close();
      } finally {
        try {
          Files.deleteIfExists(spill);
        } catch (IOException e) {
          // a spill file left behind in the system's temporary directory is harmless
        }
      }
    }
  }

  /**
   * Runs unit tests on an engine, one session per test.
   *
   * @throws ProjectException naming the file and line of each value that does not fit its column
   *     and each expected column the model does not produce
   */
  public static Report run(Project project, List<UnitTestDef> tests, Engine engine) {
    requireNonNull(project, "project is null");
    requireNonNull(tests, "tests is null");
    requireNonNull(engine, "engine is null");
    UnitTests runner = new UnitTests(project);
    long started = System.nanoTime();
    List<Result> results = new ArrayList<>();
    List<Problem> problems = new ArrayList<>();
    for (UnitTestDef test : tests) {
      long testStarted = System.nanoTime();
      try (EngineSession session = engine.openSession()) {
        List<Problem> testProblems = new ArrayList<>();
        Result result = runner.runOne(session, test, testProblems, testStarted);
        if (testProblems.isEmpty()) {
          results.add(result);
        }
        problems.addAll(testProblems);
      }
    }
    if (!problems.isEmpty()) {
      throw new ProjectException(problems);
    }
    return new Report(results, Duration.ofNanos(System.nanoTime() - started));
  }

  /**
   * Runs one unit test on an engine, as {@code dbt build} and {@code dbt test} run it: what keeps
   * it from running (a value that does not fit its column, an expected column the model does not
   * give, a query it cannot run) is its {@link Status#ERROR}, naming the file and line, not a
   * failure of the whole invocation.
   */
  public static Result runOne(Project project, UnitTestDef test, Engine engine) {
    return runOne(project, test, engine, name -> Optional.empty());
  }

  /**
   * Runs one unit test as {@link #runOne(Project, UnitTestDef, Engine)} does, where a dbt project's
   * input gets the columns its given rows leave out from the warehouse's relation ({@code
   * relations}: its schema, if it exists), as nulls, as dbt fills them from the relation's columns.
   */
  public static Result runOne(
      Project project,
      UnitTestDef test,
      Engine engine,
      Function<TableName, Optional<Schema>> relations) {
    requireNonNull(project, "project is null");
    requireNonNull(relations, "relations is null");
    requireNonNull(test, "test is null");
    long started = System.nanoTime();
    List<Problem> problems = new ArrayList<>();
    Result result;
    try (EngineSession session = engine.openSession()) {
      result = new UnitTests(project, relations).runOne(session, test, problems, started);
    } catch (ProjectException e) {
      problems.addAll(e.problems());
      result = null;
    }
    if (problems.isEmpty()) {
      return result;
    }
    StringJoiner error = new StringJoiner("; ");
    for (Problem problem : problems) {
      error.add(
          problem.location()
              + ": "
              + problem.message()
              + (problem.hint() == null || problem.hint().isEmpty()
                  ? ""
                  : " (" + problem.hint() + ")"));
    }
    return new Result(
        test,
        Status.ERROR,
        List.of(),
        List.of(),
        List.of(),
        test.expect().rows().size(),
        0,
        error.toString(),
        Duration.ofNanos(System.nanoTime() - started));
  }

  private Result runOne(
      EngineSession session, UnitTestDef test, List<Problem> problems, long started) {
    ModelDef model = project.models().get(test.model());
    String what = "unit test '" + test.name() + "'";
    int index = 0;
    for (Given given : test.given()) {
      TableName table = table(model, given);
      boolean dbtSource = project.dbt() != null && given.input().kind() == InputKind.SOURCE;
      // a dbt model's source() leaves out the columns Sluice's load adds, which given rows lack
      String loadColumns = dbtSource ? ", NULL AS _source_file, NULL AS _loaded_at" : "";
      if (given.rows().sql() != null) {
        String sql = fixtureSql(session, given.rows(), problems);
        if (sql != null) {
          try {
            session.registerView(
                table, "SELECT *" + loadColumns + " FROM (" + sql + ") AS sluice_unit_fixture");
          } catch (QueryException e) {
            return errorResult(test, fixtureError(given.rows(), e), started);
          }
        }
        continue;
      }
      String temporary = "sluice_unit_given_" + index++;
      writeRows(
          session,
          temporary,
          given.rows().rows(),
          schema(given.rows().rows(), declaredColumns(model, given), relationColumns(table, given)),
          "the rows given for " + given.input().text() + " in " + what,
          problems);
      session.registerView(table, "SELECT *" + loadColumns + " FROM " + TableName.quote(temporary));
    }
    Optional<Given> givenThis = test.givenThis();
    boolean incrementalModel = model.materialization() == Materialization.INCREMENTAL;
    boolean incremental =
        test.incremental() != null ? test.incremental() : incrementalModel && givenThis.isPresent();
    if (incremental && givenThis.isEmpty()) {
      problems.add(
          new Problem(
              test.location(),
              what
                  + " runs model '"
                  + model.name()
                  + "' as an incremental update without rows"
                  + " for 'this'",
              "give the table's existing rows: '- input: this' with rows (rows: [] for none)"));
    }
    if (!problems.isEmpty()) {
      return null;
    }
    Map<String, Object> vars = new LinkedHashMap<>(project.config().vars());
    vars.putAll(test.vars());
    RenderContext base = RenderContext.of(project, model, incremental);
    // a Sluice project's unit tests override no other macro and no env var (UnitTestParser)
    DbtTemplates dbt =
        base.dbt() == null ? null : base.dbt().withUnitTestOverrides(test.macros(), test.envVars());
    RenderContext context =
        new RenderContext(
            incremental,
            vars,
            base.refResolver(),
            base.sourceResolver(),
            base.thisTable(),
            base.partitionVariables(),
            dbt);
    String sql;
    try {
      sql = renderer.render(model, context);
      Set<TableName> readable = new LinkedHashSet<>();
      model.refs().forEach(ref -> project.refTable(ref).ifPresent(readable::add));
      model
          .sources()
          .forEach(
              source ->
                  project
                      .sourceTableName(source.source(), source.table())
                      .ifPresent(readable::add));
      readable.add(model.tableName());
      SqlSandbox.checkModel(session, model.sqlFileName(), sql, readable);
    } catch (ProjectException e) {
      problems.addAll(e.problems());
      return null;
    }
    long actualRows;
    try {
      session.createTemporaryTable(OUTPUT, sql);
      // a dbt project's unit test compares the rows the model selects, as dbt compares them; a
      // Sluice project's, the table after the merge
      if (incremental && incrementalModel && project.dbt() == null) {
        actualRows = session.createTemporaryTable(ACTUAL, merge(model));
      } else {
        actualRows = session.createTemporaryTable(ACTUAL, "SELECT * FROM " + OUTPUT);
      }
    } catch (QueryException e) {
      return new Result(
          test,
          Status.ERROR,
          List.of(),
          List.of(),
          List.of(),
          test.expect().rows().size(),
          0,
          engineError(model, e),
          Duration.ofNanos(System.nanoTime() - started));
    }
    Schema actual = session.describe("SELECT * FROM " + TableName.quote(ACTUAL));
    List<String> produced = actual.columns().stream().map(Types.NestedField::name).toList();
    List<String> columns = new ArrayList<>();
    List<String> expectedColumns = new ArrayList<>();
    if (test.expect().sql() != null) {
      String expectedSql = fixtureSql(session, test.expect(), problems);
      if (expectedSql == null) {
        return null;
      }
      try {
        session.createTemporaryTable(EXPECTED, expectedSql);
      } catch (QueryException e) {
        return errorResult(test, fixtureError(test.expect(), e), started);
      }
      Schema expected = session.describe("SELECT * FROM " + TableName.quote(EXPECTED));
      for (Types.NestedField column : expected.columns()) {
        Types.NestedField field = actual.caseInsensitiveFindField(column.name());
        if (field == null) {
          problems.add(
              missingColumn(test, model, column.name(), test.expect().location(), produced));
        } else {
          columns.add(field.name());
          expectedColumns.add(column.name());
        }
      }
    } else {
      List<Types.NestedField> expectedFields = new ArrayList<>();
      Set<String> reported = new LinkedHashSet<>();
      for (Row row : test.expect().rows()) {
        for (Map.Entry<String, Cell> cell : row.cells().entrySet()) {
          Types.NestedField field = actual.caseInsensitiveFindField(cell.getKey());
          if (field == null) {
            if (reported.add(cell.getKey())) {
              problems.add(
                  missingColumn(test, model, cell.getKey(), cell.getValue().location(), produced));
            }
          } else if (!columns.contains(field.name())) {
            columns.add(field.name());
            expectedFields.add(
                Types.NestedField.optional(expectedFields.size() + 1, field.name(), field.type()));
          }
        }
      }
      if (problems.isEmpty()) {
        writeRows(
            session,
            EXPECTED,
            renamed(test.expect().rows(), columns),
            new Schema(expectedFields),
            "the expect of " + what,
            problems);
      }
      expectedColumns.addAll(columns);
    }
    if (!problems.isEmpty()) {
      return null;
    }
    List<List<Object>> actualValues =
        session
            .query(
                "SELECT " + selectList(columns) + " FROM " + TableName.quote(ACTUAL),
                Integer.MAX_VALUE)
            .rows();
    List<List<Object>> expectedValues =
        session
            .query(
                "SELECT " + selectList(expectedColumns) + " FROM " + TableName.quote(EXPECTED),
                Integer.MAX_VALUE)
            .rows();
    List<List<Object>> missing = new ArrayList<>();
    List<List<Object>> unexpected = new ArrayList<>();
    diff(expectedValues, actualValues, missing, unexpected);
    boolean passed = missing.isEmpty() && unexpected.isEmpty();
    return new Result(
        test,
        passed ? Status.PASSED : Status.FAILED,
        columns,
        missing,
        unexpected,
        expectedValues.size(),
        actualRows,
        null,
        Duration.ofNanos(System.nanoTime() - started));
  }

  private static String selectList(List<String> columns) {
    StringJoiner select = new StringJoiner(", ");
    columns.forEach(column -> select.add(TableName.quote(column)));
    return columns.isEmpty() ? "1" : select.toString();
  }

  private static Problem missingColumn(
      UnitTestDef test, ModelDef model, String column, Location location, List<String> produced) {
    return new Problem(
        location,
        "Column '"
            + column
            + "' in the expect of unit test '"
            + test.name()
            + "' is not a column that model '"
            + model.name()
            + "' produces",
        Suggestions.closest(column, produced)
            .map(name -> "did you mean '" + name + "'?")
            .orElse("it produces " + String.join(", ", produced)));
  }

  /**
   * The query of rows given as SQL ({@code format: sql}), checked as a model's SQL is: one SELECT
   * that reads no table. Null when it is not one, with the problem at its line.
   */
  private static String fixtureSql(EngineSession session, Rows rows, List<Problem> problems) {
    String sql = rows.sql().strip();
    if (sql.endsWith(";")) {
      sql = sql.substring(0, sql.length() - 1).strip();
    }
    try {
      SqlSandbox.checkModel(session, rows.location().file(), sql, Set.of());
      return sql;
    } catch (ProjectException e) {
      for (Problem problem : e.problems()) {
        // the query's lines start at the line of its first row in its file
        int line = Math.max(problem.location().line(), 1) + rows.location().line() - 1;
        problems.add(
            new Problem(
                new Location(rows.location().file(), line),
                problem.message().replace("The model reads", "The SQL rows read"),
                "rows given as SQL select their values, e.g. select 1 as id, 'a' as name"));
      }
      return null;
    }
  }

  private static String fixtureError(Rows rows, QueryException e) {
    String message = e.getMessage() == null ? "" : e.getMessage().strip();
    int context = message.indexOf("\n\nLINE ");
    return rows.location() + ": " + (context > 0 ? message.substring(0, context) : message).strip();
  }

  private static Result errorResult(UnitTestDef test, String error, long started) {
    return new Result(
        test,
        Status.ERROR,
        List.of(),
        List.of(),
        List.of(),
        test.expect().rows().size(),
        0,
        error,
        Duration.ofNanos(System.nanoTime() - started));
  }

  /** The table an input stands for in the model's SQL: the name its ref, source or this renders. */
  private TableName table(ModelDef model, Given given) {
    return switch (given.input().kind()) {
      case THIS -> model.tableName();
      case REF -> project.refTable(given.input().name()).orElseThrow();
      case SOURCE -> {
        String name = given.input().name();
        int dot = name.indexOf('.');
        yield project
            .sourceTableName(name.substring(0, dot), name.substring(dot + 1))
            .orElseThrow();
      }
    };
  }

  /** The columns the input declares (for {@code this}, the model's own), possibly none. */
  private List<ColumnDef> declaredColumns(ModelDef model, Given given) {
    String name = given.input().name();
    if (given.input().kind() == InputKind.THIS) {
      return model.columns();
    }
    if (given.input().kind() == InputKind.REF) {
      ModelDef upstream = project.models().get(name);
      return upstream != null ? upstream.columns() : project.seeds().get(name).columns();
    }
    int dot = name.indexOf('.');
    return project
        .sourceTable(name.substring(0, dot), name.substring(dot + 1))
        .map(SourceTableDef::columns)
        .orElse(List.of());
  }

  /**
   * The columns of the warehouse's relation an input of a dbt project's unit test stands for, which
   * dbt gives the rows that leave them out (as nulls): none for a Sluice project, for {@code this}
   * and when the relation does not exist; of a source, without the columns Sluice's load adds.
   */
  private List<Types.NestedField> relationColumns(TableName table, Given given) {
    if (project.dbt() == null || given.input().kind() == InputKind.THIS) {
      return List.of();
    }
    boolean source = given.input().kind() == InputKind.SOURCE;
    return relations.apply(table).map(Schema::columns).orElse(List.of()).stream()
        // a nested type's field ids would collide with the given rows' own: left out
        .filter(field -> field.type().isPrimitiveType())
        .filter(field -> !source || !LOAD_COLUMNS.contains(field.name()))
        .toList();
  }

  /**
   * The schema of given rows: the columns they name, each typed as declared (else inferred from the
   * values), then the declared columns they leave out whose type is declared, then the relation's
   * columns they leave out (as nulls).
   */
  private static Schema schema(
      List<Row> rows, List<ColumnDef> declared, List<Types.NestedField> relation) {
    Map<String, ColumnDef> byName = new HashMap<>();
    declared.forEach(column -> byName.put(column.name().toLowerCase(Locale.ROOT), column));
    Set<String> named = new LinkedHashSet<>();
    rows.forEach(row -> named.addAll(row.cells().keySet()));
    List<Types.NestedField> fields = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (String column : named) {
      ColumnDef declaredColumn = byName.get(column.toLowerCase(Locale.ROOT));
      Optional<Type> type =
          declaredColumn == null ? Optional.empty() : UnitTestValues.declaredType(declaredColumn);
      Type columnType =
          type.orElseGet(
              () -> {
                List<Object> values = new ArrayList<>();
                for (Row row : rows) {
                  Cell cell = row.cells().get(column);
                  values.add(cell == null ? null : cell.value());
                }
                return UnitTestValues.infer(values);
              });
      String name = declaredColumn == null ? column : declaredColumn.name();
      fields.add(Types.NestedField.optional(fields.size() + 1, name, columnType));
      seen.add(name.toLowerCase(Locale.ROOT));
    }
    for (ColumnDef column : declared) {
      Optional<Type> type = UnitTestValues.declaredType(column);
      if (type.isPresent() && !seen.contains(column.name().toLowerCase(Locale.ROOT))) {
        fields.add(Types.NestedField.optional(fields.size() + 1, column.name(), type.get()));
        seen.add(column.name().toLowerCase(Locale.ROOT));
      }
    }
    for (Types.NestedField column : relation) {
      if (seen.add(column.name().toLowerCase(Locale.ROOT))) {
        fields.add(Types.NestedField.optional(fields.size() + 1, column.name(), column.type()));
      }
    }
    return new Schema(fields);
  }

  /** Writes rows into a temporary table of the schema; values that do not fit are problems. */
  private static void writeRows(
      EngineSession session,
      String name,
      List<Row> rows,
      Schema schema,
      String what,
      List<Problem> problems) {
    try (EngineSession.RowWriter writer = session.openRowWriter(name, schema)) {
      for (Row row : rows) {
        Map<String, Cell> cells = new HashMap<>();
        row.cells().forEach((column, cell) -> cells.put(column.toLowerCase(Locale.ROOT), cell));
        Object[] values = new Object[schema.columns().size()];
        boolean fits = true;
        for (int i = 0; i < values.length; i++) {
          Types.NestedField field = schema.columns().get(i);
          Cell cell = cells.get(field.name().toLowerCase(Locale.ROOT));
          if (cell == null) {
            continue;
          }
          try {
            values[i] = UnitTestValues.convert(cell.value(), field.type());
          } catch (UnitTestValues.WrongTypeException e) {
            fits = false;
            problems.add(
                new Problem(
                    cell.location(),
                    UnitTestValues.describe(field.name(), cell.value(), what, e.getMessage()),
                    "write a value of the column's type, "
                        + dev.sluice.core.project.ColumnTypes.sqlName(field.type())));
          }
        }
        if (fits) {
          writer.append(values);
        }
      }
    }
  }

  /** The expect rows with their columns named as the model produces them. */
  private static List<Row> renamed(List<Row> rows, List<String> columns) {
    Map<String, String> byLower = new HashMap<>();
    columns.forEach(column -> byLower.put(column.toLowerCase(Locale.ROOT), column));
    List<Row> renamed = new ArrayList<>();
    for (Row row : rows) {
      Map<String, Cell> cells = new LinkedHashMap<>();
      row.cells()
          .forEach(
              (column, cell) ->
                  cells.put(byLower.getOrDefault(column.toLowerCase(Locale.ROOT), column), cell));
      renamed.add(new Row(cells, row.location()));
    }
    return renamed;
  }

  /**
   * The table after a run merges the model's rows into {@code this}: the existing rows whose key
   * the new rows do not hold, and the new rows; without a unique key, the new rows are appended.
   */
  private static String merge(ModelDef model) {
    String existing = model.tableName().quoted();
    String output = TableName.quote(OUTPUT);
    if (model.uniqueKey().isEmpty()) {
      return "SELECT * FROM " + existing + " UNION ALL BY NAME SELECT * FROM " + output;
    }
    StringJoiner same = new StringJoiner(" AND ");
    for (String key : model.uniqueKey()) {
      String column = TableName.quote(key);
      same.add("n." + column + " IS NOT DISTINCT FROM t." + column);
    }
    return "SELECT t.* FROM "
        + existing
        + " AS t WHERE NOT EXISTS (SELECT 1 FROM "
        + output
        + " AS n WHERE "
        + same
        + ") UNION ALL BY NAME SELECT * FROM "
        + output;
  }

  /** Multiset difference both ways. */
  private static void diff(
      List<List<Object>> expected,
      List<List<Object>> actual,
      List<List<Object>> missing,
      List<List<Object>> unexpected) {
    Map<List<Object>, Integer> counts = new HashMap<>();
    Map<List<Object>, List<Object>> firstOfKey = new HashMap<>();
    for (List<Object> row : actual) {
      List<Object> key = key(row);
      counts.merge(key, 1, Integer::sum);
      firstOfKey.putIfAbsent(key, row);
    }
    for (List<Object> row : expected) {
      List<Object> key = key(row);
      Integer count = counts.get(key);
      if (count == null || count == 0) {
        missing.add(row);
      } else {
        counts.put(key, count - 1);
      }
    }
    for (List<Object> row : actual) {
      List<Object> key = key(row);
      Integer count = counts.get(key);
      if (count != null && count > 0) {
        unexpected.add(row);
        counts.put(key, count - 1);
      }
    }
  }

  /**
   * A row as a comparable key: numbers by their value whatever their Java type (the engine may
   * widen an expected bigint to a 128-bit integer or a decimal), arrays by content.
   */
  private static List<Object> key(List<Object> row) {
    List<Object> key = new ArrayList<>(row.size());
    for (Object value : row) {
      if (value instanceof BigDecimal decimal) {
        key.add(decimal.stripTrailingZeros());
      } else if (value instanceof Number number && Double.isFinite(number.doubleValue())) {
        key.add(new BigDecimal(number.toString()).stripTrailingZeros());
      } else if (value instanceof byte[] bytes) {
        key.add(Arrays.toString(bytes));
      } else {
        key.add(value);
      }
    }
    return key;
  }

  private static String engineError(ModelDef model, QueryException e) {
    String message = e.getMessage() == null ? "" : e.getMessage().strip();
    Matcher line = ENGINE_LINE.matcher(message);
    int lineNumber = line.find() ? Integer.parseInt(line.group(1)) : 0;
    int context = message.indexOf("\n\nLINE ");
    String text = context > 0 ? message.substring(0, context).strip() : message;
    return new Location(model.sqlFileName(), lineNumber) + ": " + text;
  }

  private static List<List<Object>> copyRows(List<List<Object>> rows) {
    List<List<Object>> copy = new ArrayList<>();
    for (List<Object> row : rows) {
      copy.add(java.util.Collections.unmodifiableList(new ArrayList<>(row)));
    }
    return java.util.Collections.unmodifiableList(copy);
  }
}
