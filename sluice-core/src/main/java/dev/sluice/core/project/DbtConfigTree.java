package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * A config tree of {@code dbt_project.yml} ({@code models:}, {@code seeds:}, {@code data_tests:}):
 * nested by package and directory, with config keys ({@code +materialized: view}) at any level, the
 * deeper level winning, as dbt applies it. Tags add up along the path, as in dbt.
 */
final class DbtConfigTree {
  /** An empty tree: no configs anywhere. */
  static final DbtConfigTree EMPTY = new DbtConfigTree("dbt_project.yml", null);

  /**
   * Config keys whose value is a mapping: without a {@code +} such a key is a config, not a
   * directory, as dbt reads them.
   */
  private static final Set<String> MAPPING_CONFIGS =
      Set.of(
          "meta",
          "docs",
          "persist_docs",
          "column_types",
          "grants",
          "contract",
          "snapshot_meta_column_names",
          "labels");

  /** One config value and the line that sets it. */
  record Setting(Object value, Location location) {
    Setting {
      requireNonNull(location, "location is null");
    }
  }

  private final String file;
  private final MappingNode root;

  private DbtConfigTree(String file, MappingNode root) {
    this.file = file;
    this.root = root;
  }

  /** The tree under a key of dbt_project.yml; a value that is not a mapping is a problem. */
  static DbtConfigTree of(String file, YamlMap project, String key) {
    Optional<Node> node = project.node(key);
    if (node.isEmpty()) {
      return EMPTY;
    }
    if (!(node.get() instanceof MappingNode mapping)) {
      project
          .problems()
          .add(
              project.location(key),
              "'"
                  + key
                  + "' in "
                  + file
                  + " must be a mapping of configs, got "
                  + YamlMap.describe(node.get()),
              "write e.g. " + key + ": {my_project: {+materialized: view}}");
      return EMPTY;
    }
    return new DbtConfigTree(file, mapping);
  }

  /**
   * The configs that apply to a resource: those at the top of the tree, then those under each
   * element of its path in turn (package name, directories, the resource's own name).
   *
   * @param path e.g. {@code [jaffle_shop, staging, stg_orders]}
   */
  Map<String, Setting> configFor(List<String> path) {
    Map<String, Setting> configs = new LinkedHashMap<>();
    if (root == null) {
      return configs;
    }
    MappingNode level = root;
    apply(level, configs);
    for (String segment : path) {
      Optional<MappingNode> child = child(level, segment);
      if (child.isEmpty()) {
        break;
      }
      level = child.get();
      apply(level, configs);
    }
    return configs;
  }

  private Optional<MappingNode> child(MappingNode level, String segment) {
    for (NodeTuple tuple : level.getValue()) {
      if (tuple.getKeyNode() instanceof ScalarNode key
          && key.getValue().equals(segment)
          && tuple.getValueNode() instanceof MappingNode mapping
          && !isConfig(segment, tuple.getValueNode())) {
        return Optional.of(mapping);
      }
    }
    return Optional.empty();
  }

  private void apply(MappingNode level, Map<String, Setting> configs) {
    for (NodeTuple tuple : level.getValue()) {
      if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
        continue;
      }
      String key = keyNode.getValue();
      if (!isConfig(key, tuple.getValueNode())) {
        continue;
      }
      String name = key.startsWith("+") ? key.substring(1) : key;
      Setting setting =
          new Setting(
              YamlFiles.toJava(tuple.getValueNode()),
              YamlFiles.location(file, tuple.getValueNode()));
      if (DbtHooks.KEYS.containsKey(name)) {
        // every level's hooks run, outer levels' first; each one where it is written
        DbtHooks.append(
            configs,
            name,
            new Setting(
                new DbtHooks.HookList(DbtHooks.of(file, tuple.getValueNode())),
                setting.location()));
        continue;
      }
      if (name.equals("tags") && configs.containsKey("tags")) {
        Set<Object> tags = new LinkedHashSet<>(asList(configs.get("tags").value()));
        tags.addAll(asList(setting.value()));
        setting = new Setting(List.copyOf(tags), setting.location());
      }
      configs.put(name, setting);
    }
  }

  /** A {@code +key}, or a plain key whose value is no directory's mapping. */
  private static boolean isConfig(String key, Node value) {
    return key.startsWith("+") || !(value instanceof MappingNode) || MAPPING_CONFIGS.contains(key);
  }

  /** A config value given as one value or a list, as a list. */
  static List<Object> asList(Object value) {
    if (value == null) {
      return List.of();
    }
    if (value instanceof List<?> list) {
      return new ArrayList<>(list);
    }
    return List.of(value);
  }
}
