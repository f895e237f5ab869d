package dev.sluice.core.project;

import java.time.DateTimeException;
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

  private ScheduleParser() {}

  static List<ScheduleDef> parse(YamlMap config, String file, Problems problems) {
    List<ScheduleDef> schedules = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (Node node : config.list("schedules")) {
      YamlMap.of(file, node, "a schedule", KEYS, problems)
          .ifPresent(
              map -> {
                String name = map.requiredString("name", "add e.g. 'name: hourly'");
                String cron =
                    map.requiredString("cron", "add e.g. cron: \"0 * * * *\" (every hour)");
                if (name == null || cron == null) {
                  return;
                }
                if (!names.add(name)) {
                  problems.add(
                      map.location("name"), "Schedule '" + name + "' is declared twice", "");
                }
                try {
                  ScheduleDef.CRON_PARSER.parse(cron).validate();
                } catch (IllegalArgumentException e) {
                  problems.add(
                      map.location("cron"),
                      "Invalid cron expression '" + cron + "': " + e.getMessage(),
                      "use five fields: minute hour day-of-month month day-of-week, e.g. \"30 2 * * *\"");
                  return;
                }
                ZoneId zone = ZoneOffset.UTC;
                String zoneText = map.string("time_zone");
                if (zoneText != null) {
                  try {
                    zone = ZoneId.of(zoneText);
                  } catch (DateTimeException e) {
                    problems.add(
                        map.location("time_zone"),
                        "Unknown time zone '" + zoneText + "'",
                        "use a region name such as Europe/Berlin or UTC");
                  }
                }
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
                    new ScheduleDef(
                        name, cron, map.stringList("select"), zone, catchUp, map.location()));
              });
    }
    return schedules;
  }
}
