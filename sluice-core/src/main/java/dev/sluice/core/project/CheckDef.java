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

  public CheckDef {
    requireNonNull(type, "type is null");
    requireNonNull(name, "name is null");
    requireNonNull(arguments, "arguments is null");
    requireNonNull(severity, "severity is null");
    requireNonNull(location, "location is null");
    arguments = Copies.orderedMap(arguments);
  }

  /** Whether a failure of this check blocks publishing. */
  public boolean blocking() {
    return severity == Severity.ERROR;
  }
}
