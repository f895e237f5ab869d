package dev.sluice.api.engine;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What an engine is started with.
 *
 * @param tempDirectory where the engine may spill intermediate results larger than memory; it
 *     exists
 * @param memoryLimit how much memory the engine may use, e.g. {@code 4GB}, or null for the engine's
 *     default
 * @param options the engine's own settings from {@code sluice.yaml}, secrets already resolved (e.g.
 *     the Spark engine's {@code remote} and {@code token}); never logged or printed as a whole
 */
public record EngineSettings(Path tempDirectory, String memoryLimit, Map<String, String> options) {
  public EngineSettings {
    requireNonNull(tempDirectory, "tempDirectory is null");
    options = Map.copyOf(requireNonNull(options, "options is null"));
  }

  /** Settings without engine options. */
  public EngineSettings(Path tempDirectory, String memoryLimit) {
    this(tempDirectory, memoryLimit, Map.of());
  }

  /** The option of a name, if set and not blank. */
  public Optional<String> option(String name) {
    return Optional.ofNullable(options.get(name)).filter(value -> !value.isBlank());
  }

  @Override
  public String toString() {
    return "EngineSettings[tempDirectory="
        + tempDirectory
        + ", memoryLimit="
        + memoryLimit
        + ", options="
        + options.keySet()
        + "]";
  }
}
