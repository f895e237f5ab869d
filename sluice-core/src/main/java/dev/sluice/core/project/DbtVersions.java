package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * dbt's versioned models: a model whose properties list {@code versions:} is a model of each
 * version, read from {@code <name>_v<v>.sql} (or the version's {@code defined_in} file), whose
 * relation is {@code <name>_v<v>} as dbt names it. Sluice names each version's model as its file;
 * {@code ref('name')} reads the latest version ({@code latest_version}, else the greatest), and
 * {@code ref('name', v=2)} (or {@code version=2}) the version given.
 */
final class DbtVersions {
  static final DbtVersions NONE = new DbtVersions(Map.of());

  /**
   * The versions of one model.
   *
   * @param name the model's name, which its properties give
   * @param latest the latest version
   * @param models the model of each version (its file's name), by version
   */
  record Versioned(String name, String latest, Map<String, String> models) {
    Versioned {
      requireNonNull(name, "name is null");
      requireNonNull(latest, "latest is null");
      models = Copies.orderedMap(models);
    }
  }

  private final Map<String, Versioned> byName;
  private final Map<String, Versioned> byModel = new LinkedHashMap<>();
  private final Map<String, String> versionOf = new LinkedHashMap<>();

  DbtVersions(Map<String, Versioned> byName) {
    this.byName = Copies.orderedMap(byName);
    byName
        .values()
        .forEach(
            versioned ->
                versioned
                    .models()
                    .forEach(
                        (version, model) -> {
                          byModel.put(model, versioned);
                          versionOf.put(model, version);
                        }));
  }

  /** Whether the model is versioned (by the name its properties give). */
  boolean versioned(String name) {
    return byName.containsKey(name);
  }

  /**
   * The model {@code ref(name)} reads: the version asked for, else the latest; empty for a version
   * the model does not have. A model that is not versioned is itself.
   */
  Optional<String> model(String name, String version) {
    Versioned versioned = byName.get(name);
    if (versioned == null) {
      return Optional.of(name);
    }
    return Optional.ofNullable(
        versioned.models().get(version == null ? versioned.latest() : version));
  }

  /** The versions of a versioned model, for a message. */
  String versionsOf(String name) {
    Versioned versioned = byName.get(name);
    return versioned == null ? "" : String.join(", ", versioned.models().keySet());
  }

  /** The versioned model whose version a model (by its Sluice name) is, or empty. */
  Optional<Versioned> of(String model) {
    return Optional.ofNullable(byModel.get(model));
  }

  /** The version a model (by its Sluice name) is, or null. */
  String version(String model) {
    return versionOf.get(model);
  }

  /** A version as dbt compares it: {@code 2}, {@code 2.0} and {@code '2'} are version 2. */
  static String normalize(Object version) {
    if (version == null) {
      return null;
    }
    if (version instanceof Number number
        && number.doubleValue() == Math.rint(number.doubleValue())) {
      return Long.toString(number.longValue());
    }
    String text = String.valueOf(version).strip();
    return text.matches("\\d+\\.0+") ? text.substring(0, text.indexOf('.')) : text;
  }
}
