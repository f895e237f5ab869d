package dev.sluice.core.state;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/**
 * The result of one data check run by a step.
 *
 * @param asset the asset the check ran on
 * @param name the check's name, such as "not_null"
 * @param column the column checked, or null for a check on the whole table
 * @param severity "error" (blocks publishing) or "warn"
 * @param status "passed", "failed" or "error" (the check itself could not run)
 * @param failingRows how many rows failed, never negative
 * @param sampleJson a JSON array of some failing rows, or null
 * @param message text for people, or null
 */
public record CheckRecord(
    String asset,
    String name,
    String column,
    String severity,
    String status,
    long failingRows,
    String sampleJson,
    String message) {

  /** The allowed values of {@link #severity()}. */
  public static final Set<String> SEVERITIES = Set.of("error", "warn");

  /** The allowed values of {@link #status()}. */
  public static final Set<String> STATUSES = Set.of("passed", "failed", "error");

  public CheckRecord {
    requireNonNull(asset, "asset is null");
    requireNonNull(name, "name is null");
    requireNonNull(severity, "severity is null");
    requireNonNull(status, "status is null");
    if (!SEVERITIES.contains(severity)) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid severity of check %s on %s: %s (expected error or warn)",
              name, asset, severity));
    }
    if (!STATUSES.contains(status)) {
      throw new IllegalArgumentException(
          String.format(
              "Invalid status of check %s on %s: %s (expected passed, failed or error)",
              name, asset, status));
    }
    if (failingRows < 0) {
      throw new IllegalArgumentException(
          String.format(
              "Failing rows of check %s on %s must not be negative: %d", name, asset, failingRows));
    }
  }
}
