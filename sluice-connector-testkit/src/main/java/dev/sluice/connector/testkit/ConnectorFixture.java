package dev.sluice.connector.testkit;

import dev.sluice.api.connector.ReplayWindow;
import dev.sluice.api.connector.SourceTableSpec;
import java.util.Set;

/**
 * A real source of one connector, holding one table for the {@link ConnectorContractTest}s: a
 * PostgreSQL table, a directory of files, a topic. Every row has a whole-number {@code id} and a
 * text {@code name} ({@code name-<id>}); the source may have more columns.
 *
 * <p>A fixture is made for each test and closed after it.
 */
public interface ConnectorFixture extends AutoCloseable {
  /**
   * Adds the rows with ids {@code fromId} to {@code toId} (inclusive) to the source, so that an
   * incremental load after the last one reads exactly them.
   */
  void addRows(long fromId, long toId);

  /**
   * Adds one record the connector cannot load (e.g. a CSV line with too many values, a value no
   * column type holds), after the rows added so far.
   *
   * @throws UnsupportedOperationException when the source cannot hold a bad record; the bad record
   *     tests are then skipped
   */
  void addBadRecord();

  /**
   * The table as a project would declare it.
   *
   * @param incremental whether a load reads only what is new since its state (append files, an
   *     incremental cursor, committed offsets); else a load reads everything
   * @param quarantine whether bad records are staged as rejected instead of failing the load
   */
  SourceTableSpec table(boolean incremental, boolean quarantine);

  /** The table with options that cannot work (an unknown option, a bad value or combination). */
  SourceTableSpec tableWithInvalidOptions();

  /**
   * The columns the connector adds to the staged rows beyond the source's own, e.g. {@code
   * _source_file}; discovery does not show them.
   */
  default Set<String> addedColumns() {
    return Set.of();
  }

  /** Whether {@link SourceTableSpec#quarantine()} makes the connector stage bad records. */
  default boolean quarantines() {
    return true;
  }

  /**
   * A replay window that covers every row added so far, or null when the connector cannot replay.
   */
  default ReplayWindow windowCoveringAllRows() {
    return null;
  }

  @Override
  void close();
}
