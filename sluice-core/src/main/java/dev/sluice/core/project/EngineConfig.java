package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import dev.sluice.api.engine.EngineSettings;
import dev.sluice.api.engine.Engines;
import java.nio.file.Path;
import java.util.Map;

/**
 * The {@code engine:} setting of {@code sluice.yaml}: which installed engine runs the project (an
 * {@link dev.sluice.api.engine.EngineProvider} by name), how much memory it may use and where it
 * spills what does not fit.
 *
 * @param name the engine's name, one of {@link Engines#names()} ({@code duckdb} by default)
 * @param memoryLimit the engine's memory limit as written (e.g. {@code 4GB}), or null for the
 *     engine's default (for DuckDB, as much as the JVM's heap, see {@code DuckDbEngine})
 * @param tempDirectory where the engine spills, absolute (default {@code .sluice/tmp} in the
 *     project)
 * @param options each installed engine's own settings by the engine's name, from the section of
 *     {@code sluice.yaml} named after it (e.g. {@code spark: {remote: "sc://host:15002", token:
 *     ${env:SPARK_TOKEN}}}), secrets resolved: for the project's engine and for the engines models
 *     choose with {@code engine:}
 * @param memoryLimitLocation where {@code memory_limit} is written, or null when it is not: a limit
 *     the engine refuses is an error at that line
 * @param tempDirectoryLocation where {@code temp_directory} is written, or {@code sluice.yaml} when
 *     it is not: a spill directory that cannot be written is an error there
 */
public record EngineConfig(
    String name,
    String memoryLimit,
    Path tempDirectory,
    Map<String, Map<String, String>> options,
    Location memoryLimitLocation,
    Location tempDirectoryLocation) {
  /** The default spill directory, relative to the project. */
  public static final String DEFAULT_TEMP_DIRECTORY = ".sluice/tmp";

  public EngineConfig {
    requireNonNull(name, "name is null");
    requireNonNull(tempDirectory, "tempDirectory is null");
    options = Map.copyOf(requireNonNull(options, "options is null"));
    if (!tempDirectory.isAbsolute()) {
      throw new IllegalArgumentException("tempDirectory must be absolute: " + tempDirectory);
    }
    if (tempDirectoryLocation == null) {
      tempDirectoryLocation = Location.of("sluice.yaml");
    }
  }

  /** Settings not written in a file (their errors name {@code sluice.yaml}). */
  public EngineConfig(
      String name,
      String memoryLimit,
      Path tempDirectory,
      Map<String, Map<String, String>> options) {
    this(name, memoryLimit, tempDirectory, options, null, null);
  }

  static EngineConfig defaults(Path root) {
    return new EngineConfig(Engines.DEFAULT, null, root.resolve(DEFAULT_TEMP_DIRECTORY), Map.of());
  }

  /** What the project's engine is started with. */
  public EngineSettings settings() {
    return settings(name);
  }

  /**
   * What the installed engine of a name is started with: the spill directory, the memory limit
   * (only for the project's engine: it is the setting of {@code engine:}) and its own options.
   */
  public EngineSettings settings(String engine) {
    return settings(engine, engine.equals(name) ? memoryLimit : null);
  }

  /**
   * What the installed engine of a name is started with for a step that sets its own memory limit
   * ({@code memory_limit} of a model).
   */
  public EngineSettings settings(String engine, String stepMemoryLimit) {
    return new EngineSettings(
        tempDirectory, stepMemoryLimit, options.getOrDefault(engine, Map.of()));
  }

  @Override
  public String toString() {
    // the options hold resolved secrets (a token): their names only
    Map<String, java.util.Set<String>> names = new java.util.TreeMap<>();
    options.forEach(
        (engine, values) -> names.put(engine, new java.util.TreeSet<>(values.keySet())));
    return "EngineConfig[name="
        + name
        + ", memoryLimit="
        + memoryLimit
        + ", tempDirectory="
        + tempDirectory
        + ", options="
        + names
        + "]";
  }
}
