package dev.sluice.core.state;

import static java.util.Objects.requireNonNull;

/**
 * What the data written to one column looked like: its nulls, distinct values and range. A figure
 * that does not apply to the column's type (a mean of text, a length of a number) is null, as are
 * all figures of a write of no rows.
 *
 * @param name the column's name
 * @param type the column's type as the table declares it, e.g. {@code long}, {@code string}
 * @param nullFraction the share of rows where the column is null, from 0 to 1
 * @param distinctEstimate the approximate number of distinct non-null values (HyperLogLog)
 * @param min the smallest value as text; always null for a classified column (e.g. {@code pii})
 * @param max the largest value as text; always null for a classified column
 * @param mean the mean of a numeric column
 * @param minLength the shortest length of a text column, in characters
 * @param maxLength the longest length of a text column, in characters
 * @param meanLength the mean length of a text column, in characters
 */
public record ColumnProfile(
    String name,
    String type,
    Double nullFraction,
    Long distinctEstimate,
    String min,
    String max,
    Double mean,
    Long minLength,
    Long maxLength,
    Double meanLength) {
  public ColumnProfile {
    requireNonNull(name, "name is null");
    requireNonNull(type, "type is null");
    if (nullFraction != null && (nullFraction < 0 || nullFraction > 1)) {
      throw new IllegalArgumentException(
          String.format("Null fraction of column %s must be in [0, 1]: %s", name, nullFraction));
    }
  }

  /** The same profile without the minimum and maximum: for a classified column. */
  public ColumnProfile withoutRawValues() {
    return new ColumnProfile(
        name,
        type,
        nullFraction,
        distinctEstimate,
        null,
        null,
        mean,
        minLength,
        maxLength,
        meanLength);
  }
}
