package dev.sluice.core.project;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One partition of a partitioned model: a value per dimension, written {@code 2024-03-01|eu}.
 *
 * @param values the values, in the order of the model's dimensions
 */
public record PartitionKey(List<String> values) implements Comparable<PartitionKey> {
  public PartitionKey {
    values = List.copyOf(values);
  }

  public static PartitionKey of(List<String> values) {
    return new PartitionKey(values);
  }

  /** Reads a key as written by {@link #toString()}. */
  public static PartitionKey parse(String text) {
    List<String> values = new ArrayList<>();
    for (String value : text.split(Pattern.quote(PartitionsDef.KEY_SEPARATOR), -1)) {
      values.add(value.strip());
    }
    return new PartitionKey(values);
  }

  @Override
  public String toString() {
    return String.join(PartitionsDef.KEY_SEPARATOR, values);
  }

  /** Keys of time partitions sort by time because their text does (ISO dates). */
  @Override
  public int compareTo(PartitionKey other) {
    return toString().compareTo(other.toString());
  }
}
