package dev.sluice.core.project;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What dbt's {@code modules} gives templates, with Python's names: {@code modules.datetime} ({@code
 * datetime.now()}, {@code datetime.utcnow()}, {@code date.today()}, values with {@code strftime}
 * and {@code isoformat}) and {@code modules.re} ({@code match}, {@code search}, {@code findall},
 * {@code sub}, {@code split}, {@code escape}, on Java's regular expressions, whose syntax is
 * Python's for what templates use) and {@code modules.itertools} ({@code chain}, {@code product},
 * {@code combinations}, {@code permutations}, as lists), with Python's date arithmetic ({@code
 * datetime.timedelta(days=1)} added to or subtracted from a date or datetime, the difference of two
 * of them: {@link TimeDelta}). Not there: {@code pytz}.
 */
public final class DbtModules {
  static final Map<String, Object> MODULES =
      Map.of(
          "datetime",
          new DatetimeModule(),
          "re",
          new RegexModule(),
          "itertools",
          new ItertoolsModule());

  private DbtModules() {}

  /** Python's {@code datetime} module. */
  public static final class DatetimeModule {
    private final DateTimes datetime = new DateTimes();
    private final Dates date = new Dates();

    public DateTimes getDatetime() {
      return datetime;
    }

    public Dates getDate() {
      return date;
    }

    /**
     * {@code datetime.timedelta(days=0, seconds=0, microseconds=0, milliseconds=0, minutes=0,
     * hours=0, weeks=0)}, positionally or by name, as in Python.
     */
    public TimeDelta timedelta(Object... arguments) {
      return TimeDelta.of(arguments);
    }

    @Override
    public String toString() {
      return "<module 'datetime'>";
    }
  }

  /** Python's {@code datetime.datetime} class. */
  public static final class DateTimes {
    public DateTime now() {
      return new DateTime(LocalDateTime.now(java.time.ZoneId.systemDefault()), false);
    }

    public DateTime utcnow() {
      return new DateTime(LocalDateTime.now(java.time.ZoneOffset.UTC), false);
    }

    /** Python's {@code datetime.today()}: the local date and time, as {@code now()}. */
    public DateTime today() {
      return now();
    }

    @Override
    public String toString() {
      return "<class 'datetime.datetime'>";
    }
  }

  /** Python's {@code datetime.date} class. */
  public static final class Dates {
    public Date today() {
      return new Date(LocalDate.now(java.time.ZoneId.systemDefault()));
    }

    @Override
    public String toString() {
      return "<class 'datetime.date'>";
    }
  }

  /** A Python {@code datetime}; {@code utc} ones print their offset, as dbt's run_started_at. */
  public static final class DateTime {
    private final LocalDateTime value;
    private final boolean utc;

    DateTime(LocalDateTime value, boolean utc) {
      this.value = value;
      this.utc = utc;
    }

    public String strftime(String format) {
      return DbtModules.strftime(value, format, utc);
    }

    public String isoformat() {
      String pattern =
          value.get(java.time.temporal.ChronoField.NANO_OF_SECOND) == 0
              ? "yyyy-MM-dd'T'HH:mm:ss"
              : "yyyy-MM-dd'T'HH:mm:ss.SSSSSS";
      return value.format(DateTimeFormatter.ofPattern(pattern)) + (utc ? "+00:00" : "");
    }

    public Date date() {
      return new Date(value.toLocalDate());
    }

    /**
     * Python's {@code replace(hour=0, minute=0, ...)}: this datetime with the named fields ({@code
     * year}, {@code month}, {@code day}, {@code hour}, {@code minute}, {@code second}, {@code
     * microsecond}) set.
     */
    public DateTime replace(Object... fields) {
      LocalDateTime replaced = value;
      for (Object field : fields) {
        if (!(field instanceof com.hubspot.jinjava.el.ext.NamedParameter named)
            || !(named.getValue() instanceof Number number)) {
          throw new IllegalArgumentException(
              "datetime.replace() takes named numbers (hour=0, ...); got " + field);
        }
        int n = number.intValue();
        replaced =
            switch (named.getName()) {
              case "year" -> replaced.withYear(n);
              case "month" -> replaced.withMonth(n);
              case "day" -> replaced.withDayOfMonth(n);
              case "hour" -> replaced.withHour(n);
              case "minute" -> replaced.withMinute(n);
              case "second" -> replaced.withSecond(n);
              case "microsecond" -> replaced.withNano(n * 1_000);
              default ->
                  throw new IllegalArgumentException(
                      "datetime.replace() has no field '" + named.getName() + "'");
            };
      }
      return new DateTime(replaced, utc);
    }

    public int getYear() {
      return value.getYear();
    }

    public int getMonth() {
      return value.getMonthValue();
    }

    public int getDay() {
      return value.getDayOfMonth();
    }

    public int getHour() {
      return value.getHour();
    }

    @Override
    public String toString() {
      // as Python's str(): the microseconds only when there are some
      String pattern =
          value.get(java.time.temporal.ChronoField.NANO_OF_SECOND) == 0
              ? "yyyy-MM-dd HH:mm:ss"
              : "yyyy-MM-dd HH:mm:ss.SSSSSS";
      return value.format(DateTimeFormatter.ofPattern(pattern)) + (utc ? "+00:00" : "");
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof DateTime dateTime
          && dateTime.value.equals(value)
          && dateTime.utc == utc;
    }

    @Override
    public int hashCode() {
      return value.hashCode();
    }
  }

  /**
   * Python's {@code datetime.timedelta}: a duration that a date or datetime is moved by ({@code +},
   * {@code -}), or the difference of two; with {@code days}, {@code seconds}, {@code microseconds}
   * and {@code total_seconds()}, printed as Python prints it ({@code 1 day, 2:00:00}).
   */
  public static final class TimeDelta {
    private static final List<String> UNITS =
        List.of("days", "seconds", "microseconds", "milliseconds", "minutes", "hours", "weeks");
    private static final long[] MICROS = {
      86_400_000_000L, 1_000_000L, 1L, 1_000L, 60_000_000L, 3_600_000_000L, 604_800_000_000L
    };

    private final long micros;

    TimeDelta(long micros) {
      this.micros = micros;
    }

    static TimeDelta of(Object... arguments) {
      double total = 0;
      int position = 0;
      for (Object argument : arguments) {
        String unit;
        Object value;
        if (argument instanceof com.hubspot.jinjava.el.ext.NamedParameter named) {
          unit = named.getName();
          value = named.getValue();
        } else {
          if (position >= UNITS.size()) {
            throw new IllegalArgumentException("timedelta() takes at most 7 arguments");
          }
          unit = UNITS.get(position++);
          value = argument;
        }
        int index = UNITS.indexOf(unit);
        if (index < 0 || !(value instanceof Number number)) {
          throw new IllegalArgumentException(
              "timedelta() takes numbers as "
                  + String.join(", ", UNITS)
                  + "; got "
                  + unit
                  + "="
                  + value);
        }
        total += number.doubleValue() * MICROS[index];
      }
      return new TimeDelta(Math.round(total));
    }

    /** Python's {@code left + right} for dates, datetimes and timedeltas; else null. */
    static Object add(Object left, Object right) {
      if (left instanceof TimeDelta && !(right instanceof TimeDelta)) {
        return add(right, left);
      }
      if (!(right instanceof TimeDelta delta)) {
        return null;
      }
      if (left instanceof DateTime dateTime) {
        return new DateTime(
            dateTime.value.plus(java.time.Duration.ofNanos(delta.micros * 1_000)), dateTime.utc);
      }
      if (left instanceof Date date) {
        return new Date(date.value.plusDays(Math.floorDiv(delta.micros, MICROS[0])));
      }
      if (left instanceof TimeDelta other) {
        return new TimeDelta(other.micros + delta.micros);
      }
      return null;
    }

    /** Python's {@code left - right} for dates, datetimes and timedeltas; else null. */
    static Object subtract(Object left, Object right) {
      if (right instanceof TimeDelta delta) {
        return add(left, new TimeDelta(-delta.micros));
      }
      if (left instanceof DateTime a && right instanceof DateTime b) {
        return new TimeDelta(java.time.Duration.between(b.value, a.value).toNanos() / 1_000);
      }
      if (left instanceof Date a && right instanceof Date b) {
        return new TimeDelta(
            java.time.temporal.ChronoUnit.DAYS.between(b.value, a.value) * MICROS[0]);
      }
      return null;
    }

    public long getDays() {
      return Math.floorDiv(micros, MICROS[0]);
    }

    public long getSeconds() {
      return Math.floorMod(micros, MICROS[0]) / MICROS[1];
    }

    public long getMicroseconds() {
      return Math.floorMod(micros, MICROS[1]);
    }

    public double total_seconds() {
      return micros / 1_000_000.0;
    }

    @Override
    public String toString() {
      long days = getDays();
      long seconds = getSeconds();
      String time =
          String.format(
              Locale.ROOT, "%d:%02d:%02d", seconds / 3600, (seconds % 3600) / 60, seconds % 60);
      if (getMicroseconds() != 0) {
        time += String.format(Locale.ROOT, ".%06d", getMicroseconds());
      }
      return days == 0 ? time : days + (Math.abs(days) == 1 ? " day, " : " days, ") + time;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof TimeDelta delta && delta.micros == micros;
    }

    @Override
    public int hashCode() {
      return Long.hashCode(micros);
    }
  }

  /** A Python {@code date}. */
  public static final class Date {
    private final LocalDate value;

    Date(LocalDate value) {
      this.value = value;
    }

    public String strftime(String format) {
      return DbtModules.strftime(value.atStartOfDay(), format, false);
    }

    public String isoformat() {
      return value.toString();
    }

    public int getYear() {
      return value.getYear();
    }

    public int getMonth() {
      return value.getMonthValue();
    }

    public int getDay() {
      return value.getDayOfMonth();
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Date date && date.value.equals(value);
    }

    @Override
    public int hashCode() {
      return value.hashCode();
    }

    @Override
    public String toString() {
      return value.toString();
    }
  }

  /** Python's {@code re} module, on {@link Pattern}. */
  public static final class RegexModule {
    /** {@code re.match}: a match at the start, or none. */
    public Match match(String pattern, Object text) {
      Matcher matcher = Pattern.compile(pattern).matcher(String.valueOf(text));
      return matcher.lookingAt() ? new Match(matcher) : null;
    }

    /** {@code re.fullmatch}. */
    public Match fullmatch(String pattern, Object text) {
      Matcher matcher = Pattern.compile(pattern).matcher(String.valueOf(text));
      return matcher.matches() ? new Match(matcher) : null;
    }

    /** {@code re.search}: the first match anywhere, or none. */
    public Match search(String pattern, Object text) {
      Matcher matcher = Pattern.compile(pattern).matcher(String.valueOf(text));
      return matcher.find() ? new Match(matcher) : null;
    }

    /** {@code re.findall}: the matches (the first group's, when the pattern has groups). */
    public List<String> findall(String pattern, Object text) {
      Matcher matcher = Pattern.compile(pattern).matcher(String.valueOf(text));
      List<String> found = new ArrayList<>();
      while (matcher.find()) {
        found.add(matcher.groupCount() > 0 ? matcher.group(1) : matcher.group());
      }
      return found;
    }

    /** {@code re.sub}: every match replaced; {@code \\1} in the replacement is a group. */
    public String sub(String pattern, String replacement, Object text) {
      String javaReplacement = replacement.replace("$", "\\$").replaceAll("\\\\(\\d)", "\\$$1");
      return Pattern.compile(pattern).matcher(String.valueOf(text)).replaceAll(javaReplacement);
    }

    /** {@code re.split}. */
    public List<String> split(String pattern, Object text) {
      return List.of(Pattern.compile(pattern).split(String.valueOf(text), -1));
    }

    /** {@code re.escape}. */
    public String escape(Object text) {
      return String.valueOf(text).replaceAll("([^A-Za-z0-9_])", "\\\\$1");
    }

    @Override
    public String toString() {
      return "<module 're'>";
    }
  }

  /** A Python match object: {@code group(n)}, {@code groups()}, {@code start()}, {@code end()}. */
  public static final class Match {
    private final List<String> groups = new ArrayList<>();
    private final int start;
    private final int end;

    Match(Matcher matcher) {
      for (int i = 0; i <= matcher.groupCount(); i++) {
        groups.add(matcher.group(i));
      }
      start = matcher.start();
      end = matcher.end();
    }

    public String group() {
      return groups.get(0);
    }

    public String group(int index) {
      return groups.get(index);
    }

    public List<String> groups() {
      return groups.subList(1, groups.size());
    }

    public int start() {
      return start;
    }

    public int end() {
      return end;
    }

    @Override
    public String toString() {
      return "<re.Match object; match='" + groups.get(0) + "'>";
    }
  }

  /** The items of a list, a set, a map (its keys, as Python iterates a dict) or a string. */
  static List<Object> items(Object value) {
    if (value instanceof java.util.Collection<?> collection) {
      return new ArrayList<>(collection);
    }
    if (value instanceof Map<?, ?> map) {
      return new ArrayList<>(map.keySet());
    }
    if (value instanceof Object[] array) {
      return new ArrayList<>(List.of(array));
    }
    List<Object> characters = new ArrayList<>();
    if (value != null) {
      String.valueOf(value).codePoints().forEach(c -> characters.add(Character.toString(c)));
    }
    return characters;
  }

  /** Python's {@code itertools}, each giving a list (of lists, for Python's tuples). */
  public static final class ItertoolsModule {
    /** {@code chain(a, b, ...)}: the items of each in turn. */
    public List<Object> chain(Object... iterables) {
      List<Object> chained = new ArrayList<>();
      for (Object iterable : iterables) {
        chained.addAll(items(iterable));
      }
      return chained;
    }

    /** {@code product(a, b, ...)}: every combination of one item of each, in order. */
    public List<List<Object>> product(Object... iterables) {
      List<List<Object>> products = new ArrayList<>();
      products.add(List.of());
      for (Object iterable : iterables) {
        List<List<Object>> next = new ArrayList<>();
        for (List<Object> prefix : products) {
          for (Object item : items(iterable)) {
            List<Object> product = new ArrayList<>(prefix);
            product.add(item);
            next.add(product);
          }
        }
        products = next;
      }
      return products;
    }

    /** {@code combinations(items, r)}: the r-long selections in the items' order. */
    public List<List<Object>> combinations(Object iterable, int length) {
      List<List<Object>> combinations = new ArrayList<>();
      combine(items(iterable), length, 0, new ArrayList<>(), combinations);
      return combinations;
    }

    /** {@code permutations(items, r)}: the r-long arrangements. */
    public List<List<Object>> permutations(Object iterable, int length) {
      List<List<Object>> permutations = new ArrayList<>();
      permute(
          items(iterable),
          length,
          new ArrayList<>(),
          new boolean[items(iterable).size()],
          permutations);
      return permutations;
    }

    /** {@code permutations(items)}: the arrangements of all of them. */
    public List<List<Object>> permutations(Object iterable) {
      return permutations(iterable, items(iterable).size());
    }

    private static void combine(
        List<Object> items, int length, int from, List<Object> current, List<List<Object>> out) {
      if (current.size() == length) {
        out.add(new ArrayList<>(current));
        return;
      }
      for (int i = from; i < items.size(); i++) {
        current.add(items.get(i));
        combine(items, length, i + 1, current, out);
        current.remove(current.size() - 1);
      }
    }

    private static void permute(
        List<Object> items,
        int length,
        List<Object> current,
        boolean[] used,
        List<List<Object>> out) {
      if (current.size() == length) {
        out.add(new ArrayList<>(current));
        return;
      }
      for (int i = 0; i < items.size(); i++) {
        if (!used[i]) {
          used[i] = true;
          current.add(items.get(i));
          permute(items, length, current, used, out);
          current.remove(current.size() - 1);
          used[i] = false;
        }
      }
    }

    @Override
    public String toString() {
      return "<module 'itertools'>";
    }
  }

  /** Python's {@code strftime} directives, on a date and time. */
  static String strftime(LocalDateTime value, String format, boolean utc) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < format.length(); i++) {
      char c = format.charAt(i);
      if (c != '%' || i + 1 == format.length()) {
        out.append(c);
        continue;
      }
      char directive = format.charAt(++i);
      out.append(
          switch (directive) {
            case 'Y' -> String.format(Locale.ROOT, "%04d", value.getYear());
            case 'y' -> String.format(Locale.ROOT, "%02d", value.getYear() % 100);
            case 'm' -> String.format(Locale.ROOT, "%02d", value.getMonthValue());
            case 'd' -> String.format(Locale.ROOT, "%02d", value.getDayOfMonth());
            case 'H' -> String.format(Locale.ROOT, "%02d", value.getHour());
            case 'I' -> String.format(Locale.ROOT, "%02d", (value.getHour() + 11) % 12 + 1);
            case 'p' -> value.getHour() < 12 ? "AM" : "PM";
            case 'M' -> String.format(Locale.ROOT, "%02d", value.getMinute());
            case 'S' -> String.format(Locale.ROOT, "%02d", value.getSecond());
            case 'f' -> String.format(Locale.ROOT, "%06d", value.getNano() / 1000);
            case 'j' -> String.format(Locale.ROOT, "%03d", value.getDayOfYear());
            case 'b' -> value.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
            case 'B' -> value.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
            case 'a' -> value.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
            case 'A' -> value.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
            case 'z' -> utc ? "+0000" : "";
            case 'Z' -> utc ? "UTC" : "";
            case '%' -> "%";
            default -> "%" + directive;
          });
    }
    return out.toString();
  }
}
