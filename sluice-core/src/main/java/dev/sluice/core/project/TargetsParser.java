package dev.sluice.core.project;

import dev.sluice.api.Location;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * {@code targets:} and {@code default_target:} of {@code sluice.yaml}: named sets of settings
 * ({@code dev}, {@code ci}, {@code prod}) that override the top-level ones. The target is the one
 * asked for ({@code --target NAME}), else {@code SLUICE_TARGET}, else {@code default_target:}.
 */
final class TargetsParser {
  static final String KEY = "targets";
  static final String DEFAULT_KEY = "default_target";

  /** The environment variable that names the target when {@code --target} is not given. */
  static final String VARIABLE = "SLUICE_TARGET";

  /**
   * What a target may set; each replaces the top-level key, except vars, merged name by name. The
   * section of an installed engine (e.g. {@code spark:}) may be set too.
   */
  static final Set<String> TARGET_KEYS =
      Set.of("warehouse", "catalog", "state", "s3", "vars", "threads", "engine", "secrets");

  private static Set<String> targetKeys() {
    Set<String> keys = new java.util.HashSet<>(TARGET_KEYS);
    keys.addAll(dev.sluice.api.engine.Engines.names());
    return keys;
  }

  private TargetsParser() {}

  /**
   * The settings as the selected target makes them.
   *
   * @param node the settings as the target makes them: the top-level mapping with the target's keys
   *     in place of the top-level ones
   * @param target the selected target, {@link ProjectConfig.Target#NONE} without targets
   */
  record Selection(Node node, ProjectConfig.Target target) {}

  /**
   * Selects the target and applies it to {@code sluice.yaml}'s root node. Problems (an unknown
   * target, a target's unknown key, a literal secret) are reported; the top-level settings are kept
   * for them.
   *
   * @param requested the target asked for on the command line, or null
   * @param environment the environment variables, for {@code SLUICE_TARGET} and the references of
   *     the target's secrets
   */
  static Selection select(
      java.nio.file.Path root,
      Node node,
      String requested,
      Function<String, String> environment,
      Problems problems) {
    String fromVariable = environment.apply(VARIABLE);
    String asked =
        requested != null && !requested.isBlank()
            ? requested.strip()
            : fromVariable != null && !fromVariable.isBlank() ? fromVariable.strip() : null;
    String askedBy = requested != null && !requested.isBlank() ? "--target" : VARIABLE;
    if (!(node instanceof MappingNode root0)) {
      return new Selection(node, ProjectConfig.Target.NONE);
    }
    NodeTuple targets = tuple(root0, KEY);
    NodeTuple defaultTarget = tuple(root0, DEFAULT_KEY);
    if (targets == null || YamlMap.isNull(targets.getValueNode())) {
      if (defaultTarget != null) {
        problems.add(
            YamlFiles.location(ConfigParser.FILE, defaultTarget.getKeyNode()),
            "default_target is set but sluice.yaml declares no targets",
            "declare them, e.g. targets: {dev: {warehouse: warehouse}, prod: {warehouse:"
                + " s3://bucket/warehouse}}, or remove default_target");
      }
      if (asked != null) {
        problems.add(
            Location.of(ConfigParser.FILE),
            askedBy + " asks for target '" + asked + "' but sluice.yaml declares no targets",
            "declare it under 'targets:' in sluice.yaml, or run without " + askedBy);
      }
      return new Selection(node, ProjectConfig.Target.NONE);
    }
    if (!(targets.getValueNode() instanceof MappingNode targetsMap)
        || targetsMap.getValue().isEmpty()) {
      problems.add(
          YamlFiles.location(ConfigParser.FILE, targets.getValueNode()),
          "'targets:' of sluice.yaml must map target names to their settings",
          "write e.g. targets: {dev: {warehouse: warehouse}, prod: {warehouse: /data/warehouse}}");
      return new Selection(node, ProjectConfig.Target.NONE);
    }
    Map<String, NodeTuple> byName = new LinkedHashMap<>();
    Map<String, YamlMap> settingsByName = new LinkedHashMap<>();
    for (NodeTuple target : targetsMap.getValue()) {
      if (target.getKeyNode() instanceof ScalarNode key) {
        byName.put(key.getValue(), target);
        // every target's keys are checked, not only the selected one's
        YamlMap.of(
                ConfigParser.FILE,
                target.getValueNode(),
                "target '" + key.getValue() + "' of sluice.yaml",
                targetKeys(),
                problems)
            .ifPresent(settings -> settingsByName.put(key.getValue(), settings));
      }
    }
    Location targetsLine = YamlFiles.location(ConfigParser.FILE, targets.getKeyNode());
    String defaultName = null;
    if (defaultTarget == null || YamlMap.isNull(defaultTarget.getValueNode())) {
      problems.add(
          targetsLine,
          "sluice.yaml declares targets but no default_target",
          "state which target runs without --target, e.g. default_target: "
              + byName.keySet().iterator().next());
    } else if (defaultTarget.getValueNode() instanceof ScalarNode scalar) {
      defaultName = scalar.getValue().strip();
      if (!byName.containsKey(defaultName)) {
        problems.add(
            YamlFiles.location(ConfigParser.FILE, defaultTarget.getValueNode()),
            "default_target '" + defaultName + "' is not one of the targets",
            Suggestions.hint(defaultName, byName.keySet(), "the targets are"));
        defaultName = null;
      }
    }
    String chosen = asked != null ? asked : defaultName;
    if (chosen == null) {
      return new Selection(node, ProjectConfig.Target.NONE);
    }
    NodeTuple target = byName.get(chosen);
    if (target == null) {
      problems.add(
          targetsLine,
          "Unknown target '"
              + chosen
              + "' (asked for by "
              + askedBy
              + "); sluice.yaml's targets are: "
              + String.join(", ", byName.keySet()),
          Suggestions.closest(chosen, byName.keySet())
              .map(name -> "did you mean '" + name + "'?")
              .orElse("name one of them, or declare '" + chosen + "' under 'targets:'"));
      return new Selection(node, ProjectConfig.Target.NONE);
    }
    Optional<YamlMap> settings = Optional.ofNullable(settingsByName.get(chosen));
    if (settings.isEmpty()) {
      return new Selection(node, new ProjectConfig.Target(chosen, Map.of()));
    }
    Map<String, String> secrets = secrets(root, settings.get(), environment, problems);
    return new Selection(
        merge(root0, (MappingNode) target.getValueNode(), settings.get().keys()),
        new ProjectConfig.Target(chosen, secrets));
  }

  /** The top-level tuples with the target's in their place; vars merged name by name. */
  private static MappingNode merge(MappingNode top, MappingNode target, Set<String> keys) {
    List<NodeTuple> merged = new ArrayList<>();
    for (NodeTuple tuple : top.getValue()) {
      String key = key(tuple);
      if (key != null && keys.contains(key) && !"secrets".equals(key)) {
        continue;
      }
      merged.add(tuple);
    }
    for (NodeTuple tuple : target.getValue()) {
      String key = key(tuple);
      if (key == null || "secrets".equals(key) || !targetKeys().contains(key)) {
        continue;
      }
      NodeTuple topVars = "vars".equals(key) ? tuple(top, "vars") : null;
      if (topVars != null
          && topVars.getValueNode() instanceof MappingNode topMap
          && tuple.getValueNode() instanceof MappingNode targetMap) {
        Set<String> overridden = new java.util.HashSet<>();
        targetMap.getValue().forEach(each -> overridden.add(key(each)));
        List<NodeTuple> vars = new ArrayList<>();
        for (NodeTuple each : topMap.getValue()) {
          if (!overridden.contains(key(each))) {
            vars.add(each);
          }
        }
        vars.addAll(targetMap.getValue());
        tuple =
            new NodeTuple(
                tuple.getKeyNode(),
                new MappingNode(
                    targetMap.getTag(),
                    true,
                    vars,
                    targetMap.getStartMark(),
                    targetMap.getEndMark(),
                    targetMap.getFlowStyle()));
      }
      merged.add(tuple);
    }
    return new MappingNode(
        top.getTag(), true, merged, top.getStartMark(), top.getEndMark(), top.getFlowStyle());
  }

  /**
   * {@code secrets: {PG_PASSWORD: ${env:PROD_PG_PASSWORD}}}: in this target, {@code
   * ${env:PG_PASSWORD}} anywhere in the project reads what the reference gives. Only references are
   * accepted; one whose variable or file is missing is left out, so that the reference that reads
   * it reports it where it is used.
   */
  private static Map<String, String> secrets(
      java.nio.file.Path root,
      YamlMap settings,
      Function<String, String> environment,
      Problems problems) {
    Map<String, Object> declared = settings.freeMap("secrets");
    Map<String, String> resolved = new LinkedHashMap<>();
    Problems missing = new Problems();
    Secrets secrets = new Secrets(root, environment, missing);
    for (Map.Entry<String, Object> entry : declared.entrySet()) {
      Location location = settings.location("secrets");
      if (!entry.getKey().matches("[A-Za-z_][A-Za-z0-9_]*")) {
        problems.add(
            location,
            "Invalid secret name '" + entry.getKey() + "' in " + settings.file(),
            "a secret is named as the environment variable it stands for: letters, digits, _");
        continue;
      }
      String reference = entry.getValue() == null ? "" : String.valueOf(entry.getValue());
      if (!reference.strip().startsWith("${")) {
        problems.add(
            location,
            "Secrets must be given by reference: target secret "
                + entry.getKey()
                + " holds a literal value",
            "write ${env:NAME} to read an environment variable or ${file:path} to read a file");
        continue;
      }
      secrets
          .resolve(reference, "secrets." + entry.getKey(), location)
          .ifPresent(value -> resolved.put(entry.getKey(), value));
    }
    return resolved;
  }

  private static NodeTuple tuple(MappingNode mapping, String key) {
    for (NodeTuple tuple : mapping.getValue()) {
      if (key.equals(key(tuple))) {
        return tuple;
      }
    }
    return null;
  }

  private static String key(NodeTuple tuple) {
    return tuple.getKeyNode() instanceof ScalarNode scalar ? scalar.getValue() : null;
  }
}
