package dev.sluice.core.state;

import static dev.sluice.core.state.StateSql.list;
import static dev.sluice.core.state.StateSql.update;
import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * What steps and queries consumed and what tables hold in storage, in a {@link RunStore}: the
 * measures that {@code sluice cost} prices with sluice.yaml's {@code cost:}.
 */
public final class CostRecords extends FencedPart {
  CostRecords(StateTransactions transactions, Fencing fencing) {
    super(transactions, fencing);
  }

  /**
   * Records what a step consumed.
   *
   * @throws IllegalStateException if this process no longer owns the step's run
   */
  public void recordStep(long stepId, StepUsage usage) {
    requireNonNull(usage, "usage is null");
    writeForStep(
        "record the usage of step " + stepId,
        stepId,
        connection ->
            update(
                connection,
                "INSERT INTO sluice_step_usage (step_id, run_id, asset, table_name, finished_at,"
                    + " wall_millis, cpu_millis, peak_memory_bytes, rows_read, rows_written,"
                    + " files_read, bytes_read, files_written, bytes_written)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                stepId,
                usage.runId(),
                usage.asset(),
                usage.table(),
                usage.finishedAt(),
                usage.wallMillis(),
                usage.cpuMillis(),
                usage.peakMemoryBytes(),
                usage.rowsRead(),
                usage.rowsWritten(),
                usage.filesRead(),
                usage.bytesRead(),
                usage.filesWritten(),
                usage.bytesWritten()));
  }

  /** What the steps that finished in {@code [from, to)} consumed, oldest first. */
  public List<StepUsage> steps(Instant from, Instant to) {
    requireNonNull(from, "from is null");
    requireNonNull(to, "to is null");
    return transactions.read(
        "read step usage",
        connection ->
            list(
                connection,
                "SELECT run_id, asset, table_name, finished_at, wall_millis, cpu_millis,"
                    + " peak_memory_bytes, rows_read, rows_written, files_read, bytes_read,"
                    + " files_written, bytes_written FROM sluice_step_usage"
                    + " WHERE finished_at >= ? AND finished_at < ? ORDER BY finished_at, step_id",
                row ->
                    new StepUsage(
                        row.getString(1),
                        row.getString(2),
                        row.getString(3),
                        Instant.ofEpochMilli(row.getLong(4)),
                        row.getLong(5),
                        row.getLong(6),
                        row.getLong(7),
                        row.getLong(8),
                        row.getLong(9),
                        row.getLong(10),
                        row.getLong(11),
                        row.getLong(12),
                        row.getLong(13)),
                from,
                to));
  }

  /** Records what a query consumed. */
  public void recordQuery(QueryUsage usage) {
    requireNonNull(usage, "usage is null");
    transactions.write(
        "record the usage of a query",
        connection ->
            update(
                connection,
                "INSERT INTO sluice_query_usage (at, principal, tables, files_scanned,"
                    + " bytes_scanned, cpu_millis, wall_millis, rows_returned)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                usage.at(),
                usage.principal(),
                String.join(",", usage.tables()),
                usage.filesScanned(),
                usage.bytesScanned(),
                usage.cpuMillis(),
                usage.wallMillis(),
                usage.rowsReturned()));
  }

  /** The queries run in {@code [from, to)}, oldest first. */
  public List<QueryUsage> queries(Instant from, Instant to) {
    requireNonNull(from, "from is null");
    requireNonNull(to, "to is null");
    return transactions.read(
        "read query usage",
        connection ->
            list(
                connection,
                "SELECT at, principal, tables, files_scanned, bytes_scanned, cpu_millis,"
                    + " wall_millis, rows_returned FROM sluice_query_usage"
                    + " WHERE at >= ? AND at < ? ORDER BY at, id",
                row -> {
                  String tables = row.getString(3);
                  return new QueryUsage(
                      Instant.ofEpochMilli(row.getLong(1)),
                      row.getString(2),
                      tables.isEmpty() ? List.of() : Arrays.asList(tables.split(",")),
                      row.getLong(4),
                      row.getLong(5),
                      row.getLong(6),
                      row.getLong(7),
                      row.getLong(8));
                },
                from,
                to));
  }

  /** Records what a table held in storage. */
  public void recordStorage(StorageSample sample) {
    requireNonNull(sample, "sample is null");
    transactions.write(
        "record the storage of " + sample.table(),
        connection ->
            update(
                connection,
                "INSERT INTO sluice_table_storage (table_name, measured_at, live_bytes, live_files,"
                    + " old_snapshot_bytes, old_snapshot_files, metadata_bytes, snapshots)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                sample.table(),
                sample.measuredAt(),
                sample.liveBytes(),
                sample.liveFiles(),
                sample.oldSnapshotBytes(),
                sample.oldSnapshotFiles(),
                sample.metadataBytes(),
                sample.snapshots()));
  }

  /** Every storage measurement taken before {@code to}, by table and then time. */
  public List<StorageSample> storage(Instant to) {
    requireNonNull(to, "to is null");
    return transactions.read(
        "read table storage",
        connection ->
            list(
                connection,
                "SELECT table_name, measured_at, live_bytes, live_files, old_snapshot_bytes,"
                    + " old_snapshot_files, metadata_bytes, snapshots FROM sluice_table_storage"
                    + " WHERE measured_at < ? ORDER BY table_name, measured_at, id",
                row ->
                    new StorageSample(
                        row.getString(1),
                        Instant.ofEpochMilli(row.getLong(2)),
                        row.getLong(3),
                        row.getLong(4),
                        row.getLong(5),
                        row.getLong(6),
                        row.getLong(7),
                        row.getInt(8)),
                to));
  }
}
