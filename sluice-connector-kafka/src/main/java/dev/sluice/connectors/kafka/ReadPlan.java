package dev.sluice.connectors.kafka;

import dev.sluice.api.DataException;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which offsets of each partition one load reads: from the offset committed with the table (or, for
 * a partition the table has not read, from where {@code starting_offsets} says) up to the end
 * offset seen when the load starts. Records produced meanwhile are left to the next load, so a load
 * is bounded and reads the same records when it is run again after a crash.
 *
 * @param start per partition, the first offset to read
 * @param end per partition, the offset to stop before
 */
record ReadPlan(Map<TopicPartition, Long> start, Map<TopicPartition, Long> end) {
  private static final Logger LOG = LoggerFactory.getLogger(ReadPlan.class);

  ReadPlan {
    start = sorted(start);
    end = sorted(end);
  }

  private static Map<TopicPartition, Long> sorted(Map<TopicPartition, Long> offsets) {
    Map<TopicPartition, Long> copy = new TreeMap<>(Offsets.ORDER);
    copy.putAll(offsets);
    return Collections.unmodifiableMap(copy);
  }

  /**
   * Plans a load.
   *
   * @param beginning per partition of the topics, the earliest offset the broker still has
   * @param ends per partition, the end offset now (the last stable offset with read_committed)
   * @param committed per partition, the next offset to load as committed with the table; empty
   *     before the first load
   * @param where the source table, for messages
   * @throws DataException when a committed offset is no longer in its partition and {@code
   *     offset_reset} is {@code fail}
   */
  static ReadPlan of(
      Map<TopicPartition, Long> beginning,
      Map<TopicPartition, Long> ends,
      Map<TopicPartition, Long> committed,
      KafkaOptions options,
      String where) {
    Map<TopicPartition, Long> start = new TreeMap<>(Offsets.ORDER);
    Map<TopicPartition, Long> end = new TreeMap<>(Offsets.ORDER);
    boolean firstLoad = committed.isEmpty();
    for (Map.Entry<TopicPartition, Long> entry : ends.entrySet()) {
      TopicPartition partition = entry.getKey();
      long last = entry.getValue();
      long first = beginning.getOrDefault(partition, 0L);
      Long next = committed.get(partition);
      long from;
      if (next == null) {
        // a partition the table has not read: all of it is new, unless this is the first load
        // and the table starts at the latest records
        boolean latest = !options.full() && options.startingOffsets().equals("latest");
        from = firstLoad && latest ? last : first;
      } else if (next < first || next > last) {
        from = reset(partition, next, first, last, options, where);
      } else {
        from = next;
      }
      start.put(partition, from);
      end.put(partition, last);
    }
    return new ReadPlan(start, end);
  }

  private static long reset(
      TopicPartition partition,
      long next,
      long first,
      long last,
      KafkaOptions options,
      String where) {
    String what =
        next < first
            ? "records "
                + next
                + " to "
                + (first - 1)
                + " of "
                + Offsets.describe(partition)
                + " were deleted (by retention, or by deleting records) before "
                + where
                + " loaded them: the partition now starts at offset "
                + first
            : Offsets.describe(partition)
                + " ends at offset "
                + last
                + ", before offset "
                + next
                + " that "
                + where
                + " loaded up to: the topic was probably deleted and created again";
    return switch (options.offsetReset()) {
      case "earliest" -> {
        LOG.warn("{}; offset_reset: earliest reads from offset {}", capitalize(what), first);
        yield first;
      }
      case "latest" -> {
        LOG.warn("{}; offset_reset: latest reads from offset {}", capitalize(what), last);
        yield last;
      }
      default ->
          throw new DataException(
              capitalize(what)
                  + ". Set offset_reset: earliest (read from the oldest record the partition"
                  + " has) or latest (read only new records) in the table's options to go on,"
                  + " accepting that the missing records are not loaded; or run with"
                  + " --full-refresh to reload the table from what the topic retains");
    };
  }

  private static String capitalize(String text) {
    return Character.toUpperCase(text.charAt(0)) + text.substring(1);
  }

  /** Whether any partition has records to read. */
  boolean hasRecords() {
    return start.entrySet().stream().anyMatch(e -> e.getValue() < end.get(e.getKey()));
  }
}
