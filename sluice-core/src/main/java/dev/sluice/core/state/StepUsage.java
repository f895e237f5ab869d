package dev.sluice.core.state;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * What one step consumed, as cost accounting records it.
 *
 * @param runId the run the step belongs to
 * @param asset the asset the step built (a partition step's asset, without its partition)
 * @param table the table it wrote, e.g. {@code curated.orders}
 * @param finishedAt when the step finished
 * @param wallMillis the step's wall-clock time
 * @param cpuMillis the process's CPU time while the step ran, apportioned among the steps that ran
 *     at the same time (an estimate: DuckDB's threads are not told apart by step)
 * @param peakMemoryBytes the process's peak resident memory while the step ran (shared by the steps
 *     that ran at the same time)
 * @param rowsRead rows read
 * @param rowsWritten rows written
 * @param filesRead data files read (planned by Iceberg) or loaded from a source
 * @param bytesRead bytes of those files
 * @param filesWritten data files the step committed
 * @param bytesWritten bytes of those files
 */
public record StepUsage(
    String runId,
    String asset,
    String table,
    Instant finishedAt,
    long wallMillis,
    long cpuMillis,
    long peakMemoryBytes,
    long rowsRead,
    long rowsWritten,
    long filesRead,
    long bytesRead,
    long filesWritten,
    long bytesWritten) {
  public StepUsage {
    requireNonNull(runId, "runId is null");
    requireNonNull(asset, "asset is null");
    requireNonNull(table, "table is null");
    requireNonNull(finishedAt, "finishedAt is null");
    for (long value :
        new long[] {
          wallMillis,
          cpuMillis,
          peakMemoryBytes,
          rowsRead,
          rowsWritten,
          filesRead,
          bytesRead,
          filesWritten,
          bytesWritten
        }) {
      if (value < 0) {
        throw new IllegalArgumentException("Usage of step " + asset + " has a negative figure");
      }
    }
  }
}
