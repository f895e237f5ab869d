package dev.sluice.engine.spark;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.engine.Engine;
import dev.sluice.api.engine.EngineProvider;
import dev.sluice.api.engine.EngineSettings;
import java.util.Set;

/**
 * Starts the {@link SparkEngine}: {@code engine: spark} with {@code spark: {remote:
 * "sc://host:15002", token: ${env:SPARK_TOKEN}}} in {@code sluice.yaml}.
 */
public final class SparkEngineProvider implements EngineProvider {
  @Override
  public String name() {
    return "spark";
  }

  @Override
  public Set<String> options() {
    return Set.of(SparkRemote.REMOTE, SparkRemote.TOKEN);
  }

  @Override
  public Engine start(EngineSettings settings) {
    requireNonNull(settings, "settings is null");
    return SparkEngine.connect(SparkRemote.of(settings));
  }
}
