package dev.sluice.core.project;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The length of a time partition. Windows are computed on the wall clock of the dimension's time
 * zone: a day is midnight to midnight there (23 or 25 hours across a daylight-saving change); an
 * hour that the clock skips is an empty partition and an hour it repeats lasts two hours.
 */
public enum TimeGrain {
  HOUR(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH", Locale.ROOT), "2024-03-01T05"),
  DAY(DateTimeFormatter.ISO_LOCAL_DATE, "2024-03-01"),
  /** Weeks start on the weekday of the dimension's start date. */
  WEEK(DateTimeFormatter.ISO_LOCAL_DATE, "2024-03-04"),
  MONTH(DateTimeFormatter.ofPattern("yyyy-MM", Locale.ROOT), "2024-03"),
  YEAR(DateTimeFormatter.ofPattern("yyyy", Locale.ROOT), "2024");

  private final DateTimeFormatter format;
  private final String example;

  TimeGrain(DateTimeFormatter format, String example) {
    this.format = format;
    this.example = example;
  }

  /** The grain named in a project file ({@code hour}, {@code day}, ...; plurals and -ly too). */
  public static Optional<TimeGrain> fromName(String name) {
    String normalized = name.strip().toLowerCase(Locale.ROOT);
    return switch (normalized) {
      case "hour", "hours", "hourly" -> Optional.of(HOUR);
      case "day", "days", "daily" -> Optional.of(DAY);
      case "week", "weeks", "weekly" -> Optional.of(WEEK);
      case "month", "months", "monthly" -> Optional.of(MONTH);
      case "year", "years", "yearly" -> Optional.of(YEAR);
      default -> Optional.empty();
    };
  }

  public String example() {
    return example;
  }

  /** The local start of the window a key names. */
  public LocalDateTime startOf(String key) {
    return switch (this) {
      case HOUR -> LocalDateTime.parse(key, format);
      case DAY, WEEK -> LocalDate.parse(key, format).atStartOfDay();
      case MONTH -> YearMonth.parse(key, format).atDay(1).atStartOfDay();
      case YEAR -> java.time.Year.parse(key, format).atDay(1).atStartOfDay();
    };
  }

  /** The local start of the window after the one starting at {@code start}. */
  public LocalDateTime next(LocalDateTime start) {
    return switch (this) {
      case HOUR -> start.plusHours(1);
      case DAY -> start.plusDays(1);
      case WEEK -> start.plusWeeks(1);
      case MONTH -> start.plusMonths(1);
      case YEAR -> start.plusYears(1);
    };
  }

  /** The key of the window starting at {@code start}. */
  public String keyOf(LocalDateTime start) {
    return switch (this) {
      case HOUR -> start.format(format);
      case DAY, WEEK -> start.toLocalDate().format(format);
      case MONTH -> YearMonth.from(start).format(format);
      case YEAR -> String.valueOf(start.getYear());
    };
  }

  /**
   * The keys of the windows from {@code start} that have ended by {@code now} (with {@code
   * current}: that have started before it, the window in progress too) and start in [{@code from},
   * {@code to}) (null for no bound).
   */
  List<String> keys(
      LocalDateTime start,
      LocalDateTime from,
      LocalDateTime to,
      Instant now,
      ZoneId zone,
      boolean current) {
    List<String> keys = new ArrayList<>();
    LocalDateTime window = start;
    if (from != null && from.isAfter(start)) {
      window = alignedAtOrAfter(start, from);
    }
    while (true) {
      LocalDateTime end = next(window);
      Instant limit = ZonedDateTime.of(current ? window : end, zone).toInstant();
      if (current ? !limit.isBefore(now) : limit.isAfter(now)) {
        return keys;
      }
      if (to != null && !window.isBefore(to)) {
        return keys;
      }
      keys.add(keyOf(window));
      window = end;
    }
  }

  /** The first window start on or after {@code moment}, windows counted from {@code start}. */
  private LocalDateTime alignedAtOrAfter(LocalDateTime origin, LocalDateTime moment) {
    long steps =
        switch (this) {
          case HOUR -> ChronoUnit.HOURS.between(origin, moment);
          case DAY -> ChronoUnit.DAYS.between(origin, moment);
          case WEEK -> ChronoUnit.WEEKS.between(origin, moment);
          case MONTH -> ChronoUnit.MONTHS.between(origin, moment);
          case YEAR -> ChronoUnit.YEARS.between(origin, moment);
        };
    LocalDateTime window =
        switch (this) {
          case HOUR -> origin.plusHours(steps);
          case DAY -> origin.plusDays(steps);
          case WEEK -> origin.plusWeeks(steps);
          case MONTH -> origin.plusMonths(steps);
          case YEAR -> origin.plusYears(steps);
        };
    return window.isBefore(moment) ? next(window) : window;
  }

  /** What is wrong with a key of this grain, or empty. */
  Optional<String> problemWith(String key, LocalDateTime start) {
    LocalDateTime window;
    try {
      window = startOf(key);
    } catch (DateTimeParseException e) {
      return Optional.of(
          "'"
              + key
              + "' is not a "
              + name().toLowerCase(Locale.ROOT)
              + " partition; write it like "
              + example);
    }
    if (window.isBefore(start)) {
      return Optional.of("'" + key + "' is before the partitions' start " + shown(start));
    }
    if (!alignedAtOrAfter(start, window).equals(window)) {
      return Optional.of(
          "'"
              + key
              + "' does not start a week: weeks start on the weekday of "
              + start.toLocalDate());
    }
    return Optional.empty();
  }

  /** A start as written: its date when it is at midnight, else with its hour. */
  private static String shown(LocalDateTime start) {
    return start.toLocalTime().equals(java.time.LocalTime.MIDNIGHT)
        ? start.toLocalDate().toString()
        : start.toString();
  }
}
