package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import dev.sluice.api.TableName;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;

/**
 * The settings of a dbt project's {@code dbt_project.yml} that Sluice acts on. Its other keys are
 * accepted and ignored (noted at debug level), as dbt accepts them. Its {@code on-run-start} and
 * {@code on-run-end} hooks are read by {@link DbtHooks#runHooks}.
 *
 * @param name the project's (and its root package's) name
 * @param profile the profile in profiles.yml, or null
 * @param modelPaths the directories of models, relative to the project
 * @param seedPaths the directories of seeds
 * @param testPaths the directories of singular and generic tests
 * @param macroPaths the directories of macros
 * @param snapshotPaths the directories of snapshots
 * @param targetPath where artifacts and compiled SQL go
 * @param vars the values of {@code var()}: the global ones and those scoped to this project
 * @param models the {@code models:} config tree
 * @param seeds the {@code seeds:} config tree
 * @param tests the {@code data_tests:} (or {@code tests:}) config tree
 * @param snapshots the {@code snapshots:} config tree
 * @param packagesInstallPath where installed packages are ({@code dbt_packages})
 * @param dispatch the {@code dispatch} config: for a macro namespace, the packages {@code
 *     adapter.dispatch} searches, in order
 * @param docsPaths the directories of docs blocks ({@code .md} files); empty for dbt's default, the
 *     model, seed, test, macro and snapshot paths
 */
record DbtProjectFile(
    String name,
    String profile,
    List<String> modelPaths,
    List<String> seedPaths,
    List<String> testPaths,
    List<String> macroPaths,
    List<String> snapshotPaths,
    String targetPath,
    Map<String, Object> vars,
    DbtConfigTree models,
    DbtConfigTree seeds,
    DbtConfigTree tests,
    DbtConfigTree snapshots,
    String packagesInstallPath,
    Map<String, List<String>> dispatch,
    List<String> docsPaths) {
  static final String FILE = "dbt_project.yml";

  /** The keys Sluice reads; dbt's other keys are accepted and ignored. */
  private static final Set<String> KEYS =
      Set.of(
          "name",
          "config-version",
          "profile",
          "model-paths",
          "source-paths",
          "seed-paths",
          "data-paths",
          "test-paths",
          "macro-paths",
          "snapshot-paths",
          "target-path",
          "vars",
          "models",
          "seeds",
          "snapshots",
          "tests",
          "data_tests",
          "on-run-start",
          "on-run-end",
          "packages-install-path",
          "dispatch",
          "docs-paths");

  DbtProjectFile {
    requireNonNull(name, "name is null");
    modelPaths = List.copyOf(modelPaths);
    seedPaths = List.copyOf(seedPaths);
    testPaths = List.copyOf(testPaths);
    macroPaths = List.copyOf(macroPaths);
    snapshotPaths = List.copyOf(snapshotPaths);
    requireNonNull(targetPath, "targetPath is null");
    vars = Copies.orderedMap(vars);
    requireNonNull(models, "models is null");
    requireNonNull(seeds, "seeds is null");
    requireNonNull(tests, "tests is null");
    requireNonNull(packagesInstallPath, "packagesInstallPath is null");
    dispatch = Copies.orderedMap(dispatch);
    docsPaths = List.copyOf(docsPaths);
  }

  /**
   * The paths whose YAML files may hold properties (models, seeds, snapshots, tests, macros), as
   * written, duplicates included.
   */
  List<String> propertyPaths() {
    List<String> paths = new java.util.ArrayList<>(modelPaths);
    paths.addAll(seedPaths);
    paths.addAll(snapshotPaths);
    paths.addAll(testPaths);
    paths.addAll(macroPaths);
    return paths;
  }

  /** Reads dbt_project.yml; problems are added, and a best effort is returned. */
  static Optional<DbtProjectFile> parse(Node node, Problems problems) {
    Optional<YamlMap> maybeMap = YamlMap.lenient(FILE, node, FILE, KEYS, problems);
    if (maybeMap.isEmpty()) {
      return Optional.empty();
    }
    YamlMap map = maybeMap.get();
    String name = map.requiredString("name", "name the project: 'name: jaffle_shop'");
    if (name == null) {
      return Optional.empty();
    }
    if (!TableName.isIdentifier(name)) {
      problems.add(
          map.location("name"),
          "Invalid dbt project name '" + name + "'",
          "dbt's project names are letters, digits and '_', starting with a letter");
    }
    Integer configVersion = map.integer("config-version", 2);
    if (configVersion != null && configVersion != 2) {
      problems.add(
          map.location("config-version"),
          "config-version " + configVersion + " is not supported",
          "dbt 1.x projects use config-version: 2");
    }
    return Optional.of(
        new DbtProjectFile(
            name,
            map.string("profile"),
            paths(map, "model-paths", "source-paths", "models"),
            paths(map, "seed-paths", "data-paths", "seeds"),
            paths(map, "test-paths", null, "tests"),
            paths(map, "macro-paths", null, "macros"),
            paths(map, "snapshot-paths", null, "snapshots"),
            Optional.ofNullable(map.string("target-path")).orElse("target"),
            vars(name, map.freeMap("vars")),
            DbtConfigTree.of(FILE, map, "models"),
            DbtConfigTree.of(FILE, map, "seeds"),
            DbtConfigTree.of(FILE, map, map.has("data_tests") ? "data_tests" : "tests"),
            DbtConfigTree.of(FILE, map, "snapshots"),
            Optional.ofNullable(map.string("packages-install-path")).orElse("dbt_packages"),
            dispatch(map, problems),
            map.stringList("docs-paths")));
  }

  /**
   * The {@code dispatch} config: a list of {@code {macro_namespace: dbt_utils, search_order:
   * [my_project, dbt_utils]}}.
   */
  private static Map<String, List<String>> dispatch(YamlMap map, Problems problems) {
    Map<String, List<String>> dispatch = new LinkedHashMap<>();
    for (Node entry : map.list("dispatch")) {
      YamlMap.of(
              FILE, entry, "a dispatch entry", Set.of("macro_namespace", "search_order"), problems)
          .ifPresent(
              item -> {
                String namespace =
                    item.requiredString(
                        "macro_namespace", "name the package whose macros it orders");
                List<String> order = item.stringList("search_order");
                if (namespace != null && order.isEmpty()) {
                  problems.add(
                      item.location(),
                      "The dispatch entry of '" + namespace + "' has no search_order",
                      "list the packages to search, e.g. search_order: [my_project, "
                          + namespace
                          + "]");
                } else if (namespace != null) {
                  dispatch.put(namespace, order);
                }
              });
    }
    return dispatch;
  }

  /** The location of the project file, for problems that concern the whole project. */
  static Location location() {
    return new Location(FILE, 1);
  }

  /** A paths key, else its pre-1.0 name, else the default. */
  private static List<String> paths(YamlMap map, String key, String legacyKey, String defaultPath) {
    if (map.has(key)) {
      return map.stringList(key);
    }
    if (legacyKey != null && map.has(legacyKey)) {
      return map.stringList(legacyKey);
    }
    return List.of(defaultPath);
  }

  /**
   * dbt's vars: global ones, and those under the project's name, which win (vars scoped to other
   * packages do not apply to this project's models).
   */
  private static Map<String, Object> vars(String project, Map<String, Object> declared) {
    Map<String, Object> vars = new LinkedHashMap<>();
    declared.forEach(
        (key, value) -> {
          if (!key.equals(project)) {
            vars.put(key, value);
          }
        });
    if (declared.get(project) instanceof Map<?, ?> scoped) {
      scoped.forEach((key, value) -> vars.put(String.valueOf(key), value));
    }
    return vars;
  }
}
