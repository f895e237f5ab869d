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
  /**
   * The option naming the warehouse's S3 endpoint as the Spark cluster reaches it, when that is not
   * the address Sluice uses (e.g. a service name inside the cluster's network).
   */
  static final String S3_ENDPOINT = "s3_endpoint";

  @Override
  public String name() {
    return "spark";
  }

  @Override
  public Set<String> options() {
    return Set.of(SparkRemote.REMOTE, SparkRemote.TOKEN, S3_ENDPOINT);
  }

  @Override
  public Engine start(EngineSettings settings) {
    requireNonNull(settings, "settings is null");
    return SparkEngine.connect(
        SparkRemote.of(settings),
        settings.warehouse(),
        settings.option(S3_ENDPOINT),
        settings.catalog());
  }
}
