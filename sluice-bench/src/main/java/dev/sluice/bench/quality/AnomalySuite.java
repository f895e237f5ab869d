package dev.sluice.bench.quality;

import dev.sluice.bench.report.SuiteResult;
import dev.sluice.core.quality.AnomalyBand;
import dev.sluice.core.quality.AnomalyBand.Point;
import dev.sluice.core.quality.AnomalyBand.Sensitivity;
import java.time.DayOfWeek;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The anomaly suite: precision and recall of {@link AnomalyBand} (the judgement of anomaly checks)
 * on synthetic daily metric histories with injected anomalies, the four kinds: row-count
 * drops and spikes (a table with weekly seasonality: weekends are quieter), null bursts (a column's
 * null fraction jumps) and late data (the hours since the previous load). Each history is {@value
 * #DAYS} days; anomalies are injected on about {@value #ANOMALY_PERCENT} % of the days after the
 * first {@value #WARM_UP} and stay in the history afterwards, as a warned anomaly does. Every day
 * after the warm-up is judged against the {@value #WINDOW} days before it, with sensitivity medium
 * and min_history 14. Seeded: the same numbers every time.
 */
public final class AnomalySuite {
  public static final String NAME = "anomaly";

  static final int DAYS = 180;
  static final int WARM_UP = 28;
  static final int WINDOW = 56;
  static final int ANOMALY_PERCENT = 10;
  static final int HISTORIES = 20;
  private static final int MIN_HISTORY = 14;

  /** A kind of metric history and how an anomaly of it looks. */
  enum Kind {
    ROW_COUNT_DROP(0.5),
    ROW_COUNT_SPIKE(0.5),
    NULL_BURST(0.01),
    LATE_DATA(0.5);

    private final double floor;

    Kind(double floor) {
      this.floor = floor;
    }

    String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    /** A normal value of the day. */
    double normal(DayOfWeek day, Random random) {
      return switch (this) {
        case ROW_COUNT_DROP, ROW_COUNT_SPIKE -> {
          double weekly = day == DayOfWeek.SATURDAY ? 0.6 : day == DayOfWeek.SUNDAY ? 0.5 : 1.0;
          yield Math.round(10_000 * weekly * (1 + 0.04 * random.nextGaussian()));
        }
        case NULL_BURST -> Math.max(0, 0.02 + 0.004 * random.nextGaussian());
        case LATE_DATA -> 24 + random.nextGaussian();
      };
    }

    /** The same day's value, made anomalous. */
    double anomalous(double normal, Random random) {
      return switch (this) {
        case ROW_COUNT_DROP -> Math.round(normal * (0.2 + 0.3 * random.nextDouble()));
        case ROW_COUNT_SPIKE -> Math.round(normal * (2 + random.nextDouble()));
        case NULL_BURST -> 0.15 + 0.2 * random.nextDouble();
        case LATE_DATA -> 48 + 24 * random.nextDouble();
      };
    }
  }

  /** Counts of one kind: anomalies found, normal days flagged, anomalies missed. */
  record Score(int truePositives, int falsePositives, int falseNegatives) {
    double precision() {
      int flagged = truePositives + falsePositives;
      return flagged == 0 ? 1 : (double) truePositives / flagged;
    }

    double recall() {
      int anomalies = truePositives + falseNegatives;
      return anomalies == 0 ? 1 : (double) truePositives / anomalies;
    }

    Score plus(Score other) {
      return new Score(
          truePositives + other.truePositives,
          falsePositives + other.falsePositives,
          falseNegatives + other.falseNegatives);
    }
  }

  public SuiteResult run() {
    SuiteResult result = new SuiteResult(NAME);
    Map<Kind, Score> scores = scores();
    Score total = new Score(0, 0, 0);
    for (Map.Entry<Kind, Score> entry : scores.entrySet()) {
      Score score = entry.getValue();
      total = total.plus(score);
      Map<String, Number> metrics = new LinkedHashMap<>();
      metrics.put("precision", score.precision());
      metrics.put("recall", score.recall());
      metrics.put("anomaliesFound", score.truePositives());
      metrics.put("normalDaysFlagged", score.falsePositives());
      metrics.put("anomaliesMissed", score.falseNegatives());
      result.add(entry.getKey().label(), "sluice", List.of(), metrics);
    }
    result.target(
        "anomaly checks: recall at least 0.9",
        String.format(Locale.ROOT, "%.3f", total.recall()),
        total.recall() >= 0.9);
    result.target(
        "anomaly checks: precision at least 0.8",
        String.format(Locale.ROOT, "%.3f", total.precision()),
        total.precision() >= 0.8);
    result.note(
        String.format(
            Locale.ROOT,
            "Anomalies: %d histories of %d days per kind, anomalies on about %d %% of the days after"
                + " a %d-day warm-up, judged with sensitivity medium, min_history %d, a %d-day"
                + " window: %d found, %d normal days flagged, %d missed.",
            HISTORIES,
            DAYS,
            ANOMALY_PERCENT,
            WARM_UP,
            MIN_HISTORY,
            WINDOW,
            total.truePositives(),
            total.falsePositives(),
            total.falseNegatives()));
    return result;
  }

  /** The score of each kind over {@value #HISTORIES} seeded histories. */
  static Map<Kind, Score> scores() {
    Map<Kind, Score> scores = new LinkedHashMap<>();
    long kindSeed = 0;
    for (Kind kind : Kind.values()) {
      Score score = new Score(0, 0, 0);
      for (int seed = 0; seed < HISTORIES; seed++) {
        score = score.plus(score(kind, new Random(31L * kindSeed + seed)));
      }
      kindSeed++;
      scores.put(kind, score);
    }
    return scores;
  }

  private static Score score(Kind kind, Random random) {
    List<Point> history = new ArrayList<>();
    int found = 0;
    int flagged = 0;
    int missed = 0;
    for (int dayNumber = 0; dayNumber < DAYS; dayNumber++) {
      DayOfWeek day = DayOfWeek.of(dayNumber % 7 + 1);
      double value = kind.normal(day, random);
      boolean injected = dayNumber >= WARM_UP && random.nextInt(100) < ANOMALY_PERCENT;
      if (injected) {
        value = kind.anomalous(value, random);
      }
      List<Point> window = history.subList(Math.max(0, history.size() - WINDOW), history.size());
      AnomalyBand.Verdict verdict =
          AnomalyBand.judge(value, day, window, Sensitivity.MEDIUM, MIN_HISTORY, kind.floor);
      if (dayNumber >= WARM_UP) {
        if (injected && verdict.anomalous()) {
          found++;
        } else if (injected) {
          missed++;
        } else if (verdict.anomalous()) {
          flagged++;
        }
      }
      history.add(new Point(day, value));
    }
    return new Score(found, flagged, missed);
  }
}
