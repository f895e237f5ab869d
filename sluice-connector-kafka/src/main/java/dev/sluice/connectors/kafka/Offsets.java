package dev.sluice.connectors.kafka;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

/**
 * Offsets per partition as the connector commits them with the data, in {@link
 * dev.sluice.api.connector.StagedData#state()}: one entry per partition, {@code
 * offset.<topic>:<partition>}, whose value is the offset of the next record to load.
 */
final class Offsets {
  private static final String PREFIX = "offset.";

  /**
   * Orders partitions by topic, then number, so that state and messages read the same each time.
   */
  static final Comparator<TopicPartition> ORDER =
      Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

  private Offsets() {}

  /**
   * The offsets of a committed state; entries that are not offsets (there are none today) are
   * ignored.
   *
   * @throws IllegalStateException for an offset entry that cannot be read, naming it
   */
  static Map<TopicPartition, Long> fromState(Map<String, String> state) {
    Map<TopicPartition, Long> offsets = new TreeMap<>(ORDER);
    for (Map.Entry<String, String> entry : state.entrySet()) {
      parseKey(entry.getKey())
          .ifPresent(
              partition -> {
                try {
                  offsets.put(partition, Long.parseLong(entry.getValue()));
                } catch (NumberFormatException e) {
                  throw new IllegalStateException(
                      "The committed offset of "
                          + describe(partition)
                          + " is not a number: '"
                          + entry.getValue()
                          + "'",
                      e);
                }
              });
    }
    return offsets;
  }

  /** The state to commit for these offsets. */
  static Map<String, String> toState(Map<TopicPartition, Long> offsets) {
    Map<String, String> state = new LinkedHashMap<>();
    offsets.entrySet().stream()
        .sorted(Map.Entry.comparingByKey(ORDER))
        .forEach(entry -> state.put(key(entry.getKey()), Long.toString(entry.getValue())));
    return state;
  }

  static String key(TopicPartition partition) {
    return PREFIX + partition.topic() + ":" + partition.partition();
  }

  private static Optional<TopicPartition> parseKey(String key) {
    int colon = key.lastIndexOf(':');
    if (!key.startsWith(PREFIX) || colon <= PREFIX.length()) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new TopicPartition(
              key.substring(PREFIX.length(), colon), Integer.parseInt(key.substring(colon + 1))));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** A partition as messages name it: {@code topic 'orders' partition 3}. */
  static String describe(TopicPartition partition) {
    return "topic '" + partition.topic() + "' partition " + partition.partition();
  }
}
