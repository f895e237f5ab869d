package dev.sluice.core.query;

import dev.sluice.api.Location;
import dev.sluice.api.ProjectException;
import dev.sluice.api.SqlRejectedException;
import dev.sluice.api.TableName;
import dev.sluice.api.Zone;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.engine.ParsedSelect;
import dev.sluice.api.engine.TableReference;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What user SQL may reach. Models, checks and queries are each one SELECT, parsed by the engine's
 * own parser before they run ({@link EngineSession#parseSelect}), that reads only tables Sluice
 * registers: a model its refs, sources and {@code this}; a query or a check the project's tables,
 * named {@code zone.table}. No files, URLs, settings, environment, extensions or other databases.
 * See docs/security.md.
 */
public final class SqlSandbox {
  private SqlSandbox() {}

  /**
   * Checks a model's rendered SQL.
   *
   * @param file the model's SQL file, relative to the project
   * @param readable the tables the model may read: its refs, sources and its own table
   * @throws ProjectException naming the file and line of the first problem
   */
  public static void checkModel(
      EngineSession session, String file, String sql, Set<TableName> readable) {
    ParsedSelect parsed;
    try {
      parsed = session.parseSelect(sql);
    } catch (SqlRejectedException e) {
      throw new ProjectException(new Location(file, e.line()), e.getMessage(), modelHint());
    }
    Set<String> inputs = readable.stream().map(SqlSandbox::lowerCase).collect(Collectors.toSet());
    Set<String> schemas = readable.stream().map(TableName::zone).collect(Collectors.toSet());
    for (TableReference table : parsed.tables()) {
      Optional<TableName> name = asTableName(table, schemas);
      if (name.isEmpty() || !inputs.contains(lowerCase(name.get()))) {
        throw new ProjectException(
            new Location(file, table.line()),
            "The model reads "
                + table
                + ", which is not one of its inputs ("
                + (readable.isEmpty()
                    ? "it has none"
                    : readable.stream().map(TableName::toString).sorted().collect(joining()))
                + ")",
            "read tables through {{ ref('model') }}, {{ source('source', 'table') }} or {{ this"
                + " }}");
      }
    }
  }

  /**
   * Checks a query or a check's SQL and returns the project tables it names.
   *
   * @throws SqlRejectedException for a syntax error, anything but one SELECT, a reach outside the
   *     project's tables, or a name that is not {@code zone.table}
   */
  public static Set<TableName> checkQuery(EngineSession session, String sql) {
    return checkQuery(session, sql, Set.of());
  }

  /**
   * As {@link #checkQuery(EngineSession, String)}, where tables may also be named {@code
   * schema.table} with a schema of {@code schemas}: a dbt project's ({@link
   * dev.sluice.core.project.Project#schemas()}).
   */
  public static Set<TableName> checkQuery(EngineSession session, String sql, Set<String> schemas) {
    ParsedSelect parsed;
    try {
      parsed = session.parseSelect(sql);
    } catch (SqlRejectedException e) {
      throw new SqlRejectedException(e.getMessage() + onLine(e.line()), e.line());
    }
    Set<TableName> tables = new LinkedHashSet<>();
    for (TableReference table : parsed.tables()) {
      tables.add(
          asTableName(table, schemas)
              .orElseThrow(
                  () ->
                      new SqlRejectedException(
                          "Table "
                              + table
                              + " is not one of the project's tables: name them zone.table, with"
                              + " a zone of "
                              + zones()
                              + (schemas.isEmpty()
                                  ? ""
                                  : " or a schema of "
                                      + String.join(", ", new java.util.TreeSet<>(schemas)))
                              + " (see 'sluice tables')"
                              + onLine(table.line()),
                          table.line())));
    }
    return tables;
  }

  /** A zone's table, or a table of one of {@code schemas} (a dbt project's), else empty. */
  private static Optional<TableName> asTableName(TableReference table, Set<String> schemas) {
    String schema = table.schema().toLowerCase(Locale.ROOT);
    Optional<TableName> inZone =
        Zone.fromName(schema).map(zone -> new TableName(zone.namespace(), table.name()));
    if (inZone.isPresent() || !schemas.contains(schema)) {
      return inZone;
    }
    return Optional.of(new TableName(schema, table.name()));
  }

  private static String lowerCase(TableName name) {
    return name.toString().toLowerCase(Locale.ROOT);
  }

  private static String zones() {
    return Arrays.stream(Zone.values()).map(Zone::namespace).collect(joining());
  }

  private static java.util.stream.Collector<CharSequence, ?, String> joining() {
    return Collectors.joining(", ");
  }

  private static String onLine(int line) {
    return line > 0 ? " (line " + line + ")" : "";
  }

  private static String modelHint() {
    return "a model is one SELECT that reads only its {{ ref() }}, {{ source() }} and {{ this }};"
        + " see docs/security.md";
  }
}
