package dev.sluice.core.project;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.Location;
import dev.sluice.api.TableName;
import dev.sluice.api.connector.ConnectorOption;
import dev.sluice.api.connector.ConnectorOptions;
import dev.sluice.api.connector.SourceConnector;
import dev.sluice.api.connector.SourceConnectors;
import dev.sluice.objectstore.S3Location;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** Reads one {@code sources/*.yaml} file. */
final class SourceParser {
  private static final Set<String> KEYS =
      Set.of("name", "connector", "description", "options", "schema_drift", "tables", "s3");
  private static final Set<String> TABLE_KEYS =
      Set.of(
          "name",
          "path",
          "format",
          "mode",
          "on_error",
          "csv",
          "description",
          "owner",
          "tags",
          "columns",
          "checks",
          "retries",
          "timeout",
          "pool",
          "schema_drift");
  private static final Set<String> CSV_KEYS =
      Set.of(
          "delimiter",
          "header",
          "quote",
          "escape",
          "null_string",
          "date_format",
          "timestamp_format");

  /** The keys of a table of a source whose connector is not {@code file}. */
  private static final Set<String> CONNECTOR_TABLE_KEYS =
      Set.of(
          "name",
          "options",
          "on_error",
          "description",
          "owner",
          "tags",
          "columns",
          "checks",
          "retries",
          "timeout",
          "pool",
          "schema_drift");

  private static final String DRIFT_VALUES =
      "evolve (add new columns, widen types), freeze (fail on any change) or discard (drop new"
          + " columns)";

  private static final Pattern REFERENCE =
      Pattern.compile("\\$\\{(env:[A-Za-z_][A-Za-z0-9_]*|file:[^}]+)}");
  private static final Set<String> FORMATS = Set.of("csv", "json", "parquet");

  private SourceParser() {}

  /**
   * Reads a source file.
   *
   * @param projectS3 the {@code s3:} block of sluice.yaml, which file sources reading {@code s3://}
   *     paths inherit (their own {@code s3:} block takes precedence)
   */
  static Optional<SourceDef> parse(
      String file, Node node, Execution defaults, S3Block projectS3, Problems problems) {
    Optional<YamlMap> maybeMap = YamlMap.of(file, node, "a source file", KEYS, problems);
    if (maybeMap.isEmpty()) {
      return Optional.empty();
    }
    YamlMap map = maybeMap.get();
    String fileName = Path.of(file).getFileName().toString();
    String defaultName = fileName.substring(0, fileName.lastIndexOf('.'));
    String name = map.has("name") ? map.string("name") : defaultName;
    if (name == null) {
      return Optional.empty();
    }
    if (!TableName.isIdentifier(name)) {
      problems.add(
          map.has("name") ? map.location("name") : map.location(),
          "Invalid source name '" + name + "'",
          "a source name is letters, digits and '_' (it becomes part of table names);"
              + (map.has("name") ? "" : " set 'name:' or rename the file"));
    }
    String connector = map.has("connector") ? map.string("connector") : "file";
    SourceConnector installed = null;
    if (connector != null) {
      installed = SourceConnectors.find(connector).orElse(null);
      if (installed == null) {
        List<String> names = SourceConnectors.all().stream().map(SourceConnector::type).toList();
        problems.add(
            map.location("connector"),
            "Unknown connector '" + connector + "'",
            Suggestions.closest(connector, names)
                .map(s -> "did you mean '" + s + "'?")
                .orElse("the connectors are: " + String.join(", ", names)));
      }
    }
    boolean files = connector == null || connector.equals("file");
    Map<String, OptionValue> sourceOptions = Map.of();
    if (map.has("options")) {
      if (files) {
        problems.add(
            map.location("options"),
            "File sources take no 'options:'",
            "give CSV options in a table's 'csv:' block");
      } else if (installed != null) {
        sourceOptions = options(map, installed, problems);
      }
    }
    S3Block s3 = projectS3;
    if (map.has("s3")) {
      if (files) {
        s3 = projectS3.overriddenBy(S3Block.parse(map, file, problems));
      } else {
        problems.add(
            map.location("s3"),
            "'s3:' applies only to file sources",
            "give the settings of connector '" + connector + "' in 'options:'");
      }
    }
    SchemaDrift drift =
        choice(map, "schema_drift", SchemaDrift.class, SchemaDrift.EVOLVE, DRIFT_VALUES);
    SchemaDrift sourceDrift = drift == null ? SchemaDrift.EVOLVE : drift;
    List<Node> tableNodes = map.list("tables");
    if (tableNodes.isEmpty()) {
      problems.add(
          map.location(),
          "Source '" + name + "' has no tables",
          "add 'tables:' with e.g. '- name: orders' and 'path: data/orders/*.csv'");
    }
    List<SourceTableDef> tables = new ArrayList<>();
    Map<String, Location> seen = new HashMap<>();
    for (Node tableNode : tableNodes) {
      Optional<SourceTableDef> parsed;
      if (files) {
        parsed = table(name, map.file(), tableNode, defaults, sourceDrift, s3, problems);
      } else if (installed != null) {
        parsed =
            connectorTable(
                name,
                installed,
                sourceOptions,
                map.file(),
                tableNode,
                defaults,
                sourceDrift,
                problems);
      } else {
        parsed = Optional.empty();
      }
      parsed.ifPresent(
          table -> {
            Location previous = seen.putIfAbsent(table.name(), table.location());
            if (previous != null) {
              problems.add(
                  table.location(),
                  "Table '" + table.name() + "' of source '" + name + "' is declared twice",
                  "the other one is on line " + previous.line());
            } else {
              tables.add(table);
            }
          });
    }
    return Optional.of(
        new SourceDef(
            name,
            connector == null ? "file" : connector,
            map.string("description"),
            tables,
            map.location()));
  }

  /** An option's value as written (a secret stays a reference) and where it was written. */
  private record OptionValue(String value, Location location) {}

  /**
   * A table of a source whose connector is not {@code file}: its options, validated against the
   * connector's, and what every table has (description, columns, checks, ...).
   */
  private static Optional<SourceTableDef> connectorTable(
      String source,
      SourceConnector connector,
      Map<String, OptionValue> sourceOptions,
      String file,
      Node node,
      Execution defaults,
      SchemaDrift sourceDrift,
      Problems problems) {
    Optional<TableStart> start = tableStart(source, file, node, CONNECTOR_TABLE_KEYS, problems);
    if (start.isEmpty()) {
      return Optional.empty();
    }
    YamlMap table = start.get().table();
    String name = start.get().name();
    boolean valid = start.get().validName();
    String what = "source table '" + source + "." + name + "'";
    Map<String, OptionValue> merged = new LinkedHashMap<>(sourceOptions);
    merged.putAll(options(table, connector, problems));
    for (ConnectorOption option : connector.options()) {
      if (option.required() && !merged.containsKey(option.name())) {
        problems.add(
            table.location(),
            "Missing option '" + option.name() + "' of " + what,
            "add it to 'options:' of the table or of the source: " + option.description());
        valid = false;
      }
    }
    Map<String, String> values = new LinkedHashMap<>();
    Map<String, Location> locations = new LinkedHashMap<>();
    merged.forEach(
        (key, value) -> {
          values.put(key, value.value());
          locations.put(key, value.location());
        });
    if (valid) {
      try {
        ConnectorOptions checked = ConnectorOptions.of(connector.options(), values, what);
        for (String problem : connector.validate(checked)) {
          problems.add(
              table.has("options") ? table.location("options") : table.location(),
              "Options of " + what + " cannot work: " + problem,
              "see `sluice connectors describe " + connector.type() + "`");
          valid = false;
        }
      } catch (InvalidInputException e) {
        // each option was checked above, where it is written; this is only a safety net
        problems.add(table.location(), e.getMessage(), "");
        valid = false;
      }
    }
    // connectors that can tell a bad record from a good one (e.g. kafka) quarantine it
    OnError onError = choice(table, "on_error", OnError.class, OnError.FAIL, "fail or quarantine");
    List<ColumnDef> columns = ChecksParser.columns(table, what);
    List<CheckDef> checks = ChecksParser.checks(table, what, null);
    ChecksParser.reportDuplicateNames(checks, columns, what, problems);
    SchemaDrift drift = choice(table, "schema_drift", SchemaDrift.class, sourceDrift, DRIFT_VALUES);
    if (!valid || onError == null || drift == null) {
      return Optional.empty();
    }
    String mode = values.getOrDefault("mode", "");
    return Optional.of(
        new SourceTableDef(
            source,
            name,
            "",
            "",
            mode.equalsIgnoreCase("full") || mode.isEmpty() ? LoadMode.FULL : LoadMode.APPEND,
            onError,
            Map.of(),
            table.string("description"),
            table.string("owner"),
            table.stringList("tags"),
            columns,
            checks,
            table.location(),
            execution(table, defaults, problems),
            values,
            locations,
            secretNames(connector),
            drift));
  }

  private static Set<String> secretNames(SourceConnector connector) {
    Set<String> names = new java.util.TreeSet<>();
    for (ConnectorOption option : connector.options()) {
      if (option.secret()) {
        names.add(option.name());
      }
    }
    return names;
  }

  /**
   * Reads an {@code options:} mapping: each key must be an option of the connector, and each value
   * of its type; a secret must be a reference. Messages never show a secret's value.
   */
  private static Map<String, OptionValue> options(
      YamlMap owner, SourceConnector connector, Problems problems) {
    Optional<Node> maybeNode = owner.node("options");
    if (maybeNode.isEmpty()) {
      return Map.of();
    }
    String file = owner.file();
    if (!(maybeNode.get() instanceof MappingNode mapping)) {
      problems.add(
          owner.location("options"),
          "'options' must be a mapping of option names to values, got "
              + YamlMap.describe(maybeNode.get()),
          "write e.g. 'options:' and on the next lines '  url: jdbc:postgresql://host/db'");
      return Map.of();
    }
    Map<String, ConnectorOption> declared = new LinkedHashMap<>();
    connector.options().forEach(option -> declared.put(option.name(), option));
    Map<String, OptionValue> values = new LinkedHashMap<>();
    for (NodeTuple tuple : mapping.getValue()) {
      Location keyLocation = YamlFiles.location(file, tuple.getKeyNode());
      String key = tuple.getKeyNode() instanceof ScalarNode scalar ? scalar.getValue() : null;
      ConnectorOption option = key == null ? null : declared.get(key);
      if (option == null) {
        problems.add(
            keyLocation,
            "Unknown option '" + key + "' of connector '" + connector.type() + "'",
            Suggestions.hint(
                String.valueOf(key), declared.keySet(), "the options of " + connector.type()));
        continue;
      }
      if (values.containsKey(key)) {
        problems.add(
            keyLocation,
            "Option '" + key + "' appears twice",
            "remove one of them (the other is on line " + values.get(key).location().line() + ")");
        continue;
      }
      Node valueNode = tuple.getValueNode();
      Location valueLocation = YamlFiles.location(file, valueNode);
      String value = optionText(option, valueNode, valueLocation, problems);
      if (value == null) {
        continue;
      }
      if (REFERENCE.matcher(value.strip()).matches()) {
        if (option.type() != ConnectorOption.Type.STRING) {
          problems.add(
              valueLocation,
              "Option '"
                  + key
                  + "' is a "
                  + option.type().displayName()
                  + " and cannot be a"
                  + " reference",
              "write its value in the source file");
          continue;
        }
      } else if (option.secret()) {
        problems.add(
            valueLocation,
            "Secrets must be given by reference: option '" + key + "' holds a literal value",
            "write ${env:NAME} to read an environment variable or ${file:path} to read a file,"
                + " and keep the value out of the project");
        continue;
      } else {
        Optional<String> problem = option.check(value);
        if (problem.isPresent()) {
          problems.add(
              valueLocation, "Option '" + key + "' " + problem.get(), option.description());
          continue;
        }
      }
      values.put(key, new OptionValue(value, valueLocation));
    }
    return values;
  }

  /** An option's value as text: a scalar, or for a list option a list joined by commas. */
  private static String optionText(
      ConnectorOption option, Node node, Location location, Problems problems) {
    if (node instanceof ScalarNode scalar && !YamlMap.isNull(node)) {
      return scalar.getValue();
    }
    if (node instanceof SequenceNode sequence && option.type() == ConnectorOption.Type.LIST) {
      List<String> items = new ArrayList<>();
      for (Node item : sequence.getValue()) {
        if (item instanceof ScalarNode scalar && !YamlMap.isNull(item)) {
          items.add(scalar.getValue());
        } else {
          problems.add(
              YamlFiles.location(location.file(), item),
              "Each item of option '" + option.name() + "' must be a single value",
              "write e.g. " + option.name() + ": [id, tenant_id]");
          return null;
        }
      }
      return String.join(",", items);
    }
    problems.add(
        location,
        "Option '"
            + option.name()
            + "' must be "
            + (option.type() == ConnectorOption.Type.LIST
                ? "a value or a list of values"
                : "a single value")
            + ", got "
            + (option.secret() ? "something else" : YamlMap.describe(node)),
        option.description());
    return null;
  }

  /** A source table's mapping and name, as every kind of table starts. */
  private record TableStart(YamlMap table, String name, boolean validName) {}

  private static Optional<TableStart> tableStart(
      String source, String file, Node node, Set<String> keys, Problems problems) {
    Optional<YamlMap> maybeTable =
        YamlMap.of(file, node, "a table of source '" + source + "'", keys, problems);
    if (maybeTable.isEmpty()) {
      return Optional.empty();
    }
    YamlMap table = maybeTable.get();
    String name = table.requiredString("name", "give every table a name: '- name: orders'");
    if (name == null) {
      return Optional.empty();
    }
    boolean valid = TableName.isIdentifier(name);
    if (!valid) {
      problems.add(
          table.location("name"),
          "Invalid table name '" + name + "'",
          "a table name is letters, digits and '_'");
    }
    return Optional.of(new TableStart(table, name, valid));
  }

  private static Optional<SourceTableDef> table(
      String source,
      String file,
      Node node,
      Execution defaults,
      SchemaDrift sourceDrift,
      S3Block s3,
      Problems problems) {
    Optional<TableStart> start = tableStart(source, file, node, TABLE_KEYS, problems);
    if (start.isEmpty()) {
      return Optional.empty();
    }
    YamlMap table = start.get().table();
    String name = start.get().name();
    boolean valid = start.get().validName();
    String what = "source table '" + source + "." + name + "'";
    String path = table.requiredString("path", "add e.g. 'path: data/" + name + "/*.csv'");
    boolean inObjectStore = path != null && S3Location.isS3(path);
    if (inObjectStore) {
      try {
        S3Location.parse(path);
      } catch (InvalidInputException e) {
        problems.add(table.location("path"), e.getMessage(), "e.g. s3://bucket/orders/*.csv");
        valid = false;
      }
    }
    if (path != null) {
      try {
        FileSystems.getDefault().getPathMatcher("glob:" + path);
      } catch (PatternSyntaxException e) {
        problems.add(
            table.location("path"),
            "Invalid path pattern '" + path + "': " + e.getDescription(),
            "write a glob relative to the project, e.g. data/orders/*.csv");
        valid = false;
      }
    } else {
      valid = false;
    }
    String format = format(table, path, problems);
    LoadMode mode =
        choice(table, "mode", LoadMode.class, LoadMode.APPEND, "full (replace) or append");
    OnError onError = choice(table, "on_error", OnError.class, OnError.FAIL, "fail or quarantine");
    SchemaDrift drift = choice(table, "schema_drift", SchemaDrift.class, sourceDrift, DRIFT_VALUES);
    Map<String, String> csv = csvOptions(table, format, problems);
    List<ColumnDef> columns = ChecksParser.columns(table, what);
    List<CheckDef> checks = ChecksParser.checks(table, what, null);
    ChecksParser.reportDuplicateNames(checks, columns, what, problems);
    if (!valid || format == null || mode == null || onError == null || drift == null) {
      return Optional.empty();
    }
    return Optional.of(
        new SourceTableDef(
            source,
            name,
            path,
            format,
            mode,
            onError,
            csv,
            table.string("description"),
            table.string("owner"),
            table.stringList("tags"),
            columns,
            checks,
            table.location(),
            execution(table, defaults, problems),
            // objects in S3 are read with the storage settings, credentials still references
            inObjectStore ? s3.values() : Map.of(),
            inObjectStore ? s3.locations() : Map.of(),
            inObjectStore ? S3Block.SECRETS : Set.of(),
            drift));
  }

  /** A table's retries, timeout and pool (the pool's name is checked by the loader). */
  private static Execution execution(YamlMap table, Execution defaults, Problems problems) {
    Execution execution =
        Execution.read(
            table.string("retries"),
            table.location("retries"),
            table.string("timeout"),
            table.location("timeout"),
            defaults,
            problems);
    String pool = table.string("pool");
    return pool == null ? execution : execution.inPool(pool);
  }

  private static String format(YamlMap table, String path, Problems problems) {
    String format = table.string("format");
    if (format != null) {
      String lower = format.toLowerCase(Locale.ROOT);
      if (!FORMATS.contains(lower)) {
        problems.add(
            table.location("format"),
            "Unknown format '" + format + "'",
            Suggestions.hint(lower, FORMATS, "formats"));
        return null;
      }
      return lower;
    }
    if (path == null) {
      return null;
    }
    String lower = path.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".gz")) {
      lower = lower.substring(0, lower.length() - 3);
    }
    if (lower.endsWith(".csv") || lower.endsWith(".tsv")) {
      return "csv";
    }
    if (lower.endsWith(".json") || lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) {
      return "json";
    }
    if (lower.endsWith(".parquet")) {
      return "parquet";
    }
    problems.add(
        table.location("path"),
        "Cannot tell the format of '" + path + "' from its extension",
        "add 'format: csv', 'format: json' or 'format: parquet'");
    return null;
  }

  private static Map<String, String> csvOptions(YamlMap table, String format, Problems problems) {
    Optional<YamlMap> maybeCsv = table.map("csv", "the csv options", CSV_KEYS);
    if (maybeCsv.isEmpty()) {
      return Map.of();
    }
    YamlMap csv = maybeCsv.get();
    if (format != null && !format.equals("csv")) {
      problems.add(
          table.location("csv"),
          "'csv:' options apply only to CSV files, but the format is " + format,
          "remove 'csv:' or set 'format: csv'");
    }
    Map<String, String> options = new LinkedHashMap<>();
    for (String key : List.of("delimiter", "quote")) {
      String value = csv.string(key);
      if (value == null) {
        continue;
      }
      if (value.length() != 1) {
        problems.add(
            csv.location(key),
            "'" + key + "' must be one character, got '" + value + "'",
            "quote it, e.g. " + key + ": \"" + (key.equals("quote") ? "'" : ";") + "\"");
      }
      options.put(key, value);
    }
    for (String key : List.of("escape", "null_string", "date_format", "timestamp_format")) {
      String value = csv.string(key);
      if (value != null) {
        options.put(key, value);
      }
    }
    Boolean header = csv.bool("header", null);
    if (header != null) {
      options.put("header", header.toString());
    }
    return options;
  }

  private static <E extends Enum<E>> E choice(
      YamlMap table, String key, Class<E> type, E defaultValue, String allowed) {
    String text = table.string(key);
    if (text == null) {
      return table.has(key) ? null : defaultValue;
    }
    for (E value : type.getEnumConstants()) {
      if (value.name().equalsIgnoreCase(text)) {
        return value;
      }
    }
    List<String> names = new ArrayList<>();
    for (E value : type.getEnumConstants()) {
      names.add(value.name().toLowerCase(Locale.ROOT));
    }
    table
        .problems()
        .add(
            table.location(key),
            "Unknown " + key + " '" + text + "'",
            Suggestions.closest(text, names).map(s -> "did you mean '" + s + "'? ").orElse("")
                + key
                + " is "
                + allowed);
    return null;
  }
}
