package dev.sluice.api.engine;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * What an engine is started with.
 *
 * @param tempDirectory where the engine may spill intermediate results larger than memory; it
 *     exists
 * @param memoryLimit how much memory the engine may use, e.g. {@code 4GB}, or null for the engine's
 *     default
 */
public record EngineSettings(Path tempDirectory, String memoryLimit) {
  public EngineSettings {
    requireNonNull(tempDirectory, "tempDirectory is null");
  }
}
