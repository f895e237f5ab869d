package dev.sluice.core.quality;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.state.ColumnProfile;
import dev.sluice.core.state.TableProfile;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an anomaly check watches: a metric of the metric history, of the table ({@code row_count},
 * {@code bytes}, {@code freshness}) or of one column ({@code null_fraction(col)}, {@code
 * distinct(col)}, {@code mean(col)}).
 *
 * @param kind the metric
 * @param column the column of a column metric, else null
 */
public record AnomalyMetric(Kind kind, String column) {
  private static final Pattern FORM =
      Pattern.compile("([a-z_]+)\\s*(?:\\(\\s*([^()\\s]+)\\s*\\))?");

  /** The metrics an anomaly check can watch. */
  public enum Kind {
    ROW_COUNT(false, 0.5),
    BYTES(false, 0.5),
    FRESHNESS(false, 0.5),
    NULL_FRACTION(true, 0.01),
    DISTINCT(true, 0.5),
    MEAN(true, 0.0);

    private final boolean ofColumn;
    private final double floor;

    Kind(boolean ofColumn, double floor) {
      this.ofColumn = ofColumn;
      this.floor = floor;
    }

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the metric is of one column. */
    public boolean ofColumn() {
      return ofColumn;
    }

    /**
     * The least half width of the band in the metric's unit: a history that never changed would
     * otherwise flag any change (a null fraction moving from 0 to 0.001, one row more).
     */
    public double floor() {
      return floor;
    }
  }

  /** The names of the metrics, as written. */
  public static final List<String> NAMES =
      List.of(
          "row_count",
          "bytes",
          "freshness",
          "null_fraction(column)",
          "distinct(column)",
          "mean(column)");

  public AnomalyMetric {
    requireNonNull(kind, "kind is null");
    if (kind.ofColumn() != (column != null)) {
      throw new IllegalArgumentException(
          kind.ofColumn()
              ? "metric " + kind.label() + " needs a column: write " + kind.label() + "(column)"
              : "metric " + kind.label() + " is of the whole table: write it without a column");
    }
  }

  /**
   * Parses {@code row_count}, {@code null_fraction(email)}, ...; a column metric without a column
   * takes {@code declaredColumn}, the column the check is declared under.
   *
   * @throws IllegalArgumentException with what is wrong and the metrics there are
   */
  public static AnomalyMetric parse(String text, String declaredColumn) {
    Matcher matcher = FORM.matcher(text == null ? "" : text.strip());
    Kind kind = null;
    if (matcher.matches()) {
      for (Kind candidate : Kind.values()) {
        if (candidate.label().equals(matcher.group(1))) {
          kind = candidate;
        }
      }
    }
    if (kind == null) {
      throw new IllegalArgumentException(
          "Unknown anomaly metric '" + text + "': use one of " + String.join(", ", NAMES));
    }
    String column = matcher.group(2);
    if (column == null && kind.ofColumn()) {
      column = declaredColumn;
    }
    return new AnomalyMetric(kind, column);
  }

  /** The metric's value in what one write recorded, or null when it has none. */
  public Double value(TableProfile profile) {
    return switch (kind) {
      case ROW_COUNT -> (double) profile.rowCount();
      case BYTES -> (double) profile.bytes();
      case FRESHNESS -> null;
      case NULL_FRACTION, DISTINCT, MEAN -> {
        ColumnProfile of = profile.column(column);
        if (of == null) {
          yield null;
        }
        yield switch (kind) {
          case NULL_FRACTION -> of.nullFraction();
          case DISTINCT -> of.distinctEstimate() == null ? null : (double) of.distinctEstimate();
          default -> of.mean();
        };
      }
    };
  }

  @Override
  public String toString() {
    return column == null ? kind.label() : kind.label() + "(" + column + ")";
  }
}
