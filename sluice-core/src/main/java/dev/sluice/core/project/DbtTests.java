package dev.sluice.core.project;

import dev.sluice.api.Location;
import dev.sluice.api.TableName;
import java.util.ArrayList;
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

/**
 * Reads dbt's generic data tests ({@code data_tests:} or, before dbt 1.8, {@code tests:}) of a
 * model, seed or column into Sluice's checks: {@code unique}, {@code not_null}, {@code
 * accepted_values} and {@code relationships}, with {@code config: {severity, enabled}}. A test or
 * setting that would make the outcome differ from dbt's is a problem at its line, never ignored.
 */
final class DbtTests {
  static final List<String> KEYS = List.of("data_tests", "tests");

  private static final Map<String, Set<String>> ARGUMENTS =
      Map.of(
          "unique", Set.of(),
          "not_null", Set.of(),
          "accepted_values", Set.of("values", "quote"),
          "relationships", Set.of("to", "field"));

  /** Test configs that do not change a test's outcome. */
  private static final Set<String> IGNORED_CONFIGS =
      Set.of(
          "tags",
          "meta",
          "store_failures",
          "store_failures_as",
          "alias",
          "schema",
          "database",
          "description",
          "enabled",
          "severity");

  /** dbt's test configs, which dbt before 1.10 also takes beside the arguments. */
  private static final Set<String> CONFIGS =
      Set.of(
          "severity",
          "where",
          "limit",
          "error_if",
          "warn_if",
          "fail_calc",
          "store_failures",
          "store_failures_as",
          "tags",
          "meta",
          "enabled",
          "alias",
          "schema",
          "database",
          "description");

  /** Test configs with the value that is dbt's default: accepted, other values are not. */
  private static final Map<String, String> DEFAULT_CONFIGS =
      Map.of("error_if", "!= 0", "warn_if", "!= 0", "fail_calc", "count(*)");

  private DbtTests() {}

  /**
   * The checks of the tests listed under {@code data_tests:} and {@code tests:} of {@code owner}.
   *
   * @param column the column tested, or null for tests of the model or seed
   */
  static List<CheckDef> read(YamlMap owner, String ownerName, String column) {
    List<CheckDef> checks = new ArrayList<>();
    for (String key : KEYS) {
      for (Node node : owner.list(key)) {
        test(owner, node, ownerName, column).ifPresent(checks::add);
      }
    }
    return checks;
  }

  private static Optional<CheckDef> test(
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
      type = tuple.getKeyNode() instanceof ScalarNode key ? key.getValue() : "";
      argumentsNode = YamlMap.isNull(tuple.getValueNode()) ? null : tuple.getValueNode();
    } else {
      problems.add(
          location,
          "A data test is a test's name or a map with one key, the test's name; got "
              + YamlMap.describe(node),
          "write e.g. '- not_null' or '- accepted_values: {values: [placed, shipped]}'");
      return Optional.empty();
    }
    if (!ARGUMENTS.containsKey(type)) {
      problems.add(
          location,
          "Test '" + type + "' of " + ownerName + " is not supported by Sluice yet",
          Suggestions.closest(type, ARGUMENTS.keySet())
                  .map(name -> "did you mean '" + name + "'? ")
                  .orElse("")
              + "Sluice runs dbt's generic tests unique, not_null, accepted_values and"
              + " relationships (docs/dbt.md)");
      return Optional.empty();
    }
    Map<String, Object> values = new LinkedHashMap<>();
    Map<String, Location> lines = new LinkedHashMap<>();
    Map<String, Object> config = new LinkedHashMap<>();
    Map<String, Location> configLines = new LinkedHashMap<>();
    String name = null;
    String testColumn = column;
    if (argumentsNode != null) {
      Optional<YamlMap> maybeArguments =
          YamlMap.lenient(file, argumentsNode, "test '" + type + "'", Set.of(), problems);
      if (maybeArguments.isEmpty()) {
        return Optional.empty();
      }
      YamlMap arguments = maybeArguments.get();
      for (String key : arguments.keys()) {
        Node value = arguments.node(key).orElse(null);
        if (value == null) {
          continue;
        }
        switch (key) {
          case "name" -> name = arguments.string("name");
          case "column_name" -> testColumn = arguments.string("column_name");
          case "config" -> readMap(file, value, config, configLines, problems, "config");
          case "arguments" -> readMap(file, value, values, lines, problems, "arguments");
          default -> {
            if (CONFIGS.contains(key)) {
              // dbt < 1.10 also takes configs beside the arguments
              config.put(key, YamlFiles.toJava(value));
              configLines.put(key, arguments.location(key));
            } else {
              values.put(key, YamlFiles.toJava(value));
              lines.put(key, arguments.location(key));
            }
          }
        }
      }
    }
    boolean valid = true;
    for (String key : values.keySet()) {
      if (!ARGUMENTS.get(type).contains(key)) {
        problems.add(
            lines.get(key),
            "Unknown argument '" + key + "' of test '" + type + "'",
            Suggestions.hint(key, ARGUMENTS.get(type), "its arguments"));
        valid = false;
      }
    }
    if (Boolean.FALSE.equals(config.get("enabled"))) {
      return Optional.empty();
    }
    for (Map.Entry<String, Object> entry : config.entrySet()) {
      String key = entry.getKey();
      String defaultValue = DEFAULT_CONFIGS.get(key);
      boolean isDefault =
          defaultValue != null
              && String.valueOf(entry.getValue())
                  .replace(" ", "")
                  .equalsIgnoreCase(defaultValue.replace(" ", ""));
      if (!IGNORED_CONFIGS.contains(key) && !isDefault) {
        problems.add(
            configLines.get(key),
            "Test config '" + key + "' of " + ownerName + " is not supported by Sluice yet",
            "remove it, or move the test to a Sluice check (docs/dbt.md)");
        valid = false;
      }
    }
    Severity severity = Severity.ERROR;
    if (config.get("severity") != null) {
      String text = String.valueOf(config.get("severity"));
      try {
        severity = Severity.parse(text);
      } catch (IllegalArgumentException e) {
        problems.add(
            configLines.get("severity"),
            "Unknown severity '" + text + "'",
            "severity is 'error' (the run fails) or 'warn' (reported only)");
        valid = false;
      }
    }
    if (testColumn == null) {
      problems.add(
          location,
          "Test '" + type + "' of " + ownerName + " needs the column it tests",
          "move it under the column in 'columns:', or add 'column_name: <name>'");
      valid = false;
    }
    valid &= arguments(type, values, lines, location, ownerName, problems);
    if (!valid) {
      return Optional.empty();
    }
    if (name == null) {
      name = type + "(" + testColumn + ")";
    }
    return Optional.of(new CheckDef(type, name, testColumn, values, severity, location));
  }

  /** Checks and converts the arguments to what Sluice's check of the same name takes. */
  private static boolean arguments(
      String type,
      Map<String, Object> values,
      Map<String, Location> lines,
      Location location,
      String ownerName,
      Problems problems) {
    switch (type) {
      case "accepted_values" -> {
        if (!(values.get("values") instanceof List<?>)) {
          problems.add(
              lines.getOrDefault("values", location),
              "Test 'accepted_values' of " + ownerName + " needs 'values:' as a list",
              "write e.g. accepted_values: {values: [placed, shipped]}");
          return false;
        }
        // quote: false compares unquoted literals; Sluice compares every value as text, which
        // gives the same outcome for the numbers and booleans that are written unquoted
        values.remove("quote");
        return true;
      }
      case "relationships" -> {
        for (String key : List.of("to", "field")) {
          if (values.get(key) == null) {
            problems.add(
                location,
                "Test 'relationships' of " + ownerName + " needs '" + key + ":'",
                "write e.g. relationships: {to: ref('customers'), field: id}");
            return false;
          }
        }
        Optional<String> target = relationshipTarget(String.valueOf(values.get("to")));
        if (target.isEmpty()) {
          problems.add(
              lines.getOrDefault("to", location),
              "'to:' of test 'relationships' must be ref('name') or source('source', 'table'), got '"
                  + values.get("to")
                  + "'",
              "write e.g. to: ref('customers')");
          return false;
        }
        values.put("to", target.get());
        values.put("field", String.valueOf(values.get("field")));
        return true;
      }
      default -> {
        return true;
      }
    }
  }

  /**
   * The asset a relationships test's {@code to:} names: {@code ref('x')} (x) or {@code source('s',
   * 't')} (s.t), rendered as Jinja as dbt does.
   */
  static Optional<String> relationshipTarget(String to) {
    TemplateSession session =
        new TemplateSession(
            Location.of("relationships"),
            false,
            false,
            false,
            Map.of(),
            name -> name.isEmpty() ? null : new TableName("curated", name),
            (source, table) ->
                source.isEmpty() || table.isEmpty()
                    ? null
                    : new TableName("raw", source + "_" + table),
            new Problems());
    SqlRenderer.render("{{ " + to + " }}", session, new TableName("curated", "this"));
    if (session.problems().isEmpty() && session.refs().size() + session.sources().size() == 1) {
      return session.refs().isEmpty()
          ? Optional.of(session.sources().keySet().iterator().next().assetName())
          : Optional.of(session.refs().keySet().iterator().next());
    }
    return Optional.empty();
  }

  private static void readMap(
      String file,
      Node node,
      Map<String, Object> values,
      Map<String, Location> lines,
      Problems problems,
      String what) {
    Optional<YamlMap> map = YamlMap.lenient(file, node, "'" + what + "'", Set.of(), problems);
    map.ifPresent(
        entries -> {
          for (String key : entries.keys()) {
            values.put(
                key.toLowerCase(Locale.ROOT),
                entries.node(key).map(YamlFiles::toJava).orElse(null));
            lines.put(key.toLowerCase(Locale.ROOT), entries.location(key));
          }
        });
  }
}
