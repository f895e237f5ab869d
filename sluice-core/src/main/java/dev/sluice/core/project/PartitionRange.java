package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one step of a partitioned model builds: one partition, or several consecutive time
 * partitions with the same static values (a backfill batch), replaced in one commit.
 *
 * @param keys the partitions, oldest first
 */
public record PartitionRange(PartitionsDef partitions, List<PartitionKey> keys) {
  public PartitionRange {
    requireNonNull(partitions, "partitions is null");
    keys = List.copyOf(keys);
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("A partition range has at least one partition");
    }
  }

  public static PartitionRange of(PartitionsDef partitions, PartitionKey key) {
    return new PartitionRange(partitions, List.of(key));
  }

  /**
   * Groups partitions into ranges of at most {@code batchSize} consecutive time partitions that
   * share their static values; without a time dimension every partition is its own range.
   */
  public static List<PartitionRange> batches(
      PartitionsDef partitions, List<PartitionKey> keys, int batchSize) {
    List<PartitionRange> ranges = new ArrayList<>();
    Optional<PartitionsDef.TimeDimension> time = partitions.time();
    if (time.isEmpty() || batchSize <= 1) {
      keys.forEach(key -> ranges.add(of(partitions, key)));
      return ranges;
    }
    int timeIndex = partitions.dimensions().indexOf(time.get());
    TimeGrain grain = time.get().grain();
    Map<List<String>, List<PartitionKey>> byStatic = new LinkedHashMap<>();
    for (PartitionKey key : keys) {
      List<String> statics = new ArrayList<>(key.values());
      statics.remove(timeIndex);
      byStatic.computeIfAbsent(statics, ignored -> new ArrayList<>()).add(key);
    }
    for (List<PartitionKey> group : byStatic.values()) {
      List<PartitionKey> batch = new ArrayList<>();
      for (PartitionKey key : group) {
        boolean adjacent =
            !batch.isEmpty()
                && grain
                    .next(grain.startOf(batch.get(batch.size() - 1).values().get(timeIndex)))
                    .equals(grain.startOf(key.values().get(timeIndex)));
        if (!batch.isEmpty() && (batch.size() == batchSize || !adjacent)) {
          ranges.add(new PartitionRange(partitions, batch));
          batch = new ArrayList<>();
        }
        batch.add(key);
      }
      if (!batch.isEmpty()) {
        ranges.add(new PartitionRange(partitions, batch));
      }
    }
    return ranges;
  }

  public PartitionKey first() {
    return keys.get(0);
  }

  public PartitionKey last() {
    return keys.get(keys.size() - 1);
  }

  /** {@code 2024-03-01|eu}, or {@code 2024-03-01..2024-03-07|eu} for a batch. */
  public String label() {
    if (keys.size() == 1) {
      return first().toString();
    }
    int timeIndex = timeIndex();
    List<String> values = new ArrayList<>(first().values());
    values.set(timeIndex, values.get(timeIndex) + ".." + last().values().get(timeIndex));
    return String.join(PartitionsDef.KEY_SEPARATOR, values);
  }

  /** Reads a label written by {@link #label()} back into its partitions. */
  public static PartitionRange parseLabel(PartitionsDef partitions, String label) {
    PartitionKey key = PartitionKey.parse(label);
    Optional<PartitionsDef.TimeDimension> time = partitions.time();
    if (time.isEmpty() || !label.contains("..")) {
      return of(partitions, key);
    }
    int timeIndex = partitions.dimensions().indexOf(time.get());
    String[] bounds = key.values().get(timeIndex).split("\\.\\.", 2);
    TimeGrain grain = time.get().grain();
    List<PartitionKey> keys = new ArrayList<>();
    for (var start = grain.startOf(bounds[0]);
        !start.isAfter(grain.startOf(bounds[1]));
        start = grain.next(start)) {
      List<String> values = new ArrayList<>(key.values());
      values.set(timeIndex, grain.keyOf(start));
      keys.add(PartitionKey.of(values));
    }
    return new PartitionRange(partitions, keys);
  }

  /** The start of the time window in its time zone; empty without a time dimension. */
  public Optional<ZonedDateTime> start() {
    return partitions
        .time()
        .map(
            time ->
                ZonedDateTime.of(
                    time.grain().startOf(first().values().get(timeIndex())), time.zone()));
  }

  /** The end (exclusive) of the time window; empty without a time dimension. */
  public Optional<ZonedDateTime> end() {
    return partitions
        .time()
        .map(
            time ->
                ZonedDateTime.of(
                    time.grain().next(time.grain().startOf(last().values().get(timeIndex()))),
                    time.zone()));
  }

  /** The static dimensions' values (the same for every partition of the range), by column. */
  public Map<String, String> staticValues() {
    Map<String, String> values = new LinkedHashMap<>(partitions.valuesOf(first()));
    partitions.time().ifPresent(time -> values.remove(time.column()));
    return values;
  }

  private int timeIndex() {
    return partitions.time().map(time -> partitions.dimensions().indexOf(time)).orElse(-1);
  }
}
