package dev.sluice.core.project;

import dev.sluice.api.Location;
import dev.sluice.api.TableName;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads the {@code sources:} of a dbt properties file into Sluice's sources. A dbt source names
 * tables that something else loads; Sluice reads those whose files it is told, as dbt-duckdb reads
 * them: an {@code external: {location: ...}} (dbt-external-tables) or {@code external_location} in
 * the source's or table's {@code meta:} or {@code config:} (dbt-duckdb; {@code {name}}, {@code
 * {identifier}} and {@code {schema}} are replaced), a CSV, Parquet or JSON file or glob relative to
 * the project. Each is a table of the {@code file} connector, loaded whole on every run into {@code
 * raw.<source>_<table>}, its columns' and its own data tests Sluice's checks of the load. A source
 * table without a location is a problem at its line: Sluice cannot read a table another tool wrote
 * to a DuckDB database.
 */
final class DbtSources {
  private static final Set<String> SOURCE_KEYS =
      Set.of(
          "name",
          "description",
          "database",
          "schema",
          "loaded_at_field",
          "freshness",
          "loader",
          "quoting",
          "tables",
          "meta",
          "config",
          "tags");
  private static final Set<String> TABLE_KEYS =
      Set.of(
          "name",
          "identifier",
          "description",
          "quoting",
          "loaded_at_field",
          "freshness",
          "external",
          "meta",
          "config",
          "columns",
          "data_tests",
          "tests",
          "tags");
  private static final List<String> EXTENSIONS =
      List.of(".csv", ".tsv", ".parquet", ".json", ".jsonl", ".ndjson");
  private static final Map<String, Duration> PERIODS =
      Map.of(
          "minute", Duration.ofMinutes(1), "hour", Duration.ofHours(1), "day", Duration.ofDays(1));

  private DbtSources() {}

  /**
   * A source table Sluice cannot read, left out of its source: a {@code source()} of it is a
   * problem at that call.
   *
   * @param location where the table is declared
   * @param reason why Sluice cannot read it
   */
  record Unreadable(SourceRef table, Location location, String reason, TableName relation) {}

  /**
   * The relation dbt reads for a source table without a location: {@code <schema>.<identifier>} of
   * the warehouse, in lower case as DuckDB names it; null when either is not a plain name.
   */
  static TableName relation(String schema, String identifier) {
    String namespace = schema.toLowerCase(Locale.ROOT);
    String name = identifier.toLowerCase(Locale.ROOT);
    return TableName.isIdentifier(namespace) && TableName.isIdentifier(name)
        ? new TableName(namespace, name)
        : null;
  }

  /**
   * A source of a properties file; problems are reported and a best effort returned. Its tables
   * without an external location are added to {@code unreadable}: dbt accepts such a table, and
   * Sluice does so while nothing reads it or tests it.
   */
  static Optional<SourceDef> source(
      String file,
      Node node,
      DbtTests tests,
      DbtDocs docs,
      List<Unreadable> unreadable,
      DbtResources resources,
      Problems problems) {
    Optional<YamlMap> maybeMap =
        YamlMap.lenient(file, node, "a source's properties", SOURCE_KEYS, problems);
    if (maybeMap.isEmpty()) {
      return Optional.empty();
    }
    YamlMap map = maybeMap.get();
    String name = map.requiredString("name", "name the source: '- name: jaffle_shop'");
    if (name == null) {
      return Optional.empty();
    }
    String what = "source '" + name + "'";
    String schema = Optional.ofNullable(map.string("schema")).orElse(name);
    String description = docs.description(map, docs.uniqueId("source", name));
    Setting sourceLocation = externalLocation(map, what);
    String sourceLoadedAt = map.string("loaded_at_field");
    Optional<FreshnessThresholds> sourceFreshness = freshness(map, what);
    List<SourceTableDef> tables = new ArrayList<>();
    Map<String, Location> seen = new HashMap<>();
    for (Node tableNode : map.list("tables")) {
      Optional<YamlMap> maybeTable =
          YamlMap.lenient(file, tableNode, "a table of " + what, TABLE_KEYS, problems);
      if (maybeTable.isEmpty()) {
        continue;
      }
      YamlMap table = maybeTable.get();
      String tableName = table.requiredString("name", "name the table: '- name: orders'");
      if (tableName == null) {
        continue;
      }
      Location previous = seen.putIfAbsent(tableName, table.location());
      if (previous != null) {
        problems.add(
            table.location(),
            "Table '" + tableName + "' of " + what + " is declared twice",
            "merge it with the one on line " + previous.line());
        continue;
      }
      String tableWhat = "source table '" + name + "." + tableName + "'";
      String identifier = Optional.ofNullable(table.string("identifier")).orElse(tableName);
      Setting location = externalLocation(table, tableWhat);
      if (location == null) {
        location = sourceLocation;
      }
      String uniqueId = docs.uniqueId("source", name + "." + tableName);
      resources.declareSource(uniqueId, declared(map, table, schema, identifier));
      resources.declare(uniqueId, DbtProperties.declared(table));
      List<ColumnDef> columns =
          DbtProperties.columns(table, name + "." + tableName, tableWhat, tests, docs, uniqueId);
      List<CheckDef> checks = tests.read(table, name + "." + tableName, tableWhat, null);
      String loadedAt = Optional.ofNullable(table.string("loaded_at_field")).orElse(sourceLoadedAt);
      Optional<FreshnessThresholds> thresholds =
          table.keys().contains("freshness") ? freshness(table, tableWhat) : sourceFreshness;
      if (location == null) {
        resources.declareWarehouseSource(
            uniqueId,
            new SourceDef(
                name,
                "warehouse",
                description,
                List.of(
                    table(
                            name,
                            tableName,
                            table,
                            docs.description(table, uniqueId),
                            columns,
                            checks)
                        .options(Map.of(), Map.of(), Set.of())
                        .build()),
                map.location()));
        String reason =
            tableWhat
                + " has no external location: Sluice cannot read a table that another tool loads"
                + " into a DuckDB database";
        String hint =
            "give it the file it is read from, as dbt-duckdb reads it: meta: {external_location:"
                + " 'data/"
                + identifier
                + ".csv'} (docs/dbt.md)";
        boolean tested =
            !checks.isEmpty() || columns.stream().anyMatch(column -> !column.checks().isEmpty());
        if (tested) {
          problems.add(table.location(), reason + ", so its data tests cannot run", hint);
        } else {
          unreadable.add(
              new Unreadable(
                  new SourceRef(name, tableName),
                  table.location(),
                  reason,
                  relation(schema, identifier)));
        }
        continue;
      }
      String path =
          String.valueOf(location.value())
              .replace("{name}", identifier)
              .replace("{identifier}", identifier)
              .replace("{schema}", schema)
              .strip();
      if (!readable(path)) {
        problems.add(
            location.location(),
            "The external location '" + path + "' of " + tableWhat + " is not supported",
            "Sluice reads a CSV, Parquet or JSON file or glob (.csv, .tsv, .parquet, .json,"
                + " .jsonl, .ndjson, also .gz) relative to the project; docs/dbt.md");
        continue;
      }
      FreshnessDef freshness =
          thresholds
              .map(
                  limits ->
                      new FreshnessDef(
                          limits.warn(),
                          limits.error(),
                          loadedAt,
                          null,
                          limits.location(),
                          loadedAt == null ? null : table.location()))
              .orElse(null);
      tables.add(
          table(name, tableName, table, docs.description(table, uniqueId), columns, checks)
              .options(
                  Map.of("path", path, "mode", "full"),
                  Map.of("path", location.location(), "mode", location.location()),
                  Set.of())
              .origin(path)
              .freshness(freshness)
              .build());
    }
    return Optional.of(new SourceDef(name, "file", description, tables, map.location()));
  }

  /** A dbt source table, read in full, with what its properties declare. */
  private static SourceTableDef.Builder table(
      String source,
      String name,
      YamlMap table,
      String description,
      List<ColumnDef> columns,
      List<CheckDef> checks) {
    return SourceTableDef.builder(source, name)
        .mode(LoadMode.FULL)
        .description(description)
        .tags(table.stringList("tags"))
        .columns(columns)
        .checks(checks)
        .location(table.location())
        .execution(Execution.DEFAULT);
  }

  /**
   * What a source table's properties declare that dbt compares for {@code state:modified} and lists
   * in the manifest: {@code database}, {@code schema}, {@code identifier}, {@code loader}, {@code
   * quoting}, {@code freshness} and {@code loaded_at_field} (the table's over the source's), {@code
   * external}, {@code config} (the source's and the table's), {@code meta} and {@code tags}.
   */
  private static Map<String, Object> declared(
      YamlMap source, YamlMap table, String schema, String identifier) {
    Map<String, Object> declared = new java.util.LinkedHashMap<>();
    declared.put("database", source.string("database"));
    declared.put("schema", schema);
    declared.put("identifier", identifier);
    declared.put("loader", Optional.ofNullable(source.string("loader")).orElse(""));
    Map<String, Object> quoting = new java.util.LinkedHashMap<>(source.freeMap("quoting"));
    quoting.putAll(table.freeMap("quoting"));
    declared.put("quoting", quoting);
    YamlMap freshnessOwner = table.keys().contains("freshness") ? table : source;
    declared.put("freshness", freshnessOwner.node("freshness").map(YamlFiles::toJava).orElse(null));
    declared.put(
        "loaded_at_field",
        Optional.ofNullable(table.string("loaded_at_field"))
            .orElse(source.string("loaded_at_field")));
    declared.put("external", table.node("external").map(YamlFiles::toJava).orElse(null));
    Map<String, Object> config = new java.util.LinkedHashMap<>(source.freeMap("config"));
    config.putAll(table.freeMap("config"));
    declared.put("config", config);
    Map<String, Object> meta = new java.util.LinkedHashMap<>(source.freeMap("meta"));
    meta.putAll(table.freeMap("meta"));
    declared.put("meta", meta);
    return declared;
  }

  /**
   * Adds the {@code event_time} of each table of a source (its own {@code config:}, else its
   * source's) to {@code eventTimes}, by {@code source.table}: what the batches of a microbatch
   * model filter it on. The source's problems are reported where it is read ({@link #source}).
   */
  static void eventTimes(String file, Node node, Map<String, String> eventTimes) {
    Optional<YamlMap> source =
        YamlMap.lenient(file, node, "a source's properties", SOURCE_KEYS, new Problems());
    String name = source.map(map -> map.string("name")).orElse(null);
    if (name == null) {
      return;
    }
    String sourceEventTime = eventTime(source.get());
    for (Node tableNode : source.get().list("tables")) {
      YamlMap.lenient(file, tableNode, "a table", TABLE_KEYS, new Problems())
          .ifPresent(
              table -> {
                String tableName = table.string("name");
                String column = Optional.ofNullable(eventTime(table)).orElse(sourceEventTime);
                if (tableName != null && column != null) {
                  eventTimes.put(name + "." + tableName, column);
                }
              });
    }
  }

  private static String eventTime(YamlMap map) {
    if (!map.has("config")) {
      return null;
    }
    return map.node("config")
        .flatMap(
            node ->
                YamlMap.lenient(map.file(), node, "config", Set.of("event_time"), new Problems()))
        .map(config -> config.string("event_time"))
        .filter(column -> !column.isBlank())
        .map(String::strip)
        .orElse(null);
  }

  /** A location and where it is written. */
  private record Setting(Object value, Location location) {}

  /** An {@code external: {location}}, or an {@code external_location} of meta or config. */
  private static Setting externalLocation(YamlMap map, String what) {
    for (String block : List.of("external", "meta", "config")) {
      if (!map.has(block)) {
        continue;
      }
      Optional<YamlMap> nested =
          map.node(block)
              .flatMap(
                  node ->
                      YamlMap.lenient(
                          map.file(),
                          node,
                          "'" + block + "' of " + what,
                          Set.of("location", "external_location"),
                          map.problems()));
      if (nested.isEmpty()) {
        continue;
      }
      String key = block.equals("external") ? "location" : "external_location";
      String value = nested.get().string(key);
      if (value != null && !value.isBlank()) {
        return new Setting(value, nested.get().location(key));
      }
    }
    return null;
  }

  private static boolean readable(String path) {
    if (path.contains("(") || (path.contains("://") && !path.startsWith("s3://"))) {
      return false;
    }
    String lower = path.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".gz")) {
      lower = lower.substring(0, lower.length() - ".gz".length());
    }
    for (String extension : EXTENSIONS) {
      if (lower.endsWith(extension)) {
        return true;
      }
    }
    return false;
  }

  /** dbt's thresholds: {@code warn_after: {count: 12, period: hour}}, {@code error_after}. */
  private record FreshnessThresholds(Duration warn, Duration error, Location location) {}

  private static Optional<FreshnessThresholds> freshness(YamlMap map, String what) {
    if (!map.has("freshness")) {
      return Optional.empty(); // none, or freshness: null, which turns it off as in dbt
    }
    Optional<YamlMap> block =
        map.node("freshness")
            .flatMap(
                node ->
                    YamlMap.lenient(
                        map.file(),
                        node,
                        "'freshness' of " + what,
                        Set.of("warn_after", "error_after", "filter"),
                        map.problems()));
    if (block.isEmpty()) {
      return Optional.empty();
    }
    YamlMap freshness = block.get();
    if (freshness.has("filter")) {
      map.problems()
          .add(
              freshness.location("filter"),
              "'filter' of the freshness of " + what + " is not supported by Sluice yet",
              "remove it; Sluice judges the freshness from all the rows (docs/dbt.md)");
    }
    Duration warn = after(freshness, "warn_after", what);
    Duration error = after(freshness, "error_after", what);
    if (warn == null && error == null) {
      return Optional.empty();
    }
    return Optional.of(new FreshnessThresholds(warn, error, map.location("freshness")));
  }

  private static Duration after(YamlMap freshness, String key, String what) {
    if (!freshness.has(key)) {
      return null;
    }
    Optional<YamlMap> block =
        freshness
            .node(key)
            .flatMap(
                node ->
                    YamlMap.lenient(
                        freshness.file(),
                        node,
                        key + " of " + what,
                        Set.of("count", "period"),
                        freshness.problems()));
    if (block.isEmpty()) {
      return null;
    }
    Integer count = block.get().integer("count", null);
    String period = block.get().string("period");
    Duration unit = period == null ? null : PERIODS.get(period.strip().toLowerCase(Locale.ROOT));
    if (count == null || count < 1 || unit == null) {
      freshness
          .problems()
          .add(
              freshness.location(key),
              key + " of " + what + " needs a count and a period (minute, hour or day)",
              "write e.g. " + key + ": {count: 12, period: hour}");
      return null;
    }
    return unit.multipliedBy(count);
  }
}
