package dev.sluice.api.engine;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * What the footers of Parquet files state about their rows, summed over the files and their row
 * groups, for figures the footers give exactly: a figure the footers do not give, or give only
 * approximately (a truncated text bound, a floating-point bound, which ignores NaN and the sign of
 * zero), is null, and must be computed from the values.
 *
 * @param rowCount the rows of all the files
 * @param columns per top-level column name, its statistics; a column the footers say nothing exact
 *     about may be missing
 */
public record FooterStatistics(long rowCount, Map<String, Column> columns) {
  public FooterStatistics {
    columns = Map.copyOf(requireNonNull(columns, "columns is null"));
  }

  /** The statistics of {@code name}, all null when the footers give none. */
  public Column column(String name) {
    return columns.getOrDefault(name, Column.UNKNOWN);
  }

  /**
   * One column's statistics.
   *
   * @param nullCount the rows where the column is null, or null when a footer does not say
   * @param min the smallest non-null value, as the engine's {@code CAST(min(column) AS VARCHAR)}
   *     renders it, or null when the footers do not give it exactly (or every value is null)
   * @param max the largest non-null value, likewise
   * @param rangeExact whether {@code min} and {@code max} are exact: true also when every value is
   *     null and both are null
   */
  public record Column(Long nullCount, String min, String max, boolean rangeExact) {
    static final Column UNKNOWN = new Column(null, null, null, false);
  }
}
