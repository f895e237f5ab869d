package dev.sluice.core.project;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The template variables of a partitioned model's SQL: {@code start} and {@code end} (the time
 * window as the wall-clock time of the dimension's zone: a date such as {@code 2024-03-01}, or
 * {@code 2024-03-01 05:00:00} for hours), {@code start_ts} and {@code end_ts} (the same instants
 * with their offset, for TIMESTAMPTZ columns), and {@code partition} (the values by column, e.g.
 * {@code partition.region}).
 */
public final class PartitionVariables {
  private static final DateTimeFormatter LOCAL =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);
  private static final DateTimeFormatter WITH_OFFSET =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ssxxx", Locale.ROOT);

  private PartitionVariables() {}

  /** The variables for building {@code range}. */
  public static Map<String, Object> of(PartitionRange range) {
    Map<String, Object> variables = new LinkedHashMap<>();
    boolean hourly =
        range.partitions().time().map(time -> time.grain() == TimeGrain.HOUR).orElse(false);
    range.start().ifPresent(start -> putBound(variables, "start", start, hourly));
    range.end().ifPresent(end -> putBound(variables, "end", end, hourly));
    Map<String, Object> values = new LinkedHashMap<>(range.partitions().valuesOf(range.first()));
    variables.put("partition", values);
    variables.put("partition_key", range.label());
    return variables;
  }

  /** A bound of the range as {@code name} (local, as its grain writes it) and {@code name_ts}. */
  private static void putBound(
      Map<String, Object> variables, String name, ZonedDateTime bound, boolean hourly) {
    variables.put(name, local(bound, hourly));
    variables.put(name + "_ts", bound.format(WITH_OFFSET));
  }

  /** Values for rendering at load time, when no partition is being built: the first one's. */
  static Map<String, Object> placeholders(PartitionsDef partitions) {
    java.util.List<String> first = new java.util.ArrayList<>();
    for (PartitionsDef.Dimension dimension : partitions.dimensions()) {
      if (dimension instanceof PartitionsDef.TimeDimension time) {
        first.add(time.grain().keyOf(time.origin()));
      } else {
        first.add(((PartitionsDef.StaticDimension) dimension).values().get(0));
      }
    }
    return of(PartitionRange.of(partitions, PartitionKey.of(first)));
  }

  /** Values for rendering a model whose partitions could not be read. */
  static Map<String, Object> generic() {
    Map<String, Object> variables = new LinkedHashMap<>();
    variables.put("start", "1970-01-01");
    variables.put("start_ts", "1970-01-01 00:00:00+00:00");
    variables.put("end", "1970-01-02");
    variables.put("end_ts", "1970-01-02 00:00:00+00:00");
    variables.put("partition", new LinkedHashMap<String, Object>());
    variables.put("partition_key", "");
    return variables;
  }

  private static String local(ZonedDateTime moment, boolean hourly) {
    return hourly ? moment.toLocalDateTime().format(LOCAL) : moment.toLocalDate().toString();
  }
}
