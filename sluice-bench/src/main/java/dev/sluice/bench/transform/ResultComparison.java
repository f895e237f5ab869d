package dev.sluice.bench.transform;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Compares two query results row for row, ignoring row order (a table has none) and allowing a
 * relative difference of 1e-9 between floating-point values (parallel aggregation adds in varying
 * order).
 */
public final class ResultComparison {
  private static final double TOLERANCE = 1e-9;
  private static final MathContext SORT_PRECISION = new MathContext(8);

  private ResultComparison() {}

  /** The first difference found, or empty when the results are equal. */
  public static Optional<String> difference(
      List<List<Object>> expected, List<List<Object>> actual) {
    return difference(expected, actual, TOLERANCE);
  }

  /**
   * As {@link #difference(List, List)}, allowing a relative difference of {@code tolerance} between
   * a floating-point value and another number (an engine that averages decimals exactly rounds to
   * their scale, one that averages them as doubles does not).
   */
  public static Optional<String> difference(
      List<List<Object>> expected, List<List<Object>> actual, double tolerance) {
    if (expected.size() != actual.size()) {
      return Optional.of("expected " + expected.size() + " rows, got " + actual.size());
    }
    List<List<Object>> left = sorted(expected);
    List<List<Object>> right = sorted(actual);
    for (int row = 0; row < left.size(); row++) {
      List<Object> a = left.get(row);
      List<Object> b = right.get(row);
      if (a.size() != b.size()) {
        return Optional.of("row " + row + ": expected " + a.size() + " columns, got " + b.size());
      }
      for (int column = 0; column < a.size(); column++) {
        if (!same(a.get(column), b.get(column), tolerance)) {
          return Optional.of("row " + row + " column " + column + ": expected " + a + ", got " + b);
        }
      }
    }
    return Optional.empty();
  }

  private static List<List<Object>> sorted(List<List<Object>> rows) {
    List<List<Object>> copy = new ArrayList<>(rows);
    copy.sort(Comparator.comparing(ResultComparison::sortKey));
    return copy;
  }

  private static String sortKey(List<Object> row) {
    StringBuilder key = new StringBuilder();
    for (Object value : row) {
      key.append(normalized(value)).append('\u0001');
    }
    return key.toString();
  }

  private static String normalized(Object value) {
    if (value == null) {
      return "\u0000null";
    }
    if (value instanceof Number number) {
      BigDecimal decimal = new BigDecimal(number.toString());
      return decimal.round(SORT_PRECISION).stripTrailingZeros().toPlainString();
    }
    return value.toString();
  }

  private static boolean same(Object a, Object b, double tolerance) {
    if (a == null || b == null) {
      return a == b;
    }
    if (a instanceof Number x && b instanceof Number y) {
      if (x instanceof Double || x instanceof Float || y instanceof Double || y instanceof Float) {
        double p = x.doubleValue();
        double q = y.doubleValue();
        return Math.abs(p - q) <= tolerance * Math.max(1, Math.max(Math.abs(p), Math.abs(q)));
      }
      return new BigDecimal(x.toString()).compareTo(new BigDecimal(y.toString())) == 0;
    }
    return a.toString().equals(b.toString());
  }
}
