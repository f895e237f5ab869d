package dev.sluice.core.state;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The owner generation of each run a store started and has not finished, and the run of each of
 * their steps: every write of such a run's state checks that the run was not taken over since
 * ({@link Runs#interruptRun}).
 */
final class Fencing {
  private final Map<String, Long> heldGenerations = new ConcurrentHashMap<>();
  private final Map<Long, String> stepRuns = new ConcurrentHashMap<>();

  /** This store now owns the run, as of its first generation. */
  void hold(String runId, long generation) {
    heldGenerations.put(runId, generation);
  }

  /** The run finished: its steps and it are no longer fenced. */
  void release(String runId) {
    heldGenerations.remove(runId);
    stepRuns.values().removeIf(runId::equals);
  }

  /** A step of a run: fenced with it when this store owns the run. */
  void addStep(String runId, long stepId) {
    if (heldGenerations.containsKey(runId)) {
      stepRuns.put(stepId, runId);
    }
  }

  /**
   * When this store started the run, checks that no other process has taken it over since (its
   * generation is still the one this store holds). The check is a write of the run's row, so that
   * it holds the row (PostgreSQL) or the database (SQLite) until the caller's transaction ends: a
   * takeover cannot slip in between the check and the write it guards.
   *
   * @throws RunTakenOverException if the run was taken over
   */
  void check(Connection connection, String runId) throws SQLException {
    Long generation = runId == null ? null : heldGenerations.get(runId);
    if (generation == null) {
      return;
    }
    if (StateSql.update(
            connection,
            "UPDATE sluice_runs SET generation = generation WHERE id = ? AND generation = ?",
            runId,
            generation)
        == 0) {
      throw new RunTakenOverException(runId);
    }
  }

  /** {@link #check} for the run of a step. */
  void checkStep(Connection connection, long stepId) throws SQLException {
    check(connection, stepRuns.get(stepId));
  }
}
