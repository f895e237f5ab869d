package dev.sluice.core.project;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;

/** Reads the {@code schedules:} of sluice.yaml. */
final class ScheduleParser {
  private static final Set<String> KEYS = Set.of("name", "cron", "select", "time_zone", "catch_up");

  private static final Set<String> SENSOR_KEYS =
      Set.of("name", "type", "select", "when", "max_age", "min_interval");

  private ScheduleParser() {}

  static List<SensorDef> parseSensors(YamlMap config, String file, Problems problems) {
    List<SensorDef> sensors = new ArrayList<>();
    for (Named entry :
        named(
            config.list("sensors"),
            file,
            "a sensor",
            SENSOR_KEYS,
            "Sensor",
            "add e.g. 'name: marts_on_new_data'",
            problems)) {
      YamlMap map = entry.map();
      String name = entry.name();
      String typeText =
          map.requiredString("type", "add 'type: upstream_updated' or 'type: freshness'");
      if (name == null || typeText == null) {
        continue;
      }
      SensorDef.Type type;
      try {
        type = SensorDef.Type.valueOf(typeText.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        problems.add(
            map.location("type"),
            "Unknown sensor type '" + typeText + "'",
            "use upstream_updated, freshness or new_data");
        continue;
      }
      List<String> select = map.stringList("select");
      if (select.isEmpty()) {
        problems.add(
            map.location(), "Sensor '" + name + "' selects nothing", "add e.g. select: [revenue]");
      }
      String when = map.string("when");
      if (when != null && !when.equals("any") && !when.equals("all")) {
        problems.add(map.location("when"), "'when' must be any or all, got '" + when + "'", "");
      }
      Duration maxAge = duration(map, "max_age", null, problems);
      if (type == SensorDef.Type.FRESHNESS && maxAge == null) {
        problems.add(
            map.location(),
            "Freshness sensor '" + name + "' needs max_age",
            "add e.g. max_age: 60m");
        continue;
      }
      Duration minInterval = duration(map, "min_interval", Duration.ofMinutes(5), problems);
      sensors.add(
          new SensorDef(
              name, type, select, "all".equals(when), maxAge, minInterval, map.location()));
    }
    return sensors;
  }

  /** An entry of a list of named mappings: its name, or null when it has none, and its keys. */
  private record Named(String name, YamlMap map) {}

  /**
   * The mappings of a list of schedules or sensors, each with its name: a missing name, and a name
   * that an earlier entry has, are reported (the entry is still read, to report its other
   * problems).
   *
   * @param kind what an entry is, capitalized, for messages: {@code Schedule}
   */
  private static List<Named> named(
      List<Node> nodes,
      String file,
      String what,
      Set<String> allowedKeys,
      String kind,
      String nameHint,
      Problems problems) {
    List<Named> entries = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (Node node : nodes) {
      YamlMap.of(file, node, what, allowedKeys, problems)
          .ifPresent(
              map -> {
                String name = map.requiredString("name", nameHint);
                if (name != null && !names.add(name)) {
                  problems.add(
                      map.location("name"), kind + " '" + name + "' is declared twice", "");
                }
                entries.add(new Named(name, map));
              });
    }
    return entries;
  }

  private static Duration duration(
      YamlMap map, String key, Duration defaultValue, Problems problems) {
    String text = map.string(key);
    if (text == null) {
      return defaultValue;
    }
    Duration duration = Execution.parseDuration(text);
    if (duration == null) {
      problems.add(
          map.location(key),
          "'" + key + "' must be a duration like 90s, 10m or 2h, got '" + text + "'",
          "");
      return defaultValue;
    }
    return duration;
  }

  /** Whether {@code cron}, the value of {@code key}, is a valid Unix cron; if not, reports it. */
  static boolean validCron(YamlMap map, String key, String cron) {
    try {
      ScheduleDef.CRON_PARSER.parse(cron).validate();
      return true;
    } catch (IllegalArgumentException e) {
      map.problems()
          .add(
              map.location(key),
              "Invalid cron expression '" + cron + "': " + e.getMessage(),
              "use five fields: minute hour day-of-month month day-of-week, e.g. \"30 2 * * *\"");
      return false;
    }
  }

  /** The {@code time_zone:} of a mapping, UTC when absent or unknown (reported). */
  static ZoneId timeZone(YamlMap map) {
    String zoneText = map.string("time_zone");
    if (zoneText == null) {
      return ZoneOffset.UTC;
    }
    try {
      return ZoneId.of(zoneText);
    } catch (DateTimeException e) {
      map.problems()
          .add(
              map.location("time_zone"),
              "Unknown time zone '" + zoneText + "'",
              "use a region name such as Europe/Berlin or UTC");
      return ZoneOffset.UTC;
    }
  }

  static List<ScheduleDef> parse(YamlMap config, String file, Problems problems) {
    List<ScheduleDef> schedules = new ArrayList<>();
    for (Named entry :
        named(
            config.list("schedules"),
            file,
            "a schedule",
            KEYS,
            "Schedule",
            "add e.g. 'name: hourly'",
            problems)) {
      YamlMap map = entry.map();
      String name = entry.name();
      String cron = map.requiredString("cron", "add e.g. cron: \"0 * * * *\" (every hour)");
      if (name == null || cron == null) {
        continue;
      }
      if (!validCron(map, "cron", cron)) {
        continue;
      }
      ZoneId zone = timeZone(map);
      ScheduleDef.CatchUp catchUp = ScheduleDef.CatchUp.LATEST;
      String catchUpText = map.string("catch_up");
      if (catchUpText != null) {
        try {
          catchUp = ScheduleDef.CatchUp.valueOf(catchUpText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
          problems.add(
              map.location("catch_up"),
              "Unknown catch_up '" + catchUpText + "'",
              "use skip, latest or all");
        }
      }
      schedules.add(
          new ScheduleDef(name, cron, map.stringList("select"), zone, catchUp, map.location()));
    }
    return schedules;
  }
}
