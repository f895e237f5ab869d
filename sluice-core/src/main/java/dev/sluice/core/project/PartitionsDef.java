package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How a model's table is split into partitions: at most one time dimension and any number of static
 * dimensions. A partition is one value of every dimension; its key joins the values with {@code |}
 * in the order the dimensions are declared, e.g. {@code 2024-03-01|eu}.
 *
 * @param dimensions the dimensions, in declaration order
 * @param lookback how many of the latest time partitions a run builds again even when they are
 *     materialized (late data); 0 by default
 * @param current whether the time window in progress is a partition too, built again by each run
 *     until it has ended, and a full refresh renders every partition on its own: a dbt microbatch
 *     model's batches (docs/dbt.md); false for Sluice's own partitioned models, whose partitions
 *     are built once their window has ended
 */
public record PartitionsDef(List<Dimension> dimensions, int lookback, boolean current) {
  /** Separates the dimension values in a partition key. */
  public static final String KEY_SEPARATOR = "|";

  public PartitionsDef {
    dimensions = List.copyOf(dimensions);
    if (dimensions.isEmpty()) {
      throw new IllegalArgumentException("A partitioned model has at least one dimension");
    }
    if (lookback < 0) {
      throw new IllegalArgumentException("lookback must not be negative: " + lookback);
    }
  }

  /** Partitions whose windows are built once they have ended. */
  public PartitionsDef(List<Dimension> dimensions, int lookback) {
    this(dimensions, lookback, false);
  }

  /** One dimension: a column of the model's output and its values. */
  public sealed interface Dimension permits TimeDimension, StaticDimension {
    /** The output column the dimension's values are in; also the dimension's name. */
    String column();
  }

  /**
   * Time partitions of a fixed grain from a start date, in a time zone.
   *
   * @param start the first partition starts on this date in {@code zone}
   * @param startTime at this time of that day: midnight, or a whole hour for hourly partitions (a
   *     dbt microbatch model's {@code begin})
   */
  public record TimeDimension(
      String column, TimeGrain grain, LocalDate start, ZoneId zone, LocalTime startTime)
      implements Dimension {
    public TimeDimension {
      requireNonNull(column, "column is null");
      requireNonNull(grain, "grain is null");
      requireNonNull(start, "start is null");
      requireNonNull(zone, "zone is null");
      requireNonNull(startTime, "startTime is null");
      if (!startTime.equals(LocalTime.MIDNIGHT)
          && (grain != TimeGrain.HOUR
              || !startTime.equals(startTime.withMinute(0).withSecond(0).withNano(0)))) {
        throw new IllegalArgumentException(
            "Only hourly partitions start at a time other than midnight, on the hour: "
                + startTime);
      }
    }

    /** Partitions whose first one starts at {@code start}'s midnight. */
    public TimeDimension(String column, TimeGrain grain, LocalDate start, ZoneId zone) {
      this(column, grain, start, zone, LocalTime.MIDNIGHT);
    }

    /** When the first partition starts, in {@code zone}'s local time. */
    public LocalDateTime origin() {
      return start.atTime(startTime);
    }
  }

  /** A fixed set of values, e.g. regions. */
  public record StaticDimension(String column, List<String> values) implements Dimension {
    public StaticDimension {
      requireNonNull(column, "column is null");
      values = List.copyOf(values);
      if (values.isEmpty()) {
        throw new IllegalArgumentException("A static dimension has values");
      }
    }
  }

  /** The time dimension, if the model has one. */
  public Optional<TimeDimension> time() {
    return dimensions.stream()
        .filter(TimeDimension.class::isInstance)
        .map(TimeDimension.class::cast)
        .findFirst();
  }

  /**
   * Every partition whose time window has ended by {@code now} (with {@link #current()}: has
   * started before it), all of them without a time dimension, oldest first, static values in
   * declaration order.
   */
  public List<PartitionKey> complete(Instant now) {
    return between(null, null, now);
  }

  /**
   * The complete partitions whose time window starts in [{@code from}, {@code to}) (null for no
   * bound), times in the partitions' zone; without a time dimension the bounds are ignored.
   */
  public List<PartitionKey> between(
      java.time.LocalDateTime from, java.time.LocalDateTime to, Instant now) {
    List<List<String>> valuesPerDimension = new ArrayList<>();
    for (Dimension dimension : dimensions) {
      if (dimension instanceof TimeDimension time) {
        valuesPerDimension.add(
            time.grain().keys(time.origin(), from, to, now, time.zone(), current));
      } else {
        valuesPerDimension.add(((StaticDimension) dimension).values());
      }
    }
    List<PartitionKey> keys = new ArrayList<>();
    combine(valuesPerDimension, 0, new ArrayList<>(), keys);
    return keys;
  }

  private void combine(
      List<List<String>> values, int index, List<String> prefix, List<PartitionKey> out) {
    if (index == values.size()) {
      out.add(PartitionKey.of(prefix));
      return;
    }
    for (String value : values.get(index)) {
      prefix.add(value);
      combine(values, index + 1, prefix, out);
      prefix.remove(prefix.size() - 1);
    }
  }

  /**
   * Reads a key given by a user (e.g. {@code 2024-03-01|eu}).
   *
   * @return what is wrong with it, or empty when it names a partition of this model
   */
  public Optional<String> problemWith(PartitionKey key) {
    if (key.values().size() != dimensions.size()) {
      return Optional.of(
          "partition '"
              + key
              + "' has "
              + key.values().size()
              + " value(s), the model has "
              + dimensions.size()
              + " dimension(s) ("
              + String.join(KEY_SEPARATOR, columns())
              + ")");
    }
    for (int i = 0; i < dimensions.size(); i++) {
      String value = key.values().get(i);
      Dimension dimension = dimensions.get(i);
      if (dimension instanceof StaticDimension fixed && !fixed.values().contains(value)) {
        return Optional.of(
            "'" + value + "' is not a value of " + fixed.column() + " " + fixed.values());
      }
      if (dimension instanceof TimeDimension time) {
        Optional<String> problem = time.grain().problemWith(value, time.origin());
        if (problem.isPresent()) {
          return problem;
        }
      }
    }
    return Optional.empty();
  }

  /** The dimension columns, in order. */
  public List<String> columns() {
    return dimensions.stream().map(Dimension::column).toList();
  }

  /** The values of a partition by dimension column. */
  public Map<String, String> valuesOf(PartitionKey key) {
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < dimensions.size(); i++) {
      values.put(dimensions.get(i).column(), key.values().get(i));
    }
    return values;
  }
}
