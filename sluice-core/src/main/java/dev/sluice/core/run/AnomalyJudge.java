package dev.sluice.core.run;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import dev.sluice.core.project.CheckDef;
import dev.sluice.core.quality.AnomalyBand;
import dev.sluice.core.quality.AnomalyMetric;
import dev.sluice.core.state.MetricHistory;
import dev.sluice.core.state.StepStatus;
import dev.sluice.core.state.TableProfile;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.function.Function;

/**
 * Judges anomaly checks: the metric of the data a step wrote (each partition's, for a partitioned
 * model) against the band its history expects ({@link AnomalyBand}). The history is the table's
 * metric history: writes of steps that succeeded, and writes a user accepted ({@code sluice checks
 * accept}), within the newest {@value #WINDOW}; the table's first write (its first load, or a
 * backfill's first build) never counts. Too little history passes with a note, never an alarm.
 */
final class AnomalyJudge {
  /** The newest writes a band is computed from: eight weeks of daily loads. */
  static final int WINDOW = 56;

  /** How many writes of the history are read to find the first load. */
  private static final int READ = 1_000;

  private final Function<String, List<MetricHistory.Recorded>> history;
  private final Instant now;

  /**
   * @param history the metric history of a table, newest first (at most {@value #READ} writes)
   * @param now when the step judges its data
   */
  AnomalyJudge(Function<String, List<MetricHistory.Recorded>> history, Instant now) {
    this.history = requireNonNull(history, "history is null");
    this.now = requireNonNull(now, "now is null");
  }

  /** The history reader of a run store's metric history. */
  static Function<String, List<MetricHistory.Recorded>> of(MetricHistory metrics) {
    return table -> metrics.history(table, null, false, READ);
  }

  /** Judges {@code check} (an anomaly check) on what a step wrote to {@code table}. */
  CheckOutcome judge(TableName table, CheckDef check, List<TableProfile> written) {
    AnomalyMetric metric =
        AnomalyMetric.parse(String.valueOf(check.arguments().get("metric")), check.column());
    AnomalyBand.Sensitivity sensitivity =
        AnomalyBand.Sensitivity.parse(
            String.valueOf(check.arguments().getOrDefault("sensitivity", "medium")));
    int minHistory = ((Number) check.arguments().getOrDefault("min_history", 14)).intValue();
    if (written.isEmpty()) {
      return CheckOutcome.withNote(
          check, 0, "not judged: the step wrote no data (anomaly checks judge what a run writes)");
    }
    List<MetricHistory.Recorded> usable = usable(history.apply(table.toString()));
    StringJoiner notes = new StringJoiner("; ");
    int anomalous = 0;
    for (TableProfile profile : written) {
      String where = profile.partition() == null ? "" : "partition " + profile.partition() + ": ";
      Double value;
      List<AnomalyBand.Point> points = new ArrayList<>();
      if (metric.kind() == AnomalyMetric.Kind.FRESHNESS) {
        value = usable.isEmpty() ? null : hours(usable.get(0).recordedAt(), now);
        for (int i = 0; i + 1 < usable.size(); i++) {
          points.add(
              new AnomalyBand.Point(
                  day(usable.get(i)),
                  hours(usable.get(i + 1).recordedAt(), usable.get(i).recordedAt())));
        }
      } else {
        value = metric.value(profile);
        for (MetricHistory.Recorded recorded : usable) {
          Double past = metric.value(recorded.profile());
          if (past != null) {
            points.add(new AnomalyBand.Point(day(recorded), past));
          }
        }
      }
      if (value == null) {
        notes.add(
            where + metric + " has no value in the data written (no such column, or no rows)");
        continue;
      }
      // oldest first, as the band reads them; the newest WINDOW only, or min_history when it asks
      // for more (else a min_history above the window could never be met)
      List<AnomalyBand.Point> window =
          new ArrayList<>(points.subList(0, Math.min(Math.max(WINDOW, minHistory), points.size())));
      java.util.Collections.reverse(window);
      AnomalyBand.Verdict verdict =
          AnomalyBand.judge(
              value,
              day(profile.partition(), now),
              window,
              sensitivity,
              minHistory,
              metric.kind().floor());
      if (!verdict.judged()) {
        notes.add(
            where
                + metric
                + " "
                + number(value)
                + " not judged: too little history ("
                + verdict.used()
                + " of the "
                + minHistory
                + " writes min_history asks); it passes");
        continue;
      }
      if (verdict.anomalous()) {
        anomalous++;
      }
      notes.add(
          where
              + metric
              + " "
              + number(value)
              + (verdict.anomalous() ? " is outside" : " is within")
              + " the expected "
              + number(verdict.low())
              + " to "
              + number(verdict.high())
              + " (median "
              + number(verdict.median())
              + (verdict.seasonal() ? " of its weekday" : "")
              + " over the last "
              + verdict.used()
              + " writes, sensitivity "
              + sensitivity.label()
              + ")");
    }
    return CheckOutcome.withNote(check, anomalous, notes.toString());
  }

  /** The writes that count as history: succeeded or accepted, without the table's first write. */
  private static List<MetricHistory.Recorded> usable(List<MetricHistory.Recorded> newestFirst) {
    List<MetricHistory.Recorded> usable = new ArrayList<>();
    int last = newestFirst.size() < READ ? newestFirst.size() - 1 : newestFirst.size();
    for (int i = 0; i < last; i++) {
      MetricHistory.Recorded recorded = newestFirst.get(i);
      if (recorded.stepStatus() == StepStatus.SUCCEEDED || recorded.acceptedAt() != null) {
        usable.add(recorded);
      }
    }
    return usable;
  }

  private static DayOfWeek day(MetricHistory.Recorded recorded) {
    return day(recorded.profile().partition(), recorded.recordedAt());
  }

  /** The weekday of a daily partition's date, else of when it was written (UTC). */
  private static DayOfWeek day(String partition, Instant at) {
    if (partition != null && partition.length() >= 10) {
      try {
        return LocalDate.parse(partition.substring(0, 10)).getDayOfWeek();
      } catch (DateTimeParseException e) {
        // not a date: the time it was written decides
      }
    }
    return at.atZone(ZoneOffset.UTC).getDayOfWeek();
  }

  private static double hours(Instant from, Instant to) {
    return Duration.between(from, to).toMillis() / 3_600_000.0;
  }

  private static String number(double value) {
    return Math.abs(value) >= 100 || value == Math.rint(value)
        ? String.format(Locale.ROOT, "%,.0f", value)
        : String.format(Locale.ROOT, "%.4g", value);
  }
}
