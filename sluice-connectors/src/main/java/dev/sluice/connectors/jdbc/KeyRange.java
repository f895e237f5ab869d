package dev.sluice.connectors.jdbc;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * One chunk of a chunked read: the rows whose split column is at least {@code from} and less than
 * {@code to}. The first chunk has no lower bound and also takes the rows whose split column is
 * NULL; the last has no upper bound. So the chunks of a plan partition every row of the table, even
 * rows outside the [min, max] range read when the plan was made.
 *
 * @param from the inclusive lower bound, or null for the first chunk
 * @param to the exclusive upper bound, or null for the last chunk
 */
record KeyRange(BigDecimal from, BigDecimal to) {
  /** The most chunks one read is split into. */
  static final int MAX_CHUNKS = 10_000;

  /**
   * Splits [min, max] into chunks: {@code ceil((max - min + 1) / chunkRows)} of them when {@code
   * chunkRows} is positive, else {@code chunks}; integral ranges are split on whole numbers, and
   * never into more chunks than they have values.
   */
  static List<KeyRange> plan(
      BigDecimal min, BigDecimal max, boolean integral, int chunks, long chunkRows) {
    requireNonNull(min, "min is null");
    requireNonNull(max, "max is null");
    BigDecimal span = max.subtract(min);
    BigDecimal values = span.add(BigDecimal.ONE);
    long count;
    if (chunkRows > 0) {
      BigDecimal needed = values.divide(BigDecimal.valueOf(chunkRows), 0, RoundingMode.CEILING);
      count = needed.min(BigDecimal.valueOf(MAX_CHUNKS)).longValueExact();
    } else {
      count = chunks;
    }
    if (integral) {
      count = Math.min(count, values.min(BigDecimal.valueOf(MAX_CHUNKS)).longValue());
    }
    if (count <= 1 || span.signum() <= 0) {
      return List.of(new KeyRange(null, null));
    }
    List<BigDecimal> bounds = new ArrayList<>();
    for (long i = 1; i < count; i++) {
      BigDecimal fraction =
          BigDecimal.valueOf(i).divide(BigDecimal.valueOf(count), MathContext.DECIMAL128);
      BigDecimal bound =
          integral
              ? min.add(values.multiply(fraction).setScale(0, RoundingMode.FLOOR))
              : min.add(span.multiply(fraction, MathContext.DECIMAL128));
      if (bounds.isEmpty() || bound.compareTo(bounds.get(bounds.size() - 1)) > 0) {
        bounds.add(bound);
      }
    }
    List<KeyRange> ranges = new ArrayList<>();
    BigDecimal from = null;
    for (BigDecimal bound : bounds) {
      ranges.add(new KeyRange(from, bound));
      from = bound;
    }
    ranges.add(new KeyRange(from, null));
    return ranges;
  }

  /** The SQL condition on the quoted split column, with a parameter per bound; null for none. */
  String condition(String column) {
    if (from == null && to == null) {
      return null;
    }
    if (from == null) {
      return "(" + column + " < ? OR " + column + " IS NULL)";
    }
    if (to == null) {
      return column + " >= ?";
    }
    return column + " >= ? AND " + column + " < ?";
  }

  /** The bounds to bind, in the order of {@link #condition}. */
  List<BigDecimal> parameters() {
    List<BigDecimal> parameters = new ArrayList<>(2);
    if (from != null) {
      parameters.add(from);
    }
    if (to != null) {
      parameters.add(to);
    }
    return parameters;
  }

  @Override
  public String toString() {
    return "[" + (from == null ? "min" : from) + ", " + (to == null ? "max]" : to + ")");
  }
}
