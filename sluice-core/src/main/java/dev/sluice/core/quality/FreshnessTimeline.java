package dev.sluice.core.quality;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.project.FreshnessDef;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An asset's freshness over time, from its successful writes: how old its data is now, when it was
 * older than {@code warn_after} or {@code error_after} (its breaches), and how much of the SLO's
 * window it was fresh (attainment) against the error budget. Between two writes the data ages by
 * the clock; a write makes it as new as its data: the time of the write, or with {@code
 * loaded_at_field} the newest value of that column written so far. Time before the first write
 * counts neither way. Pure: the same writes and time give the same answer.
 */
public final class FreshnessTimeline {
  /** Where an asset stands now. */
  public enum State {
    FRESH,
    WARN,
    ERROR,
    /** No successful write yet (or none with a value of {@code loaded_at_field}). */
    NEVER_LOADED;

    public String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
  }

  /** A write: when it happened and how new its data is (null: it brought no dated data). */
  public record Write(Instant at, Instant dataTime) {
    public Write {
      requireNonNull(at, "at is null");
    }
  }

  /**
   * A period the asset was older than a threshold.
   *
   * @param level {@code warn} or {@code error}
   * @param end when a write made it fresh again, or null while it lasts
   */
  public record Breach(String level, Instant start, Instant end, Duration threshold) {
    public Breach {
      requireNonNull(level, "level is null");
      requireNonNull(start, "start is null");
      requireNonNull(threshold, "threshold is null");
    }
  }

  /**
   * The judgement.
   *
   * @param newestData how new the newest data is, or null when never loaded
   * @param age how old it is now, or null when never loaded
   * @param attainment the share of the observed window it was fresh (0 to 1), or null without an
   *     SLO or before the first write
   * @param stale how long within the window it was older than {@code error_after} (else {@code
   *     warn_after})
   * @param budget how long the SLO allows it to be stale within its window, or null without one
   * @param breaches the breaches that lasted into the window, oldest first
   */
  public record Result(
      State state,
      Instant newestData,
      Duration age,
      Double attainment,
      Duration stale,
      Duration budget,
      List<Breach> breaches) {
    public Result {
      requireNonNull(state, "state is null");
      requireNonNull(stale, "stale is null");
      breaches = List.copyOf(breaches);
    }

    /** Whether the SLO's error budget is spent (never without an SLO). */
    public boolean budgetSpent() {
      return budget != null && stale.compareTo(budget) > 0;
    }

    /** The budget left (negative when overspent), or null without an SLO. */
    public Duration budgetLeft() {
      return budget == null ? null : budget.minus(stale);
    }
  }

  private FreshnessTimeline() {}

  /**
   * Judges {@code writes} (oldest first; the first may be before the window) at {@code now}.
   *
   * @param window the period attainment is measured over, ending at {@code now}, when there is no
   *     SLO: breaches are listed over it
   */
  public static Result judge(
      FreshnessDef freshness, List<Write> writes, Instant now, Duration window) {
    requireNonNull(freshness, "freshness is null");
    requireNonNull(now, "now is null");
    Duration span = freshness.slo() != null ? freshness.slo().window() : window;
    Instant windowStart = now.minus(span);
    // each write's data time, kept monotone: a later write of older data does not age the asset
    List<Write> dated = new ArrayList<>();
    Instant newest = null;
    for (Write write : writes) {
      if (write.at().isAfter(now)) {
        continue;
      }
      if (write.dataTime() != null && (newest == null || write.dataTime().isAfter(newest))) {
        newest = write.dataTime();
      }
      if (newest != null) {
        dated.add(new Write(write.at(), newest));
      }
    }
    if (dated.isEmpty()) {
      return new Result(
          State.NEVER_LOADED,
          null,
          null,
          null,
          Duration.ZERO,
          freshness.slo() == null ? null : freshness.slo().budget(),
          List.of());
    }
    Duration age = Duration.between(newest, now);
    State state =
        freshness.errorAfter() != null && age.compareTo(freshness.errorAfter()) > 0
            ? State.ERROR
            : freshness.warnAfter() != null && age.compareTo(freshness.warnAfter()) > 0
                ? State.WARN
                : State.FRESH;
    List<Breach> breaches = new ArrayList<>();
    if (freshness.warnAfter() != null) {
      breaches.addAll(breaches("warn", freshness.warnAfter(), dated, now, windowStart));
    }
    if (freshness.errorAfter() != null) {
      breaches.addAll(breaches("error", freshness.errorAfter(), dated, now, windowStart));
    }
    breaches.sort((a, b) -> a.start().compareTo(b.start()));
    String staleLevel = freshness.errorAfter() != null ? "error" : "warn";
    Instant observedFrom = dated.get(0).at().isAfter(windowStart) ? dated.get(0).at() : windowStart;
    Duration stale = Duration.ZERO;
    for (Breach breach : breaches) {
      if (breach.level().equals(staleLevel)) {
        Instant from = breach.start().isBefore(observedFrom) ? observedFrom : breach.start();
        Instant to = breach.end() == null ? now : breach.end();
        if (to.isAfter(from)) {
          stale = stale.plus(Duration.between(from, to));
        }
      }
    }
    Duration observed = Duration.between(observedFrom, now);
    Double attainment = null;
    Duration budget = null;
    if (freshness.slo() != null) {
      budget = freshness.slo().budget();
      attainment = observed.isZero() ? 1.0 : 1.0 - (double) stale.toMillis() / observed.toMillis();
    }
    return new Result(state, newest, age, attainment, stale, budget, breaches);
  }

  /** The periods the data was older than {@code threshold}, that lasted into the window. */
  private static List<Breach> breaches(
      String level, Duration threshold, List<Write> dated, Instant now, Instant windowStart) {
    List<Breach> found = new ArrayList<>();
    Instant openSince = null;
    for (int i = 0; i < dated.size(); i++) {
      Write write = dated.get(i);
      Instant until = i + 1 < dated.size() ? dated.get(i + 1).at() : now;
      Instant staleFrom = write.dataTime().plus(threshold);
      boolean staleAtWrite = !staleFrom.isAfter(write.at());
      if (openSince != null && !staleAtWrite) {
        // this write made the data fresh again
        found.add(new Breach(level, openSince, write.at(), threshold));
        openSince = null;
      }
      Instant from = staleAtWrite ? write.at() : staleFrom;
      if (openSince == null && from.isBefore(until)) {
        openSince = from;
      }
    }
    if (openSince != null) {
      found.add(new Breach(level, openSince, null, threshold));
    }
    found.removeIf(breach -> breach.end() != null && breach.end().isBefore(windowStart));
    return found;
  }

  /**
   * The instant a column's value written as text stands for: a timestamp with or without an offset
   * (without one: UTC), or a date (its start, UTC); null when it is none of these.
   */
  public static Instant parseDataTime(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    String value = text.strip().replace(' ', 'T');
    // DuckDB writes an offset of whole hours as +00
    if (value.matches(".*T.*[+-]\\d\\d$")) {
      value = value + ":00";
    }
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException notWithOffset) {
      try {
        return LocalDateTime.parse(value).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException notLocal) {
        try {
          return LocalDate.parse(value).atStartOfDay().toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException notDate) {
          return null;
        }
      }
    }
  }
}
