package dev.sluice.core.project;

import dev.sluice.api.Location;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/** Reads project YAML files as SnakeYAML node trees, which keep the line of every value. */
final class YamlFiles {
  private YamlFiles() {}

  /** A file's path relative to the project root, with forward slashes, as shown to users. */
  static String relative(Path root, Path file) {
    return root.relativize(file).toString().replace('\\', '/');
  }

  /** The location of a node: the file and the node's 1-based line. */
  static Location location(String file, Node node) {
    return new Location(file, node.getStartMark().getLine() + 1);
  }

  /**
   * Reads one YAML document. Syntax errors are added to the problems with the parser's line; an
   * empty file reads as an empty mapping.
   */
  static Optional<Node> read(Path root, Path path, Problems problems) {
    String file = relative(root, path);
    try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      Node node = new Yaml(new LoaderOptions()).compose(reader);
      if (node == null) {
        Mark start = new Mark(file, 0, 0, 0, new int[0], 0);
        node = new MappingNode(Tag.MAP, false, new ArrayList<>(), start, start, null);
      }
      return Optional.of(node);
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      int line = mark == null ? 0 : mark.getLine() + 1;
      String what = e.getProblem() != null ? e.getProblem() : e.getMessage();
      String context = e.getContext() != null ? " (" + e.getContext() + ")" : "";
      problems.add(new Location(file, line), "Invalid YAML: " + what + context, yamlHint(what));
      return Optional.empty();
    } catch (YAMLException e) {
      problems.add(
          Location.of(file),
          "Invalid YAML: " + e.getMessage(),
          "a project file holds one YAML document");
      return Optional.empty();
    } catch (IOException e) {
      problems.add(Location.of(file), "Cannot read the file: " + e.getMessage(), "");
      return Optional.empty();
    }
  }

  private static String yamlHint(String problem) {
    if (problem.contains("mapping values are not allowed")) {
      return "a value that contains ': ' must be quoted, e.g. description: \"a: b\"";
    }
    if (problem.contains("expected <block end>") || problem.contains("bad indentation")) {
      return "the indentation of this line does not match the lines above it";
    }
    if (problem.contains("(TAB)")) {
      return "YAML is indented with spaces, not tabs";
    }
    return "check the indentation, the colons and the quoting on this line and the one before";
  }

  /** The plain Java value of a node: String, Integer/Long, Double, Boolean, null, List or Map. */
  static Object toJava(Node node) {
    if (node instanceof ScalarNode scalar) {
      return scalarValue(scalar);
    }
    if (node instanceof SequenceNode sequence) {
      List<Object> list = new ArrayList<>();
      for (Node item : sequence.getValue()) {
        list.add(toJava(item));
      }
      return Collections.unmodifiableList(list);
    }
    if (node instanceof MappingNode mapping) {
      Map<String, Object> map = new LinkedHashMap<>();
      for (NodeTuple tuple : mapping.getValue()) {
        map.put(String.valueOf(toJava(tuple.getKeyNode())), toJava(tuple.getValueNode()));
      }
      return Collections.unmodifiableMap(map);
    }
    return null;
  }

  private static Object scalarValue(ScalarNode scalar) {
    String value = scalar.getValue();
    Tag tag = scalar.getTag();
    if (Tag.NULL.equals(tag)) {
      return null;
    }
    if (Tag.BOOL.equals(tag)) {
      String lower = value.toLowerCase(Locale.ROOT);
      return lower.equals("true") || lower.equals("yes") || lower.equals("on");
    }
    if (Tag.INT.equals(tag)) {
      try {
        long number = Long.parseLong(value.replace("_", ""));
        if (number == (int) number) {
          return Integer.valueOf((int) number);
        }
        return Long.valueOf(number);
      } catch (NumberFormatException e) {
        return value;
      }
    }
    if (Tag.FLOAT.equals(tag)) {
      try {
        return Double.parseDouble(value.replace("_", ""));
      } catch (NumberFormatException e) {
        return value;
      }
    }
    return value;
  }
}
