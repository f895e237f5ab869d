package dev.sluice.core.quality;

import static java.util.Objects.requireNonNull;

import java.time.DayOfWeek;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The robust, explainable judgement of an anomaly check: is a metric's new value inside the band
 * its history expects? The band is the median of the history plus or minus a multiple of its median
 * absolute deviation (MAD, scaled by 1.4826 to match a standard deviation on normal data), the
 * multiple set by the sensitivity. The history is seasonal by weekday when there is enough of it:
 * with at least {@link #SEASONAL_MINIMUM} values of every weekday, the band is centred on the
 * median of the new value's weekday (a Monday is compared with Mondays) and its spread is pooled
 * from every value's distance to its own weekday's median. The median and MAD ignore outliers in
 * the history itself, so a past spike does not widen the band much.
 *
 * <p>Pure and deterministic: the benchmark measures it on synthetic histories.
 */
public final class AnomalyBand {
  /** Values of one weekday needed before the band is seasonal. */
  public static final int SEASONAL_MINIMUM = 4;

  /** How far from the median a value may be, in scaled MADs. */
  public enum Sensitivity {
    LOW(5.0),
    MEDIUM(3.5),
    HIGH(2.5);

    private final double width;

    Sensitivity(double width) {
      this.width = width;
    }

    /** The band's half width in scaled MADs. */
    public double width() {
      return width;
    }

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses {@code low}, {@code medium} or {@code high}.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static Sensitivity parse(String label) {
      for (Sensitivity sensitivity : values()) {
        if (sensitivity.label().equals(label)) {
          return sensitivity;
        }
      }
      throw new IllegalArgumentException(
          "sensitivity must be low, medium or high, got '" + label + "'");
    }
  }

  /** One value of the history and the weekday it is of. */
  public record Point(DayOfWeek day, double value) {
    public Point {
      requireNonNull(day, "day is null");
    }
  }

  /**
   * The judgement of one value.
   *
   * @param judged whether there was enough history to judge; if not, the value passes
   * @param anomalous whether the value lies outside the band (never when not judged)
   * @param low the band's lower bound, or NaN when not judged
   * @param high the band's upper bound, or NaN when not judged
   * @param median the centre of the band: the median of the value's weekday, or of all
   * @param used how many values of history the band came from
   * @param seasonal whether the band is centred on the median of the value's weekday
   */
  public record Verdict(
      boolean judged,
      boolean anomalous,
      double value,
      double low,
      double high,
      double median,
      int used,
      boolean seasonal) {}

  private AnomalyBand() {}

  /**
   * Judges {@code value}, of weekday {@code day}, against {@code history}.
   *
   * @param minHistory the values of history needed to judge at all
   * @param floor the least half width of the band in the metric's unit (a history that never
   *     changed would otherwise flag any change): also at least 5 % of the median
   */
  public static Verdict judge(
      double value,
      DayOfWeek day,
      List<Point> history,
      Sensitivity sensitivity,
      int minHistory,
      double floor) {
    requireNonNull(day, "day is null");
    requireNonNull(history, "history is null");
    requireNonNull(sensitivity, "sensitivity is null");
    if (history.isEmpty() || history.size() < minHistory) {
      return new Verdict(
          false, false, value, Double.NaN, Double.NaN, Double.NaN, history.size(), false);
    }
    Map<DayOfWeek, List<Double>> byDay = new EnumMap<>(DayOfWeek.class);
    for (Point point : history) {
      byDay.computeIfAbsent(point.day(), unused -> new ArrayList<>()).add(point.value());
    }
    boolean seasonal = byDay.size() == 7;
    for (List<Double> values : byDay.values()) {
      seasonal &= values.size() >= SEASONAL_MINIMUM;
    }
    double overall = median(history.stream().mapToDouble(Point::value).toArray());
    Map<DayOfWeek, Double> centers = new EnumMap<>(DayOfWeek.class);
    for (Map.Entry<DayOfWeek, List<Double>> entry : byDay.entrySet()) {
      centers.put(
          entry.getKey(),
          seasonal
              ? median(entry.getValue().stream().mapToDouble(Double::doubleValue).toArray())
              : overall);
    }
    // the spread is pooled over every weekday: each value's distance from its own weekday's median,
    // relative to that median when seasonal (a quiet Sunday varies less in rows than a Monday)
    double[] deviations = new double[history.size()];
    for (int i = 0; i < deviations.length; i++) {
      Point point = history.get(i);
      double dayCenter = centers.get(point.day());
      double distance = Math.abs(point.value() - dayCenter);
      deviations[i] = seasonal && dayCenter != 0 ? distance / Math.abs(dayCenter) : distance;
    }
    double center = seasonal ? centers.get(day) : overall;
    double spread = 1.4826 * median(deviations) * (seasonal && center != 0 ? Math.abs(center) : 1);
    double halfWidth =
        Math.max(sensitivity.width() * spread, Math.max(floor, 0.05 * Math.abs(center)));
    double low = center - halfWidth;
    double high = center + halfWidth;
    return new Verdict(
        true, value < low || value > high, value, low, high, center, history.size(), seasonal);
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int middle = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  }
}
