package dev.sluice.core.run;

import static java.util.Objects.requireNonNull;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;

/**
 * Which partitions of the selected partitioned models a run builds.
 *
 * @param mode which of the partitions in the window
 * @param from the time (UTC for a dbt microbatch model) from whose partition on time partitions are
 *     built, or null for the model's start
 * @param to the time before which time partitions stop (exclusive: a partition that starts before
 *     it is built), or null for now
 * @param keys explicit partition keys (e.g. {@code 2024-03-01|eu}); when not empty, only these
 * @param batchSize how many consecutive time partitions one step builds and commits together
 */
public record PartitionSelection(
    Mode mode, LocalDateTime from, LocalDateTime to, List<String> keys, int batchSize) {
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

  /** The partitions of whole days: from the start of {@code from} to the start of {@code to}. */
  public static PartitionSelection days(
      Mode mode, LocalDate from, LocalDate to, List<String> keys, int batchSize) {
    return new PartitionSelection(
        mode,
        from == null ? null : from.atStartOfDay(),
        to == null ? null : to.atStartOfDay(),
        keys,
        batchSize);
  }

  public PartitionSelection {
    requireNonNull(mode, "mode is null");
    keys = List.copyOf(keys);
    if (batchSize < 1) {
      throw new IllegalArgumentException("The batch size must be at least 1, got " + batchSize);
    }
    if (from != null && to != null && !from.isBefore(to)) {
      throw new dev.sluice.api.InvalidInputException(
          "--from " + text(from) + " must be before --to " + text(to) + " (--to is exclusive)");
    }
  }

  private static String text(LocalDateTime time) {
    return time.toLocalTime().equals(java.time.LocalTime.MIDNIGHT)
        ? time.toLocalDate().toString()
        : time.toString().replace('T', ' ');
  }
}
