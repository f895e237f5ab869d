package dev.sluice.core.project;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads {@code retention: {column: ..., keep: ...}} and {@code keep_snapshots:} durations. */
final class RetentionParser {
  static final String KEY = "retention";
  private static final Set<String> KEYS = Set.of("column", "keep");
  private static final Pattern AGE = Pattern.compile("(\\d+)\\s*(h|d|w)");

  private RetentionParser() {}

  /** The {@code retention:} block of a mapping, if it has a valid one; problems are reported. */
  static Optional<RetentionDef> parse(YamlMap map, String what) {
    Optional<YamlMap> block = map.map(KEY, "'retention:' of " + what, KEYS);
    if (block.isEmpty()) {
      return Optional.empty();
    }
    YamlMap retention = block.get();
    String column =
        retention.requiredString(
            "column", "name the date or timestamp column rows expire by, e.g. column: event_time");
    Duration keep = age(retention, "keep", "keep: 400d");
    if (!retention.has("keep")) {
      retention
          .problems()
          .add(
              retention.location(),
              "Missing 'keep' in 'retention:' of " + what,
              "say how long rows are kept, e.g. keep: 400d (h, d or w)");
    }
    if (column == null || keep == null) {
      return Optional.empty();
    }
    return Optional.of(new RetentionDef(column, keep, map.location(KEY)));
  }

  /**
   * An age such as {@code 400d}, {@code 36h} or {@code 2w}; null when absent or invalid (reported).
   */
  static Duration age(YamlMap map, String key, String example) {
    String text = map.string(key);
    if (text == null) {
      return null;
    }
    Matcher matcher = AGE.matcher(text.strip().toLowerCase(Locale.ROOT));
    long amount = matcher.matches() ? Long.parseLong(matcher.group(1)) : 0;
    if (amount <= 0) {
      map.problems()
          .add(
              map.location(key),
              "'" + key + "' must be a positive age in hours, days or weeks, got '" + text + "'",
              "write e.g. " + example);
      return null;
    }
    return switch (matcher.group(2)) {
      case "h" -> Duration.ofHours(amount);
      case "d" -> Duration.ofDays(amount);
      default -> Duration.ofDays(7 * amount);
    };
  }
}
