package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A unit test of a model, in dbt 1.8's shape ({@code unit_tests:} of a properties file): rows given
 * for each of the model's inputs (and, for an incremental model, for its existing table), overrides
 * of vars and of {@code is_incremental()}, and the rows the model must produce. Only the columns
 * that {@code expect} lists are compared; rows are compared as a multiset.
 *
 * @param name the test's name, unique in the project
 * @param model the model it tests
 * @param description what it tests, or null
 * @param given the rows of each input, in file order
 * @param expect the expected rows
 * @param vars values of {@code var()} that replace the project's
 * @param incremental what {@code is_incremental()} returns ({@code overrides: {macros:
 *     {is_incremental: ...}}}), or null: true when rows are given for {@code this} of an
 *     incremental model
 * @param location where the test is declared
 * @param macros what the other macros the test overrides give ({@code overrides: {macros:
 *     {current_timestamp: "'2024-01-01'"}}}), by name ({@code dbt_utils.x} for a package's), as
 *     dbt's unit tests override them
 * @param envVars values of {@code env_var()} that replace the environment's
 * @param tags the test's {@code config: {tags: ...}}
 */
public record UnitTestDef(
    String name,
    String model,
    String description,
    List<Given> given,
    Rows expect,
    Map<String, Object> vars,
    Boolean incremental,
    Location location,
    Map<String, Object> macros,
    Map<String, String> envVars,
    List<String> tags) {
  public UnitTestDef {
    requireNonNull(name, "name is null");
    requireNonNull(model, "model is null");
    requireNonNull(given, "given is null");
    requireNonNull(expect, "expect is null");
    requireNonNull(vars, "vars is null");
    requireNonNull(location, "location is null");
    given = List.copyOf(given);
    vars = Copies.orderedMap(vars);
    macros = Copies.orderedMap(requireNonNull(macros, "macros is null"));
    envVars = Copies.orderedMap(requireNonNull(envVars, "envVars is null"));
    tags = List.copyOf(requireNonNull(tags, "tags is null"));
  }

  /** A test without macro or environment overrides and without tags. */
  public UnitTestDef(
      String name,
      String model,
      String description,
      List<Given> given,
      Rows expect,
      Map<String, Object> vars,
      Boolean incremental,
      Location location) {
    this(
        name,
        model,
        description,
        given,
        expect,
        vars,
        incremental,
        location,
        Map.of(),
        Map.of(),
        List.of());
  }

  /** What a given names: a model or seed ({@code ref('x')}), a source table, or {@code this}. */
  public enum InputKind {
    REF,
    SOURCE,
    THIS
  }

  /**
   * One input of the model.
   *
   * @param name the model or seed for REF, the source table's asset name ({@code shop.orders}) for
   *     SOURCE, {@code this} for THIS
   */
  public record Input(InputKind kind, String name) {
    public Input {
      requireNonNull(kind, "kind is null");
      requireNonNull(name, "name is null");
    }

    /** The input as a unit test writes it: {@code ref('orders')}, {@code source('shop', 'x')}. */
    public String text() {
      return switch (kind) {
        case REF -> "ref('" + name + "')";
        case SOURCE -> {
          int dot = name.indexOf('.');
          yield "source('" + name.substring(0, dot) + "', '" + name.substring(dot + 1) + "')";
        }
        case THIS -> "this";
      };
    }
  }

  /** One value of a row and where it is written. */
  public record Cell(Object value, Location location) {
    public Cell {
      requireNonNull(location, "location is null");
    }
  }

  /** A row: its values by column name, in the order written. */
  public record Row(Map<String, Cell> cells, Location location) {
    public Row {
      requireNonNull(location, "location is null");
      cells = Copies.orderedMap(cells);
    }
  }

  /**
   * Rows and where they are declared.
   *
   * @param format how they are written: {@code dict} (a list of mappings), {@code csv} (inline or a
   *     fixture file) or {@code sql} (a query that gives them)
   * @param sql for {@code format: sql}, the query; else null
   * @param fixture the fixture file they come from, or null
   */
  public record Rows(List<Row> rows, Location location, String format, String sql, String fixture) {
    public Rows {
      requireNonNull(location, "location is null");
      requireNonNull(format, "format is null");
      rows = List.copyOf(rows);
    }

    /** Rows written as a list of mappings. */
    public Rows(List<Row> rows, Location location) {
      this(rows, location, "dict", null, null);
    }

    /** Rows given by a query ({@code format: sql}). */
    public static Rows ofSql(String sql, Location location, String fixture) {
      return new Rows(List.of(), location, "sql", requireNonNull(sql, "sql is null"), fixture);
    }

    /** These rows, as written in another format or read from a fixture file. */
    public Rows as(String newFormat, String fixtureFile) {
      return new Rows(rows, location, newFormat, sql, fixtureFile);
    }

    /** The columns the rows name, in the order they first appear. */
    public List<String> columns() {
      Set<String> columns = new LinkedHashSet<>();
      rows.forEach(row -> columns.addAll(row.cells().keySet()));
      return new ArrayList<>(columns);
    }
  }

  /** The rows given for one input. */
  public record Given(Input input, Rows rows, Location location) {
    public Given {
      requireNonNull(input, "input is null");
      requireNonNull(rows, "rows is null");
      requireNonNull(location, "location is null");
    }
  }

  /** The rows given for {@code this}, if any. */
  public java.util.Optional<Given> givenThis() {
    return given.stream().filter(g -> g.input().kind() == InputKind.THIS).findFirst();
  }
}
