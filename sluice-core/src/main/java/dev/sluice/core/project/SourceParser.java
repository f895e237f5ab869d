package dev.sluice.core.project;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.Location;
import dev.sluice.api.TableName;
import dev.sluice.api.connector.ConnectorOption;
import dev.sluice.api.connector.ConnectorOptions;
import dev.sluice.api.connector.OptionProblem;
import dev.sluice.api.connector.SourceConnector;
import dev.sluice.api.connector.SourceConnectors;
import dev.sluice.api.engine.ParquetCompression;
import dev.sluice.objectstore.S3Options;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** Reads one {@code sources/*.yaml} file. */
final class SourceParser {
  private static final Set<String> KEYS =
      Set.of(
          "name",
          "connector",
          "description",
          "options",
          "schema_drift",
          "tables",
          FreshnessParser.FRESHNESS,
          FreshnessParser.SLO);

  /** The keys every source table has, whatever its connector. */
  private static final Set<String> TABLE_KEYS =
      Set.of(
          "name",
          "on_error",
          "description",
          "owner",
          "tags",
          "columns",
          "checks",
          ContractParser.KEY,
          "retries",
          "timeout",
          "pool",
          "schema_drift",
          RetentionParser.KEY,
          MaintenanceParser.KEY,
          ParquetParser.KEY,
          FreshnessParser.FRESHNESS,
          FreshnessParser.SLO);

  private static final String DRIFT_VALUES =
      "evolve (add new columns, widen types), freeze (fail on any change) or discard (drop new"
          + " columns)";

  private static final Pattern REFERENCE =
      Pattern.compile("\\$\\{(env:[A-Za-z_][A-Za-z0-9_]*|file:[^}]+)}");

  private SourceParser() {}

  /**
   * Reads a source file. Every option of its connector is checked against the connector's {@link
   * ConnectorOption} declarations, wherever the connector places it (in {@code options:}, as a key
   * of the table, in a block such as {@code csv:}), and then by the connector ({@link
   * SourceConnector#check}, {@link SourceConnector#validate}).
   *
   * @param projectS3 the {@code s3:} block of sluice.yaml, which sources whose connector takes an
   *     {@code s3:} block inherit (their own {@code s3:} block takes precedence)
   */
  static Optional<SourceDef> parse(
      String file, Node node, Execution defaults, S3Block projectS3, Problems problems) {
    Set<String> keys = new HashSet<>(KEYS);
    for (SourceConnector each : SourceConnectors.all()) {
      keys.addAll(blocks(each, ConnectorOption.Placement.SOURCE_BLOCK));
    }
    Optional<YamlMap> maybeMap = YamlMap.of(file, node, "a source file", keys, problems);
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
    Map<String, OptionValue> sourceOptions = new LinkedHashMap<>();
    Map<String, Location> sourceBlocks = new HashMap<>();
    // a value of the wrong type in options: is dropped (the connector's own checks see the rest);
    // one written elsewhere (a table key, a block) leaves the table out
    boolean sourceOptionsValid = true;
    boolean sourceBlocksValid = true;
    if (installed != null) {
      if (map.has("options")) {
        if (takesOptions(installed)) {
          sourceOptionsValid = options(map, installed, sourceOptions, problems);
        } else {
          problems.add(
              map.location("options"),
              capitalized(installed.type()) + " sources take no 'options:'",
              "give their options " + placesOf(installed));
        }
      }
      for (String block : keys) {
        if (KEYS.contains(block) || !map.has(block)) {
          continue;
        }
        if (!blocks(installed, ConnectorOption.Placement.SOURCE_BLOCK).contains(block)) {
          List<String> takers =
              SourceConnectors.all().stream()
                  .filter(c -> blocks(c, ConnectorOption.Placement.SOURCE_BLOCK).contains(block))
                  .map(SourceConnector::type)
                  .toList();
          problems.add(
              map.location(block),
              "'" + block + ":' applies only to " + String.join(", ", takers) + " sources",
              "give the settings of connector '" + installed.type() + "' in 'options:'");
        }
      }
      for (String block : blocks(installed, ConnectorOption.Placement.SOURCE_BLOCK)) {
        Map<String, OptionValue> values = new LinkedHashMap<>();
        if (map.has(block)) {
          sourceBlocks.put(block, map.location(block));
        }
        sourceBlocksValid &=
            block(map, block, "'" + block + ":' of " + file, installed, values, problems);
        if (block.equals(S3Options.BLOCK)) {
          // credentials come as a pair, in each block; sluice.yaml's s3: is the default of every
          // source's
          Optional<String> problem =
              S3Options.credentialsProblem(values.keySet(), "'s3:' of " + file);
          if (problem.isPresent()) {
            problems.add(map.location(block), problem.get(), S3Options.CREDENTIALS_HINT);
            sourceBlocksValid = false;
          }
          values = inherit(projectS3, values);
        }
        sourceOptions.putAll(values);
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
    // the source's freshness: and slo: are its tables' unless a table declares its own
    FreshnessDef sourceFreshness =
        FreshnessParser.parse(map, "source '" + name + "'", List.of(), null).orElse(null);
    for (Node tableNode : tableNodes) {
      Optional<SourceTableDef> parsed;
      if (installed != null) {
        parsed =
            table(
                name,
                installed,
                sourceOptions,
                sourceBlocks,
                sourceOptionsValid,
                sourceBlocksValid,
                map.file(),
                tableNode,
                defaults,
                sourceDrift,
                sourceFreshness,
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

  /** The names of the blocks of a placement that the connector's options are in, e.g. csv. */
  private static Set<String> blocks(
      SourceConnector connector, ConnectorOption.Placement placement) {
    Set<String> blocks = new TreeSet<>();
    for (ConnectorOption option : connector.options()) {
      if (option.placement() == placement) {
        blocks.add(option.block());
      }
    }
    return blocks;
  }

  /** Whether the connector takes {@code options:}: it places options there, or declares none. */
  private static boolean takesOptions(SourceConnector connector) {
    return connector.options().isEmpty()
        || connector.options().stream()
            .anyMatch(option -> option.placement() == ConnectorOption.Placement.OPTIONS);
  }

  /** Where a connector that takes no {@code options:} wants its options, for a hint. */
  private static String placesOf(SourceConnector connector) {
    List<String> places = new ArrayList<>();
    List<String> tableKeys =
        connector.options().stream()
            .filter(option -> option.placement() == ConnectorOption.Placement.TABLE)
            .map(ConnectorOption::name)
            .toList();
    if (!tableKeys.isEmpty()) {
      places.add("as keys of a table (" + String.join(", ", tableKeys) + ")");
    }
    for (String block : blocks(connector, ConnectorOption.Placement.TABLE_BLOCK)) {
      places.add("in a table's '" + block + ":' block");
    }
    for (String block : blocks(connector, ConnectorOption.Placement.SOURCE_BLOCK)) {
      places.add("in the source's '" + block + ":' block");
    }
    return String.join(", ", places);
  }

  private static String capitalized(String text) {
    return text.isEmpty()
        ? text
        : text.substring(0, 1).toUpperCase(Locale.ROOT) + text.substring(1);
  }

  /**
   * The storage settings of a source: sluice.yaml's, overridden by the source's own (credentials
   * come as a pair: a block that gives one replaces both).
   */
  private static Map<String, OptionValue> inherit(
      S3Block project, Map<String, OptionValue> source) {
    Map<String, String> values = new LinkedHashMap<>();
    Map<String, Location> locations = new LinkedHashMap<>();
    source.forEach(
        (key, value) -> {
          values.put(key, value.value());
          locations.put(key, value.location());
        });
    S3Block merged = project.overriddenBy(new S3Block(values, locations));
    Map<String, OptionValue> result = new LinkedHashMap<>();
    merged
        .values()
        .forEach(
            (key, value) -> result.put(key, new OptionValue(value, merged.locations().get(key))));
    return result;
  }

  /**
   * A table of a source: its connector's options, wherever the connector places them, checked
   * against the connector's declarations and by the connector, and what every table has
   * (description, columns, checks, ...).
   */
  private static Optional<SourceTableDef> table(
      String source,
      SourceConnector connector,
      Map<String, OptionValue> sourceOptions,
      Map<String, Location> sourceBlocks,
      boolean sourceOptionsValid,
      boolean sourceBlocksValid,
      String file,
      Node node,
      Execution defaults,
      SchemaDrift sourceDrift,
      FreshnessDef sourceFreshness,
      Problems problems) {
    Set<String> keys = new HashSet<>(TABLE_KEYS);
    if (takesOptions(connector)) {
      keys.add("options");
    }
    keys.addAll(blocks(connector, ConnectorOption.Placement.TABLE_BLOCK));
    connector.options().stream()
        .filter(option -> option.placement() == ConnectorOption.Placement.TABLE)
        .forEach(option -> keys.add(option.name()));
    Optional<TableStart> start = tableStart(source, file, node, keys, problems);
    if (start.isEmpty()) {
      return Optional.empty();
    }
    YamlMap table = start.get().table();
    String name = start.get().name();
    boolean valid = start.get().validName();
    String what = "source table '" + source + "." + name + "'";
    Map<String, OptionValue> merged = new LinkedHashMap<>(sourceOptions);
    boolean optionsValid = sourceOptionsValid;
    if (takesOptions(connector)) {
      optionsValid &= options(table, connector, merged, problems);
    }
    boolean placedValid = sourceBlocksValid;
    placedValid &= tableKeys(table, connector, merged, problems);
    for (String block : blocks(connector, ConnectorOption.Placement.TABLE_BLOCK)) {
      placedValid &= block(table, block, "the " + block + " options", connector, merged, problems);
    }
    for (ConnectorOption option : connector.options()) {
      if (option.required() && !merged.containsKey(option.name())) {
        if (option.placement() == ConnectorOption.Placement.TABLE) {
          problems.add(
              table.location(),
              "Missing '" + option.name() + "' in a table of source '" + source + "'",
              "add '"
                  + option.name()
                  + ":' to the table; see `sluice connectors describe "
                  + connector.type()
                  + "`");
        } else {
          problems.add(
              table.location(),
              "Missing option '" + option.name() + "' of " + what,
              "add it to 'options:' of the table or of the source: " + option.description());
        }
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
    ConnectorOptions checked = null;
    if (valid) {
      try {
        checked = ConnectorOptions.of(connector.options(), values, what);
        // a problem the connector finds may follow from a value it was not given (a format
        // that is not one makes the path's extension count): it checks complete options only
        List<OptionProblem> optionProblems =
            optionsValid && placedValid ? connector.check(checked) : List.of();
        for (OptionProblem problem : optionProblems) {
          problems.add(
              locationOf(table, problem.option(), locations, sourceBlocks),
              problem.message(),
              problem.hint());
          valid = false;
        }
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
    Execution execution = execution(table, defaults, problems);
    RetentionDef retention = RetentionParser.parse(table, what).orElse(null);
    MaintenanceDef maintenance = MaintenanceParser.parse(table, what).orElse(null);
    ParquetCompression parquet = ParquetParser.parse(table, what, problems).orElse(null);
    ContractDef contract = ContractParser.parse(table, what, columns).orElse(null);
    FreshnessDef freshness =
        FreshnessParser.parse(table, what, columns, sourceFreshness).orElse(null);
    if (!valid || !placedValid || checked == null || onError == null || drift == null) {
      return Optional.empty();
    }
    return Optional.of(
        SourceTableDef.builder(source, name)
            .mode(connector.incremental(checked) ? LoadMode.APPEND : LoadMode.FULL)
            .onError(onError)
            .description(table.string("description"))
            .owner(table.string("owner"))
            .tags(table.stringList("tags"))
            .columns(columns)
            .checks(checks)
            .location(table.location())
            .execution(execution)
            .options(values, locations, secretNames(connector))
            .schemaDrift(drift)
            .origin(connector.origin(checked))
            .retention(retention)
            .maintenance(maintenance)
            .contract(contract)
            .freshness(freshness)
            .parquet(parquet)
            .build());
  }

  /**
   * Where a connector's problem is reported: at its option's value, at its block (of the table or
   * the source), else at the table.
   */
  private static Location locationOf(
      YamlMap table,
      String option,
      Map<String, Location> locations,
      Map<String, Location> sourceBlocks) {
    if (locations.containsKey(option)) {
      return locations.get(option);
    }
    if (sourceBlocks.containsKey(option) && !table.has(option)) {
      return sourceBlocks.get(option);
    }
    return table.location(option);
  }

  private static Set<String> secretNames(SourceConnector connector) {
    Set<String> names = new TreeSet<>();
    for (ConnectorOption option : connector.options()) {
      if (option.secret()) {
        names.add(option.name());
      }
    }
    return names;
  }

  /**
   * Reads an {@code options:} mapping into {@code values} (a table's override the source's): each
   * key must be an option of the connector, and each value of its type; a secret must be a
   * reference. Messages never show a secret's value.
   *
   * @return whether every option is valid
   */
  private static boolean options(
      YamlMap owner,
      SourceConnector connector,
      Map<String, OptionValue> values,
      Problems problems) {
    Optional<Node> maybeNode = owner.node("options");
    if (maybeNode.isEmpty()) {
      return true;
    }
    String file = owner.file();
    if (!(maybeNode.get() instanceof MappingNode mapping)) {
      problems.add(
          owner.location("options"),
          "'options' must be a mapping of option names to values, got "
              + YamlMap.describe(maybeNode.get()),
          "write e.g. 'options:' and on the next lines '  url: jdbc:postgresql://host/db'");
      return false;
    }
    Map<String, ConnectorOption> declared = new LinkedHashMap<>();
    connector.options().stream()
        .filter(option -> option.placement() == ConnectorOption.Placement.OPTIONS)
        .forEach(option -> declared.put(option.name(), option));
    Map<String, Location> seen = new HashMap<>();
    boolean valid = true;
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
        valid = false;
        continue;
      }
      if (seen.containsKey(key)) {
        problems.add(
            keyLocation,
            "Option '" + key + "' appears twice",
            "remove one of them (the other is on line " + seen.get(key).line() + ")");
        valid = false;
        continue;
      }
      Node valueNode = tuple.getValueNode();
      Location valueLocation = YamlFiles.location(file, valueNode);
      seen.put(key, valueLocation);
      String value = value(option, valueNode, valueLocation, problems);
      if (value == null) {
        valid = false;
        continue;
      }
      values.put(key, new OptionValue(value, valueLocation));
    }
    return valid;
  }

  /**
   * Reads the options a connector places as keys of the table into {@code values}.
   *
   * @return whether every one is valid
   */
  private static boolean tableKeys(
      YamlMap table,
      SourceConnector connector,
      Map<String, OptionValue> values,
      Problems problems) {
    List<ConnectorOption> placed =
        connector.options().stream()
            .filter(option -> option.placement() == ConnectorOption.Placement.TABLE)
            .toList();
    return keys(table, placed, name -> name, values, problems);
  }

  /**
   * Reads the options a connector places in the block {@code block:} of {@code owner} (a table or
   * the source) into {@code values}.
   *
   * @param what the block, for messages, e.g. {@code the csv options}
   * @return whether the block and every option in it is valid
   */
  private static boolean block(
      YamlMap owner,
      String block,
      String what,
      SourceConnector connector,
      Map<String, OptionValue> values,
      Problems problems) {
    Map<String, ConnectorOption> declared = new LinkedHashMap<>();
    for (ConnectorOption option : connector.options()) {
      if (block.equals(option.block())) {
        declared.put(option.name(), option);
      }
    }
    if (!owner.has(block)) {
      return true;
    }
    int before = problems.size();
    Optional<YamlMap> maybeBlock = owner.map(block, what, declared.keySet());
    if (maybeBlock.isEmpty()) {
      return false;
    }
    boolean valid = problems.size() == before;
    boolean keysValid =
        keys(
            maybeBlock.get(),
            declared.values(),
            name -> block + "." + name + " of " + owner.file(),
            values,
            problems);
    return valid && keysValid;
  }

  /**
   * Reads those of {@code options} that {@code map} has as keys into {@code values}.
   *
   * @param shown how a secret's message names an option, from its name
   * @return whether every one is valid
   */
  private static boolean keys(
      YamlMap map,
      Collection<ConnectorOption> options,
      Function<String, String> shown,
      Map<String, OptionValue> values,
      Problems problems) {
    boolean valid = true;
    for (ConnectorOption option : options) {
      Optional<Node> node = map.node(option.name());
      if (node.isEmpty()) {
        continue;
      }
      Location location = map.location(option.name());
      String value = keyValue(option, node.get(), location, shown.apply(option.name()), problems);
      if (value == null) {
        valid = false;
      } else {
        values.put(option.name(), new OptionValue(value, location));
      }
    }
    return valid;
  }

  /**
   * The value of an option written as a key of its own (of the table or of a block), checked
   * against its type, or null with the problem reported. Reported as the table's own keys are:
   * {@code Unknown mode 'replace'}.
   *
   * @param shown how a secret's message names the option, e.g. {@code s3.access_key_id of
   *     sources/landing.yaml}
   */
  private static String keyValue(
      ConnectorOption option, Node node, Location location, String shown, Problems problems) {
    return checkedValue(option, node, location, "'" + option.name() + "'", shown, true, problems);
  }

  /**
   * The value of an option in {@code options:}, checked against its type, or null with the problem
   * reported.
   */
  private static String value(
      ConnectorOption option, Node valueNode, Location valueLocation, Problems problems) {
    String key = option.name();
    return checkedValue(
        option,
        valueNode,
        valueLocation,
        "Option '" + key + "'",
        "option '" + key + "'",
        false,
        problems);
  }

  /**
   * An option's value checked against its type, or null with the problem reported: a reference only
   * for a string, a secret only by reference.
   *
   * @param named how a message starts naming the option, e.g. {@code Option 'url'}
   * @param shown how a secret's message names the option
   * @param choiceHint whether a value that is not one of a choice's values is reported as {@code
   *     Unknown mode 'replace'} with the closest allowed value, rather than with the allowed values
   */
  private static String checkedValue(
      ConnectorOption option,
      Node node,
      Location location,
      String named,
      String shown,
      boolean choiceHint,
      Problems problems) {
    String value = optionText(option, node, location, problems);
    if (value == null) {
      return null;
    }
    if (REFERENCE.matcher(value.strip()).matches()) {
      if (option.type() != ConnectorOption.Type.STRING) {
        problems.add(
            location,
            named + " is a " + option.type().displayName() + " and cannot be a reference",
            "write its value in the source file");
        return null;
      }
      return value;
    }
    if (option.secret()) {
      problems.add(
          location,
          "Secrets must be given by reference: " + shown + " holds a literal value",
          "write ${env:NAME} to read an environment variable or ${file:path} to read a file,"
              + " and keep the value out of the project");
      return null;
    }
    Optional<String> problem = option.check(value);
    if (problem.isEmpty()) {
      return value;
    }
    if (choiceHint && option.type() == ConnectorOption.Type.CHOICE) {
      problems.add(
          location,
          "Unknown " + option.name() + " '" + value + "'",
          Suggestions.hint(
              value.strip().toLowerCase(Locale.ROOT),
              option.allowedValues(),
              option.name() + " is one of"));
    } else {
      problems.add(location, named + " " + problem.get(), option.description());
    }
    return null;
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
