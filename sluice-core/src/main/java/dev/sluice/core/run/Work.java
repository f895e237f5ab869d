package dev.sluice.core.run;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.project.PartitionKey;
import dev.sluice.core.project.PartitionRange;
import dev.sluice.core.state.StepKey;
import java.util.ArrayList;
import java.util.List;

/**
 * One step of a run: an asset, or some partitions of a partitioned model.
 *
 * @param key the step's identity: its asset and, for partitions, their label
 * @param ranges the partitions it builds; empty for an unpartitioned asset
 * @param replaceAll whether its rows replace the whole table (a full refresh of a partitioned
 *     model) rather than only its partitions
 */
record Work(StepKey key, List<PartitionRange> ranges, boolean replaceAll) {
  /** The label of a full refresh, which builds every complete partition. */
  static final String ALL_PARTITIONS = "*";

  Work {
    requireNonNull(key, "key is null");
    ranges = List.copyOf(ranges);
    if (key.partitioned() == ranges.isEmpty()) {
      throw new IllegalArgumentException(
          "A step of partitions has ranges, a step of a whole asset none: " + key + " " + ranges);
    }
  }

  static Work whole(String asset) {
    return new Work(StepKey.of(asset), List.of(), false);
  }

  static Work partitions(String asset, PartitionRange range) {
    return new Work(StepKey.of(asset, range.label()), List.of(range), false);
  }

  static Work fullRefresh(String asset, List<PartitionRange> ranges) {
    return new Work(StepKey.of(asset, ALL_PARTITIONS), ranges, true);
  }

  /** The asset the step materializes. */
  String asset() {
    return key.asset();
  }

  /** What the run calls the step: the asset, or {@code asset[partitions]}. */
  String id() {
    return key.name();
  }

  boolean partitioned() {
    return !ranges.isEmpty();
  }

  /** What the step's partition is called in the run store, or null. */
  String partitionLabel() {
    return key.partition();
  }

  /** Every partition the step builds. */
  List<PartitionKey> keys() {
    List<PartitionKey> keys = new ArrayList<>();
    ranges.forEach(range -> keys.addAll(range.keys()));
    return keys;
  }
}
