package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.engine.EngineSettings;
import dev.sluice.api.engine.Engines;
import java.nio.file.Path;

/**
 * The {@code engine:} setting of {@code sluice.yaml}: which installed engine runs the project (an
 * {@link dev.sluice.api.engine.EngineProvider} by name), how much memory it may use and where it
 * spills what does not fit.
 *
 * @param name the engine's name, one of {@link Engines#names()} ({@code duckdb} by default)
 * @param memoryLimit the engine's memory limit as written (e.g. {@code 4GB}), or null for the
 *     engine's default (for DuckDB, half of the memory the JVM's heap leaves, see {@code
 *     DuckDbEngine})
 * @param tempDirectory where the engine spills, absolute (default {@code .sluice/tmp} in the
 *     project)
 */
public record EngineConfig(String name, String memoryLimit, Path tempDirectory) {
  /** The default spill directory, relative to the project. */
  public static final String DEFAULT_TEMP_DIRECTORY = ".sluice/tmp";

  public EngineConfig {
    requireNonNull(name, "name is null");
    requireNonNull(tempDirectory, "tempDirectory is null");
    if (!tempDirectory.isAbsolute()) {
      throw new IllegalArgumentException("tempDirectory must be absolute: " + tempDirectory);
    }
  }

  static EngineConfig defaults(Path root) {
    return new EngineConfig(Engines.DEFAULT, null, root.resolve(DEFAULT_TEMP_DIRECTORY));
  }

  /** What the engine is started with. */
  public EngineSettings settings() {
    return new EngineSettings(tempDirectory, memoryLimit);
  }
}
