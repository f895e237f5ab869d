package dev.sluice.core.project;

import dev.sluice.api.Location;
import dev.sluice.api.TableName;
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
import java.util.regex.PatternSyntaxException;
import org.yaml.snakeyaml.nodes.Node;

/** Reads one {@code sources/*.yaml} file. */
final class SourceParser {
  private static final Set<String> KEYS = Set.of("name", "connector", "description", "tables");
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
          "timeout");
  private static final Set<String> CSV_KEYS =
      Set.of(
          "delimiter",
          "header",
          "quote",
          "escape",
          "null_string",
          "date_format",
          "timestamp_format");
  private static final Set<String> CONNECTORS = Set.of("file");
  private static final Set<String> FORMATS = Set.of("csv", "json", "parquet");

  private SourceParser() {}

  static Optional<SourceDef> parse(String file, Node node, Execution defaults, Problems problems) {
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
    if (connector != null && !CONNECTORS.contains(connector)) {
      problems.add(
          map.location("connector"),
          "Unknown connector '" + connector + "'",
          Suggestions.closest(connector, CONNECTORS)
              .map(s -> "did you mean '" + s + "'?")
              .orElse("the connectors are: " + String.join(", ", CONNECTORS)));
    }
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
      table(name, map.file(), tableNode, defaults, problems)
          .ifPresent(
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

  private static Optional<SourceTableDef> table(
      String source, String file, Node node, Execution defaults, Problems problems) {
    Optional<YamlMap> maybeTable =
        YamlMap.of(file, node, "a table of source '" + source + "'", TABLE_KEYS, problems);
    if (maybeTable.isEmpty()) {
      return Optional.empty();
    }
    YamlMap table = maybeTable.get();
    String name = table.requiredString("name", "give every table a name: '- name: orders'");
    if (name == null) {
      return Optional.empty();
    }
    boolean valid = true;
    if (!TableName.isIdentifier(name)) {
      problems.add(
          table.location("name"),
          "Invalid table name '" + name + "'",
          "a table name is letters, digits and '_'");
      valid = false;
    }
    String what = "source table '" + source + "." + name + "'";
    String path = table.requiredString("path", "add e.g. 'path: data/" + name + "/*.csv'");
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
    Map<String, String> csv = csvOptions(table, format, problems);
    List<ColumnDef> columns = ChecksParser.columns(table, what);
    List<CheckDef> checks = ChecksParser.checks(table, what, null);
    ChecksParser.reportDuplicateNames(checks, columns, what, problems);
    if (!valid || format == null || mode == null || onError == null) {
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
            Execution.read(
                table.string("retries"),
                table.location("retries"),
                table.string("timeout"),
                table.location("timeout"),
                defaults,
                problems)));
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
