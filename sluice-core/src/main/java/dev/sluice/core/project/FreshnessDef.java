package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import java.time.Duration;

/**
 * How fresh an asset must be ({@code freshness: {warn_after: 2h, error_after: 6h, loaded_at_field:
 * updated_at}}) and what is promised about it ({@code slo: {fresh: 99%, window: 30d}}), on a model
 * (its properties) or a source table, or on a source for each of its tables. The data's age is
 * judged from the newest value of {@code loaded_at_field} when it is named, else from the last
 * successful write of the table.
 *
 * @param warnAfter the age from which the asset is in warning, or null
 * @param errorAfter the age from which it is stale (in error), or null; at least one is set
 * @param loadedAtField the timestamp column the data's age comes from, or null for the time of the
 *     last successful write
 * @param slo the promise, or null when none is made
 * @param location where {@code freshness:} is written, for messages
 * @param loadedAtLocation where {@code loaded_at_field} is written, or null
 */
public record FreshnessDef(
    Duration warnAfter,
    Duration errorAfter,
    String loadedAtField,
    SloDef slo,
    Location location,
    Location loadedAtLocation) {
  public FreshnessDef {
    requireNonNull(location, "location is null");
    if (warnAfter == null && errorAfter == null) {
      throw new IllegalArgumentException("warn_after or error_after is needed");
    }
  }

  /**
   * The age beyond which the asset counts as not fresh for its SLO: {@code error_after}, else
   * {@code warn_after}.
   */
  public Duration staleAfter() {
    return errorAfter != null ? errorAfter : warnAfter;
  }

  /** The same thresholds with {@code slo} as the promise. */
  public FreshnessDef withSlo(SloDef slo) {
    return new FreshnessDef(warnAfter, errorAfter, loadedAtField, slo, location, loadedAtLocation);
  }

  /**
   * A freshness SLO: the share of {@code window} during which the asset must be fresh.
   *
   * @param fresh the promised share, above 0 and at most 1 (99% is 0.99)
   * @param window the period attainment is measured over, ending now
   * @param location where {@code slo:} is written
   */
  public record SloDef(double fresh, Duration window, Location location) {
    public SloDef {
      requireNonNull(window, "window is null");
      requireNonNull(location, "location is null");
      if (!(fresh > 0 && fresh <= 1)) {
        throw new IllegalArgumentException("fresh must be above 0 and at most 1: " + fresh);
      }
      if (window.isNegative() || window.isZero()) {
        throw new IllegalArgumentException("window must be positive: " + window);
      }
    }

    /** How long the asset may be stale within the window: the error budget. */
    public Duration budget() {
      return Duration.ofMillis(Math.round(window.toMillis() * (1 - fresh)));
    }
  }
}
