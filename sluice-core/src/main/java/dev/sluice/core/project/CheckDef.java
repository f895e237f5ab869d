package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import java.util.List;
import java.util.Map;

/**
 * A data quality check declared on a source table, seed, model or one of their columns.
 *
 * @param type one of {@link #TYPES}
 * @param name the check's name, by default the type and column, e.g. {@code not_null(order_id)}
 * @param column the column checked, or null for a check of the whole table
 * @param arguments the check's arguments (e.g. {@code values}, {@code min}, {@code query}) as plain
 *     Java values; {@code name}, {@code severity} and {@code column} are not repeated here
 */
public record CheckDef(
    String type,
    String name,
    String column,
    Map<String, Object> arguments,
    Severity severity,
    Location location) {
  /** The check types the project format knows. */
  public static final List<String> TYPES =
      List.of(
          "not_null",
          "unique",
          "accepted_values",
          "relationships",
          "row_count",
          "expression",
          "sql",
          "anomaly");

  /**
   * The argument that holds a dbt test's configs that decide its outcome, when one is not dbt's
   * default: {@code where}, {@code limit}, {@code fail_calc}, {@code warn_if}, {@code error_if},
   * {@code store_failures} ({@link #testConfig()}).
   */
  public static final String TEST_CONFIG = "dbt_test_config";

  /**
   * The key of {@link #testConfig()} that names the table of a dbt test's failing rows ({@code
   * store_failures}), as {@code namespace.table}.
   */
  public static final String FAILURES_TABLE = "store_failures_table";

  public CheckDef {
    requireNonNull(type, "type is null");
    requireNonNull(name, "name is null");
    requireNonNull(arguments, "arguments is null");
    requireNonNull(severity, "severity is null");
    requireNonNull(location, "location is null");
    arguments = Copies.orderedMap(arguments);
  }

  /**
   * A dbt test's configs that decide its outcome, as dbt applies them: {@code where} (a condition:
   * the check reads only the rows that match it), {@code limit} (of the failing rows counted),
   * {@code fail_calc} (an aggregate over the failing rows: the failures), {@code warn_if} and
   * {@code error_if} (a comparison of the failures with a number), {@code store_failures} (true:
   * the failing rows are kept in a table). Empty for dbt's defaults and Sluice's checks.
   */
  public Map<String, Object> testConfig() {
    Object config = arguments.get(TEST_CONFIG);
    if (!(config instanceof Map<?, ?> map)) {
      return Map.of();
    }
    Map<String, Object> values = new java.util.LinkedHashMap<>();
    map.forEach((key, value) -> values.put(String.valueOf(key), value));
    return values;
  }

  /** This check with another severity. */
  public CheckDef withSeverity(Severity other) {
    return new CheckDef(type, name, column, arguments, other, location);
  }

  /** Whether a failure of this check blocks publishing. */
  public boolean blocking() {
    return severity == Severity.ERROR;
  }
}
