package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.api.Location;
import dev.sluice.api.TableName;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.yaml.snakeyaml.nodes.Node;

/**
 * The resources of a dbt project's properties files that Sluice reads, validates and lists in the
 * manifest but does not build: {@code exposures}, {@code groups}, {@code semantic_models}, {@code
 * metrics} and {@code saved_queries} (dbt's semantic layer: parsed, not executed, as dbt-core
 * itself leaves their queries to MetricFlow).
 */
public final class DbtResources {
  static final Set<String> KEYS =
      Set.of("exposures", "groups", "semantic_models", "metrics", "saved_queries");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> EXPOSURE_TYPES =
      List.of("dashboard", "notebook", "analysis", "ml", "application");
  private static final List<String> MATURITIES = List.of("low", "medium", "high");
  private static final List<String> METRIC_TYPES =
      List.of("simple", "ratio", "cumulative", "derived", "conversion");
  private static final List<String> ENTITY_TYPES =
      List.of("foreign", "natural", "primary", "unique");
  private static final List<String> AGGREGATIONS =
      List.of(
          "sum",
          "min",
          "max",
          "count_distinct",
          "sum_boolean",
          "average",
          "percentile",
          "median",
          "count");
  private static final List<String> DIMENSION_TYPES = List.of("categorical", "time");
  private static final List<String> GRANULARITIES =
      List.of(
          "nanosecond",
          "microsecond",
          "millisecond",
          "second",
          "minute",
          "hour",
          "day",
          "week",
          "month",
          "quarter",
          "year");

  /** A {@code ref()}, {@code source()} or {@code metric()} a resource depends on. */
  record Reference(String kind, String name, String table, Location location) {
    Reference {
      requireNonNull(kind, "kind is null");
      requireNonNull(name, "name is null");
      requireNonNull(location, "location is null");
    }
  }

  /**
   * One resource as its properties file declares it.
   *
   * @param resourceType dbt's: {@code exposure}, {@code group}, {@code semantic_model}, {@code
   *     metric}, {@code saved_query}
   * @param node the manifest's entry, without the fields every resource has
   * @param dependsOn what it reads, checked once the project is loaded
   * @param group its group ({@code config: {group: x}} or {@code group: x}), or null
   */
  public record Resource(
      String resourceType,
      String name,
      ObjectNode node,
      List<Reference> dependsOn,
      String group,
      Location location) {
    public Resource {
      requireNonNull(resourceType, "resourceType is null");
      requireNonNull(name, "name is null");
      dependsOn = List.copyOf(dependsOn);
      requireNonNull(location, "location is null");
    }

    /** An exposure's {@code type} ({@code dashboard}, ...), else empty. */
    public String type() {
      return node.path("type").asText("");
    }

    boolean hasTag(String tag) {
      for (com.fasterxml.jackson.databind.JsonNode item : node.path("tags")) {
        if (item.asText().equals(tag)) {
          return true;
        }
      }
      return false;
    }

    String uniqueId(String packageName) {
      return resourceType + "." + packageName + "." + name;
    }

    /** dbt's {@code fqn}: the package, the properties file's directories, the name. */
    List<String> fqn(String packageName) {
      List<String> fqn = new ArrayList<>();
      fqn.add(packageName);
      java.nio.file.Path file = java.nio.file.Path.of(location.file());
      for (int i = 1; i < file.getNameCount() - 1; i++) {
        fqn.add(file.getName(i).toString());
      }
      fqn.add(name);
      return fqn;
    }
  }

  /**
   * A model's declared {@code group} and {@code access}, with their lines, and its {@code contract}
   * config as declared (or null).
   */
  record Governance(
      String group, Location groupLine, String access, Location accessLine, Object contract) {}

  private final Map<String, Map<String, Resource>> byType = new LinkedHashMap<>();

  /** Each model's, seed's and snapshot's declared columns and contract, by unique id. */
  private final Map<String, DbtProperties.Declared> declared = new LinkedHashMap<>();

  /** Each model's group and access. */
  private final Map<String, Governance> governance = new TreeMap<>();

  DbtResources() {
    for (String type : List.of("exposure", "group", "semantic_model", "metric", "saved_query")) {
      byType.put(type, new TreeMap<>());
    }
  }

  /** The exposures, by name. */
  public Map<String, Resource> exposures() {
    return byType.get("exposure");
  }

  Map<String, Resource> ofType(String resourceType) {
    return byType.get(resourceType);
  }

  /** Each source table's declared properties ({@link DbtSources}), by unique id. */
  private final Map<String, Map<String, Object>> sourceProperties = new LinkedHashMap<>();

  void declareSource(String uniqueId, Map<String, Object> properties) {
    sourceProperties.put(uniqueId, Copies.orderedMap(properties));
  }

  /** A source table's declared properties, or an empty map. */
  Map<String, Object> sourceProperties(String uniqueId) {
    return sourceProperties.getOrDefault(uniqueId, Map.of());
  }

  /**
   * The source tables without an external location (read as the warehouse's relations, which Sluice
   * does not load), each as a source of that one table, by unique id: dbt's manifest lists them
   * with the others.
   */
  private final Map<String, SourceDef> warehouseSources = new LinkedHashMap<>();

  void declareWarehouseSource(String uniqueId, SourceDef source) {
    warehouseSources.put(uniqueId, source);
  }

  /** The source tables Sluice does not load ({@link #declareWarehouseSource}), by unique id. */
  Map<String, SourceDef> warehouseSources() {
    return java.util.Collections.unmodifiableMap(warehouseSources);
  }

  void declare(String uniqueId, DbtProperties.Declared columns) {
    declared.put(uniqueId, columns);
  }

  /** What a node's properties declare (columns' types and constraints, contract), or null. */
  DbtProperties.Declared declared(String uniqueId) {
    return declared.get(uniqueId);
  }

  /** Each append model's {@code unique_key} as configured (append ignores it), by model. */
  private final Map<String, List<String>> appendUniqueKeys =
      new java.util.concurrent.ConcurrentHashMap<>();

  void appendUniqueKey(String model, List<String> uniqueKey) {
    appendUniqueKeys.put(model, List.copyOf(uniqueKey));
  }

  /**
   * The {@code unique_key} an append model is configured with, which it ignores but dbt's manifest
   * gives in its config; empty for any other model.
   */
  List<String> appendUniqueKey(String model) {
    return appendUniqueKeys.getOrDefault(model, List.of());
  }

  void govern(String model, Governance modelGovernance) {
    governance.put(model, modelGovernance);
  }

  Governance governance(String model) {
    return governance.get(model);
  }

  /**
   * The models, seeds, snapshots and source tables (by Sluice's names) a resource reads: its refs
   * and sources, and through its metrics, the metrics' measures' semantic models' models.
   */
  Set<String> assetsRead(String exposure) {
    Set<String> assets = new LinkedHashSet<>();
    Resource resource = exposures().get(exposure);
    if (resource != null) {
      collectAssets(resource, assets, new java.util.HashSet<>());
    }
    return assets;
  }

  private void collectAssets(Resource resource, Set<String> assets, Set<String> seen) {
    if (!seen.add(resource.resourceType() + ":" + resource.name())) {
      return;
    }
    for (Reference reference : resource.dependsOn()) {
      switch (reference.kind()) {
        case "ref" -> assets.add(reference.name());
        case "source" -> assets.add(reference.name() + "." + reference.table());
        case "metric" -> {
          Resource metric = ofType("metric").get(reference.name());
          if (metric != null) {
            collectAssets(metric, assets, seen);
          }
        }
        default -> {
          for (Resource model : ofType("semantic_model").values()) {
            for (com.fasterxml.jackson.databind.JsonNode measure : model.node().path("measures")) {
              if (measure.path("name").asText().equals(reference.name())) {
                collectAssets(model, assets, seen);
              }
            }
          }
        }
      }
    }
  }

  /** Reads the sections of one properties file; a resource given twice is a problem. */
  void read(YamlMap file, DbtDocs docs) {
    section(file, "exposures", "exposure", map -> exposure(map, docs));
    section(file, "groups", "group", map -> group(map, docs));
    section(file, "semantic_models", "semantic_model", map -> semanticModel(map, docs));
    section(file, "metrics", "metric", map -> metric(map, docs));
    section(file, "saved_queries", "saved_query", map -> savedQuery(map, docs));
  }

  private void section(
      YamlMap file, String key, String resourceType, Function<YamlMap, Optional<Resource>> reader) {
    for (Node entry : file.list(key)) {
      YamlMap.lenient(
              file.file(),
              entry,
              "a " + resourceType.replace('_', ' '),
              Set.of(
                  "name",
                  "description",
                  "label",
                  "type",
                  "owner",
                  "depends_on",
                  "maturity",
                  "url",
                  "config",
                  "meta",
                  "tags",
                  "model",
                  "entities",
                  "measures",
                  "dimensions",
                  "defaults",
                  "primary_entity",
                  "type_params",
                  "filter",
                  "group",
                  "query_params",
                  "exports",
                  "time_granularity"),
              file.problems())
          .flatMap(reader)
          .ifPresent(
              resource -> {
                Resource previous = byType.get(resourceType).putIfAbsent(resource.name(), resource);
                if (previous != null) {
                  file.problems()
                      .add(
                          resource.location(),
                          "dbt found two "
                              + key.replace('_', ' ')
                              + " with the name '"
                              + resource.name()
                              + "' (also "
                              + previous.location()
                              + ")",
                          "rename one of them");
                }
              });
    }
  }

  private static String name(YamlMap map, String kind) {
    return map.requiredString("name", "give the " + kind + " a name: '- name: weekly_revenue'");
  }

  private static ObjectNode common(YamlMap map, DbtDocs docs, String uniqueId) {
    ObjectNode node = JSON.createObjectNode();
    String description = docs.description(map, uniqueId);
    node.put("description", description == null ? "" : description);
    if (map.has("label")) {
      node.put("label", map.string("label"));
    } else {
      node.putNull("label");
    }
    node.set("meta", JSON.valueToTree(map.freeMap("meta")));
    ArrayNode tags = node.putArray("tags");
    map.stringList("tags").forEach(tags::add);
    return node;
  }

  private static String oneOf(YamlMap map, String key, List<String> allowed, String what) {
    String value = map.string(key);
    if (value != null && !allowed.contains(value.toLowerCase(Locale.ROOT))) {
      map.problems()
          .add(
              map.location(key),
              "'" + key + "' of " + what + " must be one of " + allowed + ", got '" + value + "'",
              Suggestions.hint(value.toLowerCase(Locale.ROOT), allowed, "the values are"));
      return null;
    }
    return value == null ? null : value.toLowerCase(Locale.ROOT);
  }

  /** dbt's {@code owner}: {@code name} and {@code email}, required on exposures and groups. */
  private static ObjectNode owner(YamlMap map, String what) {
    ObjectNode owner = JSON.createObjectNode();
    Optional<YamlMap> declared =
        map.node("owner")
            .flatMap(
                value ->
                    YamlMap.lenient(
                        map.file(),
                        value,
                        "the owner of " + what,
                        Set.of("name", "email"),
                        map.problems()));
    if (declared.isEmpty() || !(declared.get().has("name") || declared.get().has("email"))) {
      map.problems()
          .add(
              map.location("owner"),
              what.substring(0, 1).toUpperCase(Locale.ROOT)
                  + what.substring(1)
                  + " needs an owner with a name or an email",
              "write e.g. owner: {name: Finance team, email: finance@example.com}");
      return owner.putNull("name").putNull("email");
    }
    YamlMap entries = declared.get();
    owner.put("name", entries.string("name"));
    owner.put("email", entries.string("email"));
    for (String key : entries.keys()) {
      if (!key.equals("name") && !key.equals("email")) {
        entries
            .node(key)
            .ifPresent(value -> owner.set(key, JSON.valueToTree(YamlFiles.toJava(value))));
      }
    }
    return owner;
  }

  /** The {@code config:} block's keys, with {@code group} also given at the top level. */
  private static Map<String, Object> config(YamlMap map) {
    Map<String, Object> config = new LinkedHashMap<>(map.freeMap("config"));
    if (map.has("group") && !config.containsKey("group")) {
      config.put("group", map.string("group"));
    }
    return config;
  }

  private static ObjectNode configNode(Map<String, Object> config, boolean withGroup) {
    ObjectNode node = JSON.createObjectNode();
    node.put("enabled", !Boolean.FALSE.equals(config.get("enabled")));
    if (withGroup) {
      Object group = config.get("group");
      node.put("group", group == null ? null : String.valueOf(group));
    }
    node.set("meta", JSON.valueToTree(config.getOrDefault("meta", Map.of())));
    return node;
  }

  private Optional<Resource> exposure(YamlMap map, DbtDocs docs) {
    String name = name(map, "exposure");
    if (name == null) {
      return Optional.empty();
    }
    String what = "exposure '" + name + "'";
    ObjectNode node = common(map, docs, docs.uniqueId("exposure", name));
    String type = oneOf(map, "type", EXPOSURE_TYPES, what);
    if (!map.has("type")) {
      map.problems()
          .add(
              map.location(),
              "Missing 'type' in " + what,
              "dbt's exposure types are " + EXPOSURE_TYPES);
    }
    node.put("type", type == null ? "dashboard" : type);
    node.set("owner", owner(map, what));
    node.put("maturity", oneOf(map, "maturity", MATURITIES, what));
    node.put("url", map.string("url"));
    Map<String, Object> config = config(map);
    ObjectNode configNode = configNode(config, false);
    ArrayNode configTags = configNode.putArray("tags");
    map.stringList("tags").forEach(configTags::add);
    node.set("config", configNode);
    List<Reference> dependsOn = new ArrayList<>();
    for (Node entry : map.list("depends_on")) {
      Location line = YamlFiles.location(map.file(), entry);
      Object value = YamlFiles.toJava(entry);
      Optional<Reference> reference =
          value instanceof String text ? reference(text, line) : Optional.empty();
      if (reference.isEmpty()) {
        map.problems()
            .add(
                line,
                "Each 'depends_on' of "
                    + what
                    + " must be ref('model'), source('source', 'table') or metric('metric'), got "
                    + YamlMap.describe(entry),
                "write e.g. depends_on: [ref('orders'), source('shop', 'payments')]");
      } else {
        dependsOn.add(reference.get());
      }
    }
    return Optional.of(
        new Resource(
            "exposure", name, node, dependsOn, (String) config.get("group"), map.location()));
  }

  /**
   * A {@code depends_on} entry ({@code ref('x')}, {@code source('s', 't')}, {@code metric('m')}),
   * rendered as Jinja as dbt renders it.
   */
  static Optional<Reference> reference(String text, Location line) {
    TemplateSession session =
        new TemplateSession(
            line,
            false,
            false,
            false,
            Map.of(),
            name -> name.isEmpty() ? null : new TableName("curated", name),
            (source, table) ->
                source.isEmpty() || table.isEmpty() ? null : new TableName("raw", source),
            new Problems());
    SqlRenderer.render("{{ " + text + " }}", session, new TableName("curated", "this"));
    if (!session.problems().isEmpty()
        || session.refs().size() + session.sources().size() + session.metrics().size() != 1) {
      return Optional.empty();
    }
    if (!session.refs().isEmpty()) {
      return Optional.of(
          new Reference("ref", session.refs().keySet().iterator().next(), null, line));
    }
    if (!session.sources().isEmpty()) {
      SourceRef source = session.sources().keySet().iterator().next();
      return Optional.of(new Reference("source", source.source(), source.table(), line));
    }
    return Optional.of(new Reference("metric", session.metrics().get(0), null, line));
  }

  private Optional<Resource> group(YamlMap map, DbtDocs docs) {
    String name = name(map, "group");
    if (name == null) {
      return Optional.empty();
    }
    ObjectNode node = JSON.createObjectNode();
    String description = docs.description(map, docs.uniqueId("group", name));
    node.put("description", description);
    node.set("owner", owner(map, "group '" + name + "'"));
    node.putObject("config")
        .set("meta", JSON.valueToTree(config(map).getOrDefault("meta", Map.of())));
    return Optional.of(new Resource("group", name, node, List.of(), null, map.location()));
  }

  private Optional<Resource> semanticModel(YamlMap map, DbtDocs docs) {
    String name = name(map, "semantic model");
    if (name == null) {
      return Optional.empty();
    }
    String what = "semantic model '" + name + "'";
    ObjectNode node = common(map, docs, docs.uniqueId("semantic_model", name));
    node.remove("tags");
    node.remove("meta");
    List<Reference> dependsOn = new ArrayList<>();
    String model =
        map.requiredString("model", "write the model it describes: model: ref('orders')");
    node.put("model", model == null ? "" : model);
    if (model != null) {
      Optional<Reference> reference = reference(model, map.location("model"));
      if (reference.isEmpty() || !reference.get().kind().equals("ref")) {
        map.problems()
            .add(
                map.location("model"),
                "'model' of " + what + " must be ref('model'), got '" + model + "'",
                "write e.g. model: ref('orders')");
      } else {
        dependsOn.add(reference.get());
      }
    }
    ObjectNode defaults = JSON.createObjectNode();
    map.map("defaults", "the defaults of " + what, Set.of("agg_time_dimension"))
        .ifPresent(block -> defaults.put("agg_time_dimension", block.string("agg_time_dimension")));
    node.set("defaults", map.has("defaults") ? defaults : null);
    node.put("primary_entity", map.string("primary_entity"));
    ArrayNode entities = node.putArray("entities");
    for (YamlMap entity : items(map, "entities", what)) {
      ObjectNode item = element(entity, "an entity of " + what, "type", ENTITY_TYPES);
      for (String key : List.of("role", "expr")) {
        item.put(key, entity.string(key));
      }
      entities.add(item);
    }
    ArrayNode measures = node.putArray("measures");
    for (YamlMap measure : items(map, "measures", what)) {
      ObjectNode item = element(measure, "a measure of " + what, "agg", AGGREGATIONS);
      item.put("create_metric", Boolean.TRUE.equals(measure.bool("create_metric", false)));
      item.put("expr", measure.string("expr"));
      item.put("agg_time_dimension", measure.string("agg_time_dimension"));
      measures.add(item);
    }
    ArrayNode dimensions = node.putArray("dimensions");
    for (YamlMap dimension : items(map, "dimensions", what)) {
      ObjectNode item = element(dimension, "a dimension of " + what, "type", DIMENSION_TYPES);
      item.put("is_partition", Boolean.TRUE.equals(dimension.bool("is_partition", false)));
      item.put("expr", dimension.string("expr"));
      Optional<YamlMap> typeParams =
          dimension.map(
              "type_params",
              "the type_params of a dimension of " + what,
              Set.of("time_granularity", "validity_params"));
      if (typeParams.isPresent()) {
        String granularity =
            oneOf(typeParams.get(), "time_granularity", GRANULARITIES, "a dimension of " + what);
        item.putObject("type_params")
            .put("time_granularity", granularity == null ? "day" : granularity);
      } else if ("time".equals(item.path("type").asText())) {
        dimension
            .problems()
            .add(
                dimension.location(),
                "Time dimension '"
                    + item.path("name").asText()
                    + "' of "
                    + what
                    + " needs type_params: {time_granularity: ...}",
                "write e.g. type_params: {time_granularity: day}");
      } else {
        item.putNull("type_params");
      }
      dimensions.add(item);
    }
    Map<String, Object> config = config(map);
    node.set("config", configNode(config, true));
    node.put("group", (String) config.get("group"));
    return Optional.of(
        new Resource(
            "semantic_model", name, node, dependsOn, (String) config.get("group"), map.location()));
  }

  private static List<YamlMap> items(YamlMap map, String key, String what) {
    List<YamlMap> items = new ArrayList<>();
    for (Node entry : map.list(key)) {
      YamlMap.lenient(
              map.file(), entry, "an item of '" + key + "' of " + what, Set.of(), map.problems())
          .ifPresent(items::add);
    }
    return items;
  }

  /** An entity, measure or dimension: its name, description, label and kind. */
  private static ObjectNode element(YamlMap map, String what, String kindKey, List<String> kinds) {
    ObjectNode item = JSON.createObjectNode();
    String name = map.requiredString("name", "give " + what + " a name");
    item.put("name", name == null ? "" : name);
    String kind = oneOf(map, kindKey, kinds, what);
    if (!map.has(kindKey)) {
      map.problems().add(map.location(), "Missing '" + kindKey + "' in " + what, "one of " + kinds);
    }
    item.put(kindKey, kind == null ? kinds.get(0) : kind);
    item.put("description", map.string("description"));
    item.put("label", map.string("label"));
    return item;
  }

  private Optional<Resource> metric(YamlMap map, DbtDocs docs) {
    String name = name(map, "metric");
    if (name == null) {
      return Optional.empty();
    }
    String what = "metric '" + name + "'";
    ObjectNode node = common(map, docs, docs.uniqueId("metric", name));
    if (!map.has("label")) {
      map.problems()
          .add(
              map.location(),
              "Missing 'label' in " + what,
              "dbt requires a metric's label: label: Revenue");
      node.put("label", name);
    }
    String type = oneOf(map, "type", METRIC_TYPES, what);
    if (!map.has("type")) {
      map.problems().add(map.location(), "Missing 'type' in " + what, "one of " + METRIC_TYPES);
    }
    node.put("type", type == null ? "simple" : type);
    node.put("time_granularity", map.string("time_granularity"));
    node.set("filter", filter(map, "filter"));
    node.putNull("metadata");
    List<Reference> dependsOn = new ArrayList<>();
    ObjectNode params = node.putObject("type_params");
    ArrayNode inputMeasures = params.putArray("input_measures");
    map.map(
            "type_params",
            "the type_params of " + what,
            Set.of(
                "measure",
                "numerator",
                "denominator",
                "expr",
                "window",
                "grain_to_date",
                "metrics",
                "conversion_type_params",
                "cumulative_type_params"))
        .ifPresent(
            typeParams -> {
              typeParams
                  .node("measure")
                  .ifPresent(
                      measure -> {
                        ObjectNode input = input(typeParams, measure, true, dependsOn);
                        params.set("measure", input);
                        inputMeasures.add(input);
                      });
              for (String key : List.of("numerator", "denominator")) {
                typeParams
                    .node(key)
                    .ifPresent(
                        metric -> params.set(key, input(typeParams, metric, false, dependsOn)));
              }
              params.put("expr", typeParams.string("expr"));
              params.set("window", window(typeParams, typeParams.string("window")));
              params.put("grain_to_date", typeParams.string("grain_to_date"));
              if (typeParams.has("metrics")) {
                ArrayNode metrics = params.putArray("metrics");
                for (Node metric : typeParams.list("metrics")) {
                  metrics.add(input(typeParams, metric, false, dependsOn));
                }
              }
            });
    if ("simple".equals(type) || "cumulative".equals(type)) {
      if (!params.has("measure")) {
        map.problems()
            .add(
                map.location("type_params"),
                "The " + type + " metric '" + name + "' needs type_params: {measure: ...}",
                "name a measure of a semantic model: type_params: {measure: revenue}");
      }
    } else if ("ratio".equals(type) && !(params.has("numerator") && params.has("denominator"))) {
      map.problems()
          .add(
              map.location("type_params"),
              "The ratio metric '" + name + "' needs a numerator and a denominator",
              "write type_params: {numerator: a_metric, denominator: another_metric}");
    }
    Map<String, Object> config = config(map);
    node.set("config", configNode(config, true));
    node.putObject("unrendered_config");
    node.putArray("sources");
    node.putArray("refs");
    node.putArray("metrics");
    node.put("group", (String) config.get("group"));
    return Optional.of(
        new Resource(
            "metric", name, node, dependsOn, (String) config.get("group"), map.location()));
  }

  /**
   * A metric's input: a measure ({@code measure: revenue} or {@code {name, filter, alias,
   * join_to_timespine, fill_nulls_with}}) or a metric ({@code {name, filter, alias}}).
   */
  private static ObjectNode input(
      YamlMap typeParams, Node value, boolean measure, List<Reference> dependsOn) {
    ObjectNode input = JSON.createObjectNode();
    Location line = YamlFiles.location(typeParams.file(), value);
    Object java = YamlFiles.toJava(value);
    String name;
    JsonFilter filter = new JsonFilter(null);
    String alias = null;
    if (java instanceof Map<?, ?> map) {
      name = map.get("name") == null ? null : String.valueOf(map.get("name"));
      alias = map.get("alias") == null ? null : String.valueOf(map.get("alias"));
      filter = new JsonFilter(map.get("filter"));
      if (measure) {
        input.put("join_to_timespine", Boolean.TRUE.equals(map.get("join_to_timespine")));
        input.set("fill_nulls_with", JSON.valueToTree(map.get("fill_nulls_with")));
      }
    } else {
      name = java == null ? null : String.valueOf(java);
      if (measure) {
        input.put("join_to_timespine", false);
        input.putNull("fill_nulls_with");
      }
    }
    if (name == null || name.isBlank()) {
      typeParams
          .problems()
          .add(
              line,
              "A " + (measure ? "measure" : "metric") + " input needs a name",
              "write e.g. revenue");
      name = "";
    } else {
      dependsOn.add(new Reference(measure ? "measure" : "metric", name, null, line));
    }
    input.put("name", name);
    input.set("filter", filter.node());
    input.put("alias", alias);
    return input;
  }

  /** A {@code filter:} or {@code where:}: one Jinja string or a list of them, or none. */
  private static ObjectNode filter(YamlMap map, String key) {
    return new JsonFilter(map.node(key).map(YamlFiles::toJava).orElse(null)).node();
  }

  /** dbt's {@code WhereFilterIntersection} of one filter or a list of them. */
  private record JsonFilter(Object declared) {
    ObjectNode node() {
      if (declared == null) {
        return null;
      }
      ObjectNode filter = JSON.createObjectNode();
      ArrayNode filters = filter.putArray("where_filters");
      List<?> all = declared instanceof List<?> list ? list : List.of(declared);
      all.forEach(item -> filters.addObject().put("where_sql_template", String.valueOf(item)));
      return filter;
    }
  }

  /** A cumulative metric's {@code window}: {@code '7 days'} as {@code {count, granularity}}. */
  private static ObjectNode window(YamlMap map, String text) {
    if (text == null) {
      return null;
    }
    String[] parts = text.strip().split("\\s+", -1);
    if (parts.length == 2 && parts[0].chars().allMatch(Character::isDigit)) {
      String granularity = parts[1].toLowerCase(Locale.ROOT);
      if (granularity.endsWith("s")) {
        granularity = granularity.substring(0, granularity.length() - 1);
      }
      ObjectNode window = JSON.createObjectNode();
      window.put("count", Integer.parseInt(parts[0]));
      window.put("granularity", granularity);
      return window;
    }
    map.problems()
        .add(
            map.location("window"),
            "The window '" + text + "' must be a count and a granularity",
            "write e.g. window: 7 days");
    return null;
  }

  private Optional<Resource> savedQuery(YamlMap map, DbtDocs docs) {
    String name = name(map, "saved query");
    if (name == null) {
      return Optional.empty();
    }
    String what = "saved query '" + name + "'";
    ObjectNode node = common(map, docs, docs.uniqueId("saved_query", name));
    node.remove("meta");
    List<Reference> dependsOn = new ArrayList<>();
    ObjectNode query = node.putObject("query_params");
    ArrayNode metrics = query.putArray("metrics");
    ArrayNode groupBy = query.putArray("group_by");
    ObjectNode where = null;
    ArrayNode orderBy = query.putArray("order_by");
    Integer limit = null;
    Optional<YamlMap> params =
        map.map(
            "query_params",
            "the query_params of " + what,
            Set.of("metrics", "group_by", "where", "order_by", "limit"));
    if (params.isEmpty()) {
      map.problems()
          .add(
              map.location(),
              "Missing 'query_params' in " + what,
              "write e.g. query_params: {metrics: [revenue], group_by: [TimeDimension('metric_time',"
                  + " 'day')]}");
    } else {
      YamlMap block = params.get();
      for (Node metric : block.list("metrics")) {
        Object value = YamlFiles.toJava(metric);
        metrics.add(String.valueOf(value));
        dependsOn.add(
            new Reference(
                "metric", String.valueOf(value), null, YamlFiles.location(block.file(), metric)));
      }
      block.stringList("group_by").forEach(groupBy::add);
      block.stringList("order_by").forEach(orderBy::add);
      where = filter(block, "where");
      limit = block.integer("limit", null);
    }
    query.set("where", where);
    query.put("limit", limit);
    ArrayNode exports = node.putArray("exports");
    for (YamlMap export : items(map, "exports", what)) {
      ObjectNode item = exports.addObject();
      String exportName = export.requiredString("name", "give the export a name");
      item.put("name", exportName == null ? "" : exportName);
      ObjectNode exportConfig = item.putObject("config");
      Optional<YamlMap> declared =
          export.map(
              "config",
              "the config of an export of " + what,
              Set.of("export_as", "schema", "alias", "database"));
      String exportAs =
          declared
              .map(
                  block ->
                      oneOf(block, "export_as", List.of("table", "view"), "an export of " + what))
              .orElse(null);
      exportConfig.put("export_as", exportAs == null ? "table" : exportAs);
      exportConfig.put("schema_name", declared.map(block -> block.string("schema")).orElse(null));
      exportConfig.put(
          "alias", declared.map(block -> block.string("alias")).orElse(item.get("name").asText()));
      exportConfig.put("database", declared.map(block -> block.string("database")).orElse(null));
      item.putObject("unrendered_config");
    }
    Map<String, Object> config = config(map);
    node.set("config", configNode(config, true));
    node.putObject("unrendered_config");
    node.putArray("refs");
    node.put("group", (String) config.get("group"));
    return Optional.of(
        new Resource(
            "saved_query", name, node, dependsOn, (String) config.get("group"), map.location()));
  }

  /**
   * Checks what each resource reads, with dbt's messages: a {@code ref()} of a model, seed or
   * snapshot the project has, a {@code source()} it declares, a metric or measure it defines, a
   * group it declares.
   *
   * @param nodes the unique id of each model, seed and snapshot, by name
   * @param sources the unique id of each source table, by {@code source.table}
   */
  void validate(
      String packageName,
      Map<String, String> nodes,
      Map<String, String> sources,
      Problems problems) {
    Set<String> measures = new LinkedHashSet<>();
    for (Resource semanticModel : ofType("semantic_model").values()) {
      semanticModel.node().path("measures").forEach(m -> measures.add(m.path("name").asText()));
    }
    Set<String> groups = ofType("group").keySet();
    for (Map<String, Resource> resources : byType.values()) {
      for (Resource resource : resources.values()) {
        for (Reference reference : resource.dependsOn()) {
          String missing =
              switch (reference.kind()) {
                case "ref" -> nodes.containsKey(reference.name()) ? null : "node";
                case "source" ->
                    sources.containsKey(reference.name() + "." + reference.table())
                        ? null
                        : "source";
                case "metric" -> ofType("metric").containsKey(reference.name()) ? null : "metric";
                default -> measures.contains(reference.name()) ? null : "measure";
              };
          if (missing == null) {
            continue;
          }
          String target =
              reference.table() == null
                  ? reference.name()
                  : reference.name() + "." + reference.table();
          Set<String> candidates =
              switch (missing) {
                case "node" -> nodes.keySet();
                case "source" -> sources.keySet();
                case "metric" -> ofType("metric").keySet();
                default -> measures;
              };
          problems.add(
              reference.location(),
              resource.resourceType().substring(0, 1).toUpperCase(Locale.ROOT)
                  + resource.resourceType().substring(1).replace('_', ' ')
                  + " '"
                  + resource.uniqueId(packageName)
                  + "' ("
                  + resource.location().file()
                  + ") depends on a "
                  + missing
                  + " named '"
                  + target
                  + "' which was not found",
              Suggestions.hint(target, candidates, "the " + missing + "s are"));
        }
        if (resource.group() != null && !groups.contains(resource.group())) {
          problems.add(
              resource.location(),
              invalidGroup(resource.group(), groups),
              groupHint(resource.group(), groups));
        }
      }
    }
  }

  static String invalidGroup(String group, Set<String> groups) {
    return "Invalid group '" + group + "', expected one of " + new java.util.TreeSet<>(groups);
  }

  static String groupHint(String group, Set<String> groups) {
    return groups.isEmpty()
        ? "declare it in a properties file: groups: [{name: " + group + ", owner: {name: ...}}]"
        : Suggestions.hint(group, groups, "the groups are");
  }

  /**
   * Adds the resources to a manifest ({@code exposures}, {@code groups}, {@code semantic_models},
   * {@code metrics}, {@code saved_queries}, {@code group_map}) and their edges to the parents.
   *
   * @param uniqueIds the unique id of each model, seed, snapshot and source table by Sluice name
   * @param tables the table of each model, by name
   */
  void writeTo(
      ObjectNode manifest,
      String packageName,
      String database,
      Function<String, String> uniqueIds,
      Function<String, TableName> tables,
      Map<String, java.util.Set<String>> parents) {
    Map<String, String> sections =
        Map.of(
            "exposure", "exposures",
            "group", "groups",
            "semantic_model", "semantic_models",
            "metric", "metrics",
            "saved_query", "saved_queries");
    Map<String, String> measureOwners = new LinkedHashMap<>();
    ofType("semantic_model")
        .values()
        .forEach(
            model ->
                model
                    .node()
                    .path("measures")
                    .forEach(
                        m ->
                            measureOwners.put(
                                m.path("name").asText(), model.uniqueId(packageName))));
    byType.forEach(
        (type, resources) -> {
          ObjectNode section = manifest.putObject(sections.get(type));
          for (Resource resource : resources.values()) {
            String id = resource.uniqueId(packageName);
            ObjectNode node = section.putObject(id);
            node.put("name", resource.name());
            node.put("resource_type", type);
            node.put("package_name", packageName);
            String file = resource.location().file();
            int slash = file.indexOf('/');
            node.put("path", slash < 0 ? file : file.substring(slash + 1));
            node.put("original_file_path", file);
            node.put("unique_id", id);
            if (!type.equals("group")) {
              ArrayNode fqn = node.putArray("fqn");
              resource.fqn(packageName).forEach(fqn::add);
            }
            node.setAll(resource.node().deepCopy());
            if (type.equals("group")) {
              continue;
            }
            Set<String> dependsOn = new LinkedHashSet<>();
            ArrayNode refs = node.putArray("refs");
            ArrayNode sourcesNode =
                type.equals("exposure") || type.equals("metric") ? node.putArray("sources") : null;
            ArrayNode metrics =
                type.equals("exposure") || type.equals("metric") ? node.putArray("metrics") : null;
            for (Reference reference : resource.dependsOn()) {
              switch (reference.kind()) {
                case "ref" -> {
                  refs.addObject()
                      .put("name", reference.name())
                      .putNull("package")
                      .putNull("version");
                  dependsOn.add(uniqueIds.apply(reference.name()));
                  if (type.equals("semantic_model")) {
                    TableName table = tables.apply(reference.name());
                    if (table != null) {
                      node.putObject("node_relation")
                          .put("alias", table.name())
                          .put("schema_name", table.zone())
                          .put("database", database)
                          .put(
                              "relation_name",
                              "\""
                                  + database
                                  + "\".\""
                                  + table.zone()
                                  + "\".\""
                                  + table.name()
                                  + "\"");
                    }
                  }
                }
                case "source" -> {
                  if (sourcesNode != null) {
                    sourcesNode.addArray().add(reference.name()).add(reference.table());
                  }
                  dependsOn.add(uniqueIds.apply(reference.name() + "." + reference.table()));
                }
                case "metric" -> {
                  if (metrics != null && type.equals("exposure")) {
                    metrics.addArray().add(reference.name());
                  }
                  dependsOn.add("metric." + packageName + "." + reference.name());
                }
                default -> {
                  String owner = measureOwners.get(reference.name());
                  if (owner != null) {
                    dependsOn.add(owner);
                  }
                }
              }
            }
            if (type.equals("semantic_model") && !node.has("node_relation")) {
              node.putNull("node_relation");
            }
            ObjectNode depends = node.putObject("depends_on");
            depends.putArray("macros");
            ArrayNode dependencyNodes = depends.putArray("nodes");
            dependsOn.forEach(dependencyNodes::add);
            parents.put(id, dependsOn);
          }
        });
    ObjectNode groupMap = manifest.putObject("group_map");
    governance.forEach(
        (model, modelGovernance) -> {
          if (modelGovernance.group() != null) {
            ArrayNode members =
                groupMap.has(modelGovernance.group())
                    ? (ArrayNode) groupMap.get(modelGovernance.group())
                    : groupMap.putArray(modelGovernance.group());
            members.add(uniqueIds.apply(model));
          }
        });
  }
}
