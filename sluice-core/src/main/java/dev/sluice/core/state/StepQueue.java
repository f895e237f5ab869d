package dev.sluice.core.state;

import static dev.sluice.core.state.StateRows.enumValue;
import static dev.sluice.core.state.StateRows.longOrNull;
import static dev.sluice.core.state.StateSql.first;
import static dev.sluice.core.state.StateSql.list;
import static dev.sluice.core.state.StateSql.update;
import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The steps that runs hand to workers ({@code sluice serve --worker}), in a {@link RunStore} on a
 * shared (PostgreSQL) database.
 *
 * <p>A run's process {@linkplain #enqueue queues} a step once its upstream steps succeeded. A
 * worker {@linkplain #claim claims} it with {@code SELECT ... FOR UPDATE SKIP LOCKED}, so that two
 * workers never claim the same step, and holds the claim by a lease it {@linkplain #renew renews}
 * while it runs the step. A claim whose lease expired (its worker was killed or lost the database)
 * is claimed again by another worker, which counts one more attempt; only the worker holding the
 * current claim can {@linkplain #finish finish} it. A step's pool is a limit across all workers: a
 * worker claims a step of a pool only while fewer than the pool's size of its steps are claimed,
 * counted under a transaction-scoped advisory lock of the pool so that two workers cannot both take
 * the last slot.
 */
public final class StepQueue {
  /** Where a queued step is. */
  public enum Status {
    QUEUED,
    CLAIMED,
    DONE
  }

  /**
   * A step to queue.
   *
   * @param pool the step's pool, or null
   * @param poolSize the pool's size (steps at once across all workers), or 0 without a pool
   * @param fullRefresh whether the run rebuilds from scratch
   * @param runStartedAt when the run started (the step reads the time of its run)
   * @param version the Sluice version of the run's process; workers of another version leave it
   * @param projectDigest the digest of the project the run was planned from ({@code
   *     ProjectFiles.digest}), or null when not known (a step queued before it was recorded)
   * @param environment the environment the run builds ({@code sluice run --env NAME}), or null for
   *     production
   */
  public record Request(
      String runId,
      StepKey step,
      String pool,
      int poolSize,
      boolean fullRefresh,
      Instant runStartedAt,
      String version,
      String projectDigest,
      String environment) {
    public Request {
      requireNonNull(runId, "runId is null");
      requireNonNull(step, "step is null");
      requireNonNull(runStartedAt, "runStartedAt is null");
      requireNonNull(version, "version is null");
      if (pool != null && poolSize < 1) {
        throw new IllegalArgumentException("Pool " + pool + " has no slot: " + poolSize);
      }
    }
  }

  /**
   * A step a worker claimed.
   *
   * @param id the queue entry
   * @param attempt which claim of the entry this is (1 the first; more after a worker was lost)
   * @param previousStepId the step the previous claim recorded and did not finish (its worker was
   *     lost), or null
   * @param previousWorker the worker of that claim, or null
   */
  public record Claim(
      long id,
      Request request,
      int attempt,
      Long previousStepId,
      String previousWorker,
      Instant leaseExpiresAt) {}

  /**
   * Where a queued step is, and once done the step it recorded.
   *
   * @param worker the worker that claimed it last, or null
   * @param stepId the step it recorded in {@code sluice_steps}, or null
   * @param stepStatus that step's status, or null
   */
  public record Entry(
      long id,
      String runId,
      StepKey step,
      Status status,
      String worker,
      int attempt,
      Long stepId,
      StepStatus stepStatus,
      String error,
      StepMetrics metrics) {}

  private static final String CLAIM_COLUMNS =
      "id, run_id, step, pool, pool_size, full_refresh, run_started_at, version, status, worker,"
          + " attempt, step_id, project_digest, environment";

  /** How many candidates one claim looks at, so that a pool that is full does not stop the rest. */
  private static final int CANDIDATES = 32;

  private final StateTransactions transactions;
  private final QueueSignals changes;
  private final boolean notifies;

  StepQueue(StateTransactions transactions, QueueSignals changes, boolean notifies) {
    this.transactions = transactions;
    this.changes = changes;
    this.notifies = notifies;
  }

  /**
   * The signals of this queue's changes (a step queued, done or withdrawn, by any process), to wait
   * on instead of looking at the queue again and again.
   */
  public QueueSignals changes() {
    return changes;
  }

  /** Signals a change to every process waiting on the queue, when {@code connection} commits. */
  private void notifyChange(Connection connection) throws SQLException {
    if (notifies) {
      first(
          connection, "SELECT pg_notify(?, ?)", row -> row.getString(1), QueueSignals.CHANNEL, "");
    }
  }

  /** Queues a step for the workers; returns its entry's id. */
  public long enqueue(Request request, Instant now) {
    requireNonNull(request, "request is null");
    requireNonNull(now, "now is null");
    return transactions.write(
        "queue step " + request.step() + " of run " + request.runId(),
        connection -> {
          long id =
              first(
                      connection,
                      "INSERT INTO sluice_step_queue (run_id, step, pool, pool_size, full_refresh,"
                          + " run_started_at, version, status, queued_at, project_digest,"
                          + " environment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                      row -> row.getLong(1),
                      request.runId(),
                      request.step().name(),
                      request.pool(),
                      request.poolSize(),
                      request.fullRefresh() ? 1 : 0,
                      request.runStartedAt(),
                      request.version(),
                      Status.QUEUED,
                      now,
                      request.projectDigest(),
                      request.environment())
                  .orElseThrow();
          notifyChange(connection);
          return id;
        });
  }

  /**
   * Claims the oldest step this worker may run: queued, or claimed by a worker whose lease expired;
   * of a running run; queued by {@code version}; and whose pool has a free slot across all workers.
   * Needs PostgreSQL ({@code FOR UPDATE SKIP LOCKED}, advisory locks).
   *
   * @return the claim, or empty when nothing is to be done
   */
  public Optional<Claim> claim(String worker, String version, Duration lease, Instant now) {
    requireNonNull(worker, "worker is null");
    requireNonNull(version, "version is null");
    Instant expires = now.plus(lease);
    return transactions.write(
        "claim a queued step",
        connection -> {
          List<Claimable> candidates =
              list(
                  connection,
                  "SELECT q."
                      + CLAIM_COLUMNS.replace(", ", ", q.")
                      + " FROM sluice_step_queue q JOIN sluice_runs r ON r.id = q.run_id"
                      + " WHERE r.status = ? AND q.version = ?"
                      + " AND (q.status = ? OR (q.status = ? AND q.lease_expires_at < ?))"
                      + " ORDER BY q.id LIMIT ? FOR UPDATE OF q SKIP LOCKED",
                  StepQueue::claimable,
                  RunStatus.RUNNING,
                  version,
                  Status.QUEUED,
                  Status.CLAIMED,
                  now,
                  CANDIDATES);
          for (Claimable candidate : candidates) {
            Request request = candidate.request();
            if (request.pool() != null && !poolHasRoom(connection, request, now)) {
              continue;
            }
            update(
                connection,
                "UPDATE sluice_step_queue SET status = ?, worker = ?, attempt = attempt + 1,"
                    + " claimed_at = ?, lease_expires_at = ?, step_id = NULL WHERE id = ?",
                Status.CLAIMED,
                worker,
                now,
                expires,
                candidate.id());
            boolean reclaimed = candidate.status() == Status.CLAIMED;
            return Optional.of(
                new Claim(
                    candidate.id(),
                    request,
                    candidate.attempt() + 1,
                    reclaimed ? candidate.stepId() : null,
                    reclaimed ? candidate.worker() : null,
                    expires));
          }
          return Optional.<Claim>empty();
        });
  }

  /** Whether fewer than the pool's size of its steps are claimed (by live leases), now. */
  private static boolean poolHasRoom(Connection connection, Request request, Instant now)
      throws SQLException {
    // every claimer of this pool waits here until the others' claims are committed
    first(
        connection,
        "SELECT pg_advisory_xact_lock(hashtext(?))",
        row -> true,
        "sluice pool " + request.pool());
    long claimed =
        first(
                connection,
                "SELECT COUNT(*) FROM sluice_step_queue"
                    + " WHERE pool = ? AND status = ? AND lease_expires_at >= ?",
                row -> row.getLong(1),
                request.pool(),
                Status.CLAIMED,
                now)
            .orElse(0L);
    return claimed < request.poolSize();
  }

  /**
   * Records the step a claim started, so that a worker that claims it after a lost lease can mark
   * it interrupted.
   *
   * @return whether {@code worker} still held the claim
   */
  public boolean recordStep(long id, String worker, int attempt, long stepId) {
    return transactions.write(
        "record the step of queued step " + id,
        connection ->
            update(
                    connection,
                    "UPDATE sluice_step_queue SET step_id = ?"
                        + " WHERE id = ? AND worker = ? AND attempt = ? AND status = ?",
                    stepId,
                    id,
                    worker,
                    attempt,
                    Status.CLAIMED)
                == 1);
  }

  /**
   * Renews the leases of the claims a worker still works on: a claim it gave up is not renewed, so
   * that another worker can claim it once its lease expires.
   *
   * @return how many of them it still holds
   */
  public int renew(String worker, Collection<Long> claims, Duration lease, Instant now) {
    requireNonNull(worker, "worker is null");
    if (claims.isEmpty()) {
      return 0;
    }
    List<Object> parameters = new ArrayList<>();
    parameters.add(now.plus(lease));
    parameters.add(worker);
    parameters.add(Status.CLAIMED);
    parameters.addAll(claims);
    String placeholders = String.join(", ", Collections.nCopies(claims.size(), "?"));
    return transactions.write(
        "renew the leases of worker " + worker,
        connection ->
            update(
                connection,
                "UPDATE sluice_step_queue SET lease_expires_at = ? WHERE worker = ? AND status = ?"
                    + " AND id IN ("
                    + placeholders
                    + ")",
                parameters.toArray()));
  }

  /**
   * Marks a claimed step done, with the step it recorded.
   *
   * @return whether the worker still held the claim (false: its lease expired and another worker
   *     claimed the step, or the run's process gave it up)
   */
  public boolean finish(long id, String worker, int attempt, Long stepId, Instant now) {
    return transactions.write(
        "finish queued step " + id,
        connection -> {
          boolean held =
              update(
                      connection,
                      "UPDATE sluice_step_queue SET status = ?, step_id = ?, finished_at = ?"
                          + " WHERE id = ? AND worker = ? AND attempt = ? AND status = ?",
                      Status.DONE,
                      StateSql.nullableLong(stepId),
                      now,
                      id,
                      worker,
                      attempt,
                      Status.CLAIMED)
                  == 1;
          if (held) {
            notifyChange(connection);
          }
          return held;
        });
  }

  /** A queued step's entry, with the step it recorded once done. */
  public Optional<Entry> entry(long id) {
    return transactions.read(
        "read queued step " + id,
        connection ->
            first(
                connection,
                "SELECT q.id, q.run_id, q.step, q.status, q.worker, q.attempt, q.step_id,"
                    + " s.status AS step_status, s.error, s.rows_in, s.rows_out, s.bytes_in,"
                    + " s.bytes_out, s.rejected_rows, s.snapshot_id, s.detail, s.phases"
                    + " FROM sluice_step_queue q LEFT JOIN sluice_steps s ON s.id = q.step_id"
                    + " WHERE q.id = ?",
                row -> {
                  String stepStatus = row.getString("step_status");
                  return new Entry(
                      row.getLong("id"),
                      row.getString("run_id"),
                      StepKey.parse(row.getString("step")),
                      enumValue(row, "status", Status.class),
                      row.getString("worker"),
                      row.getInt("attempt"),
                      longOrNull(row, "step_id"),
                      stepStatus == null ? null : StepStatus.valueOf(stepStatus),
                      row.getString("error"),
                      new StepMetrics(
                          row.getLong("rows_in"),
                          row.getLong("rows_out"),
                          row.getLong("bytes_in"),
                          row.getLong("bytes_out"),
                          row.getLong("rejected_rows"),
                          longOrNull(row, "snapshot_id"),
                          row.getString("detail"),
                          StepMetrics.parsePhases(row.getString("phases"))));
                },
                id));
  }

  /**
   * Gives up the steps of a run not claimed yet (the run was cancelled or its process stops): no
   * worker starts them.
   *
   * @return how many were given up
   */
  public int withdraw(String runId, Instant now) {
    return transactions.write(
        "withdraw the queued steps of run " + runId,
        connection -> {
          int withdrawn =
              update(
                  connection,
                  "UPDATE sluice_step_queue SET status = ?, finished_at = ?"
                      + " WHERE run_id = ? AND status = ?",
                  Status.DONE,
                  now,
                  runId,
                  Status.QUEUED);
          if (withdrawn > 0) {
            notifyChange(connection);
          }
          return withdrawn;
        });
  }

  /** The entries of a run, oldest first. */
  public List<Entry> entries(String runId) {
    return transactions
        .read(
            "list the queued steps of run " + runId,
            connection ->
                list(
                    connection,
                    "SELECT id FROM sluice_step_queue WHERE run_id = ? ORDER BY id",
                    row -> row.getLong(1),
                    runId))
        .stream()
        .map(id -> entry(id).orElseThrow())
        .toList();
  }

  private record Claimable(
      long id, Request request, Status status, String worker, int attempt, Long stepId) {}

  private static Claimable claimable(java.sql.ResultSet row) throws SQLException {
    String pool = row.getString("pool");
    return new Claimable(
        row.getLong("id"),
        new Request(
            row.getString("run_id"),
            StepKey.parse(row.getString("step")),
            pool,
            pool == null ? 0 : row.getInt("pool_size"),
            row.getInt("full_refresh") == 1,
            Instant.ofEpochMilli(row.getLong("run_started_at")),
            row.getString("version"),
            row.getString("project_digest"),
            row.getString("environment")),
        enumValue(row, "status", Status.class),
        row.getString("worker"),
        row.getInt("attempt"),
        longOrNull(row, "step_id"));
  }
}
