package dev.sluice.core.project;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import dev.sluice.api.Location;
import dev.sluice.core.project.UnitTestDef.Cell;
import dev.sluice.core.project.UnitTestDef.Given;
import dev.sluice.core.project.UnitTestDef.Input;
import dev.sluice.core.project.UnitTestDef.InputKind;
import dev.sluice.core.project.UnitTestDef.Row;
import dev.sluice.core.project.UnitTestDef.Rows;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Reads the {@code unit_tests:} of a properties file, in dbt 1.8's shape: {@code given} rows per
 * input as a list of mappings ({@code format: dict}, the default), as CSV ({@code format: csv}) or
 * as a query ({@code format: sql}), written inline or in a fixture file ({@code fixture: name}
 * reads {@code name.csv} or {@code name.sql} under a {@code fixtures/} directory of the test
 * paths), {@code overrides} of vars, macros ({@code is_incremental()} and any other) and {@code
 * env_var()}s, {@code config} ({@code enabled}, {@code tags}, {@code meta}), and {@code expect}
 * rows. A disabled test is left out, as dbt leaves it out. Whether the model and its inputs exist
 * is checked once the project is loaded ({@link UnitTestValidator}).
 */
final class UnitTestParser {
  static final String KEY = "unit_tests";
  static final String FIXTURES = "fixtures";
  private static final Set<String> TEST_KEYS =
      Set.of("name", "model", "description", "given", "expect", "overrides", "config", "versions");
  private static final Set<String> GIVEN_KEYS = Set.of("input", "rows", "format", "fixture");
  private static final Set<String> EXPECT_KEYS = Set.of("rows", "format", "fixture");
  private static final Set<String> OVERRIDE_KEYS = Set.of("vars", "macros", "env_vars");
  private static final Set<String> CONFIG_KEYS = Set.of("enabled", "tags", "meta");
  private static final Set<String> VERSIONS_KEYS = Set.of("include", "exclude");
  private static final String IS_INCREMENTAL = "is_incremental";
  private static final Set<String> FORMATS = Set.of("dict", "csv", "sql");
  // the input of a given is one call: ref('x'), source('s', 't') or this
  private static final Pattern REF =
      Pattern.compile("^ref\\(\\s*['\"]([^'\"]+)['\"]\\s*\\)$", Pattern.CASE_INSENSITIVE);
  private static final Pattern SOURCE =
      Pattern.compile(
          "^source\\(\\s*['\"]([^'\"]+)['\"]\\s*,\\s*['\"]([^'\"]+)['\"]\\s*\\)$",
          Pattern.CASE_INSENSITIVE);
  private static final String INPUT_HINT =
      "write input: ref('model_or_seed'), input: source('source', 'table') or input: this";

  private final Path root;
  private final List<String> testPaths;
  private final boolean dbt;
  private final String file;
  private final Problems problems;

  private UnitTestParser(
      Path root, List<String> testPaths, boolean dbt, String file, Problems problems) {
    this.root = root;
    this.testPaths = List.copyOf(testPaths);
    this.dbt = dbt;
    this.file = file;
    this.problems = problems;
  }

  /**
   * The unit tests of a Sluice project's properties file, whose fixtures are under {@code
   * tests/fixtures}: its models have no macros, so its tests override only {@code is_incremental}.
   *
   * @param root the project directory, where fixture files are found; null to report fixtures as
   *     unreadable
   */
  static List<UnitTestDef> parse(Path root, YamlMap properties) {
    return parse(root, List.of("tests"), false, properties);
  }

  /**
   * The unit tests of a properties file.
   *
   * @param root the project directory, where fixture files are found; null to report fixtures as
   *     unreadable
   * @param testPaths the test paths (relative to root), whose {@code fixtures/} directories hold
   *     the fixture files
   * @param dbt whether the project is a dbt project, whose tests override any macro and env var
   */
  static List<UnitTestDef> parse(
      Path root, List<String> testPaths, boolean dbt, YamlMap properties) {
    UnitTestParser parser =
        new UnitTestParser(root, testPaths, dbt, properties.file(), properties.problems());
    List<UnitTestDef> tests = new ArrayList<>();
    for (Node node : properties.list(KEY)) {
      YamlMap.of(parser.file, node, "a unit test", TEST_KEYS, parser.problems)
          .flatMap(parser::test)
          .ifPresent(tests::add);
    }
    return tests;
  }

  private Optional<UnitTestDef> test(YamlMap map) {
    String name = map.requiredString("name", "name the unit test: '- name: test_revenue_per_day'");
    String model = map.requiredString("model", "name the model it tests: 'model: daily_revenue'");
    if (name == null || model == null) {
      return Optional.empty();
    }
    String what = "unit test '" + name + "'";
    List<Given> given = new ArrayList<>();
    if (!map.has("given")) {
      problems.add(
          map.location(),
          "Missing 'given' in " + what,
          "give rows for each input of the model, e.g. given: [{input: ref('orders'), rows: [{id:"
              + " 1}]}]");
    }
    for (Node node : map.list("given")) {
      YamlMap.of(file, node, "a given of " + what, GIVEN_KEYS, problems)
          .flatMap(item -> given(item, what))
          .ifPresent(given::add);
    }
    Rows expect = new Rows(List.of(), map.location());
    if (!map.has("expect")) {
      problems.add(
          map.location(),
          "Missing 'expect' in " + what,
          "list the rows the model must produce: expect: {rows: [{id: 1}]}");
    } else {
      Optional<YamlMap> expectMap = map.map("expect", "the expect of " + what, EXPECT_KEYS);
      if (expectMap.isPresent()) {
        expect = rows(expectMap.get(), "the expect of " + what);
      }
    }
    Map<String, Object> vars = Map.of();
    Boolean incremental = null;
    Map<String, Object> macros = new java.util.LinkedHashMap<>();
    Map<String, String> envVars = new java.util.LinkedHashMap<>();
    Optional<YamlMap> overrides = map.map("overrides", "the overrides of " + what, OVERRIDE_KEYS);
    if (overrides.isPresent()) {
      vars = overrides.get().freeMap("vars");
      for (Map.Entry<String, Object> macro : overrides.get().freeMap("macros").entrySet()) {
        if (!macro.getKey().equals(IS_INCREMENTAL) && !dbt) {
          problems.add(
              overrides.get().location("macros"),
              "Unknown macro '" + macro.getKey() + "' in the overrides of " + what,
              "the macros a unit test can override are: is_incremental (a Sluice project's"
                  + " models call no other macro)");
        } else if (!macro.getKey().equals(IS_INCREMENTAL)) {
          macros.put(macro.getKey(), macro.getValue());
        } else if (!(macro.getValue() instanceof Boolean value)) {
          problems.add(
              overrides.get().location("macros"),
              "is_incremental in the overrides of " + what + " must be true or false",
              "write macros: {is_incremental: true}");
        } else {
          incremental = value;
        }
      }
      if (overrides.get().has("env_vars") && !dbt) {
        problems.add(
            overrides.get().location("env_vars"),
            "env_vars in the overrides of " + what + " apply to a dbt project's unit tests",
            "give the value the model reads as a var: overrides: {vars: {...}}");
      }
      overrides
          .get()
          .freeMap("env_vars")
          .forEach((key, value) -> envVars.put(key, value == null ? "" : String.valueOf(value)));
    }
    List<String> tags = List.of();
    Optional<YamlMap> config = map.map("config", "the config of " + what, CONFIG_KEYS);
    if (config.isPresent()) {
      tags = config.get().stringList("tags");
      if (Boolean.FALSE.equals(config.get().bool("enabled", true))) {
        return Optional.empty(); // dbt leaves a disabled unit test out
      }
    }
    Optional<YamlMap> versions = map.map("versions", "the versions of " + what, VERSIONS_KEYS);
    if (versions.isPresent() && (versions.get().has("include") || versions.get().has("exclude"))) {
      // Sluice reads no versioned models: every model is one that is not versioned
      problems.add(
          map.location("versions"),
          "Unit test '"
              + name
              + "' should not have a versions include or exclude when referencing non-versioned"
              + " model '"
              + model
              + "'",
          "remove 'versions': Sluice does not read versioned models yet");
    }
    return Optional.of(
        new UnitTestDef(
            name,
            model,
            map.string("description"),
            given,
            expect,
            vars,
            incremental,
            map.location(),
            macros,
            envVars,
            tags));
  }

  private Optional<Given> given(YamlMap map, String what) {
    String text = map.requiredString("input", INPUT_HINT);
    if (text == null) {
      return Optional.empty();
    }
    Optional<Input> input = input(text.strip(), map.location("input"));
    if (input.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new Given(
            input.get(),
            rows(map, "the rows given for " + input.get().text() + " in " + what),
            map.location()));
  }

  private Optional<Input> input(String text, Location location) {
    if (text.equals("this")) {
      return Optional.of(new Input(InputKind.THIS, "this"));
    }
    Matcher ref = REF.matcher(text);
    if (ref.matches()) {
      return Optional.of(new Input(InputKind.REF, ref.group(1).strip()));
    }
    Matcher source = SOURCE.matcher(text);
    if (source.matches()) {
      return Optional.of(
          new Input(InputKind.SOURCE, source.group(1).strip() + "." + source.group(2).strip()));
    }
    problems.add(location, "Cannot read the input '" + text + "' of a unit test", INPUT_HINT);
    return Optional.empty();
  }

  /** The rows of a given or of the expect: {@code rows:} as dict, CSV or SQL, or a fixture. */
  private Rows rows(YamlMap map, String what) {
    String format = map.string("format");
    String normalized = format == null ? "dict" : format.strip().toLowerCase(Locale.ROOT);
    if (!FORMATS.contains(normalized)) {
      problems.add(
          map.location("format"),
          "Unknown format '" + format + "' of " + what,
          "format is dict (rows as a list of mappings, the default), csv or sql");
      return new Rows(List.of(), map.location());
    }
    if (map.has("fixture")) {
      if (map.has("rows")) {
        problems.add(
            map.location("fixture"),
            what + " has both rows and a fixture",
            "give the rows inline or in the fixture file, not both");
      }
      if (normalized.equals("dict")) {
        problems.add(
            map.location("fixture"),
            "A fixture of " + what + " must be CSV or SQL",
            "add format: csv (or format: sql); the fixture is read from a "
                + FIXTURES
                + "/ directory of the test paths: "
                + fixtureDirectories());
        return new Rows(List.of(), map.location());
      }
      return fixture(map, normalized, what);
    }
    if (!map.has("rows")) {
      problems.add(
          map.location(),
          "Missing 'rows' in " + what,
          "list the rows, e.g. rows: [{id: 1, amount: 10}] (rows: [] for none)");
      return new Rows(List.of(), map.location());
    }
    if (!normalized.equals("dict")) {
      Node node = map.node("rows").orElseThrow();
      if (!(node instanceof ScalarNode scalar)) {
        problems.add(
            map.location("rows"),
            "The " + normalized.toUpperCase(Locale.ROOT) + " rows of " + what + " must be text",
            normalized.equals("csv")
                ? "write rows: | and the CSV lines below it, the first naming the columns"
                : "write rows: | and a query below it that selects every column of the input,"
                    + " e.g. select 1 as id, 'a' as name union all select 2, 'b'");
        return new Rows(List.of(), map.location());
      }
      // a block scalar (rows: |) starts on the line after its indicator
      boolean block =
          scalar.getScalarStyle() == DumperOptions.ScalarStyle.LITERAL
              || scalar.getScalarStyle() == DumperOptions.ScalarStyle.FOLDED;
      int firstLine = YamlFiles.location(file, scalar).line() + (block ? 1 : 0);
      if (normalized.equals("sql")) {
        return Rows.ofSql(scalar.getValue(), new Location(file, firstLine), null);
      }
      return csv(scalar.getValue(), file, firstLine, map.location("rows"), what).as("csv", null);
    }
    List<Row> rows = new ArrayList<>();
    for (Node rowNode : map.list("rows")) {
      if (!(rowNode instanceof MappingNode mapping)) {
        problems.add(
            YamlFiles.location(file, rowNode),
            "A row of " + what + " must be a mapping of columns to values",
            "write each row as {column: value, ...}");
        continue;
      }
      Map<String, Cell> cells = new LinkedHashMap<>();
      for (NodeTuple tuple : mapping.getValue()) {
        String column = String.valueOf(YamlFiles.toJava(tuple.getKeyNode()));
        Node value = tuple.getValueNode();
        if (!(value instanceof ScalarNode)) {
          problems.add(
              YamlFiles.location(file, value),
              "The value of column '" + column + "' in " + what + " must be a single value",
              "write e.g. " + column + ": 10");
          continue;
        }
        if (cells.put(column, new Cell(YamlFiles.toJava(value), YamlFiles.location(file, value)))
            != null) {
          problems.add(
              YamlFiles.location(file, tuple.getKeyNode()),
              "Column '" + column + "' appears twice in a row of " + what,
              "remove one of them");
        }
      }
      rows.add(new Row(cells, YamlFiles.location(file, rowNode)));
    }
    return new Rows(rows, map.location("rows"));
  }

  /** The fixture directories, as a message names them. */
  private String fixtureDirectories() {
    return String.join(", ", testPaths.stream().map(path -> path + "/" + FIXTURES).toList());
  }

  /**
   * A fixture file: {@code NAME.csv} (or {@code NAME.sql}) anywhere under a {@code fixtures/}
   * directory of the test paths, as dbt finds it.
   */
  private Rows fixture(YamlMap map, String format, String what) {
    String name = map.string("fixture");
    String extension = "." + format;
    String fileName = name.endsWith(extension) ? name : name + extension;
    Optional<Path> path = root == null ? Optional.empty() : findFixture(fileName);
    if (path.isEmpty()) {
      problems.add(
          map.location("fixture"),
          "The fixture '" + name + "' of " + what + " does not exist",
          "create "
              + testPaths.get(0)
              + "/"
              + FIXTURES
              + "/"
              + fileName
              + (format.equals("csv")
                  ? ": a CSV file whose first line names the columns"
                  : ": a query that selects every column of the input")
              + " (fixtures are read from "
              + fixtureDirectories()
              + ")");
      return new Rows(List.of(), map.location());
    }
    String relative = root.relativize(path.get()).toString().replace('\\', '/');
    try {
      String text = Files.readString(path.get(), StandardCharsets.UTF_8);
      if (format.equals("sql")) {
        return Rows.ofSql(text, new Location(relative, 1), relative);
      }
      return csv(text, relative, 1, new Location(relative, 1), what).as("csv", relative);
    } catch (IOException e) {
      problems.add(map.location("fixture"), "Cannot read " + relative + ": " + e.getMessage());
      return new Rows(List.of(), map.location());
    }
  }

  private Optional<Path> findFixture(String fileName) {
    for (String testPath : testPaths) {
      Path directory = root.resolve(testPath).resolve(FIXTURES);
      if (!Files.isDirectory(directory)) {
        continue;
      }
      try (java.util.stream.Stream<Path> files = Files.walk(directory)) {
        Optional<Path> found =
            files
                .filter(Files::isRegularFile)
                .filter(candidate -> candidate.getFileName().toString().equals(fileName))
                .sorted()
                .findFirst();
        if (found.isPresent()) {
          return found;
        }
      } catch (IOException e) {
        problems.add(
            new Location(testPath + "/" + FIXTURES, 0), "Cannot list fixtures: " + e.getMessage());
      }
    }
    return Optional.empty();
  }

  /**
   * CSV rows: the first line names the columns; an empty value is null. Values stay text, typed
   * when the test runs.
   */
  private Rows csv(String text, String csvFile, int firstLine, Location location, String what) {
    List<Integer> lines = new ArrayList<>();
    String[] split = text.split("\r?\n", -1);
    for (int i = 0; i < split.length; i++) {
      if (!split[i].isBlank()) {
        lines.add(firstLine + i);
      }
    }
    List<String[]> records = new ArrayList<>();
    CsvMapper mapper = new CsvMapper().enable(CsvParser.Feature.WRAP_AS_ARRAY);
    try (MappingIterator<String[]> iterator =
        mapper
            .readerFor(String[].class)
            .with(CsvParser.Feature.SKIP_EMPTY_LINES)
            .readValues(text)) {
      while (iterator.hasNext()) {
        records.add(iterator.next());
      }
    } catch (IOException | RuntimeException e) {
      problems.add(location, "Cannot read the CSV rows of " + what + ": " + e.getMessage());
      return new Rows(List.of(), location);
    }
    if (records.isEmpty()) {
      problems.add(
          location,
          "The CSV rows of " + what + " have no header",
          "the first line names the columns, e.g. id,amount");
      return new Rows(List.of(), location);
    }
    String[] header = records.get(0);
    List<Row> rows = new ArrayList<>();
    for (int r = 1; r < records.size(); r++) {
      int line = r < lines.size() ? lines.get(r) : location.line();
      Location rowLocation = new Location(csvFile, line);
      String[] values = records.get(r);
      if (values.length != header.length) {
        problems.add(
            rowLocation,
            "A CSV row of "
                + what
                + " has "
                + values.length
                + " values for "
                + header.length
                + " columns",
            "give one value per column of the header: " + String.join(",", header));
        continue;
      }
      Map<String, Cell> cells = new LinkedHashMap<>();
      for (int c = 0; c < header.length; c++) {
        String value = values[c];
        cells.put(header[c].strip(), new Cell(value.isEmpty() ? null : value, rowLocation));
      }
      rows.add(new Row(cells, rowLocation));
    }
    return new Rows(rows, location);
  }
}
