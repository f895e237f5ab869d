package dev.sluice.core.project;

import dev.sluice.api.Location;
import dev.sluice.api.TableName;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Reads dbt's data tests ({@code data_tests:} or, before dbt 1.8, {@code tests:}) of a model, seed,
 * source table or column into Sluice's checks: dbt's generic tests {@code unique}, {@code
 * not_null}, {@code accepted_values} and {@code relationships} as Sluice's checks of those names,
 * and custom generic tests ({@code {% test name(model, column_name, ...) %}} in the macro paths,
 * the test paths' {@code generic/} directories or an installed package) as {@code sql} checks whose
 * query calls the test's macro. Test configs ({@code severity}, {@code where}, {@code limit},
 * {@code error_if}, {@code warn_if}, {@code fail_calc}, {@code store_failures}) have dbt's meaning
 * (see {@link #CONFIG}), from the test, else from the {@code data_tests:} tree of dbt_project.yml.
 * A test or setting that would make the outcome differ from dbt's is a problem at its line.
 */
final class DbtTests {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DbtTests.class);
  static final List<String> KEYS = List.of("data_tests", "tests");

  /**
   * The argument of a check that holds its dbt test configs other than the severity, when one is
   * not dbt's default: {@code where} (the check reads {@code (select * from <table> where
   * <where>)}), {@code limit} (of the failing rows counted), {@code fail_calc} (the failures: an
   * aggregate over the failing rows, {@code count(*)} by default), {@code warn_if} and {@code
   * error_if} (conditions on the failures, {@code != 0} by default) and {@code store_failures} (the
   * failing rows are kept in {@code <schema>_dbt_test__audit.<test>}).
   */
  static final String CONFIG = CheckDef.TEST_CONFIG;

  /** The argument that names the generic test a {@code sql} check runs: its query calls it. */
  static final String GENERIC_TEST = "dbt_generic_test";

  /**
   * The argument of a generic test's {@code sql} check that lists the calls of {@code ref()} and
   * {@code source()} among its arguments: the assets it reads besides its own table.
   */
  static final String READS = "dbt_test_reads";

  /** No custom generic tests, no config tree: dbt's built-in tests only. */
  static final DbtTests BUILT_IN = new DbtTests(DbtMacros.NONE, Map.of(), "main_dbt_test__audit");

  private static final Map<String, Set<String>> ARGUMENTS =
      Map.of(
          "unique", Set.of(),
          "not_null", Set.of(),
          "accepted_values", Set.of("values", "quote"),
          "relationships", Set.of("to", "field"));

  /** Test configs that do not change a test's outcome. */
  private static final Set<String> IGNORED_CONFIGS =
      Set.of(
          "tags",
          "meta",
          "store_failures_as",
          "alias",
          "schema",
          "database",
          "description",
          "enabled",
          "severity");

  /** dbt's test configs, which dbt before 1.10 also takes beside the arguments. */
  private static final Set<String> CONFIGS =
      Set.of(
          "severity",
          "where",
          "limit",
          "error_if",
          "warn_if",
          "fail_calc",
          "store_failures",
          "store_failures_as",
          "tags",
          "meta",
          "enabled",
          "alias",
          "schema",
          "database",
          "description");

  /** A condition of {@code error_if} and {@code warn_if}: a comparison with a number. */
  private static final java.util.regex.Pattern CONDITION =
      java.util.regex.Pattern.compile("\\s*(==|=|!=|<>|<=|>=|<|>)\\s*-?\\d+(\\.\\d+)?\\s*");

  /** dbt's defaults of the configs that decide a test's outcome. */
  private static final Map<String, Object> DEFAULT_CONFIGS =
      Map.of("error_if", "!= 0", "warn_if", "!= 0", "fail_calc", "count(*)");

  /** A generic test's argument that dbt renders as Jinja: a call of ref, source, var, ... */
  private static final java.util.regex.Pattern LOOKS_LIKE_CALL =
      java.util.regex.Pattern.compile("^\\s*(env_var|ref|var|source|doc)\\s*\\(.+\\)\\s*$");

  private final DbtMacros macros;
  private final Map<String, DbtConfigTree.Setting> defaults;
  private final String auditSchema;
  private ConfigRenderer configRenderer = (value, location, problems) -> value;
  private ConfigRenderer argumentRenderer = (value, location, problems) -> value;

  /** The names of the tests read so far, by the resource they test. */
  private final Map<String, Set<String>> testNames = new java.util.HashMap<>();

  /** Renders a test config value that is a template, as dbt renders it ({@code target}, ...). */
  @FunctionalInterface
  interface ConfigRenderer {
    Object render(Object value, Location location, Problems problems);
  }

  /**
   * @param macros the project's macros, where custom generic tests are found
   * @param defaults the configs the {@code data_tests:} tree of dbt_project.yml gives the tests of
   *     one properties file
   * @param auditSchema where {@code store_failures} keeps failing rows: the target's schema with
   *     {@code _dbt_test__audit}, as dbt's default {@code generate_schema_name} names it
   */
  DbtTests(DbtMacros macros, Map<String, DbtConfigTree.Setting> defaults, String auditSchema) {
    this.macros = java.util.Objects.requireNonNull(macros, "macros is null");
    this.defaults = Copies.orderedMap(defaults);
    this.auditSchema = java.util.Objects.requireNonNull(auditSchema, "auditSchema is null");
  }

  /**
   * Makes the test configs that are templates render as dbt renders them ({@code severity: "{{
   * 'warn' if target.type == 'spark' else 'error' }}"}); without it they are taken as they are.
   */
  DbtTests renderingConfigs(ConfigRenderer renderer) {
    this.configRenderer = java.util.Objects.requireNonNull(renderer, "renderer is null");
    return this;
  }

  /**
   * Makes the arguments of dbt's built-in tests that are one template ({@code values: "{{
   * var('model_types') }}"}) render natively as dbt renders them: a list stays a list.
   */
  DbtTests renderingArguments(ConfigRenderer renderer) {
    this.argumentRenderer = java.util.Objects.requireNonNull(renderer, "renderer is null");
    return this;
  }

  /**
   * The checks of the tests listed under {@code data_tests:} and {@code tests:} of {@code owner}.
   *
   * @param resource the model's or seed's name, or the source table's as {@code source.table}
   * @param column the column tested, or null for tests of the model or seed
   */
  List<CheckDef> read(YamlMap owner, String resource, String ownerName, String column) {
    List<CheckDef> checks = new ArrayList<>();
    Set<String> names = testNames.computeIfAbsent(resource, key -> new java.util.HashSet<>());
    for (String key : KEYS) {
      for (Node node : owner.list(key)) {
        test(owner, node, resource, ownerName, column, names)
            .ifPresent(
                check -> {
                  checks.add(check);
                  names.add(check.name());
                });
      }
    }
    return checks;
  }

  /**
   * @param names the names of the tests read before of the same resource: a test of a column that
   *     would take one of them ({@code expect_column_values_to_match_regex(email)} twice, with
   *     other arguments) is named as dbt names its node instead, from its arguments
   */
  private Optional<CheckDef> test(
      YamlMap owner,
      Node node,
      String resource,
      String ownerName,
      String column,
      Set<String> names) {
    String file = owner.file();
    Problems problems = owner.problems();
    Location location = YamlFiles.location(file, node);
    String type;
    Node argumentsNode = null;
    if (node instanceof ScalarNode scalar && !YamlMap.isNull(node)) {
      type = scalar.getValue();
    } else if (node instanceof MappingNode mapping && mapping.getValue().size() == 1) {
      NodeTuple tuple = mapping.getValue().get(0);
      type = tuple.getKeyNode() instanceof ScalarNode key ? key.getValue() : "";
      argumentsNode = YamlMap.isNull(tuple.getValueNode()) ? null : tuple.getValueNode();
    } else {
      problems.add(
          location,
          "A data test is a test's name or a map with one key, the test's name; got "
              + YamlMap.describe(node),
          "write e.g. '- not_null' or '- accepted_values: {values: [placed, shipped]}'");
      return Optional.empty();
    }
    // a project's own test_unique replaces dbt's, as in dbt
    Optional<DbtMacros.GenericTest> generic =
        ARGUMENTS.containsKey(type) && !macros.overrides(DbtTestTag.PREFIX + type)
            ? Optional.empty()
            : macros.genericTest(type);
    if (!ARGUMENTS.containsKey(type) && generic.isEmpty()) {
      Set<String> known = new java.util.TreeSet<>(ARGUMENTS.keySet());
      known.addAll(macros.genericTestNames());
      int dot = type.indexOf('.');
      String packageName = dot < 0 ? null : type.substring(0, dot);
      String hint =
          packageName != null && !macros.packageNames().contains(packageName)
              ? "the package '"
                  + packageName
                  + "' is not installed: Sluice cannot download it, copy it into"
                  + " dbt_packages/"
                  + packageName
                  + " (what dbt deps installs; docs/dbt.md)"
              : Suggestions.closest(type, known)
                      .map(name -> "did you mean '" + name + "'? ")
                      .orElse("")
                  + "a generic test is dbt's unique, not_null, accepted_values or relationships,"
                  + " or a {% test "
                  + type.substring(dot + 1)
                  + "(model, column_name) %} block in the macro paths, the test paths' generic/"
                  + " directories or an installed package (docs/dbt.md)";
      problems.add(location, "Unknown test '" + type + "' of " + ownerName, hint);
      return Optional.empty();
    }
    Map<String, Object> values = new LinkedHashMap<>();
    Map<String, Location> lines = new LinkedHashMap<>();
    Map<String, Object> config = new LinkedHashMap<>();
    Map<String, Location> configLines = new LinkedHashMap<>();
    defaults.forEach(
        (key, setting) -> {
          config.put(key, setting.value());
          configLines.put(key, setting.location());
        });
    String name = null;
    String testColumn = column;
    if (argumentsNode != null) {
      Optional<YamlMap> maybeArguments =
          YamlMap.lenient(file, argumentsNode, "test '" + type + "'", Set.of(), problems);
      if (maybeArguments.isEmpty()) {
        return Optional.empty();
      }
      YamlMap arguments = maybeArguments.get();
      for (String key : arguments.keys()) {
        Node value = arguments.node(key).orElse(null);
        if (value == null) {
          continue;
        }
        switch (key) {
          case "name" -> name = arguments.string("name");
          case "column_name" -> testColumn = arguments.string("column_name");
          case "config" -> readMap(file, value, config, configLines, problems, "config");
          case "arguments" -> readMap(file, value, values, lines, problems, "arguments");
          default -> {
            if (CONFIGS.contains(key)) {
              // dbt < 1.10 also takes configs beside the arguments
              config.put(key, YamlFiles.toJava(value));
              configLines.put(key, arguments.location(key));
            } else {
              values.put(key, YamlFiles.toJava(value));
              lines.put(key, arguments.location(key));
            }
          }
        }
      }
    }
    config.replaceAll((key, value) -> configRenderer.render(value, configLines.get(key), problems));
    if (Boolean.FALSE.equals(config.get("enabled"))) {
      return Optional.empty();
    }
    boolean valid = true;
    Severity severity = Severity.ERROR;
    if (config.get("severity") != null) {
      String text = String.valueOf(config.get("severity"));
      try {
        severity = Severity.parse(text);
      } catch (IllegalArgumentException e) {
        problems.add(
            configLines.get("severity"),
            "Unknown severity '" + text + "'",
            "severity is 'error' (the run fails) or 'warn' (reported only)");
        valid = false;
      }
    }
    Map<String, Object> outcomeConfig = new LinkedHashMap<>();
    for (Map.Entry<String, Object> entry : config.entrySet()) {
      String key = entry.getKey();
      if (entry.getValue() == null || IGNORED_CONFIGS.contains(key) || !CONFIGS.contains(key)) {
        continue; // dbt keeps configs it does not know too
      }
      Optional<Object> value = configValue(key, entry.getValue(), configLines.get(key), problems);
      if (value.isEmpty()) {
        valid = false;
      } else if (!isDefault(key, value.get())) {
        outcomeConfig.put(key, value.get());
      }
    }
    if ("view".equals(String.valueOf(config.get("store_failures_as")))) {
      problems.add(
          configLines.get("store_failures_as"),
          "store_failures_as 'view' of a test of " + ownerName + " is not supported by Sluice",
          "use 'table' (Sluice keeps the failing rows in an Iceberg table) or 'ephemeral'");
      valid = false;
    } else if ("table".equals(String.valueOf(config.get("store_failures_as")))) {
      outcomeConfig.put("store_failures", true);
    } else if ("ephemeral".equals(String.valueOf(config.get("store_failures_as")))) {
      outcomeConfig.remove("store_failures");
    }
    if (Boolean.TRUE.equals(outcomeConfig.remove("store_failures"))) {
      Map<String, Object> named = new LinkedHashMap<>(values);
      if (testColumn != null) {
        named.put("column_name", testColumn);
      }
      String table = name != null ? name : DbtTestNames.shortName(type, resource, named);
      if (!TableName.isIdentifier(table.toLowerCase(Locale.ROOT))) {
        table = DbtTestNames.shortName(type, resource, named);
      }
      outcomeConfig.put(
          CheckDef.FAILURES_TABLE, auditSchema + "." + table.toLowerCase(Locale.ROOT));
    }
    if (name == null && testColumn != null) {
      String usual = generic.map(DbtMacros.GenericTest::name).orElse(type) + "(" + testColumn + ")";
      if (names.contains(usual)) {
        Map<String, Object> named = new LinkedHashMap<>(values);
        named.put("column_name", testColumn);
        String dbtName = DbtTestNames.shortName(type, resource, named);
        name = dbtName;
        // the same arguments again (with other configs): dbt tells its nodes apart by a hash
        for (int n = 2; names.contains(name); n++) {
          name = dbtName + "_" + n;
        }
      }
    }
    if (generic.isPresent()) {
      // a test of the whole table is named as dbt names its node, from its arguments, so that
      // two of one test (dbt_utils.expression_is_true with two expressions) are told apart
      String checkName =
          name == null && testColumn == null
              ? DbtTestNames.shortName(type, resource, values)
              : name;
      return valid
          ? custom(generic.get(), checkName, testColumn, values, lines, outcomeConfig, severity)
              .apply(location, ownerName, problems)
          : Optional.empty();
    }
    for (String key : values.keySet()) {
      if (!ARGUMENTS.get(type).contains(key)) {
        problems.add(
            lines.get(key),
            "Unknown argument '" + key + "' of test '" + type + "'",
            Suggestions.hint(key, ARGUMENTS.get(type), "its arguments"));
        valid = false;
      }
    }
    if (testColumn == null) {
      problems.add(
          location,
          "Test '" + type + "' of " + ownerName + " needs the column it tests",
          "move it under the column in 'columns:', or add 'column_name: <name>'");
      valid = false;
    }
    // dbt renders every argument of a test natively (add_rendered_test_kwargs)
    values.replaceAll(
        (key, value) ->
            value instanceof String text && ONE_EXPRESSION.matcher(text.strip()).matches()
                ? argumentRenderer.render(value, lines.getOrDefault(key, location), problems)
                : value);
    valid &= arguments(type, values, lines, location, ownerName, problems);
    if (!valid) {
      return Optional.empty();
    }
    if (name == null) {
      name = type + "(" + testColumn + ")";
    }
    if (!outcomeConfig.isEmpty()) {
      values.put(CONFIG, outcomeConfig);
    }
    return Optional.of(new CheckDef(type, name, testColumn, values, severity, location));
  }

  /** What makes a check of a custom generic test, once its location is known. */
  private interface PendingCheck {
    Optional<CheckDef> apply(Location location, String ownerName, Problems problems);
  }

  /**
   * A custom generic test: a {@code sql} check whose query calls the test's macro with {@code
   * model} (the table tested, or its rows that match {@code where}), {@code column_name} and the
   * test's arguments, as dbt calls it: an argument that is a call of {@code ref}, {@code source},
   * {@code var}, {@code env_var} or {@code doc} is rendered as Jinja, other values are passed as
   * they are.
   */
  private static PendingCheck custom(
      DbtMacros.GenericTest test,
      String name,
      String column,
      Map<String, Object> values,
      Map<String, Location> lines,
      Map<String, Object> config,
      Severity severity) {
    return (location, ownerName, problems) -> {
      List<String> declared = test.signature().arguments();
      String what = "Test '" + test.name() + "' of " + ownerName;
      boolean valid = true;
      if (!declared.contains("model")) {
        problems.add(
            new Location(test.file(), 1),
            "Generic test '" + test.name() + "' has no argument 'model'",
            "a generic test is {% test " + test.name() + "(model, column_name, ...) %}");
        return Optional.empty();
      }
      for (String key : values.keySet()) {
        if (!declared.contains(key) || key.equals("model")) {
          problems.add(
              lines.get(key),
              "Unknown argument '" + key + "' of test '" + test.name() + "'",
              Suggestions.hint(
                  key,
                  declared.stream()
                      .filter(argument -> !Set.of("model", "column_name").contains(argument))
                      .toList(),
                  "its arguments (" + test.file() + ")"));
          valid = false;
        }
      }
      if (column != null && !declared.contains("column_name")) {
        problems.add(
            location,
            what + " tests a column, but its macro takes no 'column_name' (" + test.file() + ")",
            "list it under the model's data_tests, not the column's");
        valid = false;
      }
      for (String required : test.signature().required()) {
        if (required.equals("model") || values.containsKey(required)) {
          continue;
        }
        if (required.equals("column_name")) {
          if (column == null) {
            problems.add(
                location,
                what + " needs the column it tests",
                "move it under the column in 'columns:', or add 'column_name: <name>'");
            valid = false;
          }
          continue;
        }
        // as in dbt, whose Jinja gives the macro an undefined argument: the macro decides
        // (dbt_expectations' tests take a missing compare_model or group_by as none)
        LOG.debug(
            "{} at {} does not give the argument '{}' ({}): the macro gets none, as in dbt",
            what,
            location,
            required,
            test.file());
      }
      if (!valid) {
        return Optional.empty();
      }
      Map<String, Object> arguments = new LinkedHashMap<>();
      arguments.put("query", callTemplate(test, column, values, config));
      arguments.put(GENERIC_TEST, test.name());
      List<String> reads = new ArrayList<>();
      values.values().forEach(value -> calls(value, reads));
      arguments.put(READS, List.copyOf(reads));
      if (!config.isEmpty()) {
        arguments.put(CONFIG, config);
      }
      String checkName =
          name != null ? name : column == null ? test.name() : test.name() + "(" + column + ")";
      return Optional.of(new CheckDef("sql", checkName, column, arguments, severity, location));
    };
  }

  /** The template that calls a generic test's macro as dbt calls it. */
  private static String callTemplate(
      DbtMacros.GenericTest test,
      String column,
      Map<String, Object> values,
      Map<String, Object> config) {
    // an argument that is a template of more than one expression is rendered first, into a name
    StringBuilder blocks = new StringBuilder();
    StringBuilder call = new StringBuilder("{{ ").append(test.call()).append("(model=");
    Object where = config.get("where");
    if (where == null) {
      call.append("this");
    } else {
      // dbt's get_where_subquery
      call.append("'(select * from ' ~ this ~ ' where ' ~ ")
          .append(jinjaLiteral(String.valueOf(where)))
          .append(" ~ ') dbt_subquery'");
    }
    if (column != null) {
      call.append(", column_name=").append(jinjaLiteral(column));
    }
    values.forEach(
        (key, value) -> {
          if (value != null) {
            call.append(", ").append(key).append('=').append(argument(value, blocks));
          }
        });
    return blocks.append(call).append(") }}").toString();
  }

  /** A template's delimiters, as dbt-core's {@code get_rendered} looks for them. */
  private static final java.util.regex.Pattern RENDER_CHARS =
      java.util.regex.Pattern.compile("(\\{[{%#]|[#}%]\\})");

  /** A template that is one expression and nothing else: dbt's native rendering gives its value. */
  private static final java.util.regex.Pattern ONE_EXPRESSION =
      java.util.regex.Pattern.compile("^\\{\\{(.*)\\}\\}$", java.util.regex.Pattern.DOTALL);

  /**
   * A test argument as a Jinja expression, as dbt-core's {@code add_rendered_test_kwargs} renders
   * it: every string, at any depth of lists and dicts, is rendered with the test's context,
   * natively ({@code deep_map_render} of {@code get_rendered(..., native=True)}). A call of {@code
   * ref()}, {@code source()}, {@code var()}, {@code env_var()} or {@code doc()} is that call; a
   * template that is one {@code {{ expression }}} gives the expression's value (a list stays a
   * list); a text with other template parts ({@code cast(d as date) = {{ dbt_date.yesterday() }}})
   * gives its rendered text, rendered by a {@code {% set %}} block added to {@code blocks}; other
   * text is itself.
   */
  private static String argument(Object value, StringBuilder blocks) {
    if (value == null) {
      return "none";
    }
    if (value instanceof String text) {
      if (LOOKS_LIKE_CALL.matcher(text).matches()) {
        return text.strip();
      }
      if (!RENDER_CHARS.matcher(text).find()) {
        return jinjaLiteral(text);
      }
      java.util.regex.Matcher expression = ONE_EXPRESSION.matcher(text);
      if (expression.matches()
          && !expression.group(1).contains("{{")
          && !expression.group(1).contains("}}")) {
        return "(" + expression.group(1).strip() + ")";
      }
      String name = "__dbt_test_argument_" + (countOf(blocks, "{% set ") + 1);
      blocks.append("{% set ").append(name).append(" %}").append(text).append("{% endset %}");
      return name;
    }
    if (value instanceof Boolean || value instanceof Number) {
      return String.valueOf(value);
    }
    if (value instanceof List<?> list) {
      java.util.StringJoiner items = new java.util.StringJoiner(", ", "[", "]");
      list.forEach(item -> items.add(argument(item, blocks)));
      return items.toString();
    }
    if (value instanceof Map<?, ?> map) {
      java.util.StringJoiner entries = new java.util.StringJoiner(", ", "{", "}");
      map.forEach(
          (key, item) ->
              entries.add(jinjaLiteral(String.valueOf(key)) + ": " + argument(item, blocks)));
      return entries.toString();
    }
    return jinjaLiteral(String.valueOf(value));
  }

  private static int countOf(CharSequence text, String part) {
    int count = 0;
    for (int at = text.toString().indexOf(part);
        at >= 0;
        at = text.toString().indexOf(part, at + 1)) {
      count++;
    }
    return count;
  }

  /**
   * The calls of {@code ref()}, {@code source()}, ... among a test's arguments, at any depth, as
   * dbt renders them: what the test reads besides its own table.
   */
  private static void calls(Object value, List<String> calls) {
    if (value instanceof String text) {
      java.util.regex.Matcher expression = ONE_EXPRESSION.matcher(text.strip());
      if (LOOKS_LIKE_CALL.matcher(text).matches()) {
        calls.add(text.strip());
      } else if (expression.matches() && LOOKS_LIKE_CALL.matcher(expression.group(1)).matches()) {
        calls.add(expression.group(1).strip());
      }
    } else if (value instanceof List<?> list) {
      list.forEach(item -> calls(item, calls));
    } else if (value instanceof Map<?, ?> map) {
      map.values().forEach(item -> calls(item, calls));
    }
  }

  private static String jinjaLiteral(String text) {
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  /** A config's value as the check runs it, or empty (a problem) when it is not valid. */
  private static Optional<Object> configValue(
      String key, Object value, Location location, Problems problems) {
    switch (key) {
      case "where", "fail_calc" -> {
        String text = String.valueOf(value).strip();
        if (text.isEmpty()) {
          problems.add(location, "Test config '" + key + "' is empty", "remove it, or give it SQL");
          return Optional.empty();
        }
        return Optional.of(text);
      }
      case "limit" -> {
        if (value instanceof Number number && number.longValue() >= 0) {
          return Optional.of(number.longValue());
        }
        problems.add(
            location,
            "Test config 'limit' must be a whole number of rows, got '" + value + "'",
            "write e.g. limit: 100");
        return Optional.empty();
      }
      case "error_if", "warn_if" -> {
        String text = String.valueOf(value).strip();
        if (!CONDITION.matcher(text).matches()) {
          problems.add(
              location,
              "Test config '"
                  + key
                  + "' must compare the failures with a number, got '"
                  + value
                  + "'",
              "write e.g. " + key + ": '>10' or '!= 0' (dbt's default)");
          return Optional.empty();
        }
        return Optional.of(text);
      }
      case "store_failures" -> {
        if (value instanceof Boolean flag) {
          return Optional.of(flag);
        }
        problems.add(
            location,
            "Test config 'store_failures' must be true or false, got '" + value + "'",
            "write store_failures: true");
        return Optional.empty();
      }
      default -> {
        problems.add(
            location,
            "Unknown test config '" + key + "'",
            Suggestions.hint(key, CONFIGS, "dbt's test configs"));
        return Optional.empty();
      }
    }
  }

  private static boolean isDefault(String key, Object value) {
    if (key.equals("store_failures")) {
      return Boolean.FALSE.equals(value);
    }
    Object defaultValue = DEFAULT_CONFIGS.get(key);
    return defaultValue != null
        && String.valueOf(value)
            .replace(" ", "")
            .equalsIgnoreCase(String.valueOf(defaultValue).replace(" ", ""));
  }

  /** Checks and converts the arguments to what Sluice's check of the same name takes. */
  private static boolean arguments(
      String type,
      Map<String, Object> values,
      Map<String, Location> lines,
      Location location,
      String ownerName,
      Problems problems) {
    switch (type) {
      case "accepted_values" -> {
        if (!(values.get("values") instanceof List<?>)) {
          problems.add(
              lines.getOrDefault("values", location),
              "Test 'accepted_values' of " + ownerName + " needs 'values:' as a list",
              "write e.g. accepted_values: {values: [placed, shipped]}");
          return false;
        }
        // quote: false compares unquoted literals; Sluice compares every value as text, which
        // gives the same outcome for the numbers and booleans that are written unquoted
        values.remove("quote");
        return true;
      }
      case "relationships" -> {
        for (String key : List.of("to", "field")) {
          if (values.get(key) == null) {
            problems.add(
                location,
                "Test 'relationships' of " + ownerName + " needs '" + key + ":'",
                "write e.g. relationships: {to: ref('customers'), field: id}");
            return false;
          }
        }
        Optional<String> target = relationshipTarget(String.valueOf(values.get("to")));
        if (target.isEmpty()) {
          problems.add(
              lines.getOrDefault("to", location),
              "'to:' of test 'relationships' must be ref('name') or source('source', 'table'), got"
                  + " '"
                  + values.get("to")
                  + "'",
              "write e.g. to: ref('customers')");
          return false;
        }
        values.put("to", target.get());
        values.put("field", String.valueOf(values.get("field")));
        return true;
      }
      default -> {
        return true;
      }
    }
  }

  /**
   * The asset a relationships test's {@code to:} names: {@code ref('x')} (x) or {@code source('s',
   * 't')} (s.t), rendered as Jinja as dbt does.
   */
  static Optional<String> relationshipTarget(String to) {
    TemplateSession session =
        new TemplateSession(
            Location.of("relationships"),
            false,
            false,
            false,
            Map.of(),
            name -> name.isEmpty() ? null : new TableName("curated", name),
            (source, table) ->
                source.isEmpty() || table.isEmpty()
                    ? null
                    : new TableName("raw", source + "_" + table),
            new Problems());
    SqlRenderer.render("{{ " + to + " }}", session, new TableName("curated", "this"));
    if (session.problems().isEmpty() && session.refs().size() + session.sources().size() == 1) {
      return session.refs().isEmpty()
          ? Optional.of(session.sources().keySet().iterator().next().assetName())
          : Optional.of(session.refs().keySet().iterator().next());
    }
    return Optional.empty();
  }

  private static void readMap(
      String file,
      Node node,
      Map<String, Object> values,
      Map<String, Location> lines,
      Problems problems,
      String what) {
    Optional<YamlMap> map = YamlMap.lenient(file, node, "'" + what + "'", Set.of(), problems);
    map.ifPresent(
        entries -> {
          for (String key : entries.keys()) {
            values.put(
                key.toLowerCase(Locale.ROOT),
                entries.node(key).map(YamlFiles::toJava).orElse(null));
            lines.put(key.toLowerCase(Locale.ROOT), entries.location(key));
          }
        });
  }
}
