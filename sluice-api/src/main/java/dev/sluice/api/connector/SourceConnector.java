package dev.sluice.api.connector;

import dev.sluice.api.engine.EngineSession;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads one table of a source system and stages its new data in an engine session, from where
 * Sluice writes it to the lake in one commit. Implementations find each other with {@link
 * java.util.ServiceLoader} (see {@link SourceConnectors}).
 */
public interface SourceConnector {
  /** The {@code connector:} name in a source file, e.g. {@code file}. */
  String type();

  /** One sentence saying what the connector reads, for {@code sluice connectors}. */
  default String description() {
    return "";
  }

  /**
   * What the connector can do beyond staging a table, in ways that change how Sluice loads it; core
   * asks these instead of a connector's name.
   */
  enum Capability {
    /**
     * Its tables are files, each tracked by path and checksum in {@link LoadState#loadedFiles()}:
     * Sluice commits the files a load read ({@link StagedData#files()}) with its data, a load that
     * replaces the table is given no state (it reads every file again), and plans and runs count
     * files rather than rows.
     */
    LOADS_FILES,
    /** It reads the project's seed CSV files, see {@link #stageSeed}. */
    READS_SEEDS
  }

  /** The capabilities the connector declares; none by default. */
  default Set<Capability> capabilities() {
    return Set.of();
  }

  /** Whether the connector declares {@code capability}. */
  default boolean supports(Capability capability) {
    return capabilities().contains(capability);
  }

  /**
   * The options a source of this connector takes: in {@code options:} (of the source, and of each
   * table, which override the source's), or where their {@link ConnectorOption#placement()} says.
   * The project loader rejects options not listed here, and checks each value against its type.
   */
  default List<ConnectorOption> options() {
    return List.of();
  }

  /**
   * Checks combinations of options that are valid one by one, e.g. an option that needs another.
   *
   * @return what is wrong, one message per problem; empty when the options can work
   */
  default List<String> validate(ConnectorOptions options) {
    return List.of();
  }

  /**
   * Checks options beyond their types, like {@link #validate}, for problems that belong to one
   * option: the loader reports each at the line where its option is written, e.g. a file source's
   * path whose extension tells no format.
   *
   * @param options the table's options, each of its type; secrets are still references
   * @return the problems; empty when the options can work
   */
  default List<OptionProblem> check(ConnectorOptions options) {
    return List.of();
  }

  /**
   * Whether a load of a table with these options reads only what is new since the state committed
   * with the table's last load, and appends it (else it reads everything and replaces the table):
   * the table's load mode, which becomes {@link SourceTableSpec#append()}.
   */
  default boolean incremental(ConnectorOptions options) {
    return false;
  }

  /**
   * Where a table with these options is read from, in a few words for plans and run summaries, e.g.
   * a file source's path; empty when there is nothing short to say. Never a secret.
   */
  default String origin(ConnectorOptions options) {
    return "";
  }

  /**
   * Stages the data of {@code table} that is new since {@code state} as a temporary table of the
   * session, plus the rejected records when the table quarantines them.
   *
   * @throws dev.sluice.api.DataException for a malformed record when the table does not quarantine,
   *     naming file, line and problem
   * @throws dev.sluice.api.InvalidInputException for options that cannot work (e.g. bad format)
   * @throws dev.sluice.api.TransientException when the source cannot be reached; the message names
   *     the source, host and cause, never a secret
   */
  StagedData stage(SourceTableSpec table, LoadState state, EngineSession session);

  /**
   * Stages a seed, all of its rows or none: the whole CSV file, with a header, as a temporary table
   * of the session that holds its rows (never one that reads the file when scanned).
   *
   * @return the staged rows, or {@link StagedData#nothingNew} when the file does not exist
   * @throws UnsupportedOperationException unless the connector declares {@link
   *     Capability#READS_SEEDS}
   * @throws dev.sluice.api.DataException for a malformed record, naming file, line and problem
   */
  default StagedData stageSeed(SeedSpec seed, EngineSession session) {
    throw new UnsupportedOperationException("The " + type() + " connector cannot read seeds");
  }

  /**
   * Called once the state a load returned from {@link #stage} is committed to the lake's main
   * branch with its data: the connector may now tell the source what it no longer needs to keep,
   * e.g. confirm a replication slot up to the committed position. A failure here loses nothing (the
   * state is committed), so implementations log it rather than throw, and the next load does the
   * same from the committed state.
   */
  default void committed(SourceTableSpec table, Map<String, String> state) {}

  /**
   * Whether a load would find data that was not loaded before, judged against {@code state} (the
   * state committed with the last load), without staging anything. Sensors use it.
   *
   * @throws UnsupportedOperationException when the connector cannot tell
   */
  default boolean hasNewData(SourceTableSpec table, LoadState state) {
    throw new UnsupportedOperationException(
        "The " + type() + " connector cannot tell whether it has new data");
  }

  /**
   * The columns a load of {@code table} would stage, with their types, primary key and cursor
   * candidates, found without staging anything: from a database's catalog, a file's header or the
   * declared columns. {@code sluice sources discover} shows it, and the connector contract tests
   * check that it matches what {@link #stage} stages.
   *
   * @throws UnsupportedOperationException when the connector cannot tell before it reads
   * @throws dev.sluice.api.InvalidInputException when the table cannot be found or its options
   *     cannot work
   * @throws dev.sluice.api.TransientException when the source cannot be reached
   */
  default DiscoveredSchema discover(SourceTableSpec table) {
    throw new UnsupportedOperationException(
        "The " + type() + " connector cannot discover a table's schema");
  }

  /**
   * Whether the connector can read a {@link ReplayWindow} again: when it can, {@link #stage} is
   * given the window in {@link LoadState#replay()}, reads what it covers whatever the state says,
   * and returns a write that replaces those rows (so that a replay is idempotent) and a state that
   * does not move back. {@code sluice ingest --replay} refuses sources whose connector cannot.
   */
  default boolean supportsReplay() {
    return false;
  }

  /**
   * What the bounds of a {@link ReplayWindow} mean for this connector, for help and error messages,
   * e.g. {@code cursor values of the table's 'cursor' column}.
   */
  default String replayWindowDescription() {
    return "";
  }
}
