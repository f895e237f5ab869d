package dev.sluice.core.state;

import static dev.sluice.core.state.StateRows.enumValue;
import static dev.sluice.core.state.StateRows.instantOrNull;
import static dev.sluice.core.state.StateSql.first;
import static dev.sluice.core.state.StateSql.list;
import static dev.sluice.core.state.StateSql.nullableLong;
import static dev.sluice.core.state.StateSql.update;
import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The steps of runs in a {@link RunStore}: their start and end, and the checks they ran. */
public final class RunSteps extends FencedPart {
  RunSteps(StateTransactions transactions, Fencing fencing) {
    super(transactions, fencing);
  }

  /**
   * Records the start of a step of a running run.
   *
   * @param kind the kind of asset
   * @return the new step's id
   * @throws InvalidInputException if no run has this id
   * @throws IllegalStateException if the run has already finished
   */
  public long startStep(String runId, String asset, StepKind kind, Instant startedAt) {
    return startStep(runId, StepKey.of(asset), kind, startedAt);
  }

  /**
   * Records the start of a step of a running run, which builds an asset or partitions of it.
   *
   * @param step the step: recorded by its name (e.g. {@code daily[2024-03-01]}) with its partition
   *     label (see {@code PartitionRange.label()}), if it has one
   * @param kind the kind of asset, recorded by its {@link StepKind#label()}
   * @return the new step's id
   * @throws InvalidInputException if no run has this id
   * @throws IllegalStateException if the run has already finished
   */
  public long startStep(String runId, StepKey step, StepKind kind, Instant startedAt) {
    requireNonNull(runId, "runId is null");
    requireNonNull(step, "step is null");
    requireNonNull(kind, "kind is null");
    requireNonNull(startedAt, "startedAt is null");
    return transactions.write(
        "start the step of " + step + " in run " + runId,
        connection ->
            insertStep(connection, runId, step.name(), kind, startedAt, step.partition()));
  }

  private long insertStep(
      Connection connection,
      String runId,
      String asset,
      StepKind kind,
      Instant startedAt,
      String partition)
      throws SQLException {
    fencing.check(connection, runId);
    RunStatus runStatus = Runs.runStatus(connection, runId);
    if (runStatus != RunStatus.RUNNING) {
      throw new IllegalStateException(
          String.format(
              "Cannot start a step of %s in run %s: the run has already finished as %s",
              asset, runId, runStatus));
    }
    long stepId =
        first(
                connection,
                "INSERT INTO sluice_steps (run_id, asset, kind, status, started_at, partition_key)"
                    + " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                row -> row.getLong(1),
                runId,
                asset,
                kind.label(),
                StepStatus.RUNNING,
                startedAt,
                partition)
            .orElseThrow(() -> new SQLException("The insert of a step returned no id"));
    fencing.addStep(runId, stepId);
    return stepId;
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
    writeForStep(
        "finish step " + stepId,
        stepId,
        connection -> {
          int updated =
              update(
                  connection,
                  "UPDATE sluice_steps SET status = ?, finished_at = ?, rows_in = ?, rows_out = ?,"
                      + " bytes_in = ?, bytes_out = ?, rejected_rows = ?, snapshot_id = ?,"
                      + " detail = ?, error = ?, phases = ? WHERE id = ? AND status = ?",
                  status,
                  finishedAt,
                  metrics.rowsIn(),
                  metrics.rowsOut(),
                  metrics.bytesIn(),
                  metrics.bytesOut(),
                  metrics.rejectedRows(),
                  nullableLong(metrics.snapshotId()),
                  metrics.detail(),
                  error,
                  metrics.phasesJson(),
                  stepId,
                  StepStatus.RUNNING);
          if (updated == 0) {
            StepStatus current = stepStatus(connection, stepId);
            throw new IllegalStateException(
                String.format(
                    "Cannot finish step %d: it has already finished as %s", stepId, current));
          }
          return null;
        });
  }

  /**
   * Records the result of a check that a step ran.
   *
   * @throws InvalidInputException if no step has this id
   */
  public void recordCheck(long stepId, CheckRecord check) {
    requireNonNull(check, "check is null");
    writeForStep(
        "record check " + check.name() + " of step " + stepId,
        stepId,
        connection -> {
          stepStatus(connection, stepId);
          return update(
              connection,
              "INSERT INTO sluice_check_results (step_id, asset, name, column_name, severity,"
                  + " status, failing_rows, sample_json, message)"
                  + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
              stepId,
              check.asset(),
              check.name(),
              check.column(),
              check.severity().label(),
              check.status().label(),
              check.failingRows(),
              check.sampleJson(),
              check.message());
        });
  }

  /** How many check results of one status one day (UTC) had. */
  public record DailyCheckCount(java.time.LocalDate day, CheckStatus status, long count) {
    public DailyCheckCount {
      requireNonNull(day, "day is null");
      requireNonNull(status, "status is null");
    }
  }

  /**
   * The check results of steps that started since {@code since}, counted per day (UTC, by the
   * step's start) and status, oldest day first.
   */
  public List<DailyCheckCount> checkCountsByDay(Instant since) {
    requireNonNull(since, "since is null");
    return transactions.read(
        "count check results per day",
        connection ->
            list(
                connection,
                "SELECT s.started_at / 86400000 AS day, c.status, COUNT(*) AS results"
                    + " FROM sluice_check_results c JOIN sluice_steps s ON s.id = c.step_id"
                    + " WHERE s.started_at >= ? GROUP BY s.started_at / 86400000, c.status"
                    + " ORDER BY 1, 2",
                row ->
                    new DailyCheckCount(
                        java.time.LocalDate.ofEpochDay(row.getLong("day")),
                        CheckStatus.parse(row.getString("status")),
                        row.getLong("results")),
                since));
  }

  /**
   * The results of the checks named {@code name}, newest first: each with its run, its step and the
   * partition the step built.
   *
   * @param asset only the results on this asset, or null for every asset with a check of the name
   * @param limit at most this many, the newest
   */
  public List<CheckHistoryEntry> checkHistory(String name, String asset, int limit) {
    requireNonNull(name, "name is null");
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive: " + limit);
    }
    List<Object> values = new ArrayList<>();
    values.add(name);
    if (asset != null) {
      values.add(asset);
    }
    String sql =
        "SELECT s.run_id, c.step_id, s.partition_key, s.started_at, c.asset, c.name,"
            + " c.column_name, c.severity, c.status, c.failing_rows, c.sample_json, c.message"
            + " FROM sluice_check_results c JOIN sluice_steps s ON s.id = c.step_id"
            + " WHERE c.name = ?"
            + (asset == null ? "" : " AND c.asset = ?")
            + " ORDER BY s.started_at DESC, c.id DESC LIMIT "
            + limit;
    return transactions.read(
        "read the history of check " + name,
        connection ->
            list(
                connection,
                sql,
                row ->
                    new CheckHistoryEntry(
                        row.getString("run_id"),
                        row.getLong("step_id"),
                        row.getString("partition_key"),
                        Instant.ofEpochMilli(row.getLong("started_at")),
                        Runs.checkRecord(row)),
                values.toArray()));
  }

  /**
   * When the latest step that materialized an asset successfully finished.
   *
   * @return the time it finished, or empty when no step ever materialized the asset successfully
   */
  public Optional<Instant> lastSuccessfulStep(String asset) {
    requireNonNull(asset, "asset is null");
    // a partitioned asset's steps are named asset[partition]
    return transactions.read(
        "look up the last successful step of " + asset,
        connection ->
            first(
                connection,
                "SELECT MAX(finished_at) FROM sluice_steps WHERE (asset = ?"
                    + " OR substr(asset, 1, ?) = ?) AND status = ?",
                row -> instantOrNull(row, 1),
                asset,
                asset.length() + 1,
                asset + "[",
                StepStatus.SUCCEEDED));
  }

  private static StepStatus stepStatus(Connection connection, long stepId) throws SQLException {
    return first(
            connection,
            "SELECT status FROM sluice_steps WHERE id = ?",
            row -> enumValue(row, "status", StepStatus.class),
            stepId)
        .orElseThrow(() -> new InvalidInputException("Unknown step: " + stepId));
  }
}
