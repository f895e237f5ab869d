package dev.sluice.api.engine;

/**
 * A SQL engine that Sluice runs models, checks and queries on. Implementations are thread-safe;
 * each thread of work opens its own {@link EngineSession}.
 */
public interface Engine extends AutoCloseable {
  /** A short name, e.g. {@code duckdb}. */
  String name();

  /** Opens a session: a connection with its own temporary tables and registered views. */
  EngineSession openSession();

  @Override
  void close();
}
