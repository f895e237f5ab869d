package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import java.time.Duration;
import java.util.List;

/**
 * A sensor from {@code sluice.yaml}: a condition on the data that starts a run when it holds.
 *
 * <ul>
 *   <li>{@code upstream_updated}: the selected assets' upstream tables have newer snapshots than
 *       they do ({@code when: any} upstream, or {@code all} of them); runs the selected assets;
 *   <li>{@code freshness}: a selected asset's newest snapshot is older than {@code max_age}; runs
 *       it with everything upstream ({@code +asset});
 *   <li>{@code new_data}: a selected source table has data its last load did not read (for file
 *       sources: new or changed files at its path); runs it with everything downstream.
 * </ul>
 *
 * @param minInterval the least time between two runs started by this sensor
 */
public record SensorDef(
    String name,
    Type type,
    List<String> select,
    boolean all,
    Duration maxAge,
    Duration minInterval,
    Location location) {
  /** What the sensor watches. */
  public enum Type {
    UPSTREAM_UPDATED,
    FRESHNESS,
    NEW_DATA
  }

  public SensorDef {
    requireNonNull(name, "name is null");
    requireNonNull(type, "type is null");
    select = List.copyOf(select);
    requireNonNull(minInterval, "minInterval is null");
    requireNonNull(location, "location is null");
  }
}
