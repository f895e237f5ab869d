package dev.sluice.core.project;

import dev.sluice.api.Location;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A YAML mapping of a project file with a fixed set of allowed keys. Creating one reports unknown
 * and repeated keys; the typed getters report values of the wrong type and return empty results for
 * them, so that loading goes on and finds every problem.
 */
final class YamlMap {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(YamlMap.class);
  private final String file;
  private final String what;
  private final Node node;
  private final Problems problems;
  private final Map<String, NodeTuple> entries = new LinkedHashMap<>();

  private YamlMap(String file, String what, MappingNode node, Problems problems) {
    this.file = file;
    this.what = what;
    this.node = node;
    this.problems = problems;
  }

  /**
   * Reads a mapping node with the given allowed keys.
   *
   * @param what what the mapping describes, for messages, e.g. "a source table"
   * @return empty (with a problem reported) when the node is not a mapping
   */
  static Optional<YamlMap> of(
      String file, Node node, String what, Set<String> allowedKeys, Problems problems) {
    return read(file, node, what, allowedKeys, false, problems);
  }

  /**
   * Reads a mapping node whose unknown keys are kept and noted at debug level, not reported: dbt's
   * files, whose keys dbt accepts even where Sluice does not act on them.
   *
   * @param knownKeys the keys Sluice acts on; the others are kept and noted
   * @return empty (with a problem reported) when the node is not a mapping
   */
  static Optional<YamlMap> lenient(
      String file, Node node, String what, Set<String> knownKeys, Problems problems) {
    return read(file, node, what, knownKeys, true, problems);
  }

  private static Optional<YamlMap> read(
      String file,
      Node node,
      String what,
      Set<String> allowedKeys,
      boolean lenient,
      Problems problems) {
    if (!(node instanceof MappingNode mapping)) {
      problems.add(
          YamlFiles.location(file, node),
          "Expected " + what + " as a mapping of keys to values, got " + describe(node),
          "write it as 'key: value' lines, e.g. " + example(allowedKeys));
      return Optional.empty();
    }
    YamlMap map = new YamlMap(file, what, mapping, problems);
    for (NodeTuple tuple : mapping.getValue()) {
      Node keyNode = tuple.getKeyNode();
      Location keyLocation = YamlFiles.location(file, keyNode);
      if (!(keyNode instanceof ScalarNode scalarKey)) {
        problems.add(keyLocation, "A key of " + what + " must be a plain name", "");
        continue;
      }
      String key = scalarKey.getValue();
      if (!allowedKeys.contains(key) && lenient) {
        LOG.debug("{}: '{}' in {} is accepted and ignored", keyLocation, key, what);
      } else if (!allowedKeys.contains(key)) {
        problems.add(
            keyLocation,
            "Unknown key '" + key + "' in " + what,
            Suggestions.hint(key, allowedKeys, "allowed keys"));
        continue;
      }
      if (map.entries.containsKey(key)) {
        problems.add(
            keyLocation,
            "Key '" + key + "' appears twice in " + what,
            "remove one of them (the other is on line "
                + YamlFiles.location(file, map.entries.get(key).getKeyNode()).line()
                + ")");
        continue;
      }
      map.entries.put(key, tuple);
    }
    return Optional.of(map);
  }

  String file() {
    return file;
  }

  Problems problems() {
    return problems;
  }

  /** The location of the mapping itself. */
  Location location() {
    return YamlFiles.location(file, node);
  }

  /** The location of a key's value, or of the mapping when the key is absent. */
  Location location(String key) {
    NodeTuple tuple = entries.get(key);
    return tuple == null ? location() : YamlFiles.location(file, tuple.getValueNode());
  }

  /** The location of a key itself, or of the mapping when the key is absent. */
  Location keyLocation(String key) {
    NodeTuple tuple = entries.get(key);
    return tuple == null ? location() : YamlFiles.location(file, tuple.getKeyNode());
  }

  /** The keys of the mapping, in file order (for a lenient map, also those Sluice ignores). */
  Set<String> keys() {
    return Collections.unmodifiableSet(entries.keySet());
  }

  boolean has(String key) {
    NodeTuple tuple = entries.get(key);
    return tuple != null && !isNull(tuple.getValueNode());
  }

  /** The raw value node of a key, if present and not null. */
  Optional<Node> node(String key) {
    return has(key) ? Optional.of(entries.get(key).getValueNode()) : Optional.empty();
  }

  /** A scalar value as text; null when absent. Reports non-scalar values. */
  String string(String key) {
    Optional<Node> value = node(key);
    if (value.isEmpty()) {
      return null;
    }
    if (value.get() instanceof ScalarNode scalar) {
      return scalar.getValue();
    }
    wrongType(key, "a single value", value.get());
    return null;
  }

  /** A required scalar value; reports it when missing. */
  String requiredString(String key, String hint) {
    if (!has(key)) {
      problems.add(location(), "Missing '" + key + "' in " + what, hint);
      return null;
    }
    return string(key);
  }

  /** An integer value, or the default when absent; reports values that are not integers. */
  Integer integer(String key, Integer defaultValue) {
    String text = string(key);
    if (text == null) {
      return defaultValue;
    }
    try {
      return Integer.valueOf(text.trim());
    } catch (NumberFormatException e) {
      problems.add(
          location(key),
          "'" + key + "' must be a whole number, got '" + text + "'",
          "write e.g. " + key + ": 4");
      return defaultValue;
    }
  }

  /** A boolean value (true/false, yes/no, on/off), or the default when absent. */
  Boolean bool(String key, Boolean defaultValue) {
    Optional<Node> value = node(key);
    if (value.isEmpty()) {
      return defaultValue;
    }
    Object java = YamlFiles.toJava(value.get());
    if (java instanceof Boolean b) {
      return b;
    }
    problems.add(
        location(key),
        "'" + key + "' must be true or false, got " + describe(value.get()),
        "write " + key + ": true or " + key + ": false");
    return defaultValue;
  }

  /** A list of names given as one value or as a list; empty when absent. */
  List<String> stringList(String key) {
    Optional<Node> value = node(key);
    if (value.isEmpty()) {
      return List.of();
    }
    if (value.get() instanceof ScalarNode scalar) {
      return List.of(scalar.getValue());
    }
    if (value.get() instanceof SequenceNode sequence) {
      List<String> list = new ArrayList<>();
      for (Node item : sequence.getValue()) {
        if (item instanceof ScalarNode scalar && !isNull(item)) {
          list.add(scalar.getValue());
        } else {
          problems.add(
              YamlFiles.location(file, item),
              "Each item of '" + key + "' must be a single value, got " + describe(item),
              "write e.g. " + key + ": [a, b]");
        }
      }
      return List.copyOf(list);
    }
    wrongType(key, "a value or a list of values", value.get());
    return List.of();
  }

  /** The items of a list value; empty when absent. Reports values that are not lists. */
  List<Node> list(String key) {
    Optional<Node> value = node(key);
    if (value.isEmpty()) {
      return List.of();
    }
    if (value.get() instanceof SequenceNode sequence) {
      return sequence.getValue();
    }
    wrongType(key, "a list (lines starting with '- ')", value.get());
    return List.of();
  }

  /** A nested mapping with its own allowed keys; empty when absent or not a mapping. */
  Optional<YamlMap> map(String key, String nestedWhat, Set<String> allowedKeys) {
    return node(key).flatMap(value -> of(file, value, nestedWhat, allowedKeys, problems));
  }

  /** A mapping of free names to plain Java values (e.g. vars); empty when absent. */
  Map<String, Object> freeMap(String key) {
    Optional<Node> value = node(key);
    if (value.isEmpty()) {
      return Map.of();
    }
    if (value.get() instanceof MappingNode) {
      @SuppressWarnings("unchecked")
      Map<String, Object> map = (Map<String, Object>) YamlFiles.toJava(value.get());
      return Collections.unmodifiableMap(map);
    }
    wrongType(key, "a mapping of names to values", value.get());
    return Map.of();
  }

  private void wrongType(String key, String expected, Node value) {
    problems.add(
        location(key),
        "'" + key + "' in " + what + " must be " + expected + ", got " + describe(value),
        "");
  }

  static boolean isNull(Node node) {
    return node instanceof ScalarNode scalar && Tag.NULL.equals(scalar.getTag());
  }

  /** Describes a node for a message: its text for a single value, else its kind. */
  static String describe(Node node) {
    if (node instanceof ScalarNode scalar) {
      return isNull(node) ? "nothing" : "'" + scalar.getValue() + "'";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    return "a mapping";
  }

  private static String example(Set<String> allowedKeys) {
    return allowedKeys.stream().sorted().findFirst().map(key -> "'" + key + ": ...'").orElse("");
  }
}
