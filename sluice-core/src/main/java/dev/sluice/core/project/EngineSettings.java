package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * The {@code engine:} block of {@code sluice.yaml}: how much memory DuckDB may use and where it
 * spills what does not fit.
 *
 * @param memoryLimit DuckDB's memory limit as written (e.g. {@code 4GB}), or null for Sluice's
 *     default (half of the memory the JVM's heap leaves, see {@code DuckDbEngine})
 * @param tempDirectory where DuckDB spills, absolute (default {@code .sluice/tmp} in the project)
 */
public record EngineSettings(String memoryLimit, Path tempDirectory) {
  /** The default spill directory, relative to the project. */
  public static final String DEFAULT_TEMP_DIRECTORY = ".sluice/tmp";

  public EngineSettings {
    requireNonNull(tempDirectory, "tempDirectory is null");
    if (!tempDirectory.isAbsolute()) {
      throw new IllegalArgumentException("tempDirectory must be absolute: " + tempDirectory);
    }
  }

  static EngineSettings defaults(Path root) {
    return new EngineSettings(null, root.resolve(DEFAULT_TEMP_DIRECTORY));
  }
}
