package dev.sluice.connectors.http;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;

/**
 * Cursor values as the source writes them (text), ordered by what they mean: numbers by value, ISO
 * 8601 timestamps by instant, dates by day, other text alphabetically. The greatest value is
 * committed as the source wrote it, so that {@code {cursor}} sends the source its own format.
 */
final class CursorValues {
  static final Comparator<String> ORDER = CursorValues::compare;

  private CursorValues() {}

  static int compare(String a, String b) {
    BigDecimal numberA = number(a);
    BigDecimal numberB = number(b);
    if (numberA != null && numberB != null) {
      return numberA.compareTo(numberB);
    }
    OffsetDateTime zonedA = JsonValues.timestampWithZone(a);
    OffsetDateTime zonedB = JsonValues.timestampWithZone(b);
    if (zonedA != null && zonedB != null) {
      return zonedA.toInstant().compareTo(zonedB.toInstant());
    }
    LocalDateTime localA = JsonValues.timestamp(a);
    LocalDateTime localB = JsonValues.timestamp(b);
    if (localA != null && localB != null) {
      return localA.compareTo(localB);
    }
    LocalDate dateA = JsonValues.date(a);
    LocalDate dateB = JsonValues.date(b);
    if (dateA != null && dateB != null) {
      return dateA.compareTo(dateB);
    }
    return a.compareTo(b);
  }

  /**
   * The value less a lookback, in the value's own format.
   *
   * @return null when the value is not a date or timestamp
   */
  static String minus(String value, Duration lookback) {
    OffsetDateTime zoned = JsonValues.timestampWithZone(value);
    if (zoned != null) {
      return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(zoned.minus(lookback));
    }
    LocalDateTime local = JsonValues.timestamp(value);
    if (local != null) {
      return DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(local.minus(lookback));
    }
    LocalDate date = JsonValues.date(value);
    if (date != null) {
      return date.atStartOfDay().minus(lookback).toLocalDate().toString();
    }
    return null;
  }

  private static BigDecimal number(String text) {
    if (text.isEmpty() || !(Character.isDigit(text.charAt(0)) || text.charAt(0) == '-')) {
      return null;
    }
    try {
      return new BigDecimal(text);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
