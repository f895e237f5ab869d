package dev.sluice.core.run;

import static java.util.Objects.requireNonNull;

import java.time.LocalDate;
import java.util.List;

/**
 * Which partitions of the selected partitioned models a run builds.
 *
 * @param mode which of the partitions in the window
 * @param from the first day whose time partitions are built, or null for the model's start
 * @param to the day before which time partitions stop (exclusive), or null for now
 * @param keys explicit partition keys (e.g. {@code 2024-03-01|eu}); when not empty, only these
 * @param batchSize how many consecutive time partitions one step builds and commits together
 */
public record PartitionSelection(
    Mode mode, LocalDate from, LocalDate to, List<String> keys, int batchSize) {
  /** Which partitions of the window. */
  public enum Mode {
    /** Those never built or whose last build failed, plus the model's lookback (a plain run). */
    DUE,
    /** Every partition of the window (a backfill). */
    ALL,
    /** Those never built successfully. */
    MISSING,
    /** Those whose last build failed. */
    FAILED
  }

  public static final PartitionSelection DUE =
      new PartitionSelection(Mode.DUE, null, null, List.of(), 1);

  public PartitionSelection {
    requireNonNull(mode, "mode is null");
    keys = List.copyOf(keys);
    if (batchSize < 1) {
      throw new IllegalArgumentException("The batch size must be at least 1, got " + batchSize);
    }
    if (from != null && to != null && !from.isBefore(to)) {
      throw new dev.sluice.api.InvalidInputException(
          "--from " + from + " must be before --to " + to + " (--to is exclusive)");
    }
  }
}
