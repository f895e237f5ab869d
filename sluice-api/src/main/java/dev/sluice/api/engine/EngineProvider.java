package dev.sluice.api.engine;

/**
 * Starts one kind of {@link Engine}. Implementations are found with {@link java.util.ServiceLoader}
 * (list them in {@code META-INF/services/dev.sluice.api.engine.EngineProvider}) and chosen by the
 * {@code engine:} setting of {@code sluice.yaml}; see {@link Engines}.
 */
public interface EngineProvider {
  /** The name that {@code sluice.yaml} chooses this engine by, e.g. {@code duckdb}. */
  String name();

  /**
   * The options the engine takes from the section of {@code sluice.yaml} named after it (e.g.
   * {@code spark: {remote: ..., token: ...}}); an option whose name says it is a secret ({@link
   * dev.sluice.api.Secrets#isSecretName}) must be given by reference. None by default.
   */
  default java.util.Set<String> options() {
    return java.util.Set.of();
  }

  /**
   * Starts an engine.
   *
   * @throws dev.sluice.api.SluiceException when the engine cannot start, e.g. refuses a setting
   */
  Engine start(EngineSettings settings);
}
