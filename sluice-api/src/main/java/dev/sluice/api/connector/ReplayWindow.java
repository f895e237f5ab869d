package dev.sluice.api.connector;

import static java.util.Objects.requireNonNull;

/**
 * A window of a source to read again ({@code sluice ingest --replay --from X --to Y}), whatever
 * earlier loads read. Each connector says what its bounds mean, and checks them when it stages:
 * cursor values for a database table, file modification times for files, offsets for a topic. Both
 * bounds are inclusive.
 *
 * <p>A replay must be idempotent: reading the same window twice leaves the table as reading it once
 * did. A connector therefore returns a {@link StagedData.Write} that replaces what the window
 * covers (a merge on the rows' keys, or on the files they came from) rather than appending.
 *
 * @param from the first value of the window, as the user wrote it
 * @param to the last value of the window, or null for "up to the newest data"
 */
public record ReplayWindow(String from, String to) {
  public ReplayWindow {
    requireNonNull(from, "from is null");
    if (from.isBlank()) {
      throw new IllegalArgumentException("A replay window needs a start (--from)");
    }
    if (to != null && to.isBlank()) {
      to = null;
    }
  }

  /** The window as users write it, e.g. {@code [2026-01-01, 2026-01-31]} or {@code [5, newest]}. */
  public String describe() {
    return "[" + from + ", " + (to == null ? "newest" : to) + "]";
  }
}
