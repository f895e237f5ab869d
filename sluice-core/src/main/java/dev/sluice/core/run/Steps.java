package dev.sluice.core.run;

import dev.sluice.api.TableName;
import java.util.List;
import java.util.stream.Collectors;

/** Messages shared by the steps. */
final class Steps {
  private Steps() {}

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
