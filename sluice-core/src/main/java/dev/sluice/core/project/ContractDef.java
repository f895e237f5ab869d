package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The contract of a model or a source table ({@code contract:} in its properties): the columns it
 * declares (name and type) are the columns it publishes, its constraints hold for every row, and
 * its grain names the columns that make a row unique. An enforced contract is held at build time,
 * before anything is published: the output's columns against the declared ones (a missing column or
 * another type fails the step; a column the contract does not declare fails unless {@link
 * Evolution#ADDITIVE}), and the constraints and grain as blocking checks on the audit branch.
 *
 * @param enforced whether builds are held to the contract; a contract not enforced only documents
 * @param evolution which changes of the output's columns the contract lets through
 * @param grain the columns whose values identify one row, or empty
 * @param constraints the constraints of the columns ({@code constraints:} under a column) and of
 *     the table ({@code constraints:} in the contract), in the order written
 * @param location where {@code contract:} is written
 * @param dataTypes a dbt model's columns with their {@code data_type}s, in the order declared,
 *     which its output must give exactly, as dbt's {@code assert_columns_equivalent} holds them:
 *     the same names and number of columns, each of the type its {@code data_type} names in the
 *     engine; empty for a Sluice contract, whose columns are the model's declared ones
 */
public record ContractDef(
    boolean enforced,
    Evolution evolution,
    List<String> grain,
    List<Constraint> constraints,
    Location location,
    List<DataType> dataTypes) {
  /** The prefix of the names of the checks a contract runs, e.g. {@code contract:not_null(id)}. */
  public static final String CHECK_PREFIX = "contract:";

  public ContractDef {
    requireNonNull(evolution, "evolution is null");
    requireNonNull(location, "location is null");
    grain = List.copyOf(grain);
    constraints = List.copyOf(constraints);
    dataTypes = List.copyOf(dataTypes);
  }

  /** A contract of Sluice's own format: its columns are the model's declared ones. */
  public ContractDef(
      boolean enforced,
      Evolution evolution,
      List<String> grain,
      List<Constraint> constraints,
      Location location) {
    this(enforced, evolution, grain, constraints, location, List.of());
  }

  /**
   * A column of a dbt model's contract: its name and its {@code data_type} as written (a type in
   * the engine's names, e.g. {@code integer}, {@code varchar}, {@code decimal(10,2)}).
   */
  public record DataType(String column, String dataType, Location location) {
    public DataType {
      requireNonNull(column, "column is null");
      requireNonNull(dataType, "dataType is null");
      requireNonNull(location, "location is null");
    }
  }

  /** Which changes of the output's columns an enforced contract lets through. */
  public enum Evolution {
    /** Exactly the declared columns (the default). */
    NONE,
    /** The declared columns and new ones, which consumers may ignore. */
    ADDITIVE;

    /** As written in project files: {@code none} or {@code additive}. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The kinds of constraint. */
  public enum ConstraintType {
    NOT_NULL,
    UNIQUE,
    PRIMARY_KEY,
    CHECK;

    /** As written in project files, e.g. {@code primary_key}. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One constraint.
   *
   * @param columns the columns it constrains (for {@code unique} and {@code primary_key} together);
   *     empty for a check expression of the table
   * @param expression the SQL expression every row must satisfy ({@code check}), else null
   * @param name the name given, or null
   */
  public record Constraint(
      ConstraintType type,
      List<String> columns,
      String expression,
      String name,
      Location location) {
    public Constraint {
      requireNonNull(type, "type is null");
      requireNonNull(location, "location is null");
      columns = List.copyOf(columns);
    }

    /** Whether it constrains exactly {@code column} on its own. */
    public boolean isOn(String column) {
      return columns.size() == 1 && columns.get(0).equalsIgnoreCase(column);
    }
  }

  /** Whether a constraint makes {@code column} required (not null): not_null or primary_key. */
  public boolean requires(String column) {
    return constraints.stream()
        .anyMatch(
            c ->
                (c.type() == ConstraintType.NOT_NULL || c.type() == ConstraintType.PRIMARY_KEY)
                    && c.columns().stream().anyMatch(column::equalsIgnoreCase));
  }

  /** Whether {@code column} alone is unique: a unique or primary_key constraint of it alone. */
  public boolean unique(String column) {
    return constraints.stream()
        .anyMatch(
            c ->
                (c.type() == ConstraintType.UNIQUE || c.type() == ConstraintType.PRIMARY_KEY)
                    && c.isOn(column));
  }

  /** The primary key's columns, in order, or empty. */
  public List<String> primaryKey() {
    return constraints.stream()
        .filter(c -> c.type() == ConstraintType.PRIMARY_KEY)
        .findFirst()
        .map(Constraint::columns)
        .orElse(List.of());
  }

  /**
   * The blocking checks that hold the constraints and the grain on written data, named {@code
   * contract:<constraint>(<columns>)}; empty for a contract not enforced.
   */
  public List<CheckDef> checks() {
    if (!enforced) {
      return List.of();
    }
    List<CheckDef> checks = new ArrayList<>();
    for (Constraint constraint : constraints) {
      switch (constraint.type()) {
        case NOT_NULL -> {
          for (String column : constraint.columns()) {
            checks.add(check("not_null", "not_null(" + column + ")", column, Map.of(), constraint));
          }
        }
        case UNIQUE -> checks.add(uniqueness("unique", constraint.columns(), constraint));
        case PRIMARY_KEY -> {
          for (String column : constraint.columns()) {
            checks.add(
                check(
                    "not_null",
                    "primary_key.not_null(" + column + ")",
                    column,
                    Map.of(),
                    constraint));
          }
          checks.add(uniqueness("primary_key", constraint.columns(), constraint));
        }
        case CHECK ->
            checks.add(
                check(
                    "expression",
                    "check("
                        + (constraint.name() != null ? constraint.name() : constraint.expression())
                        + ")",
                    null,
                    Map.of("expression", constraint.expression()),
                    constraint));
      }
    }
    if (!grain.isEmpty()) {
      checks.add(
          new CheckDef(
              "sql",
              CHECK_PREFIX + "grain(" + String.join(", ", grain) + ")",
              null,
              Map.of("query", duplicatesQuery(grain)),
              Severity.ERROR,
              location));
    }
    return checks;
  }

  private static CheckDef uniqueness(String kind, List<String> columns, Constraint constraint) {
    String name = kind + "(" + String.join(", ", columns) + ")";
    if (columns.size() == 1) {
      return check("unique", name, columns.get(0), Map.of(), constraint);
    }
    return new CheckDef(
        "sql",
        CHECK_PREFIX + name,
        null,
        Map.of("query", duplicatesQuery(columns)),
        Severity.ERROR,
        constraint.location());
  }

  private static CheckDef check(
      String type, String name, String column, Map<String, Object> arguments, Constraint on) {
    return new CheckDef(
        type, CHECK_PREFIX + name, column, arguments, Severity.ERROR, on.location());
  }

  /** The rows of {@code this} whose values of {@code columns} occur more than once. */
  private static String duplicatesQuery(List<String> columns) {
    StringJoiner key = new StringJoiner(", ");
    for (String column : columns) {
      key.add(dev.sluice.api.TableName.quote(column));
    }
    return "select "
        + key
        + ", count(*) as occurrences from {{ this }} group by "
        + key
        + " having count(*) > 1";
  }
}
