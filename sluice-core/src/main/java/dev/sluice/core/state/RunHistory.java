package dev.sluice.core.state;

import static dev.sluice.core.state.StateSql.list;
import static dev.sluice.core.state.StateSql.update;
import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collections;
import java.util.List;

/**
 * Pruning of the run history ({@code sluice runs prune}): the runs that started before a cutoff,
 * with their steps, check results, timelines, queued steps, measured usage and table metrics, so
 * that a state database serving schedules every few minutes does not grow for ever.
 *
 * <p>A run is kept, whatever its age, while something still points at it: a run in progress, the
 * run that last built a partition (the partition grid links to it), the run an environment was
 * built by, and a run holding the latest successful step of an asset or partition (freshness, "last
 * built" and {@code sluice slo} read it). The audit log is never pruned: it is a hash chain, and
 * its records name runs by id only.
 */
public final class RunHistory {
  /** How many runs one transaction deletes. */
  private static final int BATCH = 200;

  private static final String PRUNABLE =
      "SELECT r.id FROM sluice_runs r WHERE r.started_at < ? AND r.status <> ?"
          + " AND NOT EXISTS (SELECT 1 FROM sluice_partitions p WHERE p.run_id = r.id)"
          + " AND NOT EXISTS (SELECT 1 FROM sluice_environments e WHERE e.run_id = r.id)"
          + " AND NOT EXISTS (SELECT 1 FROM sluice_environment_runs e WHERE e.run_id = r.id)"
          + " AND NOT EXISTS (SELECT 1 FROM sluice_steps s WHERE s.run_id = r.id AND s.status = ?"
          + " AND s.finished_at = (SELECT MAX(l.finished_at) FROM sluice_steps l"
          + " WHERE l.asset = s.asset AND l.status = ?))"
          + " ORDER BY r.started_at, r.id";

  /**
   * What a prune removed (or, for a dry run, would remove).
   *
   * @param runs the runs, the oldest first
   * @param steps their steps
   * @param events the entries of their timelines
   * @param checkResults their steps' check results
   */
  public record Pruned(List<String> runs, long steps, long events, long checkResults) {
    public Pruned {
      runs = List.copyOf(runs);
    }
  }

  private final StateTransactions transactions;

  RunHistory(StateTransactions transactions) {
    this.transactions = transactions;
  }

  /**
   * Deletes the runs that started before {@code before} and nothing points at any more (see the
   * class), with everything recorded about them, a batch of runs per transaction.
   *
   * @param dryRun only count what would be deleted
   */
  public Pruned prune(Instant before, boolean dryRun) {
    requireNonNull(before, "before is null");
    List<String> runs =
        transactions.read(
            "find the runs to prune",
            connection ->
                list(
                    connection,
                    PRUNABLE,
                    row -> row.getString(1),
                    before,
                    RunStatus.RUNNING,
                    StepStatus.SUCCEEDED,
                    StepStatus.SUCCEEDED));
    long steps = 0;
    long events = 0;
    long checks = 0;
    for (int from = 0; from < runs.size(); from += BATCH) {
      List<String> batch = runs.subList(from, Math.min(runs.size(), from + BATCH));
      long[] counts =
          dryRun
              ? transactions.read("count the runs to prune", connection -> count(connection, batch))
              : transactions.write("prune runs", connection -> delete(connection, batch));
      steps += counts[0];
      events += counts[1];
      checks += counts[2];
    }
    return new Pruned(runs, steps, events, checks);
  }

  private static long[] count(Connection connection, List<String> runs) throws SQLException {
    String in = placeholders(runs.size());
    Object[] ids = runs.toArray();
    return new long[] {
      single(connection, "SELECT COUNT(*) FROM sluice_steps WHERE run_id IN " + in, ids),
      single(connection, "SELECT COUNT(*) FROM sluice_events WHERE run_id IN " + in, ids),
      single(
          connection,
          "SELECT COUNT(*) FROM sluice_check_results WHERE step_id IN (SELECT id FROM sluice_steps"
              + " WHERE run_id IN "
              + in
              + ")",
          ids)
    };
  }

  /** Deletes the runs and what refers to them, the referring rows first. */
  private static long[] delete(Connection connection, List<String> runs) throws SQLException {
    String in = placeholders(runs.size());
    Object[] ids = runs.toArray();
    String stepsOfRuns = "(SELECT id FROM sluice_steps WHERE run_id IN " + in + ")";
    update(
        connection,
        "DELETE FROM sluice_column_metrics WHERE metric_id IN (SELECT id FROM sluice_table_metrics"
            + " WHERE step_id IN "
            + stepsOfRuns
            + ")",
        ids);
    update(connection, "DELETE FROM sluice_table_metrics WHERE step_id IN " + stepsOfRuns, ids);
    int checks =
        update(connection, "DELETE FROM sluice_check_results WHERE step_id IN " + stepsOfRuns, ids);
    update(connection, "DELETE FROM sluice_step_usage WHERE run_id IN " + in, ids);
    update(connection, "DELETE FROM sluice_step_queue WHERE run_id IN " + in, ids);
    int events = update(connection, "DELETE FROM sluice_events WHERE run_id IN " + in, ids);
    int steps = update(connection, "DELETE FROM sluice_steps WHERE run_id IN " + in, ids);
    update(connection, "DELETE FROM sluice_runs WHERE id IN " + in, ids);
    return new long[] {steps, events, checks};
  }

  private static long single(Connection connection, String sql, Object... values)
      throws SQLException {
    List<Long> found = list(connection, sql, row -> row.getLong(1), values);
    return found.isEmpty() ? 0 : found.get(0);
  }

  /** {@code (?, ?, ...)} for {@code count} values: the ids are bound, never written into SQL. */
  private static String placeholders(int count) {
    return "(" + String.join(", ", Collections.nCopies(count, "?")) + ")";
  }
}
