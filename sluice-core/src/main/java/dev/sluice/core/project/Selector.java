package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Asset selection, as on every command that takes {@code --select} and {@code --exclude}.
 *
 * <ul>
 *   <li>{@code name}: one asset (a model, a seed or {@code source.table});
 *   <li>{@code +name}: it and everything upstream; {@code 2+name}: up to two levels up;
 *   <li>{@code name+}: it and everything downstream; {@code name+1}: one level down;
 *   <li>{@code @name}: it, everything downstream, and everything upstream of those (dbt's
 *       {@code @}: what a build of it and its descendants needs);
 *   <li>{@code tag:x}, {@code zone:curated}, {@code path:models/marts}, {@code source:crm}: every
 *       asset with that tag, in that zone, under that path, or of that source;
 *   <li>{@code resource_type:model} (or {@code seed}, {@code source}) and {@code
 *       config.materialized:view}: every asset of that kind, every model of that materialization
 *       (dbt's selector methods);
 *   <li>{@code test_type:singular} (or {@code generic}, {@code data}, {@code unit}): the assets
 *       with tests of that type; {@code state:modified} (or {@code new}, {@code modified.body},
 *       {@code modified.configs}, {@code modified.relation}): what differs from the manifest.json
 *       of {@code --state DIR} (a dbt project's); {@code selector:name}: a selector of
 *       selectors.yml ({@link DbtSelectors});
 *   <li>several selectors (separate arguments or separated by spaces) are a union; selectors joined
 *       by commas ({@code tag:finance,zone:published}) are an intersection.
 * </ul>
 */
public final class Selector {
  private static final Pattern TERM = Pattern.compile("^(@)?(\\d*\\+)?([^+@]+)(\\+\\d*)?$");
  private static final List<String> RESOURCE_TYPES =
      List.of("model", "seed", "snapshot", "source", "exposure");

  private static final List<String> TEST_TYPES = List.of("generic", "singular", "data", "unit");

  private final Project project;
  private DbtSelectors selectors;

  public Selector(Project project) {
    this.project = requireNonNull(project, "project is null");
  }

  /**
   * The selected assets minus the excluded ones, in dependency order.
   *
   * @param select selectors; empty selects every asset
   * @throws InvalidInputException for a selector that names nothing known
   */
  public List<String> select(List<String> select, List<String> exclude) {
    AssetGraph graph = project.graph();
    Set<String> chosen =
        select.isEmpty() ? new HashSet<>(graph.topologicalOrder()) : evaluate(select);
    chosen.removeAll(evaluate(exclude));
    List<String> ordered = new ArrayList<>();
    for (String asset : graph.topologicalOrder()) {
      if (chosen.contains(asset)) {
        ordered.add(asset);
      }
    }
    return ordered;
  }

  private Set<String> evaluate(List<String> arguments) {
    Set<String> union = new LinkedHashSet<>();
    for (String argument : arguments) {
      for (String selector : argument.trim().split("\\s+", -1)) {
        if (!selector.isEmpty()) {
          union.addAll(intersection(selector));
        }
      }
    }
    return union;
  }

  // a trailing ',' is ignored, as String.split drops trailing empty strings: kept so
  @SuppressWarnings("StringSplitter")
  private Set<String> intersection(String selector) {
    Set<String> result = null;
    for (String part : selector.split(",")) {
      Set<String> matched = term(part.trim());
      if (result == null) {
        result = new LinkedHashSet<>(matched);
      } else {
        result.retainAll(matched);
      }
    }
    return result == null ? Set.of() : result;
  }

  private Set<String> term(String term) {
    Matcher matcher = TERM.matcher(term);
    if (!matcher.matches()) {
      throw new InvalidInputException(
          "Cannot read the selector '"
              + term
              + "': use name, +name, name+, 2+name, @name, tag:x, zone:x, path:x, source:x,"
              + " resource_type:x, config.materialized:x, test_type:x, state:x or selector:x");
    }
    Set<String> core = core(matcher.group(3));
    Set<String> result = new LinkedHashSet<>(core);
    // an exposure is no asset: what it reads is one level up from it
    Set<String> exposureParents = exposureParents(matcher.group(3));
    AssetGraph graph = project.graph();
    if (matcher.group(1) != null) {
      if (matcher.group(2) != null || matcher.group(4) != null) {
        throw new InvalidInputException(
            "Cannot read the selector '" + term + "': '@' takes no '+' (write @name)");
      }
      result.addAll(walk(core, graph::downstream, Integer.MAX_VALUE));
      result.addAll(exposureParents);
      result.addAll(walk(Set.copyOf(result), graph::upstream, Integer.MAX_VALUE));
      return result;
    }
    if (matcher.group(2) != null) {
      int depth = depth(matcher.group(2).replace("+", ""));
      result.addAll(walk(core, graph::upstream, depth));
      if (depth > 0) {
        result.addAll(exposureParents);
        result.addAll(walk(exposureParents, graph::upstream, depth - 1));
      }
    }
    if (matcher.group(4) != null) {
      result.addAll(walk(core, graph::downstream, depth(matcher.group(4).replace("+", ""))));
    }
    return result;
  }

  private static int depth(String digits) {
    return digits.isEmpty() ? Integer.MAX_VALUE : Integer.parseInt(digits);
  }

  private static Set<String> walk(
      Set<String> start, Function<String, Set<String>> next, int depth) {
    Set<String> seen = new LinkedHashSet<>();
    Deque<String> frontier = new ArrayDeque<>(start);
    for (int level = 0; level < depth && !frontier.isEmpty(); level++) {
      Deque<String> following = new ArrayDeque<>();
      for (String asset : frontier) {
        for (String neighbour : next.apply(asset)) {
          if (seen.add(neighbour)) {
            following.add(neighbour);
          }
        }
      }
      frontier = following;
    }
    return seen;
  }

  private Set<String> core(String text) {
    int colon = text.indexOf(':');
    if (colon < 0) {
      if (project.dbt() != null
          && !project.models().containsKey(text)
          && !project.seeds().containsKey(text)) {
        // dbt's fqn method: a package's name, or <package>.<directories>, selects what is in it
        Set<String> byFqn = byFqn(text);
        if (!byFqn.isEmpty()) {
          return byFqn;
        }
      }
      return Set.copyOf(project.graph().select(List.of(text)));
    }
    String method = text.substring(0, colon).toLowerCase(Locale.ROOT);
    String value = text.substring(colon + 1);
    // what may rightly select nothing: no change since the state, an empty named selection
    if (method.equals("state")) {
      return DbtState.select(project, value);
    }
    if (method.equals("selector")) {
      return selectors().evaluate(value, selector -> evaluate(List.of(selector)));
    }
    if (method.equals("exposure")) {
      exposures(value); // an unknown exposure is an error
      return Set.of(); // exposures are no assets: +exposure:x selects what x reads
    }
    if (method.equals("resource_type") && value.equalsIgnoreCase("exposure")) {
      return Set.of(); // sluice ls lists them ({@link #selectExposures})
    }
    Set<String> matched = new LinkedHashSet<>();
    switch (method) {
      case "tag" -> {
        project.models().values().stream()
            .filter(m -> m.tags().contains(value))
            .forEach(m -> matched.add(m.name()));
        sourceTables().stream()
            .filter(t -> t.tags().contains(value))
            .forEach(t -> matched.add(t.assetName()));
      }
      case "zone" -> {
        project.models().values().stream()
            .filter(m -> m.zone().namespace().equalsIgnoreCase(value))
            .forEach(m -> matched.add(m.name()));
        project.seeds().values().stream()
            .filter(s -> s.tableName().zone().equalsIgnoreCase(value))
            .forEach(s -> matched.add(s.name()));
        if (value.equalsIgnoreCase("raw")) {
          sourceTables().forEach(t -> matched.add(t.assetName()));
        }
      }
      case "path" -> {
        String prefix = value;
        project.models().values().stream()
            .filter(m -> m.sqlFileName().startsWith(prefix))
            .forEach(m -> matched.add(m.name()));
        project.seeds().values().stream()
            .filter(s -> s.csvFile().toString().replace('\\', '/').startsWith(prefix))
            .forEach(s -> matched.add(s.name()));
        sourceTables().stream()
            .filter(t -> t.location().file().startsWith(prefix))
            .forEach(t -> matched.add(t.assetName()));
      }
      case "source" -> {
        int dot = value.indexOf('.');
        if (!project.sources().containsKey(value)
            && dot > 0
            && project.sources().containsKey(value.substring(0, dot))) {
          // dbt's source:name.table: one table of a source
          String table = value.substring(dot + 1);
          SourceDef source = project.sources().get(value.substring(0, dot));
          if (source.table(table).isEmpty()) {
            throw new InvalidInputException(
                "Source '"
                    + source.name()
                    + "' has no table '"
                    + table
                    + "': "
                    + Suggestions.hint(
                        table,
                        source.tables().stream().map(SourceTableDef::name).toList(),
                        "its tables are"));
          }
          matched.add(source.name() + "." + table);
          break;
        }
        if (!project.sources().containsKey(value)) {
          throw new InvalidInputException(
              "No source '"
                  + value
                  + "': "
                  + Suggestions.hint(value, project.sources().keySet(), "the sources are"));
        }
        project.sources().get(value).tables().forEach(t -> matched.add(t.assetName()));
      }
      case "resource_type" -> {
        switch (value.toLowerCase(Locale.ROOT)) {
          case "model" ->
              project.models().values().stream()
                  .filter(model -> model.snapshot() == null)
                  .forEach(model -> matched.add(model.name()));
          case "snapshot" ->
              project.models().values().stream()
                  .filter(model -> model.snapshot() != null)
                  .forEach(model -> matched.add(model.name()));
          case "seed" -> matched.addAll(project.seeds().keySet());
          case "source" -> sourceTables().forEach(t -> matched.add(t.assetName()));
          default ->
              throw new InvalidInputException(
                  "Unknown resource type '"
                      + value
                      + "': "
                      + Suggestions.hint(value, RESOURCE_TYPES, "the resource types are"));
        }
      }
      case "test_type" -> testType(value, matched);
      case "package" -> {
        DbtPackageNodes packages = project.dbt() == null ? null : project.dbt().packageNodes();
        String own = project.config().name();
        project.models().keySet().stream()
            .filter(name -> (packages == null ? own : packages.packageOf(name, own)).equals(value))
            .forEach(matched::add);
        project.seeds().keySet().stream()
            .filter(name -> (packages == null ? own : packages.packageOf(name, own)).equals(value))
            .forEach(matched::add);
      }
      case "config.materialized" ->
          project.models().values().stream()
              .filter(m -> m.materialization().name().equalsIgnoreCase(value))
              .forEach(m -> matched.add(m.name()));
      default ->
          throw new InvalidInputException(
              "Unknown selector method '"
                  + method
                  + ":': use tag:, zone:, path:, source:, resource_type:,"
                  + " config.materialized:, test_type:, package:, state:, exposure: or"
                  + " selector:");
    }
    if (matched.isEmpty()) {
      throw new InvalidInputException("The selector '" + text + "' matches no asset");
    }
    return matched;
  }

  /**
   * The models and seeds whose dbt fqn (package, directories, name) begins with the parts of {@code
   * selector} ({@code dbt_project_evaluator.staging}), as dbt's {@code fqn} method selects them.
   */
  private Set<String> byFqn(String selector) {
    List<String> parts = List.of(selector.split("\\.", -1));
    DbtPackageNodes packages = project.dbt().packageNodes();
    String own = project.config().name();
    Set<String> matched = new LinkedHashSet<>();
    for (ModelDef model : project.models().values()) {
      DbtPackageNodes.Origin origin = packages.origin(model.name());
      List<String> fqn =
          origin != null ? origin.fqn() : fqn(own, model.sqlFileName(), model.name());
      if (fqn.size() >= parts.size() && fqn.subList(0, parts.size()).equals(parts)) {
        matched.add(model.name());
      }
    }
    for (SeedDef seed : project.seeds().values()) {
      DbtPackageNodes.Origin origin = packages.origin(seed.name());
      List<String> fqn =
          origin != null
              ? origin.fqn()
              : fqn(own, seed.csvFile().toString().replace('\\', '/'), seed.name());
      if (fqn.size() >= parts.size() && fqn.subList(0, parts.size()).equals(parts)) {
        matched.add(seed.name());
      }
    }
    return matched;
  }

  /** The fqn of a project's own model or seed: the project, its file's directories, its name. */
  private static List<String> fqn(String project, String file, String name) {
    List<String> fqn = new ArrayList<>();
    fqn.add(project);
    String[] segments = file.split("/", -1);
    for (int i = 1; i < segments.length - 1; i++) {
      fqn.add(segments[i]);
    }
    fqn.add(name);
    return fqn;
  }

  /**
   * The assets with tests of a type (dbt's {@code test_type:}): {@code singular} ({@code .sql}
   * files of the test paths), {@code generic} (data tests of properties files and Sluice's checks),
   * {@code data} (either), {@code unit} (models with unit tests). Sluice runs an asset's checks
   * together, so selecting an asset runs all of them.
   */
  private void testType(String value, Set<String> matched) {
    String type = value.toLowerCase(Locale.ROOT);
    if (type.equals("unit")) {
      project.unitTests().values().forEach(test -> matched.add(test.model()));
      return;
    }
    if (!TEST_TYPES.contains(type)) {
      throw new InvalidInputException(
          "Unknown test type '"
              + value
              + "': "
              + Suggestions.hint(value, TEST_TYPES, "the test types are"));
    }
    for (String asset : project.graph().topologicalOrder()) {
      for (CheckDef check : project.asset(asset).allChecks()) {
        boolean singular = check.arguments().containsKey(DbtSingularTests.SINGULAR_TEST);
        if (type.equals("data") || singular == type.equals("singular")) {
          matched.add(asset);
        }
      }
    }
  }

  /** The exposures {@code exposure:value} names ({@code *}: all); none is an error. */
  private Set<String> exposures(String value) {
    Set<String> names = exposureNames();
    if (value.equals("*")) {
      return names;
    }
    if (!names.contains(value)) {
      throw new InvalidInputException(
          "No exposure '"
              + value
              + "': "
              + (names.isEmpty()
                  ? "the project declares no exposures (exposures: in a properties file)"
                  : Suggestions.hint(value, names, "the exposures are")));
    }
    return Set.of(value);
  }

  private Set<String> exposureNames() {
    return project.dbt() == null
        ? Set.of()
        : new java.util.TreeSet<>(project.dbt().resources().exposures().keySet());
  }

  /** The assets an {@code exposure:x} term's exposures read; empty for any other term. */
  private Set<String> exposureParents(String text) {
    if (!text.toLowerCase(Locale.ROOT).startsWith("exposure:")) {
      return Set.of();
    }
    Set<String> parents = new LinkedHashSet<>();
    for (String exposure : exposures(text.substring(text.indexOf(':') + 1))) {
      parents.addAll(project.dbt().resources().assetsRead(exposure));
    }
    return parents;
  }

  /**
   * The exposures a selection picks, for {@code sluice ls}: those {@code exposure:x} (or {@code
   * exposure:*}) names, every one for {@code resource_type:exposure}, those with a tag for {@code
   * tag:x}; the excluded ones left out.
   */
  public List<String> selectExposures(List<String> select, List<String> exclude) {
    Set<String> chosen = exposureTerms(select);
    chosen.removeAll(exposureTerms(exclude));
    return List.copyOf(chosen);
  }

  private Set<String> exposureTerms(List<String> arguments) {
    Set<String> chosen = new java.util.TreeSet<>();
    for (String argument : arguments) {
      for (String selector : argument.trim().split("\\s+", -1)) {
        Matcher matcher = TERM.matcher(selector);
        String bare = matcher.matches() ? matcher.group(3) : selector;
        String lower = bare.toLowerCase(Locale.ROOT);
        if (lower.startsWith("exposure:")) {
          chosen.addAll(exposures(bare.substring("exposure:".length())));
        } else if (lower.equals("resource_type:exposure")) {
          chosen.addAll(exposureNames());
        } else if (lower.startsWith("tag:") && project.dbt() != null) {
          String tag = bare.substring("tag:".length());
          project.dbt().resources().exposures().values().stream()
              .filter(exposure -> exposure.hasTag(tag))
              .forEach(exposure -> chosen.add(exposure.name()));
        }
      }
    }
    return chosen;
  }

  /** The project's selectors.yml, read once per selection. */
  private DbtSelectors selectors() {
    if (selectors == null) {
      selectors = DbtSelectors.read(project.root());
    }
    return selectors;
  }

  /**
   * The selector of selectors.yml with {@code default: true}: what a command given no selection
   * selects, as in dbt.
   */
  public Optional<String> defaultSelector() {
    return selectors().defaultSelector();
  }

  private List<SourceTableDef> sourceTables() {
    List<SourceTableDef> tables = new ArrayList<>();
    project.sources().values().forEach(source -> tables.addAll(source.tables()));
    return tables;
  }
}
