package dev.sluice.core.run;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.project.PartitionKey;
import dev.sluice.core.project.PartitionRange;
import java.util.ArrayList;
import java.util.List;

/**
 * One step of a run: an asset, or some partitions of a partitioned model.
 *
 * @param id the step's name in the run: the asset, or {@code asset[partitions]}
 * @param ranges the partitions it builds; empty for an unpartitioned asset
 * @param replaceAll whether its rows replace the whole table (a full refresh of a partitioned
 *     model) rather than only its partitions
 */
record Work(String id, String asset, List<PartitionRange> ranges, boolean replaceAll) {
  /** The label of a full refresh, which builds every complete partition. */
  static final String ALL_PARTITIONS = "*";

  Work {
    requireNonNull(id, "id is null");
    requireNonNull(asset, "asset is null");
    ranges = List.copyOf(ranges);
  }

  static Work whole(String asset) {
    return new Work(asset, asset, List.of(), false);
  }

  static Work partitions(String asset, PartitionRange range) {
    return new Work(asset + "[" + range.label() + "]", asset, List.of(range), false);
  }

  static Work fullRefresh(String asset, List<PartitionRange> ranges) {
    return new Work(asset + "[" + ALL_PARTITIONS + "]", asset, ranges, true);
  }

  boolean partitioned() {
    return !ranges.isEmpty();
  }

  /** What the step's partition is called in the run store, or null. */
  String partitionLabel() {
    if (!partitioned()) {
      return null;
    }
    return replaceAll ? ALL_PARTITIONS : ranges.get(0).label();
  }

  /** Every partition the step builds. */
  List<PartitionKey> keys() {
    List<PartitionKey> keys = new ArrayList<>();
    ranges.forEach(range -> keys.addAll(range.keys()));
    return keys;
  }

  /** The asset of a step name. */
  static String assetOf(String id) {
    int bracket = id.indexOf('[');
    return bracket < 0 ? id : id.substring(0, bracket);
  }

  /** The partition label of a step name, or null. */
  static String labelOf(String id) {
    int bracket = id.indexOf('[');
    return bracket < 0 || !id.endsWith("]") ? null : id.substring(bracket + 1, id.length() - 1);
  }
}
