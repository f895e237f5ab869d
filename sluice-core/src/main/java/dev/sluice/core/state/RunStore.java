package dev.sluice.core.state;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.api.InvalidInputException;
import dev.sluice.api.SluiceException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The record of every run: its steps, their timings, the rows and bytes they moved, the snapshots
 * they committed and the checks they ran. It lives in a state database, an SQLite file by default
 * or PostgreSQL for shared use, whose schema Flyway migrations keep up to date.
 *
 * <p>A run and each of its steps start as {@code RUNNING} and are finished exactly once. Times are
 * kept to the millisecond.
 *
 * <p>The store is safe for use by many threads: they share one connection, one statement at a time.
 * Other processes may use the same database at the same time; with SQLite, a writer waits for the
 * others (WAL journal, busy timeout) rather than failing.
 *
 * <p>Every method throws {@link SluiceException} when the database fails, with a message that names
 * the database but never its password, {@link NullPointerException} for a null argument that is not
 * marked nullable, and {@link IllegalStateException} once the store is closed.
 */
public final class RunStore implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RunStore.class);

  /** The kinds of asset a step can materialize. */
  public static final Set<String> STEP_KINDS = Set.of("source", "seed", "model");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<List<String>> STRING_LIST = new TypeReference<>() {};
  private static final int RUN_ID_ATTEMPTS = 16;
  private static final int AMBIGUOUS_MATCHES_SHOWN = 5;

  private static final String RUN_SUMMARY_COLUMNS =
      "r.id, r.command, r.status, r.started_at, r.finished_at, r.error, r.selection,"
          + " (SELECT COUNT(*) FROM sluice_steps s WHERE s.run_id = r.id) AS step_count,"
          + " (SELECT COUNT(*) FROM sluice_steps s WHERE s.run_id = r.id AND s.status = 'FAILED')"
          + " AS failed_step_count";

  private static final String RUN_OWNER_COLUMNS =
      "id, command, status, host, pid, started_at,"
          + " COALESCE(heartbeat_at, started_at) AS last_seen_at, generation";

  private final StateDatabase database;
  private final Object lock = new Object();
  // Guarded by lock. Null before the first use and after a connection was found closed.
  private Connection sharedConnection;
  // Guarded by lock.
  private boolean closed;
  // The owner generation of each run this store started and has not finished, and the run of each
  // of their steps: every write of such a run's state checks that the run was not taken over.
  private final Map<String, Long> heldGenerations = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<Long, String> stepRuns = new java.util.concurrent.ConcurrentHashMap<>();

  private RunStore(StateDatabase database, Connection connection) {
    this.database = database;
    this.sharedConnection = connection;
  }

  /**
   * Opens the state database at a JDBC URL and brings its schema up to date. For SQLite, the
   * directory of the database file is created when missing.
   *
   * @param jdbcUrl {@code jdbc:sqlite:<path>} or {@code jdbc:postgresql://<host>:<port>/<db>}
   * @param properties driver properties, such as {@code user} and {@code password}; they override
   *     the store's defaults (for SQLite: WAL journal, 10 s busy timeout, foreign keys on)
   * @throws SluiceException if the URL names no supported database, the database cannot be reached
   *     or a migration fails; the message never contains a password
   */
  public static RunStore open(String jdbcUrl, Map<String, String> properties) {
    StateDatabase database = StateDatabase.of(jdbcUrl, properties);
    database.migrate();
    Connection connection;
    try {
      connection = database.getConnection();
    } catch (SQLException e) {
      throw database.failure("connect", e);
    }
    log.debug("Opened run state database {}", database.describe());
    return new RunStore(database, connection);
  }

  /**
   * Records the start of a run.
   *
   * @param command the command that started it, such as "run"
   * @param selection the asset selection it was started with, kept as given
   * @return the new run's id, such as "20261121-193300-a1b2": its start time in UTC and four random
   *     hex digits, so that ids sort by start time
   */
  public String startRun(String command, List<String> selection, Instant startedAt) {
    return startRun(command, selection, startedAt, RunProcess.current());
  }

  /**
   * Records the start of a run by a process: this store then owns the run (generation 1), and every
   * later write of its state through this store fails with {@link RunTakenOverException} once
   * another process has taken the run over ({@link #interruptRun}).
   */
  public String startRun(
      String command, List<String> selection, Instant startedAt, RunProcess process) {
    requireNonNull(process, "process is null");
    requireNonNull(command, "command is null");
    requireNonNull(selection, "selection is null");
    requireNonNull(startedAt, "startedAt is null");
    String selectionJson = toJson(List.copyOf(selection));
    return inDatabase(
        "start a run",
        connection -> {
          for (int attempt = 1; ; attempt++) {
            String runId = RunIds.next(startedAt);
            if (runExists(connection, runId)) {
              continue;
            }
            try (PreparedStatement insert =
                connection.prepareStatement(
                    "INSERT INTO sluice_runs (id, command, selection, status, started_at, host,"
                        + " pid, generation) VALUES (?, ?, ?, ?, ?, ?, ?, 1)")) {
              insert.setString(1, runId);
              insert.setString(2, command);
              insert.setString(3, selectionJson);
              insert.setString(4, RunStatus.RUNNING.name());
              insert.setLong(5, startedAt.toEpochMilli());
              insert.setString(6, process.host());
              insert.setLong(7, process.pid());
              insert.executeUpdate();
              heldGenerations.put(runId, 1L);
              return runId;
            } catch (SQLException e) {
              // Another process may have taken the same id in the same second: draw another one.
              if (attempt >= RUN_ID_ATTEMPTS || !runExists(connection, runId)) {
                throw e;
              }
            }
          }
        });
  }

  /**
   * Records the end of a run.
   *
   * @param status {@code SUCCEEDED} or {@code FAILED}
   * @param error why the run failed, or null
   * @throws IllegalArgumentException if status is {@code RUNNING}
   * @throws InvalidInputException if no run has this id
   * @throws IllegalStateException if the run has already finished
   */
  public void finishRun(String runId, RunStatus status, Instant finishedAt, String error) {
    requireNonNull(runId, "runId is null");
    requireNonNull(status, "status is null");
    requireNonNull(finishedAt, "finishedAt is null");
    if (status == RunStatus.RUNNING) {
      throw new IllegalArgumentException("Cannot finish run " + runId + " as RUNNING");
    }
    inDatabase(
        "finish run " + runId,
        connection ->
            inTransaction(
                connection,
                () -> {
                  fence(connection, runId);
                  finishRunRow(connection, runId, status, finishedAt, error);
                  return null;
                }));
    heldGenerations.remove(runId);
    stepRuns.values().removeIf(runId::equals);
  }

  private static void finishRunRow(
      Connection connection, String runId, RunStatus status, Instant finishedAt, String error)
      throws SQLException {
    int updated;
    try (PreparedStatement update =
        connection.prepareStatement(
            "UPDATE sluice_runs SET status = ?, finished_at = ?, error = ?"
                + " WHERE id = ? AND status = ?")) {
      update.setString(1, status.name());
      update.setLong(2, finishedAt.toEpochMilli());
      update.setString(3, error);
      update.setString(4, runId);
      update.setString(5, RunStatus.RUNNING.name());
      updated = update.executeUpdate();
    }
    if (updated == 0) {
      RunStatus current = runStatus(connection, runId);
      throw new IllegalStateException(
          String.format("Cannot finish run %s: it has already finished as %s", runId, current));
    }
  }

  /**
   * Fencing: when this store started the run, checks that no other process has taken it over since
   * (its generation is still the one this store holds). The check is a write of the run's row, so
   * that it holds the row (PostgreSQL) or the database (SQLite) until the caller's transaction
   * ends: a takeover cannot slip in between the check and the write it guards.
   *
   * @throws RunTakenOverException if the run was taken over
   */
  private void fence(Connection connection, String runId) throws SQLException {
    Long generation = runId == null ? null : heldGenerations.get(runId);
    if (generation == null) {
      return;
    }
    try (PreparedStatement check =
        connection.prepareStatement(
            "UPDATE sluice_runs SET generation = generation WHERE id = ? AND generation = ?")) {
      check.setString(1, runId);
      check.setLong(2, generation);
      if (check.executeUpdate() == 0) {
        throw new RunTakenOverException(runId);
      }
    }
  }

  private void fenceStep(Connection connection, long stepId) throws SQLException {
    fence(connection, stepRuns.get(stepId));
  }

  /**
   * The runs still marked as running, with who runs them, oldest first: so that runs whose process
   * is gone can be found ({@link AbandonedRuns}).
   */
  public List<RunOwner> runningRuns() {
    return inDatabase(
        "list the running runs",
        connection -> {
          try (PreparedStatement query =
              connection.prepareStatement(
                  "SELECT "
                      + RUN_OWNER_COLUMNS
                      + " FROM sluice_runs WHERE status = ? ORDER BY id")) {
            query.setString(1, RunStatus.RUNNING.name());
            try (ResultSet rows = query.executeQuery()) {
              List<RunOwner> owners = new ArrayList<>();
              while (rows.next()) {
                owners.add(runOwner(rows));
              }
              return List.copyOf(owners);
            }
          }
        });
  }

  /** Who runs (or ran) a run, by its exact id. */
  public Optional<RunOwner> runOwner(String runId) {
    requireNonNull(runId, "runId is null");
    return inDatabase(
        "read who runs run " + runId,
        connection -> {
          try (PreparedStatement query =
              connection.prepareStatement(
                  "SELECT " + RUN_OWNER_COLUMNS + " FROM sluice_runs WHERE id = ?")) {
            query.setString(1, runId);
            try (ResultSet rows = query.executeQuery()) {
              return rows.next() ? Optional.of(runOwner(rows)) : Optional.<RunOwner>empty();
            }
          }
        });
  }

  private static RunOwner runOwner(ResultSet rows) throws SQLException {
    String host = rows.getString("host");
    Long pid = longOrNull(rows, "pid");
    return new RunOwner(
        rows.getString("id"),
        rows.getString("command"),
        RunStatus.valueOf(rows.getString("status")),
        host == null || pid == null ? null : new RunProcess(host, pid),
        Instant.ofEpochMilli(rows.getLong("started_at")),
        Instant.ofEpochMilli(rows.getLong("last_seen_at")),
        rows.getLong("generation"));
  }

  /**
   * Takes a running run over from its process, which is gone: in one transaction, marks the run
   * {@link RunStatus#INTERRUPTED} and its running steps failed, increments its generation (so that
   * the process, should it continue, writes nothing more: fencing) and releases its locks.
   *
   * @param generation the generation the caller saw; nothing happens if it changed since
   * @param error why, with how to resume, e.g. "interrupted: its process is gone; ..."
   * @return whether this call interrupted the run (false: it had finished or was taken over)
   */
  public boolean interruptRun(String runId, long generation, Instant at, String error) {
    requireNonNull(runId, "runId is null");
    requireNonNull(at, "at is null");
    requireNonNull(error, "error is null");
    return inDatabase(
        "mark run " + runId + " interrupted",
        connection ->
            inTransaction(
                connection,
                () -> {
                  try (PreparedStatement update =
                      connection.prepareStatement(
                          "UPDATE sluice_runs SET status = ?, finished_at = ?, error = ?,"
                              + " generation = generation + 1"
                              + " WHERE id = ? AND status = ? AND generation = ?")) {
                    update.setString(1, RunStatus.INTERRUPTED.name());
                    update.setLong(2, at.toEpochMilli());
                    update.setString(3, error);
                    update.setString(4, runId);
                    update.setString(5, RunStatus.RUNNING.name());
                    update.setLong(6, generation);
                    if (update.executeUpdate() == 0) {
                      return false;
                    }
                  }
                  try (PreparedStatement steps =
                      connection.prepareStatement(
                          "UPDATE sluice_steps SET status = ?, finished_at = ?, error = ?"
                              + " WHERE run_id = ? AND status = ?")) {
                    steps.setString(1, StepStatus.FAILED.name());
                    steps.setLong(2, at.toEpochMilli());
                    steps.setString(
                        3,
                        "interrupted: the process running it stopped; nothing it wrote was"
                            + " published");
                    steps.setString(4, runId);
                    steps.setString(5, StepStatus.RUNNING.name());
                    steps.executeUpdate();
                  }
                  try (PreparedStatement locks =
                      connection.prepareStatement("DELETE FROM sluice_locks WHERE owner = ?")) {
                    locks.setString(1, runId);
                    locks.executeUpdate();
                  }
                  try (PreparedStatement event =
                      connection.prepareStatement(
                          "INSERT INTO sluice_events (run_id, asset, at, kind, message)"
                              + " VALUES (?, NULL, ?, 'interrupted', ?)")) {
                    event.setString(1, runId);
                    event.setLong(2, at.toEpochMilli());
                    event.setString(3, error);
                    event.executeUpdate();
                  }
                  return true;
                }));
  }

  /**
   * Asks a running run to stop. The process running it notices within a second, cancels its running
   * steps (nothing they wrote is published) and skips the steps not yet started.
   *
   * @return the id of the run asked to stop
   * @throws InvalidInputException if no run has this id (or prefix), or it has already finished
   */
  public String requestCancel(String runIdOrPrefix, Instant requestedAt) {
    requireNonNull(requestedAt, "requestedAt is null");
    RunSummary run =
        findRun(runIdOrPrefix)
            .orElseThrow(
                () ->
                    new InvalidInputException(
                        "No run " + runIdOrPrefix + ": 'sluice runs' lists them"))
            .summary();
    if (run.status() != RunStatus.RUNNING) {
      throw new InvalidInputException(
          "Run "
              + run.id()
              + " has already finished ("
              + run.status().name().toLowerCase(java.util.Locale.ROOT)
              + ")");
    }
    inDatabase(
        "cancel run " + run.id(),
        connection -> {
          try (PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE sluice_runs SET cancel_requested_at = ? WHERE id = ?")) {
            update.setLong(1, requestedAt.toEpochMilli());
            update.setString(2, run.id());
            update.executeUpdate();
          }
          return null;
        });
    return run.id();
  }

  /**
   * Takes a lock (or lease) on a resource for {@code ttl}, unless another owner holds it and has
   * not let it expire. Taking a lock one already holds renews it. Works across processes: the
   * database's primary key decides between owners racing for the same resource.
   *
   * @return whether {@code owner} now holds the lock
   */
  public boolean tryLock(String resource, String owner, java.time.Duration ttl, Instant now) {
    requireNonNull(resource, "resource is null");
    requireNonNull(owner, "owner is null");
    long expires = now.plus(ttl).toEpochMilli();
    return inOneTransaction(
        "lock " + resource,
        () ->
            inDatabase(
                "lock " + resource,
                connection -> {
                  try (PreparedStatement expired =
                      connection.prepareStatement(
                          "DELETE FROM sluice_locks WHERE resource = ? AND expires_at < ?")) {
                    expired.setString(1, resource);
                    expired.setLong(2, now.toEpochMilli());
                    expired.executeUpdate();
                  }
                  try (PreparedStatement renew =
                      connection.prepareStatement(
                          "UPDATE sluice_locks SET expires_at = ? WHERE resource = ? AND owner = ?")) {
                    renew.setLong(1, expires);
                    renew.setString(2, resource);
                    renew.setString(3, owner);
                    if (renew.executeUpdate() == 1) {
                      return true;
                    }
                  }
                  // ON CONFLICT rather than catching the unique violation: in PostgreSQL a failed
                  // statement would abort the transaction.
                  try (PreparedStatement insert =
                      connection.prepareStatement(
                          "INSERT INTO sluice_locks (resource, owner, acquired_at, expires_at)"
                              + " VALUES (?, ?, ?, ?) ON CONFLICT (resource) DO NOTHING")) {
                    insert.setString(1, resource);
                    insert.setString(2, owner);
                    insert.setLong(3, now.toEpochMilli());
                    insert.setLong(4, expires);
                    return insert.executeUpdate() == 1;
                  }
                }));
  }

  /**
   * Renews a lock that {@code owner} holds, for {@code ttl} from {@code now}. Unlike {@link
   * #tryLock}, never takes a lock that was released or taken over meanwhile.
   *
   * @return whether {@code owner} still held the lock
   */
  public boolean renewLock(String resource, String owner, java.time.Duration ttl, Instant now) {
    requireNonNull(resource, "resource is null");
    requireNonNull(owner, "owner is null");
    return inDatabase(
        "renew lock " + resource,
        connection -> {
          try (PreparedStatement renew =
              connection.prepareStatement(
                  "UPDATE sluice_locks SET expires_at = ? WHERE resource = ? AND owner = ?")) {
            renew.setLong(1, now.plus(ttl).toEpochMilli());
            renew.setString(2, resource);
            renew.setString(3, owner);
            return renew.executeUpdate() == 1;
          }
        });
  }

  /** Releases a lock held by {@code owner}; a lock held by someone else is left alone. */
  public void unlock(String resource, String owner) {
    inDatabase(
        "unlock " + resource,
        connection -> {
          try (PreparedStatement delete =
              connection.prepareStatement(
                  "DELETE FROM sluice_locks WHERE resource = ? AND owner = ?")) {
            delete.setString(1, resource);
            delete.setString(2, owner);
            delete.executeUpdate();
          }
          return null;
        });
  }

  /**
   * Releases every lock an owner holds, e.g. those of a run whose process was killed.
   *
   * @return how many locks were released
   */
  public int unlockAll(String owner) {
    return inDatabase(
        "unlock the locks of " + owner,
        connection -> {
          try (PreparedStatement delete =
              connection.prepareStatement("DELETE FROM sluice_locks WHERE owner = ?")) {
            delete.setString(1, owner);
            return delete.executeUpdate();
          }
        });
  }

  /** Who holds the lock on a resource, if anyone (expired locks included). */
  public Optional<LockHolder> lockHolder(String resource) {
    return inDatabase(
        "read lock " + resource,
        connection -> {
          try (PreparedStatement query =
              connection.prepareStatement(
                  "SELECT owner, acquired_at, expires_at FROM sluice_locks WHERE resource = ?")) {
            query.setString(1, resource);
            try (java.sql.ResultSet result = query.executeQuery()) {
              if (!result.next()) {
                return Optional.<LockHolder>empty();
              }
              return Optional.of(
                  new LockHolder(
                      resource,
                      result.getString(1),
                      Instant.ofEpochMilli(result.getLong(2)),
                      Instant.ofEpochMilli(result.getLong(3))));
            }
          }
        });
  }

  /** The last tick of a schedule that the scheduler dealt with, if any. */
  public Optional<Instant> lastScheduleTick(String schedule) {
    return inDatabase(
        "read schedule " + schedule,
        connection -> {
          try (PreparedStatement query =
              connection.prepareStatement(
                  "SELECT last_tick FROM sluice_schedule_ticks WHERE schedule = ?")) {
            query.setString(1, schedule);
            try (java.sql.ResultSet result = query.executeQuery()) {
              return result.next()
                  ? Optional.of(Instant.ofEpochMilli(result.getLong(1)))
                  : Optional.<Instant>empty();
            }
          }
        });
  }

  /** Records that the scheduler dealt with a schedule's ticks up to {@code tick}. */
  public void recordScheduleTick(String schedule, Instant tick) {
    inDatabase(
        "record schedule " + schedule,
        connection -> {
          try (PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE sluice_schedule_ticks SET last_tick = ? WHERE schedule = ?")) {
            update.setLong(1, tick.toEpochMilli());
            update.setString(2, schedule);
            if (update.executeUpdate() == 1) {
              return null;
            }
          }
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO sluice_schedule_ticks (schedule, last_tick) VALUES (?, ?)")) {
            insert.setString(1, schedule);
            insert.setLong(2, tick.toEpochMilli());
            insert.executeUpdate();
          }
          return null;
        });
  }

  /** Adds an event to a run's timeline. */
  public void recordEvent(RunEvent event) {
    requireNonNull(event, "event is null");
    inDatabase(
        "record an event of run " + event.runId(),
        connection ->
            inTransaction(
                connection,
                () -> {
                  fence(connection, event.runId());
                  try (PreparedStatement insert =
                      connection.prepareStatement(
                          "INSERT INTO sluice_events (run_id, asset, at, kind, message)"
                              + " VALUES (?, ?, ?, ?, ?)")) {
                    insert.setString(1, event.runId());
                    insert.setString(2, event.asset());
                    insert.setLong(3, event.at().toEpochMilli());
                    insert.setString(4, event.kind());
                    insert.setString(5, event.message());
                    insert.executeUpdate();
                  }
                  return null;
                }));
  }

  /** A run's timeline, oldest first. */
  public List<RunEvent> events(String runId) {
    requireNonNull(runId, "runId is null");
    return inDatabase(
        "read the events of run " + runId,
        connection -> {
          List<RunEvent> events = new ArrayList<>();
          try (PreparedStatement query =
              connection.prepareStatement(
                  "SELECT asset, at, kind, message FROM sluice_events WHERE run_id = ? ORDER BY id")) {
            query.setString(1, runId);
            try (java.sql.ResultSet result = query.executeQuery()) {
              while (result.next()) {
                events.add(
                    new RunEvent(
                        runId,
                        result.getString(1),
                        Instant.ofEpochMilli(result.getLong(2)),
                        result.getString(3),
                        result.getString(4)));
              }
            }
          }
          return events;
        });
  }

  /** Whether someone asked the run to stop. */
  public boolean isCancelRequested(String runId) {
    requireNonNull(runId, "runId is null");
    return inDatabase(
        "read run " + runId,
        connection -> {
          try (PreparedStatement query =
              connection.prepareStatement(
                  "SELECT cancel_requested_at FROM sluice_runs WHERE id = ?")) {
            query.setString(1, runId);
            try (java.sql.ResultSet result = query.executeQuery()) {
              return result.next() && result.getObject(1) != null;
            }
          }
        });
  }

  /**
   * Records the start of a step of a running run.
   *
   * @param kind the kind of asset: "source", "seed" or "model"
   * @return the new step's id
   * @throws IllegalArgumentException if kind is not one of {@link #STEP_KINDS}
   * @throws InvalidInputException if no run has this id
   * @throws IllegalStateException if the run has already finished
   */
  public long startStep(String runId, String asset, String kind, Instant startedAt) {
    requireNonNull(runId, "runId is null");
    requireNonNull(asset, "asset is null");
    requireNonNull(kind, "kind is null");
    requireNonNull(startedAt, "startedAt is null");
    if (!STEP_KINDS.contains(kind)) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid kind of step for %s: %s (expected source, seed or model)", asset, kind));
    }
    return inDatabase(
        "start the step of " + asset + " in run " + runId,
        connection ->
            inTransaction(connection, () -> insertStep(connection, runId, asset, kind, startedAt)));
  }

  private long insertStep(
      Connection connection, String runId, String asset, String kind, Instant startedAt)
      throws SQLException {
    fence(connection, runId);
    RunStatus runStatus = runStatus(connection, runId);
    if (runStatus != RunStatus.RUNNING) {
      throw new IllegalStateException(
          String.format(
              "Cannot start a step of %s in run %s: the run has already finished as %s",
              asset, runId, runStatus));
    }
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO sluice_steps (run_id, asset, kind, status, started_at)"
                + " VALUES (?, ?, ?, ?, ?) RETURNING id")) {
      insert.setString(1, runId);
      insert.setString(2, asset);
      insert.setString(3, kind);
      insert.setString(4, StepStatus.RUNNING.name());
      insert.setLong(5, startedAt.toEpochMilli());
      try (ResultSet generated = insert.executeQuery()) {
        if (!generated.next()) {
          throw new SQLException("The insert of a step returned no id");
        }
        long stepId = generated.getLong(1);
        if (heldGenerations.containsKey(runId)) {
          stepRuns.put(stepId, runId);
        }
        return stepId;
      }
    }
  }

  /**
   * Records the end of a step and what it moved.
   *
   * @param status {@code SUCCEEDED}, {@code FAILED} or {@code SKIPPED}
   * @param error why the step failed, or null
   * @throws IllegalArgumentException if status is {@code RUNNING}
   * @throws InvalidInputException if no step has this id
   * @throws IllegalStateException if the step has already finished
   */
  public void finishStep(
      long stepId, StepStatus status, Instant finishedAt, StepMetrics metrics, String error) {
    requireNonNull(status, "status is null");
    requireNonNull(finishedAt, "finishedAt is null");
    requireNonNull(metrics, "metrics is null");
    if (status == StepStatus.RUNNING) {
      throw new IllegalArgumentException("Cannot finish step " + stepId + " as RUNNING");
    }
    inDatabase(
        "finish step " + stepId,
        connection ->
            inTransaction(
                connection,
                () -> {
                  fenceStep(connection, stepId);
                  int updated;
                  try (PreparedStatement update =
                      connection.prepareStatement(
                          "UPDATE sluice_steps SET status = ?, finished_at = ?, rows_in = ?, rows_out = ?,"
                              + " bytes_in = ?, bytes_out = ?, rejected_rows = ?, snapshot_id = ?,"
                              + " detail = ?, error = ? WHERE id = ? AND status = ?")) {
                    update.setString(1, status.name());
                    update.setLong(2, finishedAt.toEpochMilli());
                    update.setLong(3, metrics.rowsIn());
                    update.setLong(4, metrics.rowsOut());
                    update.setLong(5, metrics.bytesIn());
                    update.setLong(6, metrics.bytesOut());
                    update.setLong(7, metrics.rejectedRows());
                    setNullableLong(update, 8, metrics.snapshotId());
                    update.setString(9, metrics.detail());
                    update.setString(10, error);
                    update.setLong(11, stepId);
                    update.setString(12, StepStatus.RUNNING.name());
                    updated = update.executeUpdate();
                  }
                  if (updated == 0) {
                    StepStatus current = stepStatus(connection, stepId);
                    throw new IllegalStateException(
                        String.format(
                            "Cannot finish step %d: it has already finished as %s",
                            stepId, current));
                  }
                  return null;
                }));
  }

  /**
   * Records the result of a check that a step ran.
   *
   * @throws InvalidInputException if no step has this id
   */
  public void recordCheck(long stepId, CheckRecord check) {
    requireNonNull(check, "check is null");
    inDatabase(
        "record check " + check.name() + " of step " + stepId,
        connection ->
            inTransaction(
                connection,
                () -> {
                  fenceStep(connection, stepId);
                  stepStatus(connection, stepId);
                  try (PreparedStatement insert =
                      connection.prepareStatement(
                          "INSERT INTO sluice_check_results (step_id, asset, name, column_name, severity,"
                              + " status, failing_rows, sample_json, message)"
                              + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    insert.setLong(1, stepId);
                    insert.setString(2, check.asset());
                    insert.setString(3, check.name());
                    insert.setString(4, check.column());
                    insert.setString(5, check.severity());
                    insert.setString(6, check.status());
                    insert.setLong(7, check.failingRows());
                    insert.setString(8, check.sampleJson());
                    insert.setString(9, check.message());
                    insert.executeUpdate();
                  }
                  return null;
                }));
  }

  /**
   * The latest runs, newest first.
   *
   * @param limit how many runs at most, at least 1
   * @throws IllegalArgumentException if limit is less than 1
   */
  public List<RunSummary> listRuns(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("Cannot list fewer than 1 run: " + limit);
    }
    return inDatabase(
        "list runs",
        connection -> {
          try (PreparedStatement query =
              connection.prepareStatement(
                  "SELECT "
                      + RUN_SUMMARY_COLUMNS
                      + " FROM sluice_runs r ORDER BY r.started_at DESC, r.id DESC LIMIT ?")) {
            query.setInt(1, limit);
            try (ResultSet rows = query.executeQuery()) {
              List<RunSummary> runs = new ArrayList<>();
              while (rows.next()) {
                runs.add(runSummary(rows));
              }
              return List.copyOf(runs);
            }
          }
        });
  }

  /**
   * A run with its steps and their checks.
   *
   * @param runIdOrPrefix a run's id, or a prefix of it that no other run's id starts with
   * @return the run, or empty when no run's id is or starts with it
   * @throws InvalidInputException if it is empty, or a prefix of more than one run's id
   */
  public Optional<RunDetail> findRun(String runIdOrPrefix) {
    requireNonNull(runIdOrPrefix, "runIdOrPrefix is null");
    String wanted = runIdOrPrefix.strip();
    if (wanted.isEmpty()) {
      throw new InvalidInputException("Give a run id, or the start of one, to look a run up");
    }
    return inDatabase(
        "look up run " + wanted,
        connection ->
            inTransaction(
                connection,
                () -> {
                  Optional<String> runId = resolveRunId(connection, wanted);
                  if (runId.isEmpty()) {
                    return Optional.<RunDetail>empty();
                  }
                  return Optional.of(runDetail(connection, runId.get()));
                }));
  }

  /**
   * When the latest step that materialized an asset successfully finished.
   *
   * @return the time it finished, or empty when no step ever materialized the asset successfully
   */
  public Optional<Instant> lastSuccessfulStep(String asset) {
    requireNonNull(asset, "asset is null");
    return inDatabase(
        "look up the last successful step of " + asset,
        connection -> {
          try (PreparedStatement query =
              connection.prepareStatement(
                  "SELECT MAX(finished_at) FROM sluice_steps WHERE (asset = ?"
                      + " OR substr(asset, 1, ?) = ?) AND status = ?")) {
            // a partitioned asset's steps are named asset[partition]
            query.setString(1, asset);
            query.setInt(2, asset.length() + 1);
            query.setString(3, asset + "[");
            query.setString(4, StepStatus.SUCCEEDED.name());
            try (ResultSet rows = query.executeQuery()) {
              return rows.next()
                  ? Optional.ofNullable(instantOrNull(rows, 1))
                  : Optional.<Instant>empty();
            }
          }
        });
  }

  /**
   * Starts a step that builds partitions of an asset.
   *
   * @param step what the run calls the step, e.g. {@code daily[2024-03-01]}
   * @param partition the partitions it builds (see {@code PartitionRange.label()}), or null
   */
  public long startStep(
      String runId, String step, String kind, Instant startedAt, String partition) {
    long stepId = startStep(runId, step, kind, startedAt);
    if (partition != null) {
      inDatabase(
          "record the partition of step " + step,
          connection -> {
            try (PreparedStatement update =
                connection.prepareStatement(
                    "UPDATE sluice_steps SET partition_key = ? WHERE id = ?")) {
              update.setString(1, partition);
              update.setLong(2, stepId);
              return update.executeUpdate();
            }
          });
    }
    return stepId;
  }

  /** Records the steps a run is to take, before it takes any, so that a resume knows them. */
  public void recordPlan(String runId, List<String> steps) {
    String json = toJson(List.copyOf(steps));
    inDatabase(
        "record the plan of run " + runId,
        connection ->
            inTransaction(
                connection,
                () -> {
                  fence(connection, runId);
                  try (PreparedStatement update =
                      connection.prepareStatement("UPDATE sluice_runs SET plan = ? WHERE id = ?")) {
                    update.setString(1, json);
                    update.setString(2, runId);
                    return update.executeUpdate();
                  }
                }));
  }

  /** The steps a run planned, or empty for runs that recorded none (before partitions). */
  public Optional<List<String>> plan(String runId) {
    return inDatabase(
        "read the plan of run " + runId,
        connection -> {
          try (PreparedStatement query =
              connection.prepareStatement("SELECT plan FROM sluice_runs WHERE id = ?")) {
            query.setString(1, runId);
            try (ResultSet rows = query.executeQuery()) {
              if (!rows.next() || rows.getString(1) == null) {
                return Optional.<List<String>>empty();
              }
              return Optional.of(fromJson(rows.getString(1), runId));
            }
          }
        });
  }

  /**
   * Notes that a run's process is alive.
   *
   * @throws RunTakenOverException if this store started the run and another process took it over
   */
  public void heartbeat(String runId, Instant at) {
    inDatabase(
        "record that run " + runId + " is alive",
        connection ->
            inTransaction(
                connection,
                () -> {
                  fence(connection, runId);
                  try (PreparedStatement update =
                      connection.prepareStatement(
                          "UPDATE sluice_runs SET heartbeat_at = ? WHERE id = ? AND status = ?")) {
                    update.setLong(1, at.toEpochMilli());
                    update.setString(2, runId);
                    update.setString(3, RunStatus.RUNNING.name());
                    return update.executeUpdate();
                  }
                }));
  }

  /**
   * Records the outcome of building some partitions of an asset: materialized (with rows and
   * snapshot) or failed (with the error; an earlier materialization stays known).
   */
  public void recordPartitions(
      String asset,
      List<String> partitions,
      boolean materialized,
      String runId,
      Instant at,
      Long rows,
      Long snapshotId,
      String error) {
    recordPartitions(asset, partitions, materialized, runId, at, rows, snapshotId, error, Map.of());
  }

  /**
   * As {@link #recordPartitions(String, List, boolean, String, Instant, Long, Long, String)}, with
   * what a successful build read: the snapshot id of each input table, by table name.
   */
  public void recordPartitions(
      String asset,
      List<String> partitions,
      boolean materialized,
      String runId,
      Instant at,
      Long rows,
      Long snapshotId,
      String error,
      Map<String, Long> inputs) {
    requireNonNull(inputs, "inputs is null");
    String inputsJson;
    try {
      inputsJson = materialized ? JSON.writeValueAsString(new java.util.TreeMap<>(inputs)) : null;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write the inputs of " + asset + " as JSON", e);
    }
    inDatabase(
        "record the partitions of " + asset,
        connection -> {
          try (PreparedStatement upsert =
              connection.prepareStatement(
                  "INSERT INTO sluice_partitions (asset, partition_key, status, run_id,"
                      + " updated_at, materialized_at, rows_out, snapshot_id, error, inputs)"
                      + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                      + " ON CONFLICT (asset, partition_key) DO UPDATE SET"
                      + " status = excluded.status, run_id = excluded.run_id,"
                      + " updated_at = excluded.updated_at,"
                      + " materialized_at = COALESCE(excluded.materialized_at,"
                      + " sluice_partitions.materialized_at),"
                      + " rows_out = COALESCE(excluded.rows_out, sluice_partitions.rows_out),"
                      + " snapshot_id = COALESCE(excluded.snapshot_id,"
                      + " sluice_partitions.snapshot_id),"
                      + " error = excluded.error,"
                      + " inputs = COALESCE(excluded.inputs, sluice_partitions.inputs)")) {
            for (String partition : partitions) {
              upsert.setString(1, asset);
              upsert.setString(2, partition);
              upsert.setString(
                  3, materialized ? PartitionState.MATERIALIZED : PartitionState.FAILED);
              upsert.setString(4, runId);
              upsert.setLong(5, at.toEpochMilli());
              setNullableLong(upsert, 6, materialized ? at.toEpochMilli() : null);
              setNullableLong(upsert, 7, materialized ? rows : null);
              setNullableLong(upsert, 8, materialized ? snapshotId : null);
              upsert.setString(9, materialized ? null : error);
              upsert.setString(10, inputsJson);
              upsert.addBatch();
            }
            inTransaction(
                connection,
                () -> {
                  fence(connection, runId);
                  return upsert.executeBatch();
                });
            return null;
          }
        });
  }

  /** What is known of the partitions of an asset, by partition key. */
  public Map<String, PartitionState> partitions(String asset) {
    return inDatabase(
        "read the partitions of " + asset,
        connection -> {
          Map<String, PartitionState> states = new java.util.LinkedHashMap<>();
          try (PreparedStatement query =
              connection.prepareStatement(
                  "SELECT partition_key, status, run_id, updated_at, materialized_at, rows_out,"
                      + " snapshot_id, error, inputs FROM sluice_partitions WHERE asset = ?"
                      + " ORDER BY partition_key")) {
            query.setString(1, asset);
            try (ResultSet rows = query.executeQuery()) {
              while (rows.next()) {
                states.put(
                    rows.getString("partition_key"),
                    new PartitionState(
                        asset,
                        rows.getString("partition_key"),
                        rows.getString("status"),
                        rows.getString("run_id"),
                        Instant.ofEpochMilli(rows.getLong("updated_at")),
                        instantOrNull(rows, "materialized_at"),
                        longOrNull(rows, "rows_out"),
                        longOrNull(rows, "snapshot_id"),
                        rows.getString("error"),
                        inputsOf(rows.getString("inputs"), asset)));
              }
            }
          }
          return states;
        });
  }

  private static Map<String, Long> inputsOf(String json, String asset) throws SQLException {
    if (json == null) {
      return Map.of();
    }
    try {
      return JSON.readValue(json, new TypeReference<Map<String, Long>>() {});
    } catch (JsonProcessingException e) {
      throw new SQLException("The inputs of a partition of " + asset + " are not JSON: " + json, e);
    }
  }

  /** Closes the connection to the state database. Closing twice does nothing. */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      if (sharedConnection == null) {
        return;
      }
      try {
        sharedConnection.close();
      } catch (SQLException e) {
        throw database.failure("close the connection", e);
      } finally {
        sharedConnection = null;
      }
    }
  }

  /**
   * Makes the records of {@code work} (calls of this store's methods on this thread) in one
   * transaction: one commit, and one write of SQLite's log, instead of one each. The scheduler
   * records a step's start with its timeline event, and its end with its checks and events, so.
   * Other threads wait for the transaction, as they wait for any record. Nested calls join the
   * outer transaction.
   */
  public <T> T inOneTransaction(String action, java.util.function.Supplier<T> work) {
    requireNonNull(work, "work is null");
    synchronized (lock) {
      Connection connection = inDatabase(action, shared -> shared.getAutoCommit() ? shared : null);
      if (connection == null) {
        return work.get();
      }
      try {
        connection.setAutoCommit(false);
      } catch (SQLException e) {
        throw database.failure(action, e);
      }
      try {
        T result = work.get();
        connection.commit();
        return result;
      } catch (SQLException e) {
        rollback(connection, e);
        throw database.failure(action, e);
      } catch (RuntimeException e) {
        rollback(connection, e);
        throw e;
      } finally {
        try {
          connection.setAutoCommit(true);
        } catch (SQLException e) {
          log.debug("Cannot end the transaction to {}: {}", action, e.getMessage());
        }
      }
    }
  }

  private static void rollback(Connection connection, Exception cause) {
    try {
      connection.rollback();
    } catch (SQLException rollbackFailure) {
      cause.addSuppressed(rollbackFailure);
    }
  }

  /** Work on the database that may fail as JDBC does. */
  @FunctionalInterface
  private interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
  }

  /** Work inside a transaction. */
  @FunctionalInterface
  private interface SqlTransaction<T> {
    T run() throws SQLException;
  }

  /**
   * Runs work on the shared connection, one caller at a time, reconnecting when the connection was
   * closed under the store (a PostgreSQL server restart, for example).
   */
  private <T> T inDatabase(String action, SqlWork<T> work) {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException(
            "Cannot " + action + ": the run store of " + database.describe() + " is closed");
      }
      try {
        if (sharedConnection == null || sharedConnection.isClosed()) {
          sharedConnection = database.getConnection();
        }
        return work.run(sharedConnection);
      } catch (SQLException e) {
        throw database.failure(action, e);
      }
    }
  }

  /**
   * Work in one transaction (so that a run and its steps are read as of one moment, say), or in the
   * caller's if one is open ({@link #inOneTransaction}).
   */
  private static <T> T inTransaction(Connection connection, SqlTransaction<T> work)
      throws SQLException {
    if (!connection.getAutoCommit()) {
      return work.run();
    }
    connection.setAutoCommit(false);
    try {
      T result = work.run();
      connection.commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      try {
        connection.rollback();
      } catch (SQLException rollbackFailure) {
        e.addSuppressed(rollbackFailure);
      }
      throw e;
    } finally {
      connection.setAutoCommit(true);
    }
  }

  private static Optional<String> resolveRunId(Connection connection, String wanted)
      throws SQLException {
    if (runExists(connection, wanted)) {
      return Optional.of(wanted);
    }
    List<String> matches = new ArrayList<>();
    // substr rather than LIKE: LIKE ignores case in SQLite, and its wildcards would need escaping.
    try (PreparedStatement query =
        connection.prepareStatement(
            "SELECT id FROM sluice_runs WHERE substr(id, 1, ?) = ? ORDER BY id LIMIT ?")) {
      query.setInt(1, wanted.length());
      query.setString(2, wanted);
      query.setInt(3, AMBIGUOUS_MATCHES_SHOWN + 1);
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          matches.add(rows.getString(1));
        }
      }
    }
    if (matches.size() > 1) {
      String shown =
          String.join(", ", matches.subList(0, Math.min(matches.size(), AMBIGUOUS_MATCHES_SHOWN)));
      throw new InvalidInputException(
          String.format(
              "Run id prefix '%s' matches more than one run (%s%s): give more of the id",
              wanted, shown, matches.size() > AMBIGUOUS_MATCHES_SHOWN ? ", ..." : ""));
    }
    return matches.stream().findFirst();
  }

  private static RunDetail runDetail(Connection connection, String runId) throws SQLException {
    RunSummary summary;
    List<String> selection;
    try (PreparedStatement query =
        connection.prepareStatement(
            "SELECT " + RUN_SUMMARY_COLUMNS + " FROM sluice_runs r WHERE r.id = ?")) {
      query.setString(1, runId);
      try (ResultSet rows = query.executeQuery()) {
        if (!rows.next()) {
          throw new SQLException("Run " + runId + " disappeared while it was read");
        }
        summary = runSummary(rows);
        selection = fromJson(rows.getString("selection"), runId);
      }
    }
    Map<Long, List<CheckRecord>> checksByStep = checksByStep(connection, runId);
    List<StepDetail> steps = new ArrayList<>();
    try (PreparedStatement query =
        connection.prepareStatement(
            "SELECT id, asset, kind, status, started_at, finished_at, rows_in, rows_out, bytes_in,"
                + " bytes_out, rejected_rows, snapshot_id, detail, error"
                + " FROM sluice_steps WHERE run_id = ? ORDER BY id")) {
      query.setString(1, runId);
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          long stepId = rows.getLong("id");
          StepMetrics metrics =
              new StepMetrics(
                  rows.getLong("rows_in"),
                  rows.getLong("rows_out"),
                  rows.getLong("bytes_in"),
                  rows.getLong("bytes_out"),
                  rows.getLong("rejected_rows"),
                  longOrNull(rows, "snapshot_id"),
                  rows.getString("detail"));
          steps.add(
              new StepDetail(
                  stepId,
                  rows.getString("asset"),
                  rows.getString("kind"),
                  StepStatus.valueOf(rows.getString("status")),
                  Instant.ofEpochMilli(rows.getLong("started_at")),
                  instantOrNull(rows, "finished_at"),
                  metrics,
                  rows.getString("error"),
                  checksByStep.getOrDefault(stepId, List.of())));
        }
      }
    }
    return new RunDetail(summary, selection, steps);
  }

  private static Map<Long, List<CheckRecord>> checksByStep(Connection connection, String runId)
      throws SQLException {
    Map<Long, List<CheckRecord>> checks = new HashMap<>();
    try (PreparedStatement query =
        connection.prepareStatement(
            "SELECT c.step_id, c.asset, c.name, c.column_name, c.severity, c.status,"
                + " c.failing_rows, c.sample_json, c.message"
                + " FROM sluice_check_results c JOIN sluice_steps s ON s.id = c.step_id"
                + " WHERE s.run_id = ? ORDER BY c.id")) {
      query.setString(1, runId);
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          checks
              .computeIfAbsent(rows.getLong("step_id"), stepId -> new ArrayList<>())
              .add(
                  new CheckRecord(
                      rows.getString("asset"),
                      rows.getString("name"),
                      rows.getString("column_name"),
                      rows.getString("severity"),
                      rows.getString("status"),
                      rows.getLong("failing_rows"),
                      rows.getString("sample_json"),
                      rows.getString("message")));
        }
      }
    }
    return checks;
  }

  private static RunSummary runSummary(ResultSet rows) throws SQLException {
    return new RunSummary(
        rows.getString("id"),
        rows.getString("command"),
        RunStatus.valueOf(rows.getString("status")),
        Instant.ofEpochMilli(rows.getLong("started_at")),
        instantOrNull(rows, "finished_at"),
        rows.getInt("step_count"),
        rows.getInt("failed_step_count"),
        rows.getString("error"));
  }

  private static boolean runExists(Connection connection, String runId) throws SQLException {
    try (PreparedStatement query =
        connection.prepareStatement("SELECT 1 FROM sluice_runs WHERE id = ?")) {
      query.setString(1, runId);
      try (ResultSet rows = query.executeQuery()) {
        return rows.next();
      }
    }
  }

  private static RunStatus runStatus(Connection connection, String runId) throws SQLException {
    try (PreparedStatement query =
        connection.prepareStatement("SELECT status FROM sluice_runs WHERE id = ?")) {
      query.setString(1, runId);
      try (ResultSet rows = query.executeQuery()) {
        if (!rows.next()) {
          throw new InvalidInputException("Unknown run: " + runId);
        }
        return RunStatus.valueOf(rows.getString(1));
      }
    }
  }

  private static StepStatus stepStatus(Connection connection, long stepId) throws SQLException {
    try (PreparedStatement query =
        connection.prepareStatement("SELECT status FROM sluice_steps WHERE id = ?")) {
      query.setLong(1, stepId);
      try (ResultSet rows = query.executeQuery()) {
        if (!rows.next()) {
          throw new InvalidInputException("Unknown step: " + stepId);
        }
        return StepStatus.valueOf(rows.getString(1));
      }
    }
  }

  private static void setNullableLong(PreparedStatement statement, int index, Long value)
      throws SQLException {
    if (value == null) {
      statement.setNull(index, Types.BIGINT);
    } else {
      statement.setLong(index, value);
    }
  }

  private static Long longOrNull(ResultSet rows, String column) throws SQLException {
    long value = rows.getLong(column);
    return rows.wasNull() ? null : value;
  }

  private static Instant instantOrNull(ResultSet rows, String column) throws SQLException {
    long millis = rows.getLong(column);
    return rows.wasNull() ? null : Instant.ofEpochMilli(millis);
  }

  private static Instant instantOrNull(ResultSet rows, int column) throws SQLException {
    long millis = rows.getLong(column);
    return rows.wasNull() ? null : Instant.ofEpochMilli(millis);
  }

  private static String toJson(List<String> values) {
    try {
      return JSON.writeValueAsString(values);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write a list of strings as JSON", e);
    }
  }

  private static List<String> fromJson(String json, String runId) throws SQLException {
    try {
      return JSON.readValue(json, STRING_LIST);
    } catch (JsonProcessingException e) {
      throw new SQLException("The selection of run " + runId + " is not a JSON list: " + json, e);
    }
  }
}
