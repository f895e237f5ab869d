package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import java.time.Duration;
import java.time.Instant;

/**
 * How long a table keeps its rows: {@code retention: {column: event_time, keep: 400d}} on a source
 * table, a model or a zone. {@code sluice maintain --retention} deletes the rows whose {@code
 * column} is older than {@code keep} and expires the snapshots and files that still hold them.
 *
 * @param column a date or timestamp column of the table
 * @param keep how long a row is kept, from the time in {@code column}
 * @param location where it is written, for messages
 */
public record RetentionDef(String column, Duration keep, Location location) {
  public RetentionDef {
    requireNonNull(column, "column is null");
    requireNonNull(keep, "keep is null");
    requireNonNull(location, "location is null");
    if (keep.isNegative() || keep.isZero()) {
      throw new IllegalArgumentException("keep must be positive: " + keep);
    }
  }

  /** The time before which rows are expired, at {@code now}. */
  public Instant cutoff(Instant now) {
    return now.minus(keep);
  }
}
