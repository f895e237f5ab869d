package dev.sluice.engine.duckdb;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.engine.Engine;
import dev.sluice.api.engine.EngineProvider;
import dev.sluice.api.engine.EngineSettings;

/** Starts the embedded {@link DuckDbEngine}: {@code engine: duckdb} in {@code sluice.yaml}. */
public final class DuckDbEngineProvider implements EngineProvider {
  @Override
  public String name() {
    return "duckdb";
  }

  @Override
  public Engine start(EngineSettings settings) {
    requireNonNull(settings, "settings is null");
    return DuckDbEngine.start(settings.tempDirectory(), settings.memoryLimit());
  }
}
