package dev.sluice.core.project;

import dev.sluice.api.Location;
import dev.sluice.api.engine.ParquetCompression;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;

/** Reads properties files ({@code models/**}{@code /*.yaml}): docs, columns and checks. */
final class PropertiesParser {
  private static final Set<String> KEYS = Set.of("models", "seeds", UnitTestParser.KEY);
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
          "engine",
          "memory_limit",
          "partitions",
          "snapshot",
          RetentionParser.KEY,
          MaintenanceParser.KEY,
          ParquetParser.KEY,
          ContractParser.KEY,
          FreshnessParser.FRESHNESS,
          FreshnessParser.SLO);
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
      String engine,
      Location engineLocation,
      String memoryLimit,
      Location memoryLimitLocation,
      PartitionsDef partitions,
      Location partitionsLocation,
      boolean declaresPartitions,
      String onSchemaChange,
      Location onSchemaChangeLocation,
      RetentionDef retention,
      MaintenanceDef maintenance,
      ContractDef contract,
      FreshnessDef freshness,
      Map<String, DbtConfigTree.Setting> snapshot,
      ParquetCompression parquet) {
    static Builder builder(String name, Location location) {
      return new Builder(name, location);
    }

    /** Builds {@link ModelProperties}: a setting not set is absent (null, or empty lists). */
    static final class Builder {
      private final String name;
      private String description;
      private String owner;
      private String tier;
      private List<String> tags = List.of();
      private String zone;
      private Location zoneLocation;
      private String materialized;
      private Location materializedLocation;
      private List<String> uniqueKey = List.of();
      private List<ColumnDef> columns = List.of();
      private List<CheckDef> checks = List.of();
      private final Location location;
      private String retries;
      private Location retriesLocation;
      private String timeout;
      private Location timeoutLocation;
      private String pool;
      private Location poolLocation;
      private String engine;
      private Location engineLocation;
      private String memoryLimit;
      private Location memoryLimitLocation;
      private PartitionsDef partitions;
      private Location partitionsLocation;
      private boolean declaresPartitions;
      private String onSchemaChange;
      private Location onSchemaChangeLocation;
      private RetentionDef retention;
      private MaintenanceDef maintenance;
      private ContractDef contract;
      private FreshnessDef freshness;
      private Map<String, DbtConfigTree.Setting> snapshot = Map.of();
      private ParquetCompression parquet;

      private Builder(String name, Location location) {
        this.name = name;
        this.location = location;
      }

      Builder description(String description) {
        this.description = description;
        return this;
      }

      Builder owner(String owner) {
        this.owner = owner;
        return this;
      }

      Builder tier(String tier) {
        this.tier = tier;
        return this;
      }

      Builder tags(List<String> tags) {
        this.tags = tags;
        return this;
      }

      Builder zone(String zone, Location location) {
        this.zone = zone;
        this.zoneLocation = location;
        return this;
      }

      Builder materialized(String materialized, Location location) {
        this.materialized = materialized;
        this.materializedLocation = location;
        return this;
      }

      Builder uniqueKey(List<String> uniqueKey) {
        this.uniqueKey = uniqueKey;
        return this;
      }

      Builder columns(List<ColumnDef> columns) {
        this.columns = columns;
        return this;
      }

      Builder checks(List<CheckDef> checks) {
        this.checks = checks;
        return this;
      }

      Builder retries(String retries, Location location) {
        this.retries = retries;
        this.retriesLocation = location;
        return this;
      }

      Builder timeout(String timeout, Location location) {
        this.timeout = timeout;
        this.timeoutLocation = location;
        return this;
      }

      Builder pool(String pool, Location location) {
        this.pool = pool;
        this.poolLocation = location;
        return this;
      }

      Builder engine(String engine, Location location) {
        this.engine = engine;
        this.engineLocation = location;
        return this;
      }

      Builder memoryLimit(String memoryLimit, Location location) {
        this.memoryLimit = memoryLimit;
        this.memoryLimitLocation = location;
        return this;
      }

      /** The partitions, where they are declared, and whether they are declared at all. */
      Builder partitions(PartitionsDef partitions, Location location, boolean declared) {
        this.partitions = partitions;
        this.partitionsLocation = location;
        this.declaresPartitions = declared;
        return this;
      }

      Builder retention(RetentionDef retention) {
        this.retention = retention;
        return this;
      }

      Builder maintenance(MaintenanceDef maintenance) {
        this.maintenance = maintenance;
        return this;
      }

      Builder contract(ContractDef contract) {
        this.contract = contract;
        return this;
      }

      Builder freshness(FreshnessDef freshness) {
        this.freshness = freshness;
        return this;
      }

      /** A snapshot's settings ({@code strategy}, {@code updated_at}, ...), with their lines. */
      Builder snapshot(Map<String, DbtConfigTree.Setting> snapshot) {
        this.snapshot = snapshot;
        return this;
      }

      /** The table's own {@code parquet:} compression, or null for the project's. */
      Builder parquet(ParquetCompression parquet) {
        this.parquet = parquet;
        return this;
      }

      Builder onSchemaChange(String onSchemaChange, Location location) {
        this.onSchemaChange = onSchemaChange;
        this.onSchemaChangeLocation = location;
        return this;
      }

      ModelProperties build() {
        return new ModelProperties(
            name,
            description,
            owner,
            tier,
            tags,
            zone,
            zoneLocation,
            materialized,
            materializedLocation,
            uniqueKey,
            columns,
            checks,
            location,
            retries,
            retriesLocation,
            timeout,
            timeoutLocation,
            pool,
            poolLocation,
            engine,
            engineLocation,
            memoryLimit,
            memoryLimitLocation,
            partitions,
            partitionsLocation,
            declaresPartitions,
            onSchemaChange,
            onSchemaChangeLocation,
            retention,
            maintenance,
            contract,
            freshness,
            snapshot,
            parquet);
      }
    }
  }

  record SeedProperties(
      String name,
      String description,
      List<ColumnDef> columns,
      List<CheckDef> checks,
      Location location) {}

  /** What one properties file declares. */
  record Properties(
      List<ModelProperties> models, List<SeedProperties> seeds, List<UnitTestDef> unitTests) {}

  private PropertiesParser() {}

  /**
   * Reads a properties file.
   *
   * @param root the project directory, where unit tests' fixture files are read from
   */
  static Properties parse(Path root, String file, Node node, Problems problems) {
    List<UnitTestDef> unitTests = new ArrayList<>();
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
      unitTests.addAll(UnitTestParser.parse(root, maybeMap.get()));
    }
    return new Properties(models, seeds, unitTests);
  }

  private static Optional<ModelProperties> model(YamlMap map) {
    String name = map.requiredString("name", "write the model's name: '- name: revenue'");
    if (name == null) {
      return Optional.empty();
    }
    String what = "model '" + name + "'";
    List<ColumnDef> columns = ChecksParser.columns(map, what, true);
    List<CheckDef> checks = ChecksParser.checks(map, what, null);
    return Optional.of(
        ModelProperties.builder(name, map.location())
            .description(map.string("description"))
            .owner(map.string("owner"))
            .tier(map.string("tier"))
            .tags(map.stringList("tags"))
            .zone(map.string("zone"), map.location("zone"))
            .materialized(map.string("materialized"), map.location("materialized"))
            .uniqueKey(map.stringList("unique_key"))
            .columns(columns)
            .checks(checks)
            .retries(map.string("retries"), map.location("retries"))
            .timeout(map.string("timeout"), map.location("timeout"))
            .pool(map.string("pool"), map.location("pool"))
            .engine(map.string("engine"), map.location("engine"))
            .memoryLimit(map.string("memory_limit"), map.location("memory_limit"))
            .partitions(
                PartitionsParser.parse(map, what),
                map.location("partitions"),
                map.has("partitions"))
            .onSchemaChange(map.string("on_schema_change"), map.location("on_schema_change"))
            .retention(RetentionParser.parse(map, what).orElse(null))
            .maintenance(MaintenanceParser.parse(map, what).orElse(null))
            .contract(ContractParser.parse(map, what, columns).orElse(null))
            .freshness(FreshnessParser.parse(map, what, columns, null).orElse(null))
            .snapshot(snapshotSettings(map, what))
            .parquet(ParquetParser.parse(map, what, map.problems()).orElse(null))
            .build());
  }

  /** The {@code snapshot:} block of a model materialized as a snapshot, with its lines. */
  private static Map<String, DbtConfigTree.Setting> snapshotSettings(YamlMap map, String what) {
    Map<String, DbtConfigTree.Setting> settings = new java.util.LinkedHashMap<>();
    map.node("snapshot")
        .flatMap(
            node ->
                YamlMap.of(
                    map.file(),
                    node,
                    "the snapshot settings of " + what,
                    SnapshotDef.KEYS,
                    map.problems()))
        .ifPresent(
            block -> {
              for (String key : block.keys()) {
                block
                    .node(key)
                    .ifPresent(
                        value ->
                            settings.put(
                                key,
                                new DbtConfigTree.Setting(
                                    YamlFiles.toJava(value), block.location(key))));
              }
            });
    return settings;
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
