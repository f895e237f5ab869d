package dev.sluice.connectors.cdc;

import static dev.sluice.api.sql.Identifiers.quote;
import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.connector.ConnectorOption;
import dev.sluice.api.connector.ConnectorOptions;
import dev.sluice.api.connector.DiscoveredSchema;
import dev.sluice.api.connector.LoadState;
import dev.sluice.api.connector.SourceConnector;
import dev.sluice.api.connector.SourceTableSpec;
import dev.sluice.api.connector.StagedData;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.sql.Identifiers;
import dev.sluice.connectors.jdbc.PostgresTypes;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code postgres_cdc} connector: keeps a table equal to a PostgreSQL table by reading its
 * change stream (logical replication with pgoutput) through Debezium's embedded engine.
 *
 * <ul>
 *   <li>The first load reads a snapshot of the table and replaces the lake's table with it; each
 *       later load reads the changes committed since the position committed with the table's data,
 *       up to the moment the load started (or {@code max_events}), and merges them on the primary
 *       key: inserts and updates replace the row of their key, deletes remove it, and of several
 *       changes to one key only the last counts. A truncate replaces the table with the rows
 *       written after it.
 *   <li>The position is part of the table's state, committed in the same Iceberg snapshot as the
 *       data (see {@link StateOffsetStore}); the replication slot is confirmed up to it only at the
 *       start of the next load, so a load that fails before its commit loses nothing and one that
 *       is repeated applies nothing twice.
 *   <li>Setup problems (wal_level, REPLICATION, grants, publication, slot) fail the load with a
 *       message saying how to fix them (see {@link ReplicationSetup}); the password is never part
 *       of a message.
 * </ul>
 */
public final class PostgresCdcConnector implements SourceConnector {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresCdcConnector.class);

  /** The staged column that marks a row which deletes its key. */
  static final String DELETED = "_sluice_deleted";

  /** The staged column ordering the changes of a load as the stream gave them (LSN order). */
  static final String SEQUENCE = "_sluice_sequence";

  /** The rank of a change among the changes of its key, newest first. */
  private static final String RANK = "_sluice_rank";

  /** Columns of the table in {@code history: true}. */
  static final String OP = "_op";

  static final String LSN = "_lsn";
  static final String COMMITTED_AT = "_committed_at";

  private static final Set<String> RESERVED = Set.of(DELETED, SEQUENCE, OP, LSN, COMMITTED_AT);

  private final Clock clock;

  /** The connector as {@link java.util.ServiceLoader} makes it: on the system clock. */
  public PostgresCdcConnector() {
    this(Clock.systemUTC());
  }

  /**
   * A connector that reads the time (a load's deadline, when markers are emitted, the age of the
   * committed position) from {@code clock}.
   */
  PostgresCdcConnector(Clock clock) {
    this.clock = requireNonNull(clock, "clock is null");
  }

  @Override
  public String type() {
    return "postgres_cdc";
  }

  @Override
  public String description() {
    return "a PostgreSQL table kept equal to its source through logical replication (Debezium)";
  }

  @Override
  public List<ConnectorOption> options() {
    return CdcOptions.DECLARATIONS;
  }

  /** In {@code mode: incremental}, a load reads what is new since the last. */
  @Override
  public boolean incremental(ConnectorOptions options) {
    return "incremental".equals(options.choice(CdcOptions.MODE));
  }

  @Override
  public List<String> validate(ConnectorOptions options) {
    return CdcOptions.problems(options);
  }

  /**
   * {@inheritDoc}
   *
   * @throws InvalidInputException for options that cannot work, a refused login, a server without
   *     wal_level=logical, missing rights, or a table without a key
   * @throws dev.sluice.api.TransientException when the server cannot be reached or the stream
   *     breaks
   */
  @Override
  public StagedData stage(SourceTableSpec table, LoadState state, EngineSession session) {
    requireNonNull(table, "table is null");
    requireNonNull(state, "state is null");
    requireNonNull(session, "session is null");
    String what = table.described();
    CdcOptions options = checkedOptions(table);
    String staged = table.stagingName();
    String raw = staged + "__changes";
    try (ReplicationSetup setup = ReplicationSetup.connect(options, table.source())) {
      ReplicationSetup.TableShape shape = setup.checkTable();
      List<String> keys = keys(options, shape, what);
      setup.ensurePublication();
      CommittedPosition committed = prepareSlot(setup, options, state);
      if (options.snapshotEachLoad()) {
        committed = null;
      }
      ChangeBatch batch =
          new ChangeBatch(options, table.source(), shape.columns(), keys, committed, setup, clock);
      ChangeBatch.Result result = batch.read(session, raw);
      return stageResult(session, options, keys, result, raw, staged, state, clock.instant());
    } catch (SQLException e) {
      RuntimeException failure = ReplicationSetup.failure(e, options, table.source());
      session.dropTemporaryTablesAfter(failure, raw, staged);
      throw failure;
    } catch (RuntimeException e) {
      session.dropTemporaryTablesAfter(e, raw, staged);
      throw e;
    }
  }

  /**
   * The table's columns with the types a load stages, and its primary key; no cursor candidates,
   * since the change stream needs none.
   *
   * @throws InvalidInputException for options that cannot work, a refused login, a server without
   *     wal_level=logical, missing rights or a missing table
   * @throws dev.sluice.api.TransientException when the server cannot be reached
   */
  @Override
  public DiscoveredSchema discover(SourceTableSpec table) {
    requireNonNull(table, "table is null");
    CdcOptions options = checkedOptions(table);
    try (ReplicationSetup setup = ReplicationSetup.connect(options, table.source())) {
      ReplicationSetup.TableShape shape = setup.checkTable();
      List<Types.NestedField> fields = new ArrayList<>();
      int id = 0;
      for (PostgresTypes.Column column : shape.columns()) {
        fields.add(Types.NestedField.optional(++id, column.name(), column.type()));
      }
      return new DiscoveredSchema(new Schema(fields), shape.primaryKey(), List.of());
    } catch (SQLException e) {
      throw ReplicationSetup.failure(e, options, table.source());
    }
  }

  private CdcOptions checkedOptions(SourceTableSpec table) {
    return CdcOptions.of(ConnectorOptions.checked(this, table), table.source(), table.table());
  }

  private static List<String> keys(
      CdcOptions options, ReplicationSetup.TableShape shape, String what) {
    List<String> names = shape.columns().stream().map(PostgresTypes.Column::name).toList();
    for (String name : names) {
      if (RESERVED.contains(name)) {
        throw new InvalidInputException(
            "Table "
                + options.qualifiedTable()
                + " of "
                + what
                + " has a column named "
                + name
                + ", which the postgres_cdc connector uses itself");
      }
    }
    List<String> keys = options.primaryKey().isEmpty() ? shape.primaryKey() : options.primaryKey();
    if (keys.isEmpty()) {
      throw new InvalidInputException(
          "Table "
              + options.qualifiedTable()
              + " of "
              + what
              + " has no primary key, which change data capture needs to apply updates and"
              + " deletes: add one (ALTER TABLE ... ADD PRIMARY KEY (...)), or run ALTER TABLE ..."
              + " REPLICA IDENTITY FULL and name the columns that identify a row in 'primary_key'");
    }
    if (shape.primaryKey().isEmpty() && !shape.identityFull()) {
      throw new InvalidInputException(
          "Table "
              + options.qualifiedTable()
              + " of "
              + what
              + " has no primary key, so its deletes do not carry the 'primary_key' columns: run"
              + " ALTER TABLE "
              + Identifiers.quote(options.schema())
              + "."
              + Identifiers.quote(options.table())
              + " REPLICA IDENTITY FULL");
    }
    for (String key : keys) {
      if (!names.contains(key)) {
        throw new InvalidInputException(
            "'primary_key' of "
                + what
                + " names column '"
                + key
                + "', which the table does not have; its columns are "
                + String.join(", ", names));
      }
    }
    return keys;
  }

  /**
   * Confirms the committed position to the slot (creating the slot when missing); returns the
   * position to resume from, or null to read a snapshot.
   */
  private static CommittedPosition prepareSlot(
      ReplicationSetup setup, CdcOptions options, LoadState state) throws SQLException {
    CommittedPosition committed = CommittedPosition.of(state.state(), options.slot());
    ReplicationSetup.Slot slot = setup.inactiveSlot();
    if (slot == null) {
      if (committed != null) {
        LOG.warn(
            "Replication slot {} on {} is gone: reading a new snapshot of {}",
            options.slot(),
            options.server(),
            options.qualifiedTable());
      }
      setup.createSlot();
      return null;
    }
    if (committed == null || committed.confirmable() == null) {
      return committed;
    }
    int order =
        slot.confirmedFlush() == null
            ? -1
            : slot.confirmedFlush().compareTo(committed.confirmable());
    if (order > 0) {
      // another consumer confirmed changes the lake does not have: they cannot be read again
      LOG.warn(
          "Replication slot {} on {} was confirmed to {}, past the committed {}: reading a new"
              + " snapshot of {}",
          options.slot(),
          options.server(),
          slot.confirmedFlush().asString(),
          committed.confirmable().asString(),
          options.qualifiedTable());
      return null;
    }
    if (order < 0) {
      setup.advanceSlot(committed.confirmable());
    }
    return committed;
  }

  private static StagedData stageResult(
      EngineSession session,
      CdcOptions options,
      List<String> keys,
      ChangeBatch.Result result,
      String raw,
      String staged,
      LoadState state,
      Instant now) {
    String relation = quote(raw);
    if (options.history()) {
      if (result.changes() == 0 && !result.snapshot()) {
        dropQuietly(session, raw);
        return idle(options, result, state, now);
      }
      return stage(
          session,
          allBut(SEQUENCE, DELETED) + relation + " ORDER BY " + quote(SEQUENCE),
          raw,
          staged,
          result.position().toState(now),
          StagedData.Write.append());
    }
    String latest =
        "(SELECT *, row_number() OVER (PARTITION BY "
            + String.join(", ", keys.stream().map(Identifiers::quote).toList())
            + " ORDER BY "
            + quote(SEQUENCE)
            + " DESC) AS "
            + quote(RANK)
            + " FROM "
            + relation
            + " WHERE "
            + quote(SEQUENCE)
            + " > "
            + result.lastTruncate()
            + ") WHERE "
            + quote(RANK)
            + " = 1";
    if (result.snapshot() || result.lastTruncate() >= 0) {
      // a snapshot or a truncate: the table becomes the rows that exist after the load
      String existing = allBut(RANK, SEQUENCE, DELETED) + latest + " AND NOT " + quote(DELETED);
      return stage(
          session,
          existing,
          raw,
          staged,
          result.position().toState(now),
          StagedData.Write.replace());
    }
    if (result.changes() == 0) {
      dropQuietly(session, raw);
      return idle(options, result, state, now);
    }
    StagedData.Write merge = StagedData.Write.mergeWithDeletes(keys, DELETED);
    return stage(
        session,
        allBut(RANK, SEQUENCE) + latest,
        raw,
        staged,
        result.position().toState(now),
        merge);
  }

  /** {@code SELECT * EXCLUDE (columns) FROM }, for the relation that follows. */
  private static String allBut(String... columns) {
    return "SELECT * EXCLUDE ("
        + String.join(", ", Arrays.stream(columns).map(Identifiers::quote).toList())
        + ") FROM ";
  }

  /**
   * Creates {@code staged} from {@code select} over the raw changes, drops the raw changes and
   * returns the staged rows, to be written with {@code write} along with the position {@code
   * state}.
   */
  private static StagedData stage(
      EngineSession session,
      String select,
      String raw,
      String staged,
      Map<String, String> state,
      StagedData.Write write) {
    long rows = session.createTemporaryTable(staged, select);
    dropQuietly(session, raw);
    return StagedData.builder().relation(staged, rows).state(state).write(write).build();
  }

  /**
   * The result of a load that read no change of the table. The stream still moved on, past the
   * load's own marker, the commits of earlier loads' markers and the WAL of other tables; once the
   * committed position is older than {@code heartbeat_interval}, the position reached is committed
   * on its own, so that the slot can be confirmed (in {@link #committed}) up to the last commit
   * read, the earlier loads' markers at least (never further, see {@link
   * CommittedPosition#restartLimit}), and the server recycle the WAL before it. This is Debezium's
   * heartbeat action ({@code heartbeat.action.query} writing a logical decoding message) done by
   * the load itself, with the confirmation after the lake's commit rather than Debezium's flush.
   */
  private static StagedData idle(
      CdcOptions options, ChangeBatch.Result result, LoadState state, Instant now) {
    CommittedPosition committed = CommittedPosition.of(state.state(), options.slot());
    CommittedPosition reached = result.position();
    if (committed == null || reached == null || !reached.isPast(committed)) {
      return StagedData.nothingNew(state.state());
    }
    Instant last = committed.committedAt();
    if (last != null && now.isBefore(last.plus(options.heartbeatInterval()))) {
      return StagedData.nothingNew(state.state());
    }
    LOG.debug(
        "No changes of {}; committing the position {} so that slot {} can release WAL",
        options.qualifiedTable(),
        reached.confirmable().asString(),
        options.slot());
    return StagedData.stateOnly(reached.toState(now));
  }

  /**
   * Confirms the replication slot up to the position just committed to the lake, so that the server
   * may recycle the WAL before it without waiting for the next load. A failure loses nothing: the
   * next load confirms the committed position before it reads.
   */
  @Override
  public void committed(SourceTableSpec table, Map<String, String> state) {
    requireNonNull(table, "table is null");
    requireNonNull(state, "state is null");
    CdcOptions options = checkedOptions(table);
    CommittedPosition position = CommittedPosition.of(state, options.slot());
    if (position == null || position.confirmable() == null) {
      return;
    }
    try (ReplicationSetup setup = ReplicationSetup.connect(options, table.source())) {
      ReplicationSetup.Slot slot = setup.inactiveSlot();
      if (slot != null
          && (slot.confirmedFlush() == null
              || slot.confirmedFlush().compareTo(position.confirmable()) < 0)) {
        setup.advanceSlot(position.confirmable());
      }
    } catch (SQLException e) {
      LOG.warn(
          "Cannot confirm replication slot {} up to {}; the next load does: {}",
          options.slot(),
          position.confirmable().asString(),
          ReplicationSetup.failure(e, options, table.source()).getMessage());
    } catch (RuntimeException e) {
      LOG.warn(
          "Cannot confirm replication slot {} up to {}; the next load does: {}",
          options.slot(),
          position.confirmable().asString(),
          options.secrets().redact(e.getMessage()));
    }
  }

  /**
   * Whether the slot holds changes of the table past the committed position, looked at with {@code
   * pg_logical_slot_peek_binary_changes} (which consumes nothing). True before the first load, when
   * the slot is gone, and in {@code mode: full}; false while a load is reading the slot.
   *
   * @throws InvalidInputException for options that cannot work or a refused login
   * @throws dev.sluice.api.TransientException when the server cannot be reached
   */
  @Override
  public boolean hasNewData(SourceTableSpec table, LoadState state) {
    requireNonNull(table, "table is null");
    requireNonNull(state, "state is null");
    CdcOptions options = checkedOptions(table);
    CommittedPosition committed = CommittedPosition.of(state.state(), options.slot());
    if (committed == null || options.snapshotEachLoad()) {
      return true;
    }
    try (ReplicationSetup setup = ReplicationSetup.connect(options, table.source())) {
      return setup.hasChangesAfter(committed.confirmable());
    } catch (SQLException e) {
      throw ReplicationSetup.failure(e, options, table.source());
    }
  }

  private static void dropQuietly(EngineSession session, String table) {
    try {
      session.dropTemporaryTable(table);
    } catch (RuntimeException e) {
      LOG.debug("Cannot drop staging table {}", table, e);
    }
  }
}
