package dev.sluice.core.project;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code freshness: {warn_after: 2h, error_after: 6h, loaded_at_field: updated_at}} and
 * {@code slo: {fresh: 99%, window: 30d}} of a model's properties, a source table or a source.
 */
final class FreshnessParser {
  static final String FRESHNESS = "freshness";
  static final String SLO = "slo";
  private static final Set<String> FRESHNESS_KEYS =
      Set.of("warn_after", "error_after", "loaded_at_field");
  private static final Set<String> SLO_KEYS = Set.of("fresh", "window");
  private static final Pattern AGE = Pattern.compile("(\\d+)\\s*(m|h|d|w)");
  private static final Pattern PERCENT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*%?");
  private static final Duration DEFAULT_WINDOW = Duration.ofDays(30);

  private FreshnessParser() {}

  /**
   * The freshness and SLO of {@code map}: its own {@code freshness:} and {@code slo:}, each else
   * {@code inherited}'s (a source's, for its tables). Problems are reported; a {@code
   * loaded_at_field} that is not one of {@code columns} is one, when columns are declared.
   */
  static Optional<FreshnessDef> parse(
      YamlMap map, String what, List<ColumnDef> columns, FreshnessDef inherited) {
    FreshnessDef thresholds = inherited;
    if (map.has(FRESHNESS)) {
      thresholds = thresholds(map, what).orElse(null);
    }
    FreshnessDef.SloDef slo = inherited == null ? null : inherited.slo();
    if (map.has(SLO)) {
      slo = slo(map, what).orElse(null);
      if (thresholds == null && !map.has(FRESHNESS)) {
        map.problems()
            .add(
                map.location(SLO),
                "'slo:' of " + what + " needs 'freshness:': the SLO promises the asset is fresh",
                "add e.g. freshness: {warn_after: 2h, error_after: 6h}");
        return Optional.empty();
      }
    }
    if (thresholds == null) {
      return Optional.empty();
    }
    String field = thresholds.loadedAtField();
    if (field != null && !columns.isEmpty()) {
      boolean declared = columns.stream().anyMatch(column -> column.name().equals(field));
      if (!declared) {
        map.problems()
            .add(
                thresholds.loadedAtLocation(),
                "Unknown column '" + field + "' in loaded_at_field of " + what,
                Suggestions.hint(
                    field,
                    columns.stream().map(ColumnDef::name).toList(),
                    "its declared columns are"));
        return Optional.empty();
      }
    }
    return Optional.of(thresholds.withSlo(slo));
  }

  private static Optional<FreshnessDef> thresholds(YamlMap map, String what) {
    Optional<YamlMap> block = map.map(FRESHNESS, "'freshness:' of " + what, FRESHNESS_KEYS);
    if (block.isEmpty()) {
      return Optional.empty();
    }
    YamlMap freshness = block.get();
    Duration warn = age(freshness, "warn_after", "warn_after: 2h");
    Duration error = age(freshness, "error_after", "error_after: 6h");
    if (!freshness.has("warn_after") && !freshness.has("error_after")) {
      freshness
          .problems()
          .add(
              freshness.location(),
              "'freshness:' of " + what + " needs warn_after or error_after",
              "write e.g. freshness: {warn_after: 2h, error_after: 6h}");
      return Optional.empty();
    }
    if ((freshness.has("warn_after") && warn == null)
        || (freshness.has("error_after") && error == null)) {
      return Optional.empty();
    }
    if (warn != null && error != null && error.compareTo(warn) < 0) {
      freshness
          .problems()
          .add(
              freshness.location("error_after"),
              "error_after of "
                  + what
                  + " ("
                  + freshness.string("error_after")
                  + ") is shorter than warn_after ("
                  + freshness.string("warn_after")
                  + ")",
              "an asset warns before it is in error: make error_after at least warn_after");
      return Optional.empty();
    }
    String field = freshness.string("loaded_at_field");
    return Optional.of(
        new FreshnessDef(
            warn,
            error,
            field == null || field.isBlank() ? null : field.strip(),
            null,
            map.location(FRESHNESS),
            field == null ? null : freshness.location("loaded_at_field")));
  }

  private static Optional<FreshnessDef.SloDef> slo(YamlMap map, String what) {
    Optional<YamlMap> block = map.map(SLO, "'slo:' of " + what, SLO_KEYS);
    if (block.isEmpty()) {
      return Optional.empty();
    }
    YamlMap slo = block.get();
    String freshText =
        slo.requiredString("fresh", "say how much of the time it is fresh: fresh: 99%");
    if (freshText == null) {
      return Optional.empty();
    }
    Matcher matcher = PERCENT.matcher(freshText.strip());
    double percent = matcher.matches() ? Double.parseDouble(matcher.group(1)) : Double.NaN;
    if (!(percent > 0 && percent <= 100)) {
      slo.problems()
          .add(
              slo.location("fresh"),
              "'fresh' of the slo of "
                  + what
                  + " must be a percentage above 0 and at most 100, got '"
                  + freshText
                  + "'",
              "write e.g. fresh: 99%");
      return Optional.empty();
    }
    Duration window = DEFAULT_WINDOW;
    if (slo.has("window")) {
      window = age(slo, "window", "window: 30d");
      if (window == null) {
        return Optional.empty();
      }
    }
    return Optional.of(new FreshnessDef.SloDef(percent / 100, window, map.location(SLO)));
  }

  /** An age such as {@code 90m}, {@code 6h}, {@code 2d} or {@code 1w}; null (reported) if not. */
  private static Duration age(YamlMap map, String key, String example) {
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
              "'"
                  + key
                  + "' must be a positive duration in minutes, hours, days or weeks, got '"
                  + text
                  + "'",
              "write e.g. " + example);
      return null;
    }
    return switch (matcher.group(2)) {
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      case "d" -> Duration.ofDays(amount);
      default -> Duration.ofDays(7 * amount);
    };
  }
}
