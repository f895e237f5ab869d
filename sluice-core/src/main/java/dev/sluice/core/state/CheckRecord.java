package dev.sluice.core.state;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.project.Severity;

/**
 * The result of one data check run by a step.
 *
 * @param asset the asset the check ran on
 * @param name the check's name, such as "not_null"
 * @param column the column checked, or null for a check on the whole table
 * @param severity whether its failure blocks publishing
 * @param status whether it passed, failed or could not run
 * @param failingRows how many rows failed, never negative
 * @param sampleJson a JSON array of some failing rows, or null
 * @param message text for people, or null
 */
public record CheckRecord(
    String asset,
    String name,
    String column,
    Severity severity,
    CheckStatus status,
    long failingRows,
    String sampleJson,
    String message) {

  public CheckRecord {
    requireNonNull(asset, "asset is null");
    requireNonNull(name, "name is null");
    requireNonNull(severity, "severity is null");
    requireNonNull(status, "status is null");
    if (failingRows < 0) {
      throw new IllegalArgumentException(
          String.format(
              "Failing rows of check %s on %s must not be negative: %d", name, asset, failingRows));
    }
  }
}
