package dev.sluice.core.project;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads {@code maintenance:} of sluice.yaml, a source table or a model. */
final class MaintenanceParser {
  static final String KEY = "maintenance";
  private static final Set<String> KEYS =
      Set.of(
          "target_file_size",
          "min_input_files",
          "keep_snapshots",
          "min_snapshots",
          "orphan_files_older_than",
          "sort_by",
          "cluster_by",
          "schedule",
          "time_zone");
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KB|MB|GB|KIB|MIB|GIB)");
  private static final long MIN_TARGET = 1L << 20;
  private static final long MAX_TARGET = 2L << 30;

  private MaintenanceParser() {}

  /** The {@code maintenance:} block of a mapping, if it has one; problems are reported. */
  static Optional<MaintenanceDef> parse(YamlMap map, String what) {
    Optional<YamlMap> block = map.map(KEY, "'maintenance:' of " + what, KEYS);
    if (block.isEmpty()) {
      return Optional.empty();
    }
    YamlMap maintenance = block.get();
    Long target = size(maintenance, "target_file_size");
    Integer minInputFiles = atLeast(maintenance, "min_input_files", 2);
    Duration keep = RetentionParser.age(maintenance, "keep_snapshots", "keep_snapshots: 7d");
    Integer minSnapshots = atLeast(maintenance, "min_snapshots", 1);
    Duration orphans =
        RetentionParser.age(maintenance, "orphan_files_older_than", "orphan_files_older_than: 3d");
    List<String> sortBy = maintenance.has("sort_by") ? maintenance.stringList("sort_by") : null;
    List<String> clusterBy =
        maintenance.has("cluster_by") ? maintenance.stringList("cluster_by") : null;
    if (sortBy != null && clusterBy != null) {
      maintenance
          .problems()
          .add(
              maintenance.location("cluster_by"),
              "'sort_by' and 'cluster_by' in 'maintenance:' of " + what + " both order the rows",
              "keep one: sort_by: [a, b] sorts by a then b, cluster_by: [a, b] interleaves them"
                  + " (Z-order)");
      clusterBy = null;
    }
    if (clusterBy != null && (clusterBy.size() < 2 || clusterBy.size() > 4)) {
      maintenance
          .problems()
          .add(
              maintenance.location("cluster_by"),
              "'cluster_by' in 'maintenance:' of "
                  + what
                  + " needs 2 to 4 columns, got "
                  + clusterBy.size(),
              "for one column write sort_by: [" + String.join(", ", clusterBy) + "]");
      clusterBy = null;
    }
    ScheduleDef schedule = null;
    String cron = maintenance.string("schedule");
    if (cron != null && ScheduleParser.validCron(maintenance, "schedule", cron)) {
      schedule =
          new ScheduleDef(
              "maintenance",
              cron,
              List.of(),
              ScheduleParser.timeZone(maintenance),
              ScheduleDef.CatchUp.LATEST,
              maintenance.location("schedule"));
    } else if (cron == null && maintenance.has("time_zone")) {
      maintenance
          .problems()
          .add(
              maintenance.location("time_zone"),
              "'time_zone' in 'maintenance:' of " + what + " has no 'schedule' to apply to",
              "add e.g. schedule: \"0 3 * * *\" (every night at 3), or remove time_zone");
    }
    return Optional.of(
        new MaintenanceDef(
            target,
            minInputFiles,
            keep,
            minSnapshots,
            orphans,
            sortBy,
            clusterBy,
            schedule,
            map.location(KEY)));
  }

  private static Integer atLeast(YamlMap map, String key, int minimum) {
    Integer value = map.integer(key, null);
    if (value != null && value < minimum) {
      map.problems()
          .add(
              map.location(key),
              "'" + key + "' must be at least " + minimum + ", got " + value,
              "write e.g. " + key + ": " + Math.max(minimum, 5));
      return null;
    }
    return value;
  }

  /** A size such as {@code 128MB} or {@code 64 MiB}; null when absent or invalid (reported). */
  private static Long size(YamlMap map, String key) {
    String text = map.string(key);
    if (text == null) {
      return null;
    }
    Matcher matcher = SIZE.matcher(text.strip().toUpperCase(Locale.ROOT));
    Long bytes = null;
    if (matcher.matches()) {
      long amount = Long.parseLong(matcher.group(1));
      bytes =
          switch (matcher.group(2)) {
            case "B" -> amount;
            case "KB" -> amount * 1000;
            case "MB" -> amount * 1000_000;
            case "GB" -> amount * 1000_000_000;
            case "KIB" -> amount << 10;
            case "MIB" -> amount << 20;
            default -> amount << 30;
          };
    }
    if (bytes == null || bytes < MIN_TARGET || bytes > MAX_TARGET) {
      map.problems()
          .add(
              map.location(key),
              "'" + key + "' must be a size between 1 MiB and 2 GiB, got '" + text + "'",
              "write e.g. " + key + ": 128MB (units B, KB, MB, GB, KiB, MiB, GiB)");
      return null;
    }
    return bytes;
  }
}
