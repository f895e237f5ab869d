package dev.sluice.core.project;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import dev.sluice.api.Location;
import dev.sluice.api.SluiceException;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.core.project.TemplateFunctions.Arguments;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * dbt's introspective Jinja: {@code run_query(sql)}, {@code statement} blocks with {@code
 * load_result(name)}, {@code adapter.execute}, {@code adapter.get_columns_in_relation}, {@code
 * adapter.get_relation} and {@code api.Relation.create}. At run time they read the project's tables
 * through the run's engine session ({@link TemplateQueries}); while the project is loaded (dbt's
 * parse, {@code execute} false) they give what dbt gives then: none, or no columns. A query that
 * fails stops the rendering with a problem at the line of the project's macro (or template) that
 * ran it, naming the macro and the model.
 */
final class DbtIntrospection {
  /** The files of dbt's own macros, whose lines a problem skips for its caller's. */
  private static final Set<String> BUILT_IN_FILES =
      DbtBuiltInMacros.FILES.stream().map(DbtMacros.MacroFile::file).collect(Collectors.toSet());

  private DbtIntrospection() {}

  /** dbt's {@code run_query(sql)}: the query's rows as a table; none when not executing. */
  public static Object runQuery(Object... arguments) {
    Arguments args = Arguments.of(arguments);
    Object sql = args.positional.isEmpty() ? args.named.get("sql") : args.positional.get(0);
    return query(String.valueOf(sql), "run_query");
  }

  /**
   * dbt's {@code load_result(name)}: what the {@code statement} of that name stored ({@code
   * response}, {@code data}, {@code table}), or none.
   */
  public static Object loadResult(Object... arguments) {
    TemplateSession session = TemplateFunctions.session();
    Arguments args = Arguments.of(arguments);
    if (session == null || args.positional.isEmpty()) {
      return null;
    }
    return session.statementResults().get(String.valueOf(args.positional.get(0)));
  }

  /** dbt's {@code store_result(name, response, agate_table)}, which {@code statement} calls. */
  public static String storeResult(Object... arguments) {
    TemplateSession session = TemplateFunctions.session();
    Arguments args = Arguments.of(arguments);
    if (session == null || args.positional.isEmpty() || args.positional.get(0) == null) {
      return "";
    }
    Object table = args.named.get("agate_table");
    if (table == null && args.positional.size() > 2) {
      table = args.positional.get(2);
    }
    Map<String, Object> result =
        table instanceof DbtAgateTable agate
            ? agate.asResult()
            : new java.util.LinkedHashMap<>(
                Map.of("response", "OK", "data", List.of(), "table", List.of()));
    session.statementResults().put(String.valueOf(args.positional.get(0)), result);
    return "";
  }

  /**
   * dbt's {@code adapter.execute(sql, fetch=False)}: {@code [response, table]}; the table is empty
   * without {@code fetch}.
   */
  static List<Object> execute(Object... arguments) {
    Arguments args = Arguments.of(arguments);
    Object sql = args.positional.isEmpty() ? args.named.get("sql") : args.positional.get(0);
    Object fetch =
        args.named.getOrDefault(
            "fetch", args.positional.size() > 2 ? args.positional.get(2) : false);
    Object table = query(String.valueOf(sql), "statement");
    if (table == null) {
      return java.util.Arrays.asList("", null);
    }
    if (!Boolean.TRUE.equals(fetch)) {
      table = new DbtAgateTable(new QueryResult(List.of(), List.of(), List.of(), false));
    }
    return java.util.Arrays.asList("OK", table);
  }

  /**
   * dbt's {@code adapter.get_columns_in_relation(relation)}: its columns ({@code name}, {@code
   * data_type}, {@code dtype}, ...) in order, with DuckDB's names of their types; none when the
   * relation does not exist or the project is being loaded.
   */
  static List<DbtColumn> columnsIn(Object relation) {
    TemplateSession session = TemplateFunctions.session();
    if (session == null || session.queries() == null) {
      return List.of();
    }
    TableName table = tableOf(session, relation, "adapter.get_columns_in_relation");
    if (table == null || !session.queries().exists(table)) {
      return List.of();
    }
    Object result =
        query("select * from " + table.quoted() + " limit 0", "get_columns_in_relation");
    List<DbtColumn> columns = new ArrayList<>();
    if (result instanceof DbtAgateTable agate) {
      for (int i = 0; i < agate.getColumnNames().size(); i++) {
        columns.add(new DbtColumn(agate.getColumnNames().get(i), agate.getColumnTypes().get(i)));
      }
    }
    return columns;
  }

  /**
   * dbt's {@code adapter.get_relation(database, schema, identifier)}: the relation when the lake
   * has it, else none (and none while the project is loaded).
   */
  static DbtRelation relation(String database, Object... arguments) {
    TemplateSession session = TemplateFunctions.session();
    Arguments args = Arguments.of(arguments);
    if (session == null || session.queries() == null) {
      return null;
    }
    Object schema =
        args.named.getOrDefault(
            "schema", args.positional.size() > 1 ? args.positional.get(1) : null);
    Object identifier =
        args.named.getOrDefault(
            "identifier", args.positional.size() > 2 ? args.positional.get(2) : null);
    if (schema == null || identifier == null) {
      return null;
    }
    TableName table =
        tableOf(
            session,
            new DbtRelation(database, schema.toString(), identifier.toString(), null, ""),
            "adapter.get_relation");
    if (table == null || !session.queries().exists(table)) {
      return null;
    }
    return DbtRelation.of(database, table, "table");
  }

  /** The lake table of a relation (or of its rendered name); a problem when it is none. */
  private static TableName tableOf(TemplateSession session, Object relation, String call) {
    if (relation instanceof DbtRelation dbtRelation) {
      try {
        return dbtRelation.tableName();
      } catch (RuntimeException e) {
        // a name that is not an identifier: reported below
      }
    } else if (relation != null) {
      String[] parts = relation.toString().replace("\"", "").split("\\.", -1);
      if (parts.length >= 2 && TableName.isIdentifier(parts[parts.length - 2])) {
        return new TableName(
            parts[parts.length - 2].toLowerCase(java.util.Locale.ROOT), parts[parts.length - 1]);
      }
    }
    stop(
        session,
        call
            + "() takes a relation (ref(), source(), this, api.Relation.create(...)), not "
            + relation);
    return null;
  }

  /** Runs a query for a template; none when not executing; a failure stops the rendering. */
  private static Object query(String sql, String call) {
    TemplateSession session = TemplateFunctions.session();
    if (session == null || session.queries() == null || session.stopped()) {
      return null;
    }
    try {
      return new DbtAgateTable(session.queries().query(sql));
    } catch (SluiceException | IllegalArgumentException e) {
      stop(session, "The query of " + call + "() failed: " + e.getMessage().strip());
      return null;
    }
  }

  private static void stop(TemplateSession session, String message) {
    JinjavaInterpreter interpreter = JinjavaInterpreter.getCurrent();
    if (session.stopped()) {
      return;
    }
    int line = session.lastNodeLine() > 0 ? session.lastNodeLine() : interpreter.getLineNumber();
    Location location = session.callerLocation(line, BUILT_IN_FILES);
    String macro =
        session.frames().stream()
            .filter(frame -> !BUILT_IN_FILES.contains(frame.file()))
            .map(DbtMacroFunction.Frame::macro)
            .findFirst()
            .map(name -> "macro '" + name + "', rendering ")
            .orElse("rendering ");
    session
        .problems()
        .add(
            location,
            message + " (in " + macro + session.origin().file() + ")",
            "fix the query the template builds; it reads the project's tables as schema.table");
    session.stop(interpreter.getErrors().size());
  }

  /** A column of a relation, as dbt's {@code Column}. */
  public static final class DbtColumn {
    private final String name;
    private final String dataType;

    DbtColumn(String name, String dataType) {
      this.name = name;
      this.dataType = dataType;
    }

    public String getName() {
      return name;
    }

    public String getColumn() {
      return name;
    }

    /** The column's name quoted, as dbt's {@code quoted}. */
    public String getQuoted() {
      return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /**
     * dbt's {@code data_type}: DuckDB's name of the type ({@code VARCHAR}, {@code DECIMAL(12,2)}).
     */
    public String getDataType() {
      return dataType;
    }

    public String getDtype() {
      return dataType;
    }

    public boolean is_string() {
      String type = dataType.toUpperCase(java.util.Locale.ROOT);
      return type.startsWith("VARCHAR")
          || type.equals("TEXT")
          || type.startsWith("CHAR")
          || type.equals("STRING");
    }

    public boolean is_number() {
      return is_integer() || is_float() || is_numeric();
    }

    public boolean is_integer() {
      return Set.of(
              "TINYINT",
              "SMALLINT",
              "INTEGER",
              "BIGINT",
              "HUGEINT",
              "UTINYINT",
              "USMALLINT",
              "UINTEGER",
              "UBIGINT")
          .contains(dataType.toUpperCase(java.util.Locale.ROOT));
    }

    public boolean is_float() {
      return Set.of("FLOAT", "DOUBLE", "REAL")
          .contains(dataType.toUpperCase(java.util.Locale.ROOT));
    }

    public boolean is_numeric() {
      return dataType.toUpperCase(java.util.Locale.ROOT).startsWith("DECIMAL");
    }

    @Override
    public String toString() {
      return "<Column " + name + " (" + dataType + ")>";
    }
  }

  /** dbt's {@code api}: {@code api.Relation.create(database, schema, identifier, type)}. */
  static Map<String, Object> api(String database) {
    return Map.of("Relation", new RelationFactory(database));
  }

  /** dbt's {@code api.Relation}. */
  public static final class RelationFactory {
    private final String database;

    RelationFactory(String database) {
      this.database = database;
    }

    public DbtRelation create(Object... arguments) {
      Arguments args = Arguments.of(arguments);
      Object databaseName =
          args.named.getOrDefault(
              "database", args.positional.size() > 0 ? args.positional.get(0) : null);
      Object schema =
          args.named.getOrDefault(
              "schema", args.positional.size() > 1 ? args.positional.get(1) : null);
      Object identifier =
          args.named.getOrDefault(
              "identifier", args.positional.size() > 2 ? args.positional.get(2) : null);
      Object type = args.named.get("type");
      String rendered =
          (schema == null ? "" : "\"" + schema.toString().replace("\"", "\"\"") + "\".")
              + (identifier == null
                  ? ""
                  : "\"" + identifier.toString().replace("\"", "\"\"") + "\"");
      return new DbtRelation(
          databaseName == null ? database : databaseName.toString(),
          schema == null ? null : schema.toString(),
          identifier == null ? "" : identifier.toString(),
          type == null ? null : type.toString(),
          rendered);
    }

    @Override
    public String toString() {
      return "Relation";
    }
  }
}
