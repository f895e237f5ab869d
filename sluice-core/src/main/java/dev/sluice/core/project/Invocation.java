package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * What one invocation of Sluice asks of the project it loads, beside the project's files: as dbt's
 * command-line flags do.
 *
 * @param target the target to load (sluice.yaml's {@code targets:}, or a dbt profile's output), or
 *     null for the default
 * @param vars values of {@code var()} that override the project's ({@code --vars})
 * @param flags what a dbt project's templates see as {@code flags} beside dbt's defaults, by dbt's
 *     names ({@code FULL_REFRESH}, {@code WHICH}, ...)
 * @param state the directory of a previous run's {@code manifest.json} that {@code state:}
 *     selectors compare with ({@code --state}), or null
 */
public record Invocation(
    String target, Map<String, Object> vars, Map<String, Object> flags, Path state) {
  /** No target, no vars, dbt's default flags, no state. */
  public static final Invocation NONE = new Invocation(null, Map.of(), Map.of(), null);

  public Invocation {
    vars = Copies.orderedMap(requireNonNull(vars, "vars is null"));
    flags = Copies.orderedMap(requireNonNull(flags, "flags is null"));
  }

  /** The same invocation, with a target. */
  public Invocation withTarget(String name) {
    return new Invocation(name, vars, flags, state);
  }

  /** The same invocation, with vars that override the project's. */
  public Invocation withVars(Map<String, Object> values) {
    return new Invocation(target, values, flags, state);
  }

  /** The same invocation, with one more of dbt's flags. */
  public Invocation withFlag(String name, Object value) {
    Map<String, Object> all = new LinkedHashMap<>(flags);
    all.put(name, value);
    return new Invocation(target, vars, all, state);
  }

  /** The same invocation, comparing {@code state:} selectors with the manifest in a directory. */
  public Invocation withState(Path directory) {
    return new Invocation(target, vars, flags, directory);
  }

  /**
   * Reads {@code --vars}: a YAML (or JSON) dictionary, as dbt reads it ({@code '{days: 3}'}).
   *
   * @throws InvalidInputException when the text is not a dictionary
   */
  public static Map<String, Object> parseVars(String text) {
    requireNonNull(text, "text is null");
    Object value;
    try {
      value = new Yaml(new LoaderOptions()).load(text);
    } catch (YAMLException e) {
      throw new InvalidInputException(
          "Cannot read --vars '"
              + text
              + "': "
              + e.getMessage().lines().findFirst().orElse("not YAML")
              + ". Give a YAML or JSON dictionary, e.g. --vars '{days: 3, country: NL}'");
    }
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof Map<?, ?> map)) {
      throw new InvalidInputException(
          "--vars '"
              + text
              + "' is not a dictionary: give a YAML or JSON dictionary, e.g. --vars '{days: 3}'");
    }
    Map<String, Object> vars = new LinkedHashMap<>();
    map.forEach((key, entry) -> vars.put(String.valueOf(key), entry));
    return vars;
  }
}
