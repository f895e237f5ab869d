package dev.sluice.core.run;

import dev.sluice.api.TableName;
import dev.sluice.core.state.StepStatus;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/** What the steps share: the result of an audited write, messages. */
final class Steps {
  private Steps() {}

  /**
   * Completes the result of a step that ended with an audited write: the write's figures, and
   * whether it was published; the detail, what the step did, only when it did it (a blocked write
   * published nothing), else the blocking checks that failed.
   */
  static StepResult.Builder written(
      StepResult.Builder result,
      AuditedWrite.Outcome outcome,
      TableName target,
      Duration duration,
      String detail) {
    boolean published = outcome.published();
    return result
        .status(published ? StepStatus.SUCCEEDED : StepStatus.FAILED)
        .rowsOut(outcome.rowsWritten())
        .bytesOut(outcome.bytesWritten())
        .snapshotId(outcome.snapshotId())
        .duration(duration)
        .checks(outcome.checks())
        .profiles(outcome.profiles())
        .detail(published ? detail : null)
        .error(published ? null : blockedMessage(target, outcome.checks()));
  }

  /** Why a write was not published: the blocking checks that failed. */
  static String blockedMessage(TableName table, List<CheckOutcome> checks) {
    return "not published: blocking checks failed on the new data of "
        + table
        + " ("
        + checks.stream()
            .filter(CheckOutcome::blocks)
            .map(
                outcome ->
                    outcome.check().name()
                        + (outcome.error() != null
                            ? ": " + outcome.error()
                            : ": " + outcome.failingRows() + " failing rows"))
            .collect(Collectors.joining("; "))
        + "); readers still see the previous data";
  }
}
