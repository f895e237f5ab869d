package dev.sluice.core.state;

import static dev.sluice.core.state.StateRows.doubleOrNull;
import static dev.sluice.core.state.StateRows.enumValue;
import static dev.sluice.core.state.StateRows.instantOrNull;
import static dev.sluice.core.state.StateRows.longOrNull;
import static dev.sluice.core.state.StateSql.batch;
import static dev.sluice.core.state.StateSql.first;
import static dev.sluice.core.state.StateSql.list;
import static dev.sluice.core.state.StateSql.nullableDouble;
import static dev.sluice.core.state.StateSql.nullableLong;
import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The metric history in a {@link RunStore}: what every step wrote to each table and partition (row
 * count, bytes, files and a profile of each column), kept per step so that profiles and anomaly
 * checks can read how a table's data looked run after run.
 */
public final class MetricHistory extends FencedPart {
  private static final String SELECT_METRICS =
      "SELECT m.id, m.step_id, s.run_id, s.status, m.asset, m.table_name, m.partition_key,"
          + " m.recorded_at, m.row_count, m.bytes, m.files, m.accepted_at"
          + " FROM sluice_table_metrics m JOIN sluice_steps s ON s.id = m.step_id";

  MetricHistory(StateTransactions transactions, Fencing fencing) {
    super(transactions, fencing);
  }

  /**
   * One profile as recorded: which run and step wrote the data, when, and whether the step
   * succeeded (a failed step's data was not published).
   *
   * @param acceptedAt when a user accepted the write's values as expected ({@link #accept}), or
   *     null
   */
  public record Recorded(
      String runId,
      long stepId,
      StepStatus stepStatus,
      String asset,
      Instant recordedAt,
      TableProfile profile,
      Instant acceptedAt) {
    public Recorded {
      requireNonNull(runId, "runId is null");
      requireNonNull(stepStatus, "stepStatus is null");
      requireNonNull(asset, "asset is null");
      requireNonNull(recordedAt, "recordedAt is null");
      requireNonNull(profile, "profile is null");
    }
  }

  /**
   * Records what a step wrote to a table or a partition of it.
   *
   * @throws InvalidInputException if no step has this id
   */
  public void record(long stepId, String asset, TableProfile profile, Instant at) {
    requireNonNull(asset, "asset is null");
    requireNonNull(profile, "profile is null");
    requireNonNull(at, "at is null");
    writeForStep(
        "record the metrics of " + profile.table() + " written by step " + stepId,
        stepId,
        connection -> {
          if (first(
                  connection,
                  "SELECT id FROM sluice_steps WHERE id = ?",
                  row -> row.getLong(1),
                  stepId)
              .isEmpty()) {
            throw new InvalidInputException("Unknown step: " + stepId);
          }
          long metricId =
              first(
                      connection,
                      "INSERT INTO sluice_table_metrics (step_id, asset, table_name, partition_key,"
                          + " recorded_at, row_count, bytes, files) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                          + " RETURNING id",
                      row -> row.getLong(1),
                      stepId,
                      asset,
                      profile.table(),
                      profile.partition(),
                      at,
                      profile.rowCount(),
                      profile.bytes(),
                      profile.files())
                  .orElseThrow(() -> new SQLException("The insert of metrics returned no id"));
          List<Object[]> columns = new ArrayList<>();
          int position = 0;
          for (ColumnProfile column : profile.columns()) {
            columns.add(
                new Object[] {
                  metricId,
                  position++,
                  column.name(),
                  column.type(),
                  nullableDouble(column.nullFraction()),
                  nullableLong(column.distinctEstimate()),
                  column.min(),
                  column.max(),
                  nullableDouble(column.mean()),
                  nullableLong(column.minLength()),
                  nullableLong(column.maxLength()),
                  nullableDouble(column.meanLength())
                });
          }
          batch(
              connection,
              "INSERT INTO sluice_column_metrics (metric_id, position, column_name, column_type,"
                  + " null_fraction, distinct_estimate, min_value, max_value, mean, min_length,"
                  + " max_length, mean_length) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              columns);
          return null;
        });
  }

  /**
   * Accepts what a step wrote as expected: anomaly checks count its values as history from now on,
   * even when the step did not publish them (an error anomaly blocked it).
   *
   * @return how many writes (tables, partitions) of the step were accepted; 0 when the step wrote
   *     none
   */
  public int accept(long stepId, Instant at) {
    requireNonNull(at, "at is null");
    return transactions.write(
        "accept the metrics of step " + stepId,
        connection ->
            StateSql.update(
                connection,
                "UPDATE sluice_table_metrics SET accepted_at = ? WHERE step_id = ?",
                at,
                stepId));
  }

  /**
   * One successful write of a table: when it was recorded and, when a column was asked for, the
   * newest value of that column in the data written (as text; null when it has none or the column
   * is classified and keeps no maximum).
   */
  public record Write(Instant at, String newest) {
    public Write {
      requireNonNull(at, "at is null");
    }
  }

  /**
   * The writes of steps that succeeded to a table since {@code since}, oldest first, preceded by
   * the last one before it (where the table stood when the period began), if any.
   *
   * @param column the column whose newest value each write carries, or null for none
   */
  public List<Write> successfulWrites(String table, String column, Instant since) {
    requireNonNull(table, "table is null");
    requireNonNull(since, "since is null");
    String select =
        column == null
            ? "SELECT m.recorded_at, NULL AS newest FROM sluice_table_metrics m"
                + " JOIN sluice_steps s ON s.id = m.step_id"
            : "SELECT m.recorded_at, c.max_value AS newest FROM sluice_table_metrics m"
                + " JOIN sluice_steps s ON s.id = m.step_id"
                + " LEFT JOIN sluice_column_metrics c ON c.metric_id = m.id AND c.column_name = ?";
    List<Object> values = new ArrayList<>();
    if (column != null) {
      values.add(column);
    }
    values.add(table);
    values.add(StepStatus.SUCCEEDED);
    values.add(since);
    StateSql.Row<Write> row =
        result ->
            new Write(
                Instant.ofEpochMilli(result.getLong("recorded_at")), result.getString("newest"));
    return transactions.read(
        "read the writes of " + table,
        connection -> {
          List<Write> writes = new ArrayList<>();
          first(
                  connection,
                  select
                      + " WHERE m.table_name = ? AND s.status = ? AND m.recorded_at < ?"
                      + " ORDER BY m.recorded_at DESC, m.id DESC LIMIT 1",
                  row,
                  values.toArray())
              .ifPresent(writes::add);
          writes.addAll(
              list(
                  connection,
                  select
                      + " WHERE m.table_name = ? AND s.status = ? AND m.recorded_at >= ?"
                      + " ORDER BY m.recorded_at, m.id",
                  row,
                  values.toArray()));
          return writes;
        });
  }

  /**
   * The latest profile of data a successful step wrote to a table.
   *
   * @param table the table, e.g. {@code curated.orders}
   * @param partition a partition's key, or null for the latest write of any partition (or of a
   *     table that is not partitioned)
   */
  public Optional<Recorded> latest(String table, String partition) {
    List<Recorded> found = history(table, partition, true, 1);
    return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
  }

  /**
   * The profiles of a table's writes, newest first.
   *
   * @param partition a partition's key, or null for every write of the table
   * @param succeededOnly whether to leave out the writes of steps that did not succeed
   * @param limit at most this many, the newest
   */
  public List<Recorded> history(String table, String partition, boolean succeededOnly, int limit) {
    requireNonNull(table, "table is null");
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive: " + limit);
    }
    List<Object> values = new ArrayList<>();
    StringBuilder sql = new StringBuilder(SELECT_METRICS).append(" WHERE m.table_name = ?");
    values.add(table);
    if (partition != null) {
      sql.append(" AND m.partition_key = ?");
      values.add(partition);
    }
    if (succeededOnly) {
      sql.append(" AND s.status = ?");
      values.add(StepStatus.SUCCEEDED);
    }
    sql.append(" ORDER BY m.recorded_at DESC, m.id DESC LIMIT ").append(limit);
    return transactions.read(
        "read the metric history of " + table,
        connection -> {
          List<Long> ids = new ArrayList<>();
          List<Recorded> headers =
              list(
                  connection,
                  sql.toString(),
                  row -> {
                    ids.add(row.getLong("id"));
                    return new Recorded(
                        row.getString("run_id"),
                        row.getLong("step_id"),
                        enumValue(row, "status", StepStatus.class),
                        row.getString("asset"),
                        Instant.ofEpochMilli(row.getLong("recorded_at")),
                        new TableProfile(
                            row.getString("table_name"),
                            row.getString("partition_key"),
                            row.getLong("row_count"),
                            row.getLong("bytes"),
                            row.getLong("files"),
                            List.of()),
                        instantOrNull(row, "accepted_at"));
                  },
                  values.toArray());
          List<Recorded> complete = new ArrayList<>();
          for (int i = 0; i < headers.size(); i++) {
            Recorded header = headers.get(i);
            TableProfile profile = header.profile();
            complete.add(
                new Recorded(
                    header.runId(),
                    header.stepId(),
                    header.stepStatus(),
                    header.asset(),
                    header.recordedAt(),
                    new TableProfile(
                        profile.table(),
                        profile.partition(),
                        profile.rowCount(),
                        profile.bytes(),
                        profile.files(),
                        columns(connection, ids.get(i))),
                    header.acceptedAt()));
          }
          return complete;
        });
  }

  private static List<ColumnProfile> columns(Connection connection, long metricId)
      throws SQLException {
    return list(
        connection,
        "SELECT column_name, column_type, null_fraction, distinct_estimate, min_value, max_value,"
            + " mean, min_length, max_length, mean_length FROM sluice_column_metrics"
            + " WHERE metric_id = ? ORDER BY position",
        row ->
            new ColumnProfile(
                row.getString("column_name"),
                row.getString("column_type"),
                doubleOrNull(row, "null_fraction"),
                longOrNull(row, "distinct_estimate"),
                row.getString("min_value"),
                row.getString("max_value"),
                doubleOrNull(row, "mean"),
                longOrNull(row, "min_length"),
                longOrNull(row, "max_length"),
                doubleOrNull(row, "mean_length")),
        metricId);
  }
}
