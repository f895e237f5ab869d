package dev.sluice.core.state;

import static dev.sluice.core.state.StateRows.enumValue;
import static dev.sluice.core.state.StateRows.fromJson;
import static dev.sluice.core.state.StateRows.instantOrNull;
import static dev.sluice.core.state.StateRows.longOrNull;
import static dev.sluice.core.state.StateRows.toJson;
import static dev.sluice.core.state.StateSql.first;
import static dev.sluice.core.state.StateSql.list;
import static dev.sluice.core.state.StateSql.update;
import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import dev.sluice.core.project.Severity;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

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
            try {
              update(
                  connection,
                  "INSERT INTO sluice_runs (id, command, selection, status, started_at, host,"
                      + " pid, generation) VALUES (?, ?, ?, ?, ?, ?, ?, 1)",
                  runId,
                  command,
                  selectionJson,
                  RunStatus.RUNNING,
                  startedAt,
                  process.host(),
                  process.pid());
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
    writeForRun(
        "finish run " + runId,
        runId,
        connection -> {
          finishRunRow(connection, runId, status, finishedAt, error);
          return null;
        });
    fencing.release(runId);
  }

  private static void finishRunRow(
      Connection connection, String runId, RunStatus status, Instant finishedAt, String error)
      throws SQLException {
    int updated =
        update(
            connection,
            "UPDATE sluice_runs SET status = ?, finished_at = ?, error = ?"
                + " WHERE id = ? AND status = ?",
            status,
            finishedAt,
            error,
            runId,
            RunStatus.RUNNING);
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
        connection ->
            List.copyOf(
                list(
                    connection,
                    "SELECT "
                        + RUN_OWNER_COLUMNS
                        + " FROM sluice_runs WHERE status = ? ORDER BY id",
                    Runs::runOwner,
                    RunStatus.RUNNING)));
  }

  /** Who runs (or ran) a run, by its exact id. */
  public Optional<RunOwner> runOwner(String runId) {
    requireNonNull(runId, "runId is null");
    return transactions.read(
        "read who runs run " + runId,
        connection ->
            first(
                connection,
                "SELECT " + RUN_OWNER_COLUMNS + " FROM sluice_runs WHERE id = ?",
                Runs::runOwner,
                runId));
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
          if (update(
                  connection,
                  "UPDATE sluice_runs SET status = ?, finished_at = ?, error = ?,"
                      + " generation = generation + 1"
                      + " WHERE id = ? AND status = ? AND generation = ?",
                  RunStatus.INTERRUPTED,
                  at,
                  error,
                  runId,
                  RunStatus.RUNNING,
                  generation)
              == 0) {
            return false;
          }
          update(
              connection,
              "UPDATE sluice_steps SET status = ?, finished_at = ?, error = ?"
                  + " WHERE run_id = ? AND status = ?",
              StepStatus.FAILED,
              at,
              "interrupted: the process running it stopped; nothing it wrote was published",
              runId,
              StepStatus.RUNNING);
          update(connection, "DELETE FROM sluice_locks WHERE owner = ?", runId);
          update(
              connection,
              "INSERT INTO sluice_events (run_id, asset, at, kind, message)"
                  + " VALUES (?, NULL, ?, 'interrupted', ?)",
              runId,
              at,
              error);
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
        connection ->
            update(
                connection,
                "UPDATE sluice_runs SET cancel_requested_at = ? WHERE id = ?",
                requestedAt,
                run.id()));
    return run.id();
  }

  /** Whether someone asked the run to stop. */
  public boolean isCancelRequested(String runId) {
    requireNonNull(runId, "runId is null");
    return transactions.read(
        "read run " + runId,
        connection ->
            first(
                    connection,
                    "SELECT cancel_requested_at FROM sluice_runs WHERE id = ?",
                    row -> row.getObject(1),
                    runId)
                .isPresent());
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
        connection ->
            List.copyOf(
                list(
                    connection,
                    "SELECT "
                        + RUN_SUMMARY_COLUMNS
                        + " FROM sluice_runs r ORDER BY r.started_at DESC, r.id DESC LIMIT ?",
                    Runs::runSummary,
                    limit)));
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
    writeForRun(
        "record that run " + runId + " is alive",
        runId,
        connection ->
            update(
                connection,
                "UPDATE sluice_runs SET heartbeat_at = ? WHERE id = ? AND status = ?",
                at,
                runId,
                RunStatus.RUNNING));
  }

  private static Optional<String> resolveRunId(Connection connection, String wanted)
      throws SQLException {
    if (runExists(connection, wanted)) {
      return Optional.of(wanted);
    }
    // substr rather than LIKE: LIKE ignores case in SQLite, and its wildcards would need escaping.
    List<String> matches =
        list(
            connection,
            "SELECT id FROM sluice_runs WHERE substr(id, 1, ?) = ? ORDER BY id LIMIT ?",
            row -> row.getString(1),
            wanted.length(),
            wanted,
            AMBIGUOUS_MATCHES_SHOWN + 1);
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
    // the run without its steps, read next
    RunDetail run =
        first(
                connection,
                "SELECT " + RUN_SUMMARY_COLUMNS + " FROM sluice_runs r WHERE r.id = ?",
                row ->
                    new RunDetail(
                        runSummary(row),
                        fromJson(row.getString("selection"), "selection", runId),
                        List.of()),
                runId)
            .orElseThrow(() -> new SQLException("Run " + runId + " disappeared while it was read"));
    Map<Long, List<CheckRecord>> checksByStep = checksByStep(connection, runId);
    List<StepDetail> steps =
        list(
            connection,
            "SELECT id, asset, kind, status, started_at, finished_at, rows_in, rows_out, bytes_in,"
                + " bytes_out, rejected_rows, snapshot_id, detail, error, phases"
                + " FROM sluice_steps WHERE run_id = ? ORDER BY id",
            row ->
                new StepDetail(
                    row.getLong("id"),
                    row.getString("asset"),
                    stateValue(row, "kind", "a step", StepKind::parse),
                    enumValue(row, "status", StepStatus.class),
                    Instant.ofEpochMilli(row.getLong("started_at")),
                    instantOrNull(row, "finished_at"),
                    new StepMetrics(
                        row.getLong("rows_in"),
                        row.getLong("rows_out"),
                        row.getLong("bytes_in"),
                        row.getLong("bytes_out"),
                        row.getLong("rejected_rows"),
                        longOrNull(row, "snapshot_id"),
                        row.getString("detail"),
                        StepMetrics.parsePhases(row.getString("phases"))),
                    row.getString("error"),
                    checksByStep.getOrDefault(row.getLong("id"), List.of())),
            runId);
    return new RunDetail(run.summary(), run.selection(), steps);
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

  /** The check result of a row with the columns of {@code sluice_check_results}. */
  static CheckRecord checkRecord(ResultSet row) throws SQLException {
    return new CheckRecord(
        row.getString("asset"),
        row.getString("name"),
        row.getString("column_name"),
        checkValue(row, "severity", Severity::parse),
        checkValue(row, "status", CheckStatus::parse),
        row.getLong("failing_rows"),
        row.getString("sample_json"),
        row.getString("message"));
  }

  private static Map<Long, List<CheckRecord>> checksByStep(Connection connection, String runId)
      throws SQLException {
    List<Map.Entry<Long, CheckRecord>> checks =
        list(
            connection,
            "SELECT c.step_id, c.asset, c.name, c.column_name, c.severity, c.status,"
                + " c.failing_rows, c.sample_json, c.message"
                + " FROM sluice_check_results c JOIN sluice_steps s ON s.id = c.step_id"
                + " WHERE s.run_id = ? ORDER BY c.id",
            row -> Map.entry(row.getLong("step_id"), checkRecord(row)),
            runId);
    return checks.stream()
        .collect(
            Collectors.groupingBy(
                Map.Entry::getKey, Collectors.mapping(Map.Entry::getValue, Collectors.toList())));
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
    return first(connection, "SELECT 1 FROM sluice_runs WHERE id = ?", row -> true, runId)
        .isPresent();
  }

  static RunStatus runStatus(Connection connection, String runId) throws SQLException {
    return first(
            connection,
            "SELECT status FROM sluice_runs WHERE id = ?",
            row -> enumValue(row, "status", RunStatus.class),
            runId)
        .orElseThrow(() -> new InvalidInputException("Unknown run: " + runId));
  }
}
