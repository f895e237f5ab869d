package dev.sluice.core.project;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.Location;
import dev.sluice.api.Zone;
import dev.sluice.api.engine.EngineProvider;
import dev.sluice.api.engine.Engines;
import dev.sluice.objectstore.S3Location;
import dev.sluice.objectstore.S3Settings;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/** Reads {@code sluice.yaml}. */
final class ConfigParser {
  static final String FILE = "sluice.yaml";
  private static final Set<String> KEYS =
      Set.of(
          "name",
          "warehouse",
          "catalog",
          "state",
          "threads",
          "vars",
          "retries",
          "timeout",
          "schedules",
          "sensors",
          "pools",
          "s3",
          "engine",
          "zones",
          MaintenanceParser.KEY,
          "server",
          OpenLineageParser.KEY,
          AlertsParser.KEY,
          CostParser.KEY,
          BudgetsParser.KEY,
          TargetsParser.KEY,
          TargetsParser.DEFAULT_KEY,
          ParquetParser.KEY);
  private static final Set<String> ZONE_KEYS = Set.of(RetentionParser.KEY, "keep_snapshots");
  private static final Set<String> DATABASE_KEYS = Set.of("url", "user", "password");
  private static final Set<String> ENGINE_KEYS = Set.of("name", "memory_limit", "temp_directory");
  private static final Set<String> SERVER_KEYS =
      Set.of("host", "port", "flight_port", "tls", "oidc");
  private static final Set<String> TLS_KEYS = Set.of("key_store", "key_store_password");

  /**
   * A size as DuckDB takes it: a number and a unit, decimal (KB, MB, GB, TB) or binary (KiB...).
   */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");

  private static final String SQLITE = "jdbc:sqlite:";

  /** Where a warehouse in object storage keeps its local copies, relative to the project. */
  static final String OBJECT_STORE_WORK_DIRECTORY = ".sluice/s3";

  private ConfigParser() {}

  /**
   * Reads the settings. Problems are reported and replaced by defaults, so that the result is
   * always usable for the rest of the loading.
   */
  static ProjectConfig parse(
      Path root, Node node, Secrets secrets, ProjectConfig.Target target, Problems problems) {
    // a section named after an installed engine holds that engine's options (spark: {remote: ...})
    Set<String> keys = new java.util.HashSet<>(KEYS);
    keys.addAll(Engines.names());
    Optional<YamlMap> maybeMap = YamlMap.of(FILE, node, "sluice.yaml", keys, problems);
    if (maybeMap.isEmpty()) {
      return defaults(root, "invalid");
    }
    YamlMap map = maybeMap.get();
    String name = map.requiredString("name", "add e.g. 'name: shop' (letters, digits, _ and -)");
    if (name != null && !NAME.matcher(name).matches()) {
      problems.add(
          map.location("name"),
          "Invalid project name '" + name + "'",
          "use letters, digits, '_' and '-' only");
    }
    Path warehouse = root.resolve("warehouse");
    String warehouseText = map.string("warehouse");
    S3Block s3 = S3Block.parse(map, FILE, problems);
    S3Location objectStore = null;
    S3Settings storage = null;
    if (warehouseText != null && S3Location.isS3(warehouseText)) {
      try {
        objectStore = S3Location.parse(warehouseText);
        // the local copies of a warehouse in object storage live in the project's work directory
        warehouse = root.resolve(OBJECT_STORE_WORK_DIRECTORY);
        storage = s3.resolve(secrets, FILE, map.location("warehouse")).orElse(S3Settings.DEFAULT);
      } catch (InvalidInputException e) {
        problems.add(
            map.location("warehouse"),
            e.getMessage(),
            "write e.g. warehouse: s3://my-bucket/warehouse, or a local directory");
      }
    } else if (warehouseText != null) {
      try {
        warehouse = root.resolve(warehouseText).normalize();
      } catch (InvalidPathException e) {
        problems.add(map.location("warehouse"), "Invalid warehouse path: " + e.getMessage(), "");
      }
    }
    Integer threads = map.integer("threads", ProjectConfig.DEFAULT_THREADS);
    if (threads < 1) {
      problems.add(
          map.location("threads"),
          "'threads' must be at least 1, got " + threads,
          "write e.g. threads: 4");
      threads = ProjectConfig.DEFAULT_THREADS;
    }
    Database catalog = database(root, map, "catalog", ProjectConfig.DEFAULT_CATALOG_URL, secrets);
    Database state = database(root, map, "state", ProjectConfig.DEFAULT_STATE_URL, secrets);
    CostPrices cost = CostParser.parse(map);
    return new ProjectConfig(
        name == null ? "invalid" : name,
        warehouse,
        catalog.url,
        catalog.properties,
        state.url,
        state.properties,
        threads,
        map.freeMap("vars"),
        Execution.read(
            map.string("retries"),
            map.location("retries"),
            map.string("timeout"),
            map.location("timeout"),
            Execution.DEFAULT,
            problems),
        ScheduleParser.parse(map, FILE, problems),
        ScheduleParser.parseSensors(map, FILE, problems),
        pools(map, problems),
        objectStore,
        storage,
        s3,
        engine(root, map, secrets, problems),
        zones(map),
        MaintenanceParser.parse(map, "sluice.yaml").orElse(null),
        server(root, map, secrets, problems),
        OpenLineageParser.parse(root, map, name == null ? "invalid" : name, secrets).orElse(null),
        AlertsParser.parse(map, secrets),
        cost,
        BudgetsParser.parse(map, cost),
        ParquetParser.parse(map, FILE, problems)
            .orElse(dev.sluice.api.engine.ParquetCompression.DEFAULT),
        target);
  }

  /**
   * {@code server: {host: 0.0.0.0, port: 8270, flight_port: 8271, tls: {key_store:
   * certs/server.p12, key_store_password: ${env:SLUICE_TLS_PASSWORD}}}}: where {@code sluice serve}
   * listens.
   */
  private static ServerSettings server(Path root, YamlMap map, Secrets secrets, Problems problems) {
    Optional<YamlMap> maybeSection = map.map("server", "'server:' of sluice.yaml", SERVER_KEYS);
    if (maybeSection.isEmpty()) {
      return ServerSettings.NONE;
    }
    YamlMap section = maybeSection.get();
    String host = section.string("host");
    if (host != null && host.isBlank()) {
      problems.add(
          section.location("host"),
          "server.host is empty",
          "write an address to listen on, e.g. host: 127.0.0.1 (the default) or host: 0.0.0.0");
      host = null;
    }
    Integer port = section.integer("port", null);
    if (port != null && (port < 0 || port > 65535)) {
      problems.add(
          section.location("port"),
          "server.port must be between 0 and 65535, got " + port,
          "write e.g. port: 8270 (0 picks a free port)");
      port = null;
    }
    Integer flightPort = section.integer("flight_port", null);
    if (flightPort != null && (flightPort < 0 || flightPort > 65535)) {
      problems.add(
          section.location("flight_port"),
          "server.flight_port must be between 0 and 65535, got " + flightPort,
          "write e.g. flight_port: 8271 (0 picks a free port), or leave it out to serve no Flight"
              + " SQL");
      flightPort = null;
    }
    Path keyStore = null;
    String password = null;
    Optional<YamlMap> tls = section.map("tls", "'server.tls:' of sluice.yaml", TLS_KEYS);
    if (tls.isPresent()) {
      String path =
          tls.get()
              .requiredString(
                  "key_store", "add e.g. 'key_store: certs/server.p12' (PKCS12 or JKS)");
      if (path != null) {
        try {
          keyStore = root.resolve(path.strip()).toAbsolutePath().normalize();
          if (!java.nio.file.Files.isRegularFile(keyStore)) {
            problems.add(
                tls.get().location("key_store"),
                "The TLS key store " + path.strip() + " does not exist",
                "the path is relative to the project directory; create one with e.g. keytool"
                    + " -genkeypair -storetype PKCS12 -keystore "
                    + path.strip());
            keyStore = null;
          }
        } catch (InvalidPathException e) {
          problems.add(
              tls.get().location("key_store"),
              "Invalid server.tls.key_store: " + e.getMessage(),
              "");
        }
      }
      String reference =
          tls.get()
              .requiredString(
                  "key_store_password",
                  "add e.g. 'key_store_password: ${env:SLUICE_TLS_PASSWORD}' (by reference)");
      if (reference != null) {
        password =
            secrets
                .resolve(
                    reference,
                    "server.tls.key_store_password",
                    tls.get().location("key_store_password"))
                .orElse(null);
      }
    }
    return new ServerSettings(
        host == null ? null : host.strip(),
        port,
        flightPort,
        keyStore,
        password,
        OidcParser.parse(section, secrets),
        section.location());
  }

  /**
   * {@code zones: {raw: {retention: {column: loaded_at, keep: 90d}, keep_snapshots: 7d}}}: what
   * applies to every table of a zone.
   */
  private static Map<Zone, ZoneSettings> zones(YamlMap map) {
    Map<Zone, ZoneSettings> zones = new java.util.EnumMap<>(Zone.class);
    Set<String> names = new java.util.TreeSet<>();
    for (Zone zone : Zone.values()) {
      names.add(zone.namespace());
    }
    map.map("zones", "'zones:' of sluice.yaml", names)
        .ifPresent(
            section -> {
              for (Zone zone : Zone.values()) {
                String what = "zone '" + zone.namespace() + "' in sluice.yaml";
                section
                    .map(zone.namespace(), what, ZONE_KEYS)
                    .ifPresent(
                        settings ->
                            zones.put(
                                zone,
                                new ZoneSettings(
                                    RetentionParser.parse(settings, what).orElse(null),
                                    RetentionParser.age(
                                        settings, "keep_snapshots", "keep_snapshots: 7d"),
                                    section.location(zone.namespace()))));
              }
            });
    return zones;
  }

  /**
   * {@code engine: duckdb}, or {@code engine: {name: duckdb, memory_limit: 4GB, temp_directory:
   * .sluice/tmp}}: the name of an installed engine ({@link Engines}), {@code duckdb} when none is
   * given.
   */
  private static EngineConfig engine(Path root, YamlMap map, Secrets secrets, Problems problems) {
    EngineConfig defaults = EngineConfig.defaults(root);
    Map<String, Map<String, String>> options = engineOptions(map, secrets);
    Optional<Node> node = map.node("engine");
    if (node.isEmpty()) {
      return new EngineConfig(defaults.name(), null, defaults.tempDirectory(), options);
    }
    if (node.get() instanceof ScalarNode) {
      String name = installed(map.string("engine"), map.location("engine"), problems);
      return new EngineConfig(name, null, defaults.tempDirectory(), options);
    }
    Optional<YamlMap> maybeSection = map.map("engine", "'engine:' of sluice.yaml", ENGINE_KEYS);
    if (maybeSection.isEmpty()) {
      return new EngineConfig(defaults.name(), null, defaults.tempDirectory(), options);
    }
    YamlMap section = maybeSection.get();
    String name =
        section.has("name")
            ? installed(section.string("name"), section.location("name"), problems)
            : defaults.name();
    String memoryLimit =
        MemoryLimits.read(
            section.string("memory_limit"),
            section.location("memory_limit"),
            "engine.memory_limit",
            problems);
    Path tempDirectory = defaults.tempDirectory();
    String tempText = section.string("temp_directory");
    if (tempText != null) {
      try {
        tempDirectory = root.resolve(tempText).toAbsolutePath().normalize();
      } catch (InvalidPathException e) {
        problems.add(
            section.location("temp_directory"),
            "Invalid engine.temp_directory: " + e.getMessage(),
            "write a directory, relative to the project or absolute");
      }
    }
    return new EngineConfig(
        name,
        memoryLimit,
        tempDirectory,
        options,
        section.has("memory_limit") ? section.location("memory_limit") : null,
        section.has("temp_directory")
            ? section.location("temp_directory")
            : Location.of("sluice.yaml"));
  }

  /**
   * The sections named after installed engines, e.g. {@code spark: {remote: "sc://host:15002",
   * token: ${env:SPARK_TOKEN}}}: each engine's options, the keys it declares ({@link
   * EngineProvider#options()}), secrets by reference only.
   */
  private static Map<String, Map<String, String>> engineOptions(YamlMap map, Secrets secrets) {
    Map<String, Map<String, String>> options = new java.util.TreeMap<>();
    for (String engine : Engines.names()) {
      if (!map.has(engine)) {
        continue;
      }
      EngineProvider provider = Engines.find(engine).orElseThrow();
      String what = "'" + engine + ":' of sluice.yaml";
      map.map(engine, what, provider.options())
          .ifPresent(
              section -> {
                Map<String, String> values = new java.util.TreeMap<>();
                for (String key : section.keys()) {
                  String value = section.string(key);
                  if (value == null) {
                    continue;
                  }
                  if (dev.sluice.api.Secrets.isSecretName(key) || value.strip().startsWith("${")) {
                    secrets
                        .resolve(value, engine + "." + key, section.location(key))
                        .ifPresent(secret -> values.put(key, secret));
                  } else {
                    values.put(key, value.strip());
                  }
                }
                options.put(engine, values);
              });
    }
    return options;
  }

  /** The name of an installed engine; an unknown one is reported and the default taken. */
  private static String installed(String name, Location location, Problems problems) {
    if (name == null) {
      return Engines.DEFAULT;
    }
    String trimmed = name.strip();
    if (Engines.find(trimmed).isPresent()) {
      return trimmed;
    }
    List<String> names = Engines.names();
    problems.add(
        location,
        "Unknown engine '"
            + trimmed
            + "'; the installed engines are: "
            + (names.isEmpty() ? "none" : String.join(", ", names)),
        "write e.g. engine: " + Engines.DEFAULT + ", or put the engine's jar on the class path");
    return Engines.DEFAULT;
  }

  static ProjectConfig defaults(Path root, String name) {
    return defaults(root, name, Map.of(), ProjectConfig.DEFAULT_THREADS);
  }

  /** The defaults, with the values of {@code var()} and how many models run at once. */
  static ProjectConfig defaults(Path root, String name, Map<String, Object> vars, int threads) {
    return new ProjectConfig(
        name,
        root.resolve("warehouse"),
        resolveSqlite(root, ProjectConfig.DEFAULT_CATALOG_URL),
        Map.of(),
        resolveSqlite(root, ProjectConfig.DEFAULT_STATE_URL),
        Map.of(),
        threads,
        vars,
        Execution.DEFAULT,
        java.util.List.of(),
        java.util.List.of(),
        Map.of(),
        null,
        null,
        S3Block.EMPTY,
        EngineConfig.defaults(root),
        Map.of(),
        null,
        ServerSettings.NONE,
        null,
        AlertsConfig.NONE,
        CostPrices.NONE,
        java.util.List.of(),
        dev.sluice.api.engine.ParquetCompression.DEFAULT,
        ProjectConfig.Target.NONE);
  }

  /** {@code pools: {warehouse: 2}}: named pools and their slots. */
  private static Map<String, Integer> pools(YamlMap map, Problems problems) {
    Map<String, Integer> pools = new LinkedHashMap<>();
    map.freeMap("pools")
        .forEach(
            (name, slots) -> {
              int count;
              try {
                count = Integer.parseInt(String.valueOf(slots).trim());
              } catch (NumberFormatException e) {
                count = 0;
              }
              if (count < 1) {
                problems.add(
                    map.location("pools"),
                    "Pool '" + name + "' must have at least 1 slot, got '" + slots + "'",
                    "write e.g. pools: {warehouse: 2}");
              } else {
                pools.put(name, count);
              }
            });
    return pools;
  }

  private record Database(String url, Map<String, String> properties) {}

  private static Database database(
      Path root, YamlMap map, String key, String defaultUrl, Secrets secrets) {
    Optional<YamlMap> maybeSection = map.map(key, "'" + key + ":' of sluice.yaml", DATABASE_KEYS);
    if (maybeSection.isEmpty()) {
      return new Database(resolveSqlite(root, defaultUrl), Map.of());
    }
    YamlMap section = maybeSection.get();
    String url = section.string("url");
    if (url == null) {
      url = defaultUrl;
    } else if (!url.startsWith("jdbc:")) {
      section
          .problems()
          .add(
              section.location("url"),
              key + ".url must be a JDBC URL, got '" + url + "'",
              "write e.g. jdbc:sqlite:.sluice/" + key + ".db or jdbc:postgresql://host:5432/db");
      url = defaultUrl;
    }
    Map<String, String> properties = new LinkedHashMap<>();
    for (String secretKey : new String[] {"user", "password"}) {
      String reference = section.string(secretKey);
      if (reference != null) {
        secrets
            .resolve(reference, key + "." + secretKey, section.location(secretKey))
            .ifPresent(value -> properties.put(secretKey, value));
      }
    }
    return new Database(resolveSqlite(root, url), properties);
  }

  /** Makes the file of a SQLite URL absolute, relative to the project, so any directory works. */
  static String resolveSqlite(Path root, String url) {
    if (!url.startsWith(SQLITE)) {
      return url;
    }
    String rest = url.substring(SQLITE.length());
    if (rest.isEmpty() || rest.startsWith(":") || rest.startsWith("file:")) {
      return url;
    }
    int query = rest.indexOf('?');
    String file = query < 0 ? rest : rest.substring(0, query);
    String parameters = query < 0 ? "" : rest.substring(query);
    try {
      Path path = Path.of(file);
      return path.isAbsolute() ? url : SQLITE + root.resolve(path).normalize() + parameters;
    } catch (InvalidPathException e) {
      return url;
    }
  }
}
