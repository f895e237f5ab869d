package dev.sluice.core.project;

import dev.sluice.api.Location;
import dev.sluice.api.TableName;
import dev.sluice.api.Zone;
import dev.sluice.api.engine.Engines;
import dev.sluice.api.engine.ParquetCompression;
import dev.sluice.core.project.PropertiesParser.ModelProperties;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Builds a model from its SQL file and properties. The SQL is rendered once in "parse" mode (as dbt
 * does) to find its refs, sources and config() values; config() wins over the properties.
 */
final class ModelParser {
  private static final List<String> ZONES = List.of("raw", "curated", "published");
  private static final List<String> MATERIALIZATIONS =
      List.of(
          "view",
          "table",
          "incremental",
          "incremental_by_time_range",
          "incremental_by_partition",
          "snapshot");

  /** A model's SQL file, before parsing. */
  record ModelFile(String name, Path sqlFile, String template, Optional<Zone> directoryZone) {
    String fileName() {
      return sqlFile.toString().replace('\\', '/');
    }

    Location location() {
      return new Location(fileName(), 1);
    }
  }

  /**
   * A parsed model and the SQL file line of each ref() and source() call, for messages, and the
   * values its SQL gives {@code config()} with their lines.
   */
  record ParsedModel(
      ModelDef model,
      Map<String, Integer> refLines,
      Map<SourceRef, Integer> sourceLines,
      Map<String, Object> config,
      Map<String, Integer> configLines,
      FullBuildRenderings.ParseRendering rendering) {
    /** Without its rendering for a full build (a dbt project's model). */
    ParsedModel(
        ModelDef model,
        Map<String, Integer> refLines,
        Map<SourceRef, Integer> sourceLines,
        Map<String, Object> config,
        Map<String, Integer> configLines) {
      this(model, refLines, sourceLines, config, configLines, null);
    }
  }

  private ModelParser() {}

  static ParsedModel parse(
      ModelFile file, ModelProperties properties, ProjectConfig config, Problems problems) {
    return parse(file, properties, config, null, problems);
  }

  /** As {@link #parse(ModelFile, ModelProperties, ProjectConfig, DbtTemplates, Problems)}. */
  static ParsedModel parse(
      ModelFile file,
      ModelProperties properties,
      ProjectConfig config,
      DbtTemplates dbt,
      Problems problems) {
    return parse(file, properties, config, dbt, name -> new TableName("curated", name), problems);
  }

  /**
   * As {@link #parse(ModelFile, ModelProperties, ProjectConfig, Problems)}; a dbt project's model
   * ({@code dbt}: its macros and globals, null for a Sluice project's) may give {@code config()}
   * any key, as dbt's adapters read keys of their own.
   *
   * @param refTables the table a {@code ref()} name renders as while loading: the table the model
   *     or seed of that name will have, as far as its file tells (its directory's zone), so that
   *     the rendering is a full build's ({@link FullBuildRenderings}); any table for an unknown
   *     name
   */
  static ParsedModel parse(
      ModelFile file,
      ModelProperties properties,
      ProjectConfig config,
      DbtTemplates dbt,
      Function<String, TableName> refTables,
      Problems problems) {
    String what = "model '" + file.name() + "'";
    if (!TableName.isIdentifier(file.name())) {
      problems.add(
          file.location(),
          "Invalid model name '" + file.name() + "'",
          "a model's name is its file name: letters, digits and '_'; rename the file");
    }
    if (file.template().isBlank()) {
      problems.add(file.location(), "Model '" + file.name() + "' has no SQL", "write one SELECT");
    }
    Zone preliminaryZone = file.directoryZone().orElse(Zone.CURATED);
    TableName preliminaryTable = new TableName(preliminaryZone.namespace(), file.name());
    // Render both branches of is_incremental() so that every ref and source is found.
    PartitionsDef partitions = properties == null ? null : properties.partitions();
    // a model that declares partitions (even wrongly: that is reported elsewhere) may use them
    Map<String, Object> partitionVariables =
        partitions != null
            ? PartitionVariables.placeholders(partitions)
            : properties != null && properties.declaresPartitions()
                ? PartitionVariables.generic()
                : Map.of();
    TemplateSession full = session(file, false, config, refTables, problems);
    // a template that does not call is_incremental() renders alike for an incremental run (a dbt
    // project's macros may call it)
    boolean rendersIncrementally = dbt != null || file.template().contains("is_incremental");
    TemplateSession incremental =
        rendersIncrementally ? session(file, true, config, refTables, problems) : full;
    if (dbt != null) {
      dbt.applyTo(full.allowAnyConfigKey());
      dbt.applyTo(incremental.allowAnyConfigKey());
    }
    String fullBuild =
        SqlRenderer.render(file.template(), full, preliminaryTable, partitionVariables);
    if (rendersIncrementally) {
      SqlRenderer.render(file.template(), incremental, preliminaryTable, partitionVariables);
    }

    Map<String, Object> configValues = new LinkedHashMap<>(incremental.config());
    configValues.putAll(full.config());
    Map<String, Integer> configLines = new LinkedHashMap<>(incremental.configLines());
    configLines.putAll(full.configLines());
    Map<String, Integer> refLines = new LinkedHashMap<>(full.refs());
    incremental.refs().forEach(refLines::putIfAbsent);
    Map<SourceRef, Integer> sourceLines = new LinkedHashMap<>(full.sources());
    incremental.sources().forEach(sourceLines::putIfAbsent);

    Settings settings = new Settings(file, configValues, configLines, properties, problems);
    Zone zone = zone(file, settings, problems);
    Materialization materialization = materialization(settings, dbt != null, problems);
    checkPartitions(file, settings, materialization, partitions, properties, problems);
    List<String> uniqueKey =
        settings.list("unique_key", PropertiesParser.ModelProperties::uniqueKey);
    List<String> tags = settings.list("tags", PropertiesParser.ModelProperties::tags);

    List<ColumnDef> columns = properties == null ? List.of() : properties.columns();
    List<CheckDef> checks = properties == null ? List.of() : properties.checks();
    ChecksParser.reportDuplicateNames(checks, columns, what, problems);
    ModelDef model =
        ModelDef.builder(file.name(), file.sqlFile(), file.template(), zone, file.location())
            .materialization(materialization)
            .uniqueKey(uniqueKey)
            .description(settings.text("description", ModelProperties::description))
            .owner(settings.text("owner", ModelProperties::owner))
            .tier(settings.text("tier", ModelProperties::tier))
            .tags(tags)
            .columns(columns)
            .checks(checks)
            .refs(refLines.keySet())
            .sources(sourceLines.keySet())
            .execution(execution(settings, config, problems))
            .partitions(materialization.partitioned() ? partitions : null)
            .onSchemaChange(onSchemaChange(settings, problems))
            .retention(properties == null ? null : properties.retention())
            .maintenance(properties == null ? null : properties.maintenance())
            .contract(properties == null ? null : properties.contract())
            .freshness(properties == null ? null : properties.freshness())
            .parquet(parquet(settings, configValues, properties, problems))
            .snapshot(
                snapshot(
                    file,
                    settings,
                    configValues,
                    configLines,
                    properties,
                    materialization,
                    uniqueKey,
                    problems))
            .build();
    return new ParsedModel(
        model,
        refLines,
        sourceLines,
        configValues,
        configLines,
        dbt != null
            ? null
            : new FullBuildRenderings.ParseRendering(
                file.template(),
                SqlRenderer.withoutTrailingSemicolon(fullBuild),
                preliminaryTable,
                resolved(full.refs().keySet(), refTables),
                resolved(full.sources().keySet(), ModelParser::sourceTable),
                config.vars(),
                partitionVariables));
  }

  private static <K> Map<K, TableName> resolved(
      java.util.Set<K> names, Function<K, TableName> resolver) {
    Map<K, TableName> tables = new LinkedHashMap<>();
    for (K name : names) {
      TableName table = resolver.apply(name);
      if (table != null) {
        tables.put(name, table);
      }
    }
    return tables;
  }

  /** The table a {@code source()} renders as while loading: a source table's own. */
  private static TableName sourceTable(SourceRef source) {
    return source.source().isEmpty() || source.table().isEmpty()
        ? null
        : new TableName("raw", source.source() + "_" + source.table());
  }

  /**
   * How a snapshot keeps history: its {@code config()} values over its properties' {@code
   * snapshot:} block (a dbt snapshot's: over the {@code snapshots:} tree); null for other models.
   */
  private static SnapshotDef snapshot(
      ModelFile file,
      Settings settings,
      Map<String, Object> configValues,
      Map<String, Integer> configLines,
      ModelProperties properties,
      Materialization materialization,
      List<String> uniqueKey,
      Problems problems) {
    Map<String, DbtConfigTree.Setting> snapshot =
        new LinkedHashMap<>(properties == null ? Map.of() : properties.snapshot());
    configValues.forEach(
        (key, value) -> {
          if (SnapshotDef.KEYS.contains(key)) {
            snapshot.put(
                key,
                new DbtConfigTree.Setting(
                    value, new Location(file.fileName(), configLines.get(key))));
          }
        });
    if (materialization != Materialization.SNAPSHOT) {
      if (properties != null && !properties.snapshot().isEmpty()) {
        problems.add(
            properties.snapshot().values().iterator().next().location(),
            "Model '"
                + file.name()
                + "' has snapshot settings but is not materialized as a snapshot",
            "set materialized: snapshot, or remove the snapshot settings");
      }
      return null;
    }
    return SnapshotDef.parse(
            snapshot,
            uniqueKey,
            "snapshot '" + file.name() + "'",
            settings.location("materialized", ModelProperties::materializedLocation),
            problems)
        .orElse(null);
  }

  /**
   * The model's own Parquet compression: {@code config(parquet={...})} in its SQL, else {@code
   * parquet:} in its properties, else null for the project's.
   */
  private static ParquetCompression parquet(
      Settings settings,
      Map<String, Object> configValues,
      ModelProperties properties,
      Problems problems) {
    if (configValues.containsKey(ParquetParser.KEY)) {
      return ParquetParser.fromConfig(
              configValues.get(ParquetParser.KEY),
              settings.location(ParquetParser.KEY, ModelProperties::location),
              problems)
          .orElse(null);
    }
    return properties == null ? null : properties.parquet();
  }

  private static Execution execution(Settings settings, ProjectConfig config, Problems problems) {
    Execution execution =
        Execution.read(
            settings.scalar("retries", ModelProperties::retries),
            settings.location("retries", ModelProperties::retriesLocation),
            settings.scalar("timeout", ModelProperties::timeout),
            settings.location("timeout", ModelProperties::timeoutLocation),
            config.execution(),
            problems);
    Optional<String> engine = settings.string("engine", ModelProperties::engine);
    if (engine.isPresent()) {
      String name = engine.get().strip();
      if (Engines.find(name).isPresent()) {
        execution = execution.onEngine(name);
      } else {
        problems.add(
            settings.location("engine", ModelProperties::engineLocation),
            "Unknown engine '" + name + "'",
            Suggestions.hint(name, Engines.names(), "the installed engines are")
                + " (an engine is installed by putting its jar on the class path)");
      }
    }
    String memoryLimit =
        MemoryLimits.read(
            settings.string("memory_limit", ModelProperties::memoryLimit).orElse(null),
            settings.location("memory_limit", ModelProperties::memoryLimitLocation),
            "memory_limit",
            problems);
    if (memoryLimit != null) {
      execution = execution.withMemoryLimit(memoryLimit);
    }
    Optional<String> pool = settings.string("pool", ModelProperties::pool);
    if (pool.isEmpty()) {
      return execution;
    }
    if (!config.pools().containsKey(pool.get())) {
      problems.add(
          settings.location("pool", ModelProperties::poolLocation),
          "Unknown pool '" + pool.get() + "'",
          config.pools().isEmpty()
              ? "declare it in sluice.yaml, e.g. pools: {" + pool.get() + ": 2}"
              : Suggestions.hint(pool.get(), config.pools().keySet(), "the pools are"));
      return execution;
    }
    return execution.inPool(pool.get());
  }

  private static TemplateSession session(
      ModelFile file,
      boolean incremental,
      ProjectConfig config,
      Function<String, TableName> refTables,
      Problems problems) {
    return new TemplateSession(
        Location.of(file.fileName()),
        true,
        incremental,
        true,
        config.vars(),
        name -> name.isEmpty() ? null : refTables.apply(name),
        (source, table) -> sourceTable(new SourceRef(source, table)),
        problems);
  }

  private static void checkPartitions(
      ModelFile file,
      Settings settings,
      Materialization materialization,
      PartitionsDef partitions,
      ModelProperties properties,
      Problems problems) {
    Location location = settings.location("materialized", ModelProperties::materializedLocation);
    String name = file.name();
    if (materialization.partitioned() && partitions == null) {
      if (properties == null
          || properties.partitionsLocation() == null
          || properties.partitionsLocation().equals(properties.location())) {
        problems.add(
            location,
            "Model '"
                + name
                + "' is materialized "
                + lowerCase(materialization)
                + " but declares no partitions",
            "add 'partitions:' to its properties, e.g. partitions: [{column: day, grain: day,"
                + " start: 2024-01-01}]");
      }
      return;
    }
    if (partitions == null) {
      return;
    }
    if (!materialization.partitioned()) {
      problems.add(
          properties.partitionsLocation(),
          "Model '"
              + name
              + "' declares partitions but is materialized "
              + lowerCase(materialization),
          "set materialized: "
              + (partitions.time().isPresent()
                  ? "incremental_by_time_range"
                  : "incremental_by_partition"));
    } else if (materialization == Materialization.INCREMENTAL_BY_TIME_RANGE
        && partitions.time().isEmpty()) {
      problems.add(
          location,
          "Model '" + name + "' is incremental_by_time_range but has no time dimension",
          "add one (column, grain, start) or set materialized: incremental_by_partition");
    }
    if (!settings.list("unique_key", ModelProperties::uniqueKey).isEmpty()) {
      problems.add(
          location,
          "Model '" + name + "' is partitioned and has a unique_key",
          "a partitioned model replaces whole partitions; remove unique_key");
    }
  }

  private static String lowerCase(Materialization materialization) {
    return materialization.name().toLowerCase(Locale.ROOT);
  }

  private static Zone zone(ModelFile file, Settings settings, Problems problems) {
    Optional<String> declared = settings.string("zone", ModelProperties::zone);
    if (declared.isEmpty()) {
      return file.directoryZone().orElse(Zone.CURATED);
    }
    Location location = settings.location("zone", ModelProperties::zoneLocation);
    Optional<Zone> zone = Zone.fromName(declared.get());
    if (zone.isEmpty()) {
      problems.add(
          location,
          "Unknown zone '" + declared.get() + "'",
          Suggestions.hint(declared.get(), ZONES, "zones"));
      return file.directoryZone().orElse(Zone.CURATED);
    }
    if (file.directoryZone().isPresent() && file.directoryZone().get() != zone.get()) {
      Zone directoryZone = file.directoryZone().get();
      problems.add(
          location,
          "Model '"
              + file.name()
              + "' is in models/"
              + directoryZone.namespace()
              + "/, so its zone is "
              + directoryZone.namespace()
              + ", but zone "
              + zone.get().namespace()
              + " is set",
          "remove the zone setting or move the file");
      return directoryZone;
    }
    return zone.get();
  }

  private static OnSchemaChange onSchemaChange(Settings settings, Problems problems) {
    Optional<String> text = settings.string("on_schema_change", ModelProperties::onSchemaChange);
    if (text.isEmpty()) {
      return OnSchemaChange.IGNORE; // dbt's default
    }
    for (OnSchemaChange value : OnSchemaChange.values()) {
      if (value.name().equalsIgnoreCase(text.get().strip())) {
        return value;
      }
    }
    problems.add(
        settings.location("on_schema_change", ModelProperties::onSchemaChangeLocation),
        "Unknown on_schema_change '" + text.get() + "'",
        "write ignore (the default), fail, append_new_columns or sync_all_columns");
    return OnSchemaChange.IGNORE;
  }

  private static Materialization materialization(
      Settings settings, boolean dbt, Problems problems) {
    Optional<String> text = settings.string("materialized", ModelProperties::materialized);
    if (text.isEmpty()) {
      return Materialization.TABLE;
    }
    for (Materialization value : Materialization.values()) {
      // ephemeral models are dbt's (docs/dbt.md)
      if (value.name().equalsIgnoreCase(text.get())
          && (dbt || value != Materialization.EPHEMERAL)) {
        return value;
      }
    }
    problems.add(
        settings.location("materialized", ModelProperties::materializedLocation),
        "Unknown materialization '" + text.get() + "'",
        Suggestions.hint(
            text.get().toLowerCase(Locale.ROOT), MATERIALIZATIONS, "materializations"));
    return Materialization.TABLE;
  }

  /** A model setting from config() in the SQL, else from the properties. */
  private static final class Settings {
    private final ModelFile file;
    private final Map<String, Object> config;
    private final Map<String, Integer> configLines;
    private final ModelProperties properties;
    private final Problems problems;

    Settings(
        ModelFile file,
        Map<String, Object> config,
        Map<String, Integer> configLines,
        ModelProperties properties,
        Problems problems) {
      this.file = file;
      this.config = config;
      this.configLines = configLines;
      this.properties = properties;
      this.problems = problems;
    }

    Location location(String key, Function<ModelProperties, Location> fromProperties) {
      if (config.containsKey(key)) {
        return new Location(file.fileName(), configLines.get(key));
      }
      return properties == null ? file.location() : fromProperties.apply(properties);
    }

    Optional<String> string(String key, Function<ModelProperties, String> fromProperties) {
      if (config.containsKey(key)) {
        Object value = config.get(key);
        if (value instanceof String text) {
          return Optional.of(text);
        }
        problems.add(
            new Location(file.fileName(), configLines.get(key)),
            "config() value '" + key + "' must be text, got " + value,
            "write e.g. config(" + key + "='...')");
        return Optional.empty();
      }
      return Optional.ofNullable(properties == null ? null : fromProperties.apply(properties));
    }

    /** A setting that may be a number or text in config(), as text. */
    String scalar(String key, Function<ModelProperties, String> fromProperties) {
      if (config.containsKey(key) && config.get(key) instanceof Number number) {
        return number.toString();
      }
      return text(key, fromProperties);
    }

    String text(String key, Function<ModelProperties, String> fromProperties) {
      return string(key, fromProperties).orElse(null);
    }

    List<String> list(String key, Function<ModelProperties, List<String>> fromProperties) {
      if (config.containsKey(key)) {
        Object value = config.get(key);
        if (value instanceof String text) {
          return List.of(text);
        }
        if (value instanceof List<?> items && items.stream().allMatch(String.class::isInstance)) {
          List<String> list = new ArrayList<>();
          items.forEach(item -> list.add((String) item));
          return List.copyOf(list);
        }
        problems.add(
            new Location(file.fileName(), configLines.get(key)),
            "config() value '" + key + "' must be a name or a list of names, got " + value,
            "write e.g. config(" + key + "=['a', 'b'])");
        return List.of();
      }
      return properties == null ? List.of() : fromProperties.apply(properties);
    }
  }
}
