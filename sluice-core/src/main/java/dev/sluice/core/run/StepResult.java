package dev.sluice.core.run;

import dev.sluice.core.state.StepStatus;
import java.time.Duration;
import java.util.List;

/**
 * What one step of a run did.
 *
 * @param asset the asset's name (a model, a seed or {@code source.table})
 * @param kind {@code source}, {@code seed} or {@code model}
 * @param table the table written, e.g. {@code curated.orders}
 * @param snapshotId the snapshot published, or null
 * @param detail a short human description, e.g. {@code appended 2 new files}
 * @param failure the exception that failed the step (e.g. a {@code DataException} for bad input, a
 *     {@code QueryException} for a model's SQL), or null: the step did not fail, or a blocking
 *     check failed it
 */
public record StepResult(
    String asset,
    String kind,
    String table,
    StepStatus status,
    long rowsIn,
    long rowsOut,
    long bytesIn,
    long bytesOut,
    long rejectedRows,
    Long snapshotId,
    Duration duration,
    List<CheckOutcome> checks,
    String detail,
    String error,
    Throwable failure) {
  public StepResult {
    checks = List.copyOf(checks);
  }

  /** A result without a failure exception. */
  public StepResult(
      String asset,
      String kind,
      String table,
      StepStatus status,
      long rowsIn,
      long rowsOut,
      long bytesIn,
      long bytesOut,
      long rejectedRows,
      Long snapshotId,
      Duration duration,
      List<CheckOutcome> checks,
      String detail,
      String error) {
    this(
        asset,
        kind,
        table,
        status,
        rowsIn,
        rowsOut,
        bytesIn,
        bytesOut,
        rejectedRows,
        snapshotId,
        duration,
        checks,
        detail,
        error,
        null);
  }

  /** The same result, for a step named {@code name} (e.g. a partition step). */
  StepResult withAsset(String name) {
    return new StepResult(
        name,
        kind,
        table,
        status,
        rowsIn,
        rowsOut,
        bytesIn,
        bytesOut,
        rejectedRows,
        snapshotId,
        duration,
        checks,
        detail,
        error,
        failure);
  }

  static StepResult skipped(String asset, String kind, String table, String reason) {
    return new StepResult(
        asset,
        kind,
        table,
        StepStatus.SKIPPED,
        0,
        0,
        0,
        0,
        0,
        null,
        Duration.ZERO,
        List.of(),
        null,
        reason);
  }
}
