package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import dev.sluice.core.project.DbtConfigTree.Setting;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a dbt properties file ({@code version: 2}): its models' and seeds' descriptions, columns,
 * data tests and {@code config:}, its sources ({@link DbtSources}), its {@code unit_tests} ({@link
 * UnitTestParser}) and its exposures, groups, semantic models, metrics and saved queries ({@link
 * DbtResources}). Its other sections ({@code macros}, ...) and keys are accepted; Sluice does not
 * act on them (noted at debug level).
 */
final class DbtProperties {
  private static final Set<String> KEYS = keys();
  private static final Set<String> NODE_KEYS =
      Set.of(
          "name",
          "description",
          "config",
          "columns",
          "data_tests",
          "tests",
          "tags",
          "relation",
          "access",
          "group",
          "constraints",
          "versions",
          "latest_version",
          "deprecation_date");
  private static final Set<String> COLUMN_KEYS =
      Set.of(
          "name",
          "description",
          "data_type",
          "data_tests",
          "tests",
          "constraints",
          "quote",
          "meta",
          "tags");
  private static final List<String> CONSTRAINT_TYPES =
      List.of("check", "not_null", "unique", "primary_key", "foreign_key", "custom");

  private static Set<String> keys() {
    Set<String> keys =
        new java.util.HashSet<>(
            Set.of("version", "models", "seeds", "snapshots", "sources", UnitTestParser.KEY));
    keys.addAll(DbtResources.KEYS);
    return Set.copyOf(keys);
  }

  /**
   * A column as its properties declare it, kept for the manifest: its {@code data_type} (held only
   * under an enforced contract, {@link DbtContracts}), {@code constraints} (each with {@code
   * type}), {@code quote}, {@code meta} and {@code tags}.
   */
  record DeclaredColumn(
      String dataType,
      List<Map<String, Object>> constraints,
      Boolean quote,
      Map<String, Object> meta,
      List<String> tags) {
    DeclaredColumn {
      constraints = List.copyOf(constraints);
      meta = Copies.orderedMap(meta);
      tags = List.copyOf(tags);
    }
  }

  /** What a model's, seed's or snapshot's properties declare beyond Sluice's model. */
  record Declared(List<Map<String, Object>> constraints, Map<String, DeclaredColumn> columns) {
    Declared {
      constraints = List.copyOf(constraints);
      columns = Copies.orderedMap(columns);
    }
  }

  /**
   * The properties of one model or seed.
   *
   * @param config its {@code config:} block and {@code tags:}, with their lines
   * @param relation a YAML snapshot's {@code relation:} (dbt 1.9: {@code ref('x')} or {@code
   *     source('s', 't')}) with its line, else null
   */
  record Entry(
      String name,
      String description,
      List<ColumnDef> columns,
      List<CheckDef> checks,
      Map<String, Setting> config,
      Location location,
      Setting relation,
      Declared declared,
      String latestVersion,
      List<Version> versions) {
    Entry {
      requireNonNull(name, "name is null");
      versions = List.copyOf(versions);
      columns = List.copyOf(columns);
      checks = List.copyOf(checks);
      config = Copies.orderedMap(config);
      requireNonNull(location, "location is null");
    }
  }

  /**
   * One of a model's {@code versions:}.
   *
   * @param version its {@code v}, as {@link DbtVersions#normalize} gives it
   * @param definedIn its {@code defined_in} file's name (without {@code .sql}), or null
   */
  record Version(String version, String definedIn, Location location) {
    Version {
      requireNonNull(version, "version is null");
      requireNonNull(location, "location is null");
    }
  }

  /** This entry, as the properties of one of its versions: the model of that version's file. */
  static Entry asVersion(Entry entry, String model) {
    return new Entry(
        model,
        entry.description(),
        entry.columns(),
        entry.checks(),
        entry.config(),
        entry.location(),
        entry.relation(),
        entry.declared(),
        null,
        List.of());
  }

  /** What one properties file declares. */
  record Contents(
      List<Entry> models,
      List<Entry> seeds,
      List<Entry> snapshots,
      List<SourceDef> sources,
      List<DbtSources.Unreadable> unreadable,
      List<UnitTestDef> unitTests,
      Map<String, String> sourceEventTimes) {}

  private DbtProperties() {}

  /**
   * @param root the project's directory, where unit tests' fixture files are
   * @param testPaths the project's test paths, whose {@code fixtures/} hold unit tests' fixtures
   */
  static Contents parse(
      java.nio.file.Path root,
      List<String> testPaths,
      String file,
      Node node,
      DbtTests tests,
      DbtDocs docs,
      DbtResources resources,
      Problems problems) {
    List<Entry> models = new ArrayList<>();
    List<Entry> seeds = new ArrayList<>();
    List<Entry> snapshots = new ArrayList<>();
    List<SourceDef> sources = new ArrayList<>();
    List<DbtSources.Unreadable> unreadable = new ArrayList<>();
    List<UnitTestDef> unitTests = new ArrayList<>();
    Map<String, String> eventTimes = new java.util.LinkedHashMap<>();
    Optional<YamlMap> maybeMap = YamlMap.lenient(file, node, "a properties file", KEYS, problems);
    if (maybeMap.isPresent()) {
      YamlMap map = maybeMap.get();
      Integer version = map.integer("version", 2);
      if (version != null && version != 2) {
        problems.add(
            map.location("version"),
            "Properties files of version " + version + " are not supported",
            "dbt 1.x properties files are 'version: 2'");
      }
      for (Node entry : map.list("models")) {
        entry(file, entry, "model", tests, docs, problems).ifPresent(models::add);
      }
      for (Node entry : map.list("seeds")) {
        entry(file, entry, "seed", tests, docs, problems).ifPresent(seeds::add);
      }
      for (Node entry : map.list("snapshots")) {
        entry(file, entry, "snapshot", tests, docs, problems).ifPresent(snapshots::add);
      }
      for (Node entry : map.list("sources")) {
        DbtSources.source(file, entry, tests, docs, unreadable, resources, problems)
            .ifPresent(sources::add);
        DbtSources.eventTimes(file, entry, eventTimes);
      }
      // dbt 1.8's unit tests: Sluice's own format has the same shape
      unitTests.addAll(UnitTestParser.parse(root, testPaths, true, map));
      resources.read(map, docs);
    }
    return new Contents(models, seeds, snapshots, sources, unreadable, unitTests, eventTimes);
  }

  private static Optional<Entry> entry(
      String file, Node node, String kind, DbtTests tests, DbtDocs docs, Problems problems) {
    Optional<YamlMap> maybeMap =
        YamlMap.lenient(file, node, "a " + kind + "'s properties", NODE_KEYS, problems);
    if (maybeMap.isEmpty()) {
      return Optional.empty();
    }
    YamlMap map = maybeMap.get();
    String name = map.requiredString("name", "write the " + kind + "'s name: '- name: customers'");
    if (name == null) {
      return Optional.empty();
    }
    String what = kind + " '" + name + "'";
    List<Version> versions = new ArrayList<>();
    for (Node versionNode : map.list("versions")) {
      Optional<YamlMap> version =
          YamlMap.lenient(
              file,
              versionNode,
              "a version of " + what,
              Set.of(
                  "v",
                  "defined_in",
                  "description",
                  "config",
                  "columns",
                  "data_tests",
                  "tests",
                  "deprecation_date",
                  "docs",
                  "meta",
                  "access",
                  "constraints"),
              problems);
      if (version.isEmpty()) {
        continue;
      }
      Object v = version.get().node("v").map(YamlFiles::toJava).orElse(null);
      if (v == null) {
        problems.add(
            version.get().location(),
            "A version of " + what + " needs its 'v'",
            "write e.g. '- v: 2'");
        continue;
      }
      for (String key : List.of("config", "columns", "data_tests", "tests", "constraints")) {
        if (version.get().has(key)) {
          // dbt's per-version properties (columns' include/exclude, ...): not read yet
          problems.add(
              version.get().location(key),
              "The '" + key + "' of a version of " + what + " is not supported by Sluice yet",
              "give it to the model, for all of its versions");
        }
      }
      String definedIn = version.get().string("defined_in");
      versions.add(
          new Version(
              DbtVersions.normalize(v),
              definedIn == null
                  ? null
                  : definedIn.endsWith(".sql")
                      ? definedIn.substring(0, definedIn.length() - 4)
                      : definedIn,
              version.get().location()));
    }
    Object latest = map.node("latest_version").map(YamlFiles::toJava).orElse(null);
    Map<String, Setting> config = new LinkedHashMap<>();
    map.node("config")
        .flatMap(value -> YamlMap.lenient(file, value, "the config of " + what, Set.of(), problems))
        .ifPresent(
            block -> {
              for (String key : block.keys()) {
                block
                    .node(key)
                    .ifPresent(
                        value ->
                            config.put(
                                key.startsWith("+") ? key.substring(1) : key,
                                new Setting(YamlFiles.toJava(value), block.location(key))));
              }
            });
    if (map.has("tags")) {
      List<Object> tags =
          new ArrayList<>(
              DbtConfigTree.asList(config.containsKey("tags") ? config.get("tags").value() : null));
      tags.addAll(map.stringList("tags"));
      config.put("tags", new Setting(List.copyOf(tags), map.location("tags")));
    }
    for (String key : List.of("access", "group")) {
      if (map.has(key) && !config.containsKey(key)) {
        config.put(key, new Setting(map.string(key), map.location(key)));
      }
    }
    String uniqueId = docs.uniqueId(kind, name);
    return Optional.of(
        new Entry(
            name,
            docs.description(map, uniqueId),
            columns(map, name, what, tests, docs, uniqueId),
            tests.read(map, name, what, null),
            config,
            map.location(),
            map.has("relation")
                ? map.node("relation")
                    .map(value -> new Setting(YamlFiles.toJava(value), map.location("relation")))
                    .orElse(null)
                : null,
            declared(map),
            DbtVersions.normalize(latest),
            versions));
  }

  /**
   * The columns' declared types and constraints, and the model's constraints: of a model, seed,
   * snapshot or source table.
   */
  static Declared declared(YamlMap map) {
    Map<String, DeclaredColumn> columns = new LinkedHashMap<>();
    for (Node node : map.list("columns")) {
      YamlMap.lenient(map.file(), node, "a column", COLUMN_KEYS, new Problems())
          .filter(column -> column.has("name"))
          .ifPresent(
              column ->
                  columns.put(
                      column.string("name"),
                      new DeclaredColumn(
                          column.string("data_type"),
                          constraints(column, map.problems()),
                          column.bool("quote", null),
                          column.freeMap("meta"),
                          column.stringList("tags"))));
    }
    return new Declared(constraints(map, map.problems()), columns);
  }

  /** {@code constraints:}, each a mapping with one of dbt's constraint types. */
  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> constraints(YamlMap owner, Problems problems) {
    List<Map<String, Object>> constraints = new ArrayList<>();
    for (Node node : owner.list("constraints")) {
      Object value = YamlFiles.toJava(node);
      Object type = value instanceof Map<?, ?> constraint ? constraint.get("type") : null;
      if (type == null || !CONSTRAINT_TYPES.contains(String.valueOf(type))) {
        problems.add(
            YamlFiles.location(owner.file(), node),
            "A constraint needs a type: one of "
                + CONSTRAINT_TYPES
                + ", got "
                + YamlMap.describe(node),
            type == null
                ? "write e.g. constraints: [{type: not_null}]"
                : Suggestions.hint(String.valueOf(type), CONSTRAINT_TYPES, "the types are"));
        continue;
      }
      constraints.add((Map<String, Object>) value);
    }
    return constraints;
  }

  /**
   * The {@code columns:} of a model, seed or source table, with their data tests.
   *
   * @param uniqueId the owner's unique id, which a missing doc's message names
   */
  static List<ColumnDef> columns(
      YamlMap owner,
      String resource,
      String ownerName,
      DbtTests tests,
      DbtDocs docs,
      String uniqueId) {
    List<ColumnDef> columns = new ArrayList<>();
    Map<String, Location> seen = new HashMap<>();
    for (Node node : owner.list("columns")) {
      Optional<YamlMap> maybeColumn =
          YamlMap.lenient(
              owner.file(), node, "a column of " + ownerName, COLUMN_KEYS, owner.problems());
      if (maybeColumn.isEmpty()) {
        continue;
      }
      YamlMap column = maybeColumn.get();
      String name = column.requiredString("name", "give every column a name: '- name: id'");
      if (name == null) {
        continue;
      }
      Location previous = seen.putIfAbsent(name.toLowerCase(Locale.ROOT), column.location());
      if (previous != null) {
        owner
            .problems()
            .add(
                column.location(),
                "Column '" + name + "' of " + ownerName + " is declared twice",
                "merge it with the one on line " + previous.line());
      }
      // data_type documents the column; dbt enforces it only under an enforced contract
      columns.add(
          new ColumnDef(
              name,
              null,
              docs.description(column, uniqueId),
              null,
              tests.read(column, resource, ownerName + " column " + name, name),
              column.location()));
    }
    return columns;
  }
}
