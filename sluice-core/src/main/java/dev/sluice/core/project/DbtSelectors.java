package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import dev.sluice.api.ProjectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * dbt's YAML selectors ({@code selectors.yml} beside the project file): named selections that
 * {@code --selector NAME} runs, and the one with {@code default: true} that a command without a
 * selection runs. A definition is a selector string ({@code 'tag:nightly'}), a {@code {method:
 * value}} pair, a {@code {method, value, children, parents, children_depth, parents_depth,
 * childrens_parents}} mapping, or a {@code union}/{@code intersection} of definitions, where a
 * {@code {exclude: [...]}} entry takes its definitions out; {@code method: selector} reads another
 * selector. Each is evaluated as the same selection {@code --select} would make.
 */
final class DbtSelectors {
  static final String FILE = "selectors.yml";
  private static final Set<String> FULL_KEYS =
      Set.of(
          "method",
          "value",
          "children",
          "parents",
          "children_depth",
          "parents_depth",
          "childrens_parents",
          "indirect_selection",
          "description");

  /** A selector: its definition and where it is. */
  private record Definition(String name, Node node, boolean isDefault, Location location) {}

  private final Map<String, Definition> definitions;

  private DbtSelectors(Map<String, Definition> definitions) {
    this.definitions = definitions;
  }

  /**
   * Reads the project's selectors.yml; a project without one has no selectors.
   *
   * @throws ProjectException for a file that is not dbt's selectors format, naming its line
   */
  static DbtSelectors read(Path root) {
    Path path = root.resolve(FILE);
    if (!Files.isRegularFile(path)) {
      return new DbtSelectors(Map.of());
    }
    Problems problems = new Problems();
    Optional<Node> document = YamlFiles.read(root, path, problems);
    problems.throwIfAny();
    Node node = document.orElseThrow();
    Map<String, Definition> definitions = new LinkedHashMap<>();
    Node list = node instanceof MappingNode map ? value(map, "selectors") : null;
    if (!(list instanceof SequenceNode sequence)) {
      throw error(
          node, "selectors.yml has no list of selectors", "write selectors: [{name: ...}, ...]");
    }
    for (Node entry : sequence.getValue()) {
      if (!(entry instanceof MappingNode map) || !(value(map, "name") instanceof ScalarNode name)) {
        throw error(entry, "A selector without a name", "give each selector name: and definition:");
      }
      Node definition = value(map, "definition");
      if (definition == null) {
        throw error(
            entry,
            "Selector '" + name.getValue() + "' has no definition",
            "add definition: e.g. {method: tag, value: nightly}");
      }
      Node isDefault = value(map, "default");
      Definition previous =
          definitions.put(
              name.getValue(),
              new Definition(
                  name.getValue(),
                  definition,
                  isDefault instanceof ScalarNode scalar
                      && scalar.getValue().equalsIgnoreCase("true"),
                  location(entry)));
      if (previous != null) {
        throw error(
            entry,
            "Selector '" + name.getValue() + "' is defined twice",
            "also at " + previous.location() + "; rename one of them");
      }
    }
    List<Definition> defaults =
        definitions.values().stream().filter(Definition::isDefault).toList();
    if (defaults.size() > 1) {
      throw new ProjectException(
          defaults.get(1).location(),
          "Selectors '"
              + defaults.get(0).name()
              + "' and '"
              + defaults.get(1).name()
              + "' are both default: true",
          "dbt allows one default selector: keep default: true on one of them");
    }
    return new DbtSelectors(definitions);
  }

  /** The selector with {@code default: true}, if any. */
  Optional<String> defaultSelector() {
    return definitions.values().stream()
        .filter(Definition::isDefault)
        .map(Definition::name)
        .findFirst();
  }

  /**
   * The assets a selector selects.
   *
   * @param terms evaluates one selector string, as {@code --select} reads it
   * @throws ProjectException for an unknown selector, a bad definition (at its line) or a selector
   *     that reads itself
   */
  Set<String> evaluate(String name, Function<String, Set<String>> terms) {
    return evaluate(name, terms, new ArrayDeque<>(), null);
  }

  private Set<String> evaluate(
      String name, Function<String, Set<String>> terms, Deque<String> reading, Node from) {
    Definition definition = definitions.get(name);
    if (definition == null) {
      String hint = Suggestions.hint(name, definitions.keySet(), "the selectors are");
      if (from != null) {
        throw error(from, "Unknown selector '" + name + "'", hint);
      }
      throw new ProjectException(
          Location.of(FILE),
          "Unknown selector '" + name + "'",
          definitions.isEmpty() ? "define it in " + FILE + " (docs/dbt.md)" : hint);
    }
    if (reading.contains(name)) {
      throw new ProjectException(
          definition.location(),
          "Selector '"
              + name
              + "' reads itself: "
              + String.join(" -> ", (Iterable<String>) reading::descendingIterator)
              + " -> "
              + name,
          "break the cycle of method: selector");
    }
    reading.push(name);
    try {
      return node(definition.node(), terms, reading);
    } finally {
      reading.pop();
    }
  }

  private Set<String> node(Node node, Function<String, Set<String>> terms, Deque<String> reading) {
    if (node instanceof ScalarNode scalar) {
      return term(node, scalar.getValue(), terms);
    }
    if (!(node instanceof MappingNode map) || map.getValue().isEmpty()) {
      throw error(
          node,
          "Cannot read the selector definition",
          "write a selector string, {method: value}, or union:/intersection: lists");
    }
    Node union = value(map, "union");
    Node intersection = value(map, "intersection");
    if (union != null || intersection != null) {
      Node list = union != null ? union : intersection;
      if (!(list instanceof SequenceNode sequence)) {
        throw error(list, (union != null ? "union" : "intersection") + " takes a list", "");
      }
      Set<String> result = null;
      Set<String> excluded = new LinkedHashSet<>();
      for (Node entry : sequence.getValue()) {
        if (entry instanceof MappingNode inner && value(inner, "exclude") != null) {
          Node exclude = value(inner, "exclude");
          List<Node> parts =
              exclude instanceof SequenceNode excludes ? excludes.getValue() : List.of(exclude);
          parts.forEach(part -> excluded.addAll(node(part, terms, reading)));
          continue;
        }
        Set<String> selected = node(entry, terms, reading);
        if (result == null) {
          result = new LinkedHashSet<>(selected);
        } else if (union != null) {
          result.addAll(selected);
        } else {
          result.retainAll(selected);
        }
      }
      Set<String> all = result == null ? new LinkedHashSet<>() : result;
      all.removeAll(excluded);
      return all;
    }
    if (value(map, "method") == null) {
      // {tag: nightly}: one method and its value
      if (map.getValue().size() != 1) {
        throw error(
            node,
            "Cannot read the selector definition",
            "write {method: value} with one method, or {method: ..., value: ...}");
      }
      NodeTuple only = map.getValue().get(0);
      String method = scalar(only.getKeyNode());
      return method(node, method, scalar(only.getValueNode()), "", "", terms, reading);
    }
    for (NodeTuple tuple : map.getValue()) {
      String key = scalar(tuple.getKeyNode());
      if (!FULL_KEYS.contains(key)) {
        throw error(
            tuple.getKeyNode(),
            "Unknown key '" + key + "' in a selector definition",
            Suggestions.hint(key, FULL_KEYS, "the keys are"));
      }
    }
    String method = scalar(value(map, "method"));
    Node valueNode = value(map, "value");
    if (valueNode == null) {
      throw error(node, "The selector definition's method '" + method + "' has no value", "");
    }
    String prefix = "";
    String suffix = "";
    if (isTrue(value(map, "childrens_parents"))) {
      prefix = "@";
    } else {
      if (isTrue(value(map, "parents"))) {
        prefix = depth(value(map, "parents_depth")) + "+";
      }
      if (isTrue(value(map, "children"))) {
        suffix = "+" + depth(value(map, "children_depth"));
      }
    }
    return method(node, method, scalar(valueNode), prefix, suffix, terms, reading);
  }

  private Set<String> method(
      Node node,
      String method,
      String value,
      String prefix,
      String suffix,
      Function<String, Set<String>> terms,
      Deque<String> reading) {
    if (method.equals("selector")) {
      return evaluate(value, terms, reading, node);
    }
    String core = method.equals("fqn") ? value : method + ":" + value;
    return term(node, prefix + core + suffix, terms);
  }

  private static Set<String> term(Node node, String text, Function<String, Set<String>> terms) {
    try {
      return terms.apply(text);
    } catch (RuntimeException e) {
      if (e instanceof ProjectException) {
        throw e;
      }
      throw error(node, e.getMessage(), "");
    }
  }

  private static String depth(Node node) {
    return node == null ? "" : scalar(node);
  }

  private static boolean isTrue(Node node) {
    return node instanceof ScalarNode scalar && scalar.getValue().equalsIgnoreCase("true");
  }

  private static String scalar(Node node) {
    if (!(node instanceof ScalarNode scalar)) {
      throw error(node, "Expected a single value here", "");
    }
    return scalar.getValue();
  }

  private static Node value(MappingNode map, String key) {
    for (NodeTuple tuple : map.getValue()) {
      if (tuple.getKeyNode() instanceof ScalarNode scalar && scalar.getValue().equals(key)) {
        return tuple.getValueNode();
      }
    }
    return null;
  }

  private static Location location(Node node) {
    return YamlFiles.location(FILE, requireNonNull(node, "node is null"));
  }

  private static ProjectException error(Node node, String message, String hint) {
    return new ProjectException(location(node), message, hint);
  }
}
