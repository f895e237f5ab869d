package dev.sluice.core.state;

import static dev.sluice.core.state.StateRows.instantOrNull;
import static dev.sluice.core.state.StateSql.list;
import static dev.sluice.core.state.StateSql.update;
import static java.util.Objects.requireNonNull;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The worker processes ({@code sluice serve --worker}) that share a {@link RunStore}: who they are,
 * the Sluice version each runs, their last sign of life and the step each is running.
 */
public final class Workers {
  /**
   * A worker as the state database knows it.
   *
   * @param slots how many steps it runs at once
   * @param stoppedAt when it stopped cleanly, or null
   * @param runId the run of the step it is running, or null when idle
   * @param step the step it is running, or null
   * @param stepStartedAt when it started that step, or null
   */
  public record Worker(
      String id,
      RunProcess process,
      String version,
      int slots,
      Instant startedAt,
      Instant heartbeatAt,
      Instant stoppedAt,
      String runId,
      String step,
      Instant stepStartedAt) {
    public Worker {
      requireNonNull(id, "id is null");
      requireNonNull(process, "process is null");
      requireNonNull(version, "version is null");
    }

    /**
     * Whether it is alive: not stopped, and a sign of life within {@code timeout} of {@code now}.
     */
    public boolean alive(Instant now, Duration timeout) {
      return stoppedAt == null && !heartbeatAt.isBefore(now.minus(timeout));
    }

    /**
     * {@code running}, {@code idle}, {@code stopped} or {@code gone} (no sign of life within {@code
     * timeout}).
     */
    public String status(Instant now, Duration timeout) {
      if (stoppedAt != null) {
        return "stopped";
      }
      if (!alive(now, timeout)) {
        return "gone";
      }
      return step == null ? "idle" : "running";
    }

    /**
     * The worker as {@code sluice workers --json} and {@code GET /api/v1/workers} give it: {@code
     * id}, {@code status}, {@code host}, {@code pid}, {@code version}, {@code slots}, its times
     * (ISO-8601) and the {@code run} and {@code step} it is running.
     */
    public Map<String, Object> toJson(Instant now, Duration timeout) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("id", id);
      json.put("status", status(now, timeout));
      json.put("host", process.host());
      json.put("pid", process.pid());
      json.put("version", version);
      json.put("slots", slots);
      json.put("started_at", startedAt.toString());
      json.put("heartbeat_at", heartbeatAt.toString());
      json.put("stopped_at", stoppedAt == null ? null : stoppedAt.toString());
      json.put("run", runId);
      json.put("step", step);
      json.put("step_started_at", stepStartedAt == null ? null : stepStartedAt.toString());
      return json;
    }
  }

  private static final String COLUMNS =
      "id, host, pid, version, slots, started_at, heartbeat_at, stopped_at, run_id, step,"
          + " step_started_at";

  private final StateTransactions transactions;

  Workers(StateTransactions transactions) {
    this.transactions = transactions;
  }

  /** Records that a worker started (or started again under the same id). */
  public void register(String id, RunProcess process, String version, int slots, Instant now) {
    requireNonNull(id, "id is null");
    requireNonNull(process, "process is null");
    requireNonNull(version, "version is null");
    transactions.write(
        "register worker " + id,
        connection ->
            update(
                connection,
                "INSERT INTO sluice_workers (id, host, pid, version, slots, started_at,"
                    + " heartbeat_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                    + " host = excluded.host, pid = excluded.pid, version = excluded.version,"
                    + " slots = excluded.slots, started_at = excluded.started_at,"
                    + " heartbeat_at = excluded.heartbeat_at, stopped_at = NULL, run_id = NULL,"
                    + " step = NULL, step_started_at = NULL",
                id,
                process.host(),
                process.pid(),
                version,
                slots,
                now,
                now));
  }

  /** Notes that a worker is alive. */
  public void heartbeat(String id, Instant now) {
    transactions.write(
        "record that worker " + id + " is alive",
        connection ->
            update(connection, "UPDATE sluice_workers SET heartbeat_at = ? WHERE id = ?", now, id));
  }

  /** Notes the step a worker runs now ({@code step} null: it is idle). */
  public void running(String id, String runId, String step, Instant now) {
    transactions.write(
        "record what worker " + id + " runs",
        connection ->
            update(
                connection,
                "UPDATE sluice_workers SET run_id = ?, step = ?, step_started_at = ?,"
                    + " heartbeat_at = ? WHERE id = ?",
                step == null ? null : runId,
                step,
                step == null ? StateSql.nullableMillis(null) : now,
                now,
                id));
  }

  /** Records that a worker stopped cleanly. */
  public void stopped(String id, Instant now) {
    transactions.write(
        "record that worker " + id + " stopped",
        connection ->
            update(
                connection,
                "UPDATE sluice_workers SET stopped_at = ?, run_id = NULL, step = NULL,"
                    + " step_started_at = NULL WHERE id = ?",
                now,
                id));
  }

  /** Every worker known, the most recently alive first. */
  public List<Worker> all() {
    return transactions.read(
        "list the workers",
        connection ->
            List.copyOf(
                list(
                    connection,
                    "SELECT " + COLUMNS + " FROM sluice_workers ORDER BY heartbeat_at DESC, id",
                    Workers::worker)));
  }

  /** The workers alive at {@code now}: not stopped, a sign of life within {@code timeout}. */
  public List<Worker> alive(Instant now, Duration timeout) {
    return all().stream().filter(worker -> worker.alive(now, timeout)).toList();
  }

  private static Worker worker(ResultSet row) throws SQLException {
    return new Worker(
        row.getString("id"),
        new RunProcess(row.getString("host"), row.getLong("pid")),
        row.getString("version"),
        row.getInt("slots"),
        Instant.ofEpochMilli(row.getLong("started_at")),
        Instant.ofEpochMilli(row.getLong("heartbeat_at")),
        instantOrNull(row, "stopped_at"),
        row.getString("run_id"),
        row.getString("step"),
        instantOrNull(row, "step_started_at"));
  }
}
