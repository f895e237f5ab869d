package dev.sluice.core.state;

import static dev.sluice.core.state.StateRows.enumValue;
import static dev.sluice.core.state.StateRows.fromJson;
import static dev.sluice.core.state.StateRows.instantOrNull;
import static dev.sluice.core.state.StateRows.longOrNull;
import static dev.sluice.core.state.StateRows.toJson;
import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import dev.sluice.core.project.Severity;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The runs of a {@link RunStore}: their start and end, who runs them and their last sign of life,
 * takeover of a run whose process is gone, requests to cancel, and reading runs back with their
 * steps and checks.
 */
public final class Runs extends FencedPart {
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

  Runs(StateTransactions transactions, Fencing fencing) {
    super(transactions, fencing);
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
    return transactions.read(
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
              fencing.hold(runId, 1L);
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
    transactions.write(
        "finish run " + runId,
        connection -> {
          fencing.check(connection, runId);
          finishRunRow(connection, runId, status, finishedAt, error);
          return null;
        });
    fencing.release(runId);
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
   * The runs still marked as running, with who runs them, oldest first: so that runs whose process
   * is gone can be found ({@link AbandonedRuns}).
   */
  public List<RunOwner> runningRuns() {
    return transactions.read(
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
    return transactions.read(
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
        enumValue(rows, "status", RunStatus.class),
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
    return transactions.write(
        "mark run " + runId + " interrupted",
        connection -> {
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
                "interrupted: the process running it stopped; nothing it wrote was" + " published");
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
        });
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
              + run.status().name().toLowerCase(Locale.ROOT)
              + ")");
    }
    transactions.read(
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

  /** Whether someone asked the run to stop. */
  public boolean isCancelRequested(String runId) {
    requireNonNull(runId, "runId is null");
    return transactions.read(
        "read run " + runId,
        connection -> {
          try (PreparedStatement query =
              connection.prepareStatement(
                  "SELECT cancel_requested_at FROM sluice_runs WHERE id = ?")) {
            query.setString(1, runId);
            try (ResultSet result = query.executeQuery()) {
              return result.next() && result.getObject(1) != null;
            }
          }
        });
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
    return transactions.read(
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
    return transactions.write(
        "look up run " + wanted,
        connection -> {
          Optional<String> runId = resolveRunId(connection, wanted);
          if (runId.isEmpty()) {
            return Optional.<RunDetail>empty();
          }
          return Optional.of(runDetail(connection, runId.get()));
        });
  }

  /**
   * Notes that a run's process is alive.
   *
   * @throws RunTakenOverException if this store started the run and another process took it over
   */
  public void heartbeat(String runId, Instant at) {
    transactions.write(
        "record that run " + runId + " is alive",
        connection -> {
          fencing.check(connection, runId);
          try (PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE sluice_runs SET heartbeat_at = ? WHERE id = ? AND status = ?")) {
            update.setLong(1, at.toEpochMilli());
            update.setString(2, runId);
            update.setString(3, RunStatus.RUNNING.name());
            return update.executeUpdate();
          }
        });
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
        selection = fromJson(rows.getString("selection"), "selection", runId);
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
                  stateValue(rows, "kind", "a step", StepKind::parse),
                  enumValue(rows, "status", StepStatus.class),
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

  /** A check's severity or status as the state database holds it, parsed with a clear error. */
  private static <T> T checkValue(
      ResultSet rows, String column, java.util.function.Function<String, T> parse)
      throws SQLException {
    return stateValue(rows, column, "a check result", parse);
  }

  /**
   * A value the state database holds by its label (of {@code of}, e.g. a step's kind), parsed with
   * an error naming the column and the value.
   */
  private static <T> T stateValue(
      ResultSet rows, String column, String of, java.util.function.Function<String, T> parse)
      throws SQLException {
    String value = rows.getString(column);
    try {
      return parse.apply(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          "Cannot read the "
              + column
              + " of "
              + of
              + " in the state database: "
              + e.getMessage()
              + ": was it written by a newer Sluice?",
          e);
    }
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
                      checkValue(rows, "severity", Severity::parse),
                      checkValue(rows, "status", CheckStatus::parse),
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
        enumValue(rows, "status", RunStatus.class),
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

  static RunStatus runStatus(Connection connection, String runId) throws SQLException {
    try (PreparedStatement query =
        connection.prepareStatement("SELECT status FROM sluice_runs WHERE id = ?")) {
      query.setString(1, runId);
      try (ResultSet rows = query.executeQuery()) {
        if (!rows.next()) {
          throw new InvalidInputException("Unknown run: " + runId);
        }
        return enumValue(rows, "status", RunStatus.class);
      }
    }
  }
}
