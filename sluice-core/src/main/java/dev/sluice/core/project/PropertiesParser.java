package dev.sluice.core.project;

import dev.sluice.api.Location;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;

/** Reads properties files ({@code models/**}{@code /*.yaml}): docs, columns and checks. */
final class PropertiesParser {
  private static final Set<String> KEYS = Set.of("models", "seeds");
  private static final Set<String> MODEL_KEYS =
      Set.of(
          "name",
          "description",
          "owner",
          "tier",
          "tags",
          "zone",
          "materialized",
          "unique_key",
          "on_schema_change",
          "columns",
          "checks",
          "retries",
          "timeout",
          "pool",
          "partitions");
  private static final Set<String> SEED_KEYS = Set.of("name", "description", "columns", "checks");

  /** The properties of one model, as written; merged with its SQL's config() by the loader. */
  record ModelProperties(
      String name,
      String description,
      String owner,
      String tier,
      List<String> tags,
      String zone,
      Location zoneLocation,
      String materialized,
      Location materializedLocation,
      List<String> uniqueKey,
      List<ColumnDef> columns,
      List<CheckDef> checks,
      Location location,
      String retries,
      Location retriesLocation,
      String timeout,
      Location timeoutLocation,
      String pool,
      Location poolLocation,
      PartitionsDef partitions,
      Location partitionsLocation,
      boolean declaresPartitions,
      String onSchemaChange,
      Location onSchemaChangeLocation) {}

  record SeedProperties(
      String name,
      String description,
      List<ColumnDef> columns,
      List<CheckDef> checks,
      Location location) {}

  /** What one properties file declares. */
  record Properties(List<ModelProperties> models, List<SeedProperties> seeds) {}

  private PropertiesParser() {}

  static Properties parse(String file, Node node, Problems problems) {
    List<ModelProperties> models = new ArrayList<>();
    List<SeedProperties> seeds = new ArrayList<>();
    Optional<YamlMap> maybeMap = YamlMap.of(file, node, "a properties file", KEYS, problems);
    if (maybeMap.isPresent()) {
      for (Node modelNode : maybeMap.get().list("models")) {
        YamlMap.of(file, modelNode, "a model's properties", MODEL_KEYS, problems)
            .flatMap(PropertiesParser::model)
            .ifPresent(models::add);
      }
      for (Node seedNode : maybeMap.get().list("seeds")) {
        YamlMap.of(file, seedNode, "a seed's properties", SEED_KEYS, problems)
            .flatMap(PropertiesParser::seed)
            .ifPresent(seeds::add);
      }
    }
    return new Properties(models, seeds);
  }

  private static Optional<ModelProperties> model(YamlMap map) {
    String name = map.requiredString("name", "write the model's name: '- name: revenue'");
    if (name == null) {
      return Optional.empty();
    }
    String what = "model '" + name + "'";
    List<ColumnDef> columns = ChecksParser.columns(map, what);
    List<CheckDef> checks = ChecksParser.checks(map, what, null);
    return Optional.of(
        new ModelProperties(
            name,
            map.string("description"),
            map.string("owner"),
            map.string("tier"),
            map.stringList("tags"),
            map.string("zone"),
            map.location("zone"),
            map.string("materialized"),
            map.location("materialized"),
            map.stringList("unique_key"),
            columns,
            checks,
            map.location(),
            map.string("retries"),
            map.location("retries"),
            map.string("timeout"),
            map.location("timeout"),
            map.string("pool"),
            map.location("pool"),
            PartitionsParser.parse(map, what),
            map.location("partitions"),
            map.has("partitions"),
            map.string("on_schema_change"),
            map.location("on_schema_change")));
  }

  private static Optional<SeedProperties> seed(YamlMap map) {
    String name = map.requiredString("name", "write the seed's name: '- name: countries'");
    if (name == null) {
      return Optional.empty();
    }
    String what = "seed '" + name + "'";
    List<ColumnDef> columns = ChecksParser.columns(map, what);
    List<CheckDef> checks = ChecksParser.checks(map, what, null);
    return Optional.of(
        new SeedProperties(name, map.string("description"), columns, checks, map.location()));
  }
}
