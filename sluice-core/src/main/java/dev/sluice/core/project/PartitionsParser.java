package dev.sluice.core.project;

import dev.sluice.api.TableName;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a model's {@code partitions:} list: one time dimension ({@code column}, {@code grain},
 * {@code start}, optional {@code time_zone} and {@code lookback}) and static ones ({@code column},
 * {@code values}).
 */
final class PartitionsParser {
  private static final Set<String> KEYS =
      Set.of("column", "grain", "start", "time_zone", "lookback", "values");
  private static final List<String> GRAINS = List.of("hour", "day", "week", "month", "year");

  private PartitionsParser() {}

  /** The partitions of a model's properties, or null when it declares none or they are wrong. */
  static PartitionsDef parse(YamlMap model, String what) {
    if (!model.has("partitions")) {
      return null;
    }
    List<PartitionsDef.Dimension> dimensions = new ArrayList<>();
    Set<String> columns = new HashSet<>();
    int lookback = 0;
    boolean valid = true;
    List<Node> items = model.list("partitions");
    if (items.isEmpty()) {
      model
          .problems()
          .add(
              model.location("partitions"),
              "'partitions' of " + what + " lists no dimension",
              "write e.g. partitions: [{column: order_date, grain: day, start: 2024-01-01}]");
      return null;
    }
    for (Node item : items) {
      Optional<YamlMap> maybe =
          YamlMap.of(model.file(), item, "a partition dimension", KEYS, model.problems());
      if (maybe.isEmpty()) {
        valid = false;
        continue;
      }
      YamlMap map = maybe.get();
      String column =
          map.requiredString("column", "name the output column, e.g. 'column: order_date'");
      if (column == null) {
        valid = false;
        continue;
      }
      if (!TableName.isIdentifier(column)) {
        map.problems()
            .add(
                map.location("column"),
                "Invalid partition column '" + column + "'",
                "use a column name of the model's output: letters, digits and '_'");
        valid = false;
      }
      if (!columns.add(column)) {
        map.problems()
            .add(
                map.location("column"),
                "Column '" + column + "' is partitioned twice in " + what,
                "remove one of the dimensions");
        valid = false;
      }
      if (map.has("values")) {
        Optional<PartitionsDef.Dimension> fixed = staticDimension(map, column);
        valid &= fixed.isPresent();
        fixed.ifPresent(dimensions::add);
      } else {
        Optional<PartitionsDef.TimeDimension> time = timeDimension(map, column);
        valid &= time.isPresent();
        if (time.isPresent()) {
          if (dimensions.stream().anyMatch(PartitionsDef.TimeDimension.class::isInstance)) {
            map.problems()
                .add(
                    map.location(),
                    what + " has two time dimensions",
                    "partition by one time column; other dimensions take 'values: [...]'");
            valid = false;
          }
          dimensions.add(time.get());
          lookback = map.integer("lookback", 0);
          if (lookback < 0) {
            map.problems()
                .add(
                    map.location("lookback"),
                    "'lookback' must not be negative",
                    "write how many of the latest partitions each run rebuilds, e.g. lookback: 2");
            valid = false;
          }
        }
      }
    }
    return valid && !dimensions.isEmpty() ? new PartitionsDef(dimensions, lookback) : null;
  }

  private static Optional<PartitionsDef.Dimension> staticDimension(YamlMap map, String column) {
    for (String key : List.of("grain", "start", "time_zone", "lookback")) {
      if (map.has(key)) {
        map.problems()
            .add(
                map.location(key),
                "'" + key + "' is for time dimensions, but '" + column + "' lists values",
                "remove '" + key + "' or 'values'");
        return Optional.empty();
      }
    }
    List<String> values = map.stringList("values");
    if (values.isEmpty()) {
      map.problems()
          .add(map.location("values"), "'values' of '" + column + "' is empty", "list them");
      return Optional.empty();
    }
    Set<String> seen = new HashSet<>();
    for (String value : values) {
      if (value.isEmpty() || value.contains(PartitionsDef.KEY_SEPARATOR)) {
        map.problems()
            .add(
                map.location("values"),
                "Partition value '" + value + "' of '" + column + "' is empty or contains '|'",
                "'|' separates the values of a partition key; choose other values");
        return Optional.empty();
      }
      if (!seen.add(value)) {
        map.problems()
            .add(
                map.location("values"),
                "Value '" + value + "' is listed twice for '" + column + "'",
                "remove one");
        return Optional.empty();
      }
    }
    return Optional.of(new PartitionsDef.StaticDimension(column, values));
  }

  private static Optional<PartitionsDef.TimeDimension> timeDimension(YamlMap map, String column) {
    String grainText =
        map.requiredString(
            "grain",
            "a time dimension needs 'grain: hour|day|week|month|year' (or 'values: [...]')");
    String startText = map.requiredString("start", "write the first day, e.g. start: 2024-01-01");
    if (grainText == null || startText == null) {
      return Optional.empty();
    }
    Optional<TimeGrain> grain = TimeGrain.fromName(grainText);
    if (grain.isEmpty()) {
      map.problems()
          .add(
              map.location("grain"),
              "Unknown grain '" + grainText + "'",
              Suggestions.hint(grainText, GRAINS, "grains"));
      return Optional.empty();
    }
    LocalDate start;
    try {
      start = LocalDate.parse(startText.strip());
    } catch (DateTimeParseException e) {
      map.problems()
          .add(
              map.location("start"),
              "'start' must be a date, got '" + startText + "'",
              "write it as YYYY-MM-DD, e.g. start: 2024-01-01");
      return Optional.empty();
    }
    if (grain.get() == TimeGrain.MONTH && start.getDayOfMonth() != 1) {
      map.problems()
          .add(
              map.location("start"),
              "Monthly partitions start on the first of a month, got " + start,
              "write start: " + start.withDayOfMonth(1));
      return Optional.empty();
    }
    if (grain.get() == TimeGrain.YEAR && start.getDayOfYear() != 1) {
      map.problems()
          .add(
              map.location("start"),
              "Yearly partitions start on the first of January, got " + start,
              "write start: " + start.withDayOfYear(1));
      return Optional.empty();
    }
    ZoneId zone = ZoneId.of("UTC");
    String zoneText = map.string("time_zone");
    if (zoneText != null) {
      try {
        zone = ZoneId.of(zoneText.strip());
      } catch (DateTimeException e) {
        map.problems()
            .add(
                map.location("time_zone"),
                "Unknown time zone '" + zoneText + "'",
                "use an IANA name such as Europe/Paris or UTC");
        return Optional.empty();
      }
    }
    return Optional.of(new PartitionsDef.TimeDimension(column, grain.get(), start, zone));
  }
}
