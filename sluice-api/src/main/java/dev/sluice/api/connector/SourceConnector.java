package dev.sluice.api.connector;

import dev.sluice.api.engine.EngineSession;

/**
 * Reads one table of a source system and stages its new data in an engine session, from where
 * Sluice writes it to the lake in one commit. Implementations find each other with {@link
 * java.util.ServiceLoader}.
 */
public interface SourceConnector {
  /** The {@code connector:} name in a source file, e.g. {@code file}. */
  String type();

  /**
   * Stages the data of {@code table} that is new since {@code state} as a temporary table of the
   * session, plus the rejected records when the table quarantines them.
   *
   * @throws dev.sluice.api.DataException for a malformed record when the table does not quarantine,
   *     naming file, line and problem
   * @throws dev.sluice.api.InvalidInputException for options that cannot work (e.g. bad format)
   */
  StagedData stage(SourceTableSpec table, LoadState state, EngineSession session);
}
