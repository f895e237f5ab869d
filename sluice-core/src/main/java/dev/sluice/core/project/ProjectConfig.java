package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Secrets;
import dev.sluice.objectstore.S3Location;
import dev.sluice.objectstore.S3Settings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The settings of {@code sluice.yaml}.
 *
 * @param warehouse the warehouse directory, absolute; for a warehouse in object storage, the local
 *     directory of its cache and uploads
 * @param catalogUrl the JDBC URL of the Iceberg catalog; a relative SQLite file is resolved against
 *     the project root
 * @param catalogProperties {@code user} and {@code password} when given, with their references
 *     resolved
 * @param stateUrl the JDBC URL of the run-state database, resolved like {@code catalogUrl}
 * @param stateProperties as {@code catalogProperties}, for the state database
 * @param threads how many models run at once, at least 1
 * @param vars the values for {@code var()} in models
 * @param warehouseObjectStore the warehouse's location in S3-compatible storage, or null for a
 *     warehouse in {@code warehouse}
 * @param warehouseStorage how to reach the warehouse's storage (credentials resolved: hand it only
 *     to the lake), or null for a local warehouse
 * @param s3 the {@code s3:} block as written, which file sources reading {@code s3://} paths
 *     inherit
 * @param engine the engine that runs the project, its memory limit and spill directory
 * @param zones what {@code zones:} sets for the tables of each zone: retention, snapshot expiry
 * @param maintenance what {@code maintenance:} sets for every table (a table's own settings and its
 *     zone's {@code keep_snapshots:} override it), or null
 * @param server the {@code server:} block: where {@code sluice serve} listens, with which TLS key
 *     store
 * @param openLineage where OpenLineage events go ({@code openlineage:}), or null to send none
 * @param alerts the alert channels and rules ({@code alerts:}), {@link AlertsConfig#NONE} if none
 * @param cost the prices of {@code cost:}, {@link CostPrices#NONE} if none
 * @param budgets the monthly budgets of owners and tags ({@code budgets:})
 * @param parquet how the Parquet data files of the tables Sluice writes are compressed ({@code
 *     parquet:}), set on each table as its Iceberg properties
 * @param target the target of {@code targets:} these settings are for ({@link Target#NONE} without
 *     targets), with its secrets
 */
public record ProjectConfig(
    String name,
    Path warehouse,
    String catalogUrl,
    Map<String, String> catalogProperties,
    String stateUrl,
    Map<String, String> stateProperties,
    int threads,
    Map<String, Object> vars,
    Execution execution,
    java.util.List<ScheduleDef> schedules,
    java.util.List<SensorDef> sensors,
    Map<String, Integer> pools,
    S3Location warehouseObjectStore,
    S3Settings warehouseStorage,
    S3Block s3,
    EngineConfig engine,
    Map<dev.sluice.api.Zone, ZoneSettings> zones,
    MaintenanceDef maintenance,
    ServerSettings server,
    OpenLineageConfig openLineage,
    AlertsConfig alerts,
    CostPrices cost,
    java.util.List<BudgetDef> budgets,
    dev.sluice.api.engine.ParquetCompression parquet,
    Target target) {
  public static final String DEFAULT_CATALOG_URL = "jdbc:sqlite:.sluice/catalog.db";
  public static final String DEFAULT_STATE_URL = "jdbc:sqlite:.sluice/state.db";
  public static final int DEFAULT_THREADS = 4;

  public ProjectConfig {
    requireNonNull(name, "name is null");
    requireNonNull(warehouse, "warehouse is null");
    requireNonNull(catalogUrl, "catalogUrl is null");
    requireNonNull(catalogProperties, "catalogProperties is null");
    requireNonNull(stateUrl, "stateUrl is null");
    requireNonNull(stateProperties, "stateProperties is null");
    requireNonNull(vars, "vars is null");
    requireNonNull(execution, "execution is null");
    requireNonNull(alerts, "alerts is null");
    requireNonNull(cost, "cost is null");
    budgets = java.util.List.copyOf(budgets);
    requireNonNull(target, "target is null");
    requireNonNull(parquet, "parquet is null");
    schedules = java.util.List.copyOf(schedules);
    sensors = java.util.List.copyOf(sensors);
    pools = Map.copyOf(pools);
    requireNonNull(s3, "s3 is null");
    requireNonNull(engine, "engine is null");
    zones = Map.copyOf(zones);
    requireNonNull(server, "server is null");
    if ((warehouseObjectStore == null) != (warehouseStorage == null)) {
      throw new IllegalArgumentException("a warehouse in object storage needs its settings");
    }
    if (!warehouse.isAbsolute()) {
      throw new IllegalArgumentException("warehouse must be absolute: " + warehouse);
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1: " + threads);
    }
    catalogProperties = Copies.orderedMap(catalogProperties);
    stateProperties = Copies.orderedMap(stateProperties);
    vars = Copies.orderedMap(vars);
  }

  /**
   * The same settings, with {@code overrides} over the values of {@code var()} ({@code --vars}).
   */
  public ProjectConfig withVars(Map<String, Object> overrides) {
    if (overrides.isEmpty()) {
      return this;
    }
    Map<String, Object> merged = new java.util.LinkedHashMap<>(vars);
    merged.putAll(overrides);
    return new ProjectConfig(
        name,
        warehouse,
        catalogUrl,
        catalogProperties,
        stateUrl,
        stateProperties,
        threads,
        merged,
        execution,
        schedules,
        sensors,
        pools,
        warehouseObjectStore,
        warehouseStorage,
        s3,
        engine,
        zones,
        maintenance,
        server,
        openLineage,
        alerts,
        cost,
        budgets,
        parquet,
        target);
  }

  /** Shows the settings with passwords masked: secrets are never logged. */
  @Override
  public String toString() {
    return "ProjectConfig[name="
        + name
        + ", warehouse="
        + (warehouseObjectStore == null ? warehouse : warehouseObjectStore)
        + (warehouseStorage == null ? "" : ", warehouseStorage=" + warehouseStorage)
        + ", catalogUrl="
        + Secrets.redactCredentials(catalogUrl)
        + ", catalogProperties="
        + masked(catalogProperties)
        + ", stateUrl="
        + Secrets.redactCredentials(stateUrl)
        + ", stateProperties="
        + masked(stateProperties)
        + ", threads="
        + threads
        + ", vars="
        + vars
        + (target.name() == null ? "" : ", target=" + target.name())
        + "]";
  }

  /**
   * What {@code ${env:NAME}} reads in this target: the target's secrets ({@code secrets:} of the
   * target), else the variables of {@code environment}.
   */
  public java.util.function.Function<String, String> environment(
      java.util.function.Function<String, String> environment) {
    requireNonNull(environment, "environment is null");
    if (target.secrets().isEmpty()) {
      return environment;
    }
    return name -> {
      String secret = target.secrets().get(name);
      return secret != null ? secret : environment.apply(name);
    };
  }

  /**
   * The target of {@code targets:} in sluice.yaml that the settings are for.
   *
   * @param name the target's name, or null when sluice.yaml declares no targets
   * @param secrets the values the target's {@code secrets:} references resolved to, by the name
   *     {@code ${env:NAME}} reads them under: hand them only to what needs them
   */
  public record Target(String name, Map<String, String> secrets) {
    public static final Target NONE = new Target(null, Map.of());

    public Target {
      secrets = Map.copyOf(secrets);
    }

    /** Shows the secrets' names, never their values. */
    @Override
    public String toString() {
      return "Target[name=" + name + ", secrets=" + new java.util.TreeSet<>(secrets.keySet()) + "]";
    }
  }

  private static Map<String, String> masked(Map<String, String> properties) {
    Map<String, String> masked = new LinkedHashMap<>(properties);
    masked.replaceAll((key, value) -> Secrets.isSecretName(key) ? Secrets.MASK : value);
    return masked;
  }
}
