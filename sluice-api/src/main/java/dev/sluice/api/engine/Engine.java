package dev.sluice.api.engine;

/**
 * A SQL engine that Sluice runs models, checks and queries on. Implementations are thread-safe;
 * each thread of work opens its own {@link EngineSession}.
 */
public interface Engine extends AutoCloseable {
  /** A short name, e.g. {@code duckdb}. */
  String name();

  /**
   * The engine's own version, e.g. {@code DuckDB v1.4.1}: what it accepts and how it describes a
   * query may change with it, so what was derived from its answers (validate's compile cache) is
   * kept by it. By default {@link #name()}.
   */
  default String version() {
    return name();
  }

  /** Opens a session: a connection with its own temporary tables and registered views. */
  EngineSession openSession();

  @Override
  void close();
}
