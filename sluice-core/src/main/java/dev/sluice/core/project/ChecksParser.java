package dev.sluice.core.project;

import dev.sluice.api.Location;
import dev.sluice.api.ProjectException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/** Reads the {@code columns:} and {@code checks:} of sources, models and seeds. */
final class ChecksParser {
  static final Set<String> COLUMN_KEYS =
      Set.of(
          "name",
          "type",
          "description",
          "classification",
          "classification_reason",
          "checks",
          ContractParser.CONSTRAINTS);

  /** A classification tag: lower-case words of letters, digits and '_', joined by dots. */
  private static final java.util.regex.Pattern TAG =
      java.util.regex.Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*");

  /** The checks that test one column, so that on a table they need {@code column:}. */
  private static final Set<String> COLUMN_CHECKS =
      Set.of("not_null", "unique", "accepted_values", "relationships");

  private static final Map<String, List<String>> REQUIRED =
      Map.of(
          "accepted_values", List.of("values"),
          "relationships", List.of("to", "field"),
          "expression", List.of("expression"),
          "sql", List.of("query"),
          "anomaly", List.of("metric"));

  private static final Map<String, Set<String>> ARGUMENTS =
      Map.of(
          "not_null", Set.of(),
          "unique", Set.of(),
          "accepted_values", Set.of("values"),
          "relationships", Set.of("to", "field"),
          "row_count", Set.of("min", "max"),
          "expression", Set.of("expression"),
          "sql", Set.of("query"),
          "anomaly", Set.of("metric", "sensitivity", "min_history"));

  private static final Map<String, String> EXAMPLES =
      Map.of(
          "accepted_values", "accepted_values: {values: [placed, shipped]}",
          "relationships", "relationships: {to: customers, field: customer_id}",
          "row_count", "row_count: {min: 1}",
          "expression", "expression: {expression: \"amount >= 0\"}",
          "sql", "sql: {name: no_future_days, query: \"select * from {{ this }} where ...\"}",
          "anomaly", "anomaly: {metric: row_count, sensitivity: medium, min_history: 14}");

  private ChecksParser() {}

  /** Reads a {@code columns:} list; reports bad types and repeated names. */
  static List<ColumnDef> columns(YamlMap owner, String ownerName) {
    return columns(owner, ownerName, false);
  }

  /**
   * Reads a {@code columns:} list; reports bad types, repeated names and bad classifications.
   *
   * @param inherits whether the columns inherit classification tags from their inputs (a model's),
   *     so that an explicit {@code classification: []} must say why
   */
  static List<ColumnDef> columns(YamlMap owner, String ownerName, boolean inherits) {
    List<ColumnDef> columns = new ArrayList<>();
    Map<String, Location> seen = new HashMap<>();
    for (Node node : owner.list("columns")) {
      Optional<YamlMap> maybeColumn =
          YamlMap.of(owner.file(), node, "a column of " + ownerName, COLUMN_KEYS, owner.problems());
      if (maybeColumn.isEmpty()) {
        continue;
      }
      YamlMap column = maybeColumn.get();
      String name = column.requiredString("name", "give every column a name: '- name: id'");
      if (name == null) {
        continue;
      }
      Location location = column.location();
      Location previous = seen.putIfAbsent(name.toLowerCase(Locale.ROOT), location);
      if (previous != null) {
        owner
            .problems()
            .add(
                location,
                "Column '" + name + "' of " + ownerName + " is declared twice",
                "merge it with the one on line " + previous.line());
      }
      String type = column.string("type");
      if (type != null) {
        try {
          ColumnTypes.parse(type, column.location("type"));
        } catch (ProjectException e) {
          owner.problems().addAll(e);
        }
      }
      List<CheckDef> checks = checks(column, ownerName + " column " + name, name);
      columns.add(
          new ColumnDef(
              name,
              type,
              column.string("description"),
              classification(column, ownerName + " column " + name, inherits),
              checks,
              location));
    }
    return columns;
  }

  /**
   * Reads {@code classification:} and {@code classification_reason:} of a column; null if absent.
   */
  private static ClassificationDef classification(
      YamlMap column, String columnName, boolean inherits) {
    String reason = column.string("classification_reason");
    if (!column.has("classification")) {
      if (column.has("classification_reason")) {
        column
            .problems()
            .add(
                column.location("classification_reason"),
                "'classification_reason' of " + columnName + " without 'classification'",
                "it gives the reason of 'classification: []'; write both, or remove it");
      }
      return null;
    }
    Location location = column.location("classification");
    List<String> tags = column.stringList("classification");
    for (String tag : tags) {
      if (!TAG.matcher(tag).matches()) {
        column
            .problems()
            .add(
                location,
                "Invalid classification tag '" + tag + "' of " + columnName,
                "a tag is lower-case words of letters, digits and '_' joined by dots, e.g. pii or"
                    + " pii.email");
      }
    }
    if (tags.isEmpty() && inherits && (reason == null || reason.isBlank())) {
      column
          .problems()
          .add(
              location,
              "'classification: []' of "
                  + columnName
                  + " drops the tags it inherits from its inputs but gives no reason",
              "add classification_reason: \"...\" saying why the column holds no such data"
                  + " (e.g. \"hashed with a secret key\")");
    }
    return new ClassificationDef(tags, reason, location);
  }

  /**
   * Reads a {@code checks:} list.
   *
   * @param column the column the checks belong to, or null for table checks
   */
  static List<CheckDef> checks(YamlMap owner, String ownerName, String column) {
    List<CheckDef> checks = new ArrayList<>();
    for (Node node : owner.list("checks")) {
      check(owner, node, ownerName, column).ifPresent(checks::add);
    }
    return checks;
  }

  /** Reports checks of one asset (its table and column checks) that share a name. */
  static void reportDuplicateNames(
      List<CheckDef> tableChecks, List<ColumnDef> columns, String ownerName, Problems problems) {
    List<CheckDef> all = new ArrayList<>(tableChecks);
    columns.forEach(column -> all.addAll(column.checks()));
    Set<String> names = new HashSet<>();
    for (CheckDef check : all) {
      if (!names.add(check.name())) {
        problems.add(
            check.location(),
            "Two checks of " + ownerName + " are named '" + check.name() + "'",
            "give one of them another name with 'name:'");
      }
    }
  }

  private static Optional<CheckDef> check(
      YamlMap owner, Node node, String ownerName, String column) {
    String file = owner.file();
    Problems problems = owner.problems();
    Location location = YamlFiles.location(file, node);
    String type;
    Node argumentsNode = null;
    if (node instanceof ScalarNode scalar && !YamlMap.isNull(node)) {
      type = scalar.getValue();
    } else if (node instanceof MappingNode mapping && mapping.getValue().size() == 1) {
      NodeTuple tuple = mapping.getValue().get(0);
      if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
        problems.add(location, "A check's name must be a plain name", "");
        return Optional.empty();
      }
      type = key.getValue();
      argumentsNode = YamlMap.isNull(tuple.getValueNode()) ? null : tuple.getValueNode();
    } else {
      problems.add(
          location,
          "A check is a name or a map with one key, the check's name; got "
              + YamlMap.describe(node),
          node instanceof MappingNode
              ? "indent the check's arguments under its name, e.g. '- "
                  + EXAMPLES.get("row_count")
                  + "'"
              : "write e.g. '- not_null' or '- " + EXAMPLES.get("accepted_values") + "'");
      return Optional.empty();
    }
    if (!ARGUMENTS.containsKey(type)) {
      problems.add(
          location,
          "Unknown check '" + type + "'",
          Suggestions.hint(type, CheckDef.TYPES, "checks"));
      return Optional.empty();
    }
    Set<String> allowed = new HashSet<>(ARGUMENTS.get(type));
    allowed.add("name");
    allowed.add("severity");
    if (column == null && (COLUMN_CHECKS.contains(type) || type.equals("expression"))) {
      allowed.add("column");
    }
    YamlMap arguments = null;
    if (argumentsNode != null) {
      Optional<YamlMap> map =
          YamlMap.of(
              file, argumentsNode, "the arguments of check '" + type + "'", allowed, problems);
      if (map.isEmpty()) {
        return Optional.empty();
      }
      arguments = map.get();
    }
    boolean valid = true;
    for (String required : REQUIRED.getOrDefault(type, List.of())) {
      if (arguments == null || !arguments.has(required)) {
        problems.add(
            location,
            "Check '" + type + "' needs '" + required + ":'",
            "write e.g. '- " + EXAMPLES.get(type) + "'");
        valid = false;
      }
    }
    String checkColumn = column;
    if (column == null && arguments != null && arguments.has("column")) {
      checkColumn = arguments.string("column");
    }
    if (checkColumn == null && COLUMN_CHECKS.contains(type)) {
      problems.add(
          location,
          "Check '" + type + "' on " + ownerName + " needs the column it tests",
          "add 'column: <name>' to its arguments, or move it under the column in 'columns:'");
      valid = false;
    }
    Map<String, Object> values = new LinkedHashMap<>();
    Severity severity = Severity.ERROR;
    String name = null;
    if (arguments != null) {
      severity = severity(arguments);
      name = arguments.string("name");
      for (String key : ARGUMENTS.get(type)) {
        arguments.node(key).ifPresent(value -> values.put(key, YamlFiles.toJava(value)));
      }
      valid &= validateArguments(type, arguments, values);
    }
    if (type.equals("row_count") && values.isEmpty()) {
      problems.add(
          location,
          "Check 'row_count' needs 'min:', 'max:' or both",
          "write e.g. '- row_count: {min: 1}'");
      valid = false;
    }
    if (!valid || severity == null) {
      return Optional.empty();
    }
    if (type.equals("anomaly")) {
      String metric;
      try {
        metric =
            dev.sluice.core.quality.AnomalyMetric.parse(
                    String.valueOf(values.get("metric")), checkColumn)
                .toString();
      } catch (IllegalArgumentException e) {
        problems.add(
            location,
            e.getMessage(),
            "write e.g. anomaly: {metric: null_fraction(email)}, or metric: null_fraction under the"
                + " column");
        return Optional.empty();
      }
      if (name == null) {
        name = "anomaly(" + metric + ")";
      }
    }
    if (name == null) {
      name = checkColumn == null ? type : type + "(" + checkColumn + ")";
    }
    return Optional.of(new CheckDef(type, name, checkColumn, values, severity, location));
  }

  private static Severity severity(YamlMap arguments) {
    String text = arguments.string("severity");
    if (text == null) {
      return Severity.ERROR;
    }
    String lower = text.toLowerCase(Locale.ROOT);
    if (lower.equals("error")) {
      return Severity.ERROR;
    }
    if (lower.equals("warn")) {
      return Severity.WARN;
    }
    arguments
        .problems()
        .add(
            arguments.location("severity"),
            "Unknown severity '" + text + "'",
            Suggestions.closest(text, List.of("error", "warn"))
                    .map(s -> "did you mean '" + s + "'? ")
                    .orElse("")
                + "severity is 'error' (the run fails) or 'warn' (reported only)");
    return null;
  }

  private static boolean validateArguments(
      String type, YamlMap arguments, Map<String, Object> values) {
    return switch (type) {
      case "accepted_values" -> validateValues(arguments, values);
      case "row_count" -> validateRowCount(arguments, values);
      case "relationships", "expression", "sql" -> validateTexts(type, arguments, values);
      case "anomaly" -> validateAnomaly(arguments, values);
      default -> true;
    };
  }

  private static boolean validateValues(YamlMap arguments, Map<String, Object> values) {
    if (values.containsKey("values") && !(values.get("values") instanceof List)) {
      arguments
          .problems()
          .add(
              arguments.location("values"),
              "'values' of check 'accepted_values' must be a list",
              "write e.g. values: [placed, shipped]");
      return false;
    }
    return true;
  }

  /** An anomaly check's metric, sensitivity and min_history; the metric's column comes from it. */
  private static boolean validateAnomaly(YamlMap arguments, Map<String, Object> values) {
    boolean valid = true;
    Object metric = values.get("metric");
    if (metric != null) {
      try {
        // the form only: a column metric's column may come from the column it is declared under
        dev.sluice.core.quality.AnomalyMetric.parse(String.valueOf(metric), "column");
      } catch (IllegalArgumentException e) {
        arguments
            .problems()
            .add(
                arguments.location("metric"),
                e.getMessage(),
                "write e.g. anomaly: {metric: null_fraction(email)}, or metric: null_fraction under"
                    + " the column");
        valid = false;
      }
    }
    Object sensitivity = values.get("sensitivity");
    if (sensitivity != null) {
      try {
        dev.sluice.core.quality.AnomalyBand.Sensitivity.parse(String.valueOf(sensitivity));
      } catch (IllegalArgumentException e) {
        arguments
            .problems()
            .add(arguments.location("sensitivity"), e.getMessage(), "low flags least, high most");
        valid = false;
      }
    }
    Object minHistory = values.get("min_history");
    if (minHistory != null
        && !((minHistory instanceof Integer || minHistory instanceof Long)
            && ((Number) minHistory).longValue() >= 1)) {
      arguments
          .problems()
          .add(
              arguments.location("min_history"),
              "'min_history' of check 'anomaly' must be a whole number of at least 1, got '"
                  + minHistory
                  + "'",
              "write e.g. min_history: 14 (writes of history before values are judged)");
      valid = false;
    }
    return valid;
  }

  private static boolean validateRowCount(YamlMap arguments, Map<String, Object> values) {
    boolean valid = true;
    for (String key : List.of("min", "max")) {
      Object value = values.get(key);
      if (value != null && !(value instanceof Integer || value instanceof Long)) {
        arguments
            .problems()
            .add(
                arguments.location(key),
                "'" + key + "' of check 'row_count' must be a whole number, got '" + value + "'",
                "write e.g. row_count: {min: 1}");
        valid = false;
      }
    }
    return valid;
  }

  /** Text arguments: numbers and booleans are taken as text; lists and maps are problems. */
  private static boolean validateTexts(String type, YamlMap arguments, Map<String, Object> values) {
    boolean valid = true;
    for (Map.Entry<String, Object> entry : values.entrySet()) {
      Object value = entry.getValue();
      if (value instanceof List || value instanceof Map) {
        arguments
            .problems()
            .add(
                arguments.location(entry.getKey()),
                "'" + entry.getKey() + "' of check '" + type + "' must be text",
                "write e.g. '- " + EXAMPLES.get(type) + "'");
        valid = false;
      } else if (!(value instanceof String)) {
        entry.setValue(String.valueOf(value));
      }
    }
    return valid;
  }
}
