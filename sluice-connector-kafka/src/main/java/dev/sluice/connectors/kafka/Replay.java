package dev.sluice.connectors.kafka;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.connector.LoadState;
import dev.sluice.api.connector.ReplayWindow;
import dev.sluice.api.connector.SourceTableSpec;
import dev.sluice.api.connector.StagedData;
import dev.sluice.api.engine.EngineSession;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads a window of a table's topics again ({@code sluice ingest --replay}). The bounds are record
 * timestamps; per partition the window runs from the first record whose timestamp is at or after
 * {@code from} to the last one before the first record whose timestamp is after {@code to}, and
 * never past the offsets the table has loaded, so that the next ordinary load does not read those
 * records a second time. The rows are merged on {@code _topic}, {@code _partition} and {@code
 * _offset}, which identify a record, so a replay run twice leaves the table as one did; the
 * committed offsets stay as they are.
 */
final class Replay {
  static final String DESCRIPTION =
      "record timestamps, UTC: a date (2026-01-31) or a date and time (2026-01-31T12:00:00Z); or"
          + " offsets, the same in every partition (--from 100 --to 199); only records the table"
          + " has loaded are read again";

  static final List<String> KEYS =
      List.of(KafkaStaging.TOPIC, KafkaStaging.PARTITION, KafkaStaging.OFFSET);

  private Replay() {}

  static StagedData stage(
      SourceTableSpec table,
      KafkaOptions options,
      LoadState state,
      EngineSession session,
      String what) {
    ReplayWindow window = state.replayWindow().orElseThrow();
    boolean byOffset = isOffset(window.from());
    if (window.to() != null && isOffset(window.to()) != byOffset) {
      throw new InvalidInputException(
          "The replay window "
              + window.describe()
              + " of "
              + what
              + " mixes an offset and a timestamp; give two offsets or two timestamps");
    }
    Long fromOffset = byOffset ? Long.parseLong(window.from().strip()) : null;
    Long toOffset = byOffset && window.to() != null ? Long.parseLong(window.to().strip()) : null;
    Instant from = byOffset ? null : parse(window.from(), false, what);
    Instant to = byOffset || window.to() == null ? null : parse(window.to(), true, what);
    if ((to != null && to.isBefore(from)) || (toOffset != null && toOffset < fromOffset)) {
      throw new InvalidInputException(
          "The replay window " + window.describe() + " of " + what + " ends before it starts");
    }
    Map<TopicPartition, Long> loaded = Offsets.fromState(state.state());
    if (loaded.isEmpty()) {
      return StagedData.nothingNew(state.state());
    }
    KafkaStaging staging = new KafkaStaging(table, session, options);
    try (KafkaReader reader = new KafkaReader(options, table.source(), table.table())) {
      KafkaReader.Partitions partitions = reader.partitions();
      Map<TopicPartition, Long> still = new TreeMap<>(Offsets.ORDER);
      loaded.forEach(
          (partition, offset) -> {
            if (partitions.end().containsKey(partition)) {
              still.put(partition, offset);
            }
          });
      Map<TopicPartition, Long> start;
      Map<TopicPartition, Long> end;
      if (byOffset) {
        // the window's offsets in every partition; the end is exclusive, as offsetsAt gives it
        start = new TreeMap<>(Offsets.ORDER);
        end = new TreeMap<>(Offsets.ORDER);
        for (TopicPartition partition : still.keySet()) {
          start.put(partition, fromOffset);
          end.put(partition, toOffset == null ? still.get(partition) : toOffset + 1);
        }
      } else {
        start = reader.offsetsAt(from, still);
        end = to == null ? still : reader.offsetsAt(to.plusMillis(1), still);
      }
      Map<TopicPartition, Long> first = new TreeMap<>(Offsets.ORDER);
      Map<TopicPartition, Long> last = new TreeMap<>(Offsets.ORDER);
      for (Map.Entry<TopicPartition, Long> entry : still.entrySet()) {
        TopicPartition partition = entry.getKey();
        long stop = Math.min(end.get(partition), entry.getValue());
        long begin = Math.max(start.get(partition), partitions.beginning().get(partition));
        first.put(partition, Math.min(begin, stop));
        last.put(partition, stop);
      }
      staging.open();
      reader.read(new ReadPlan(first, last), 0, staging::add);
      long rows = staging.finish();
      KafkaStaging.Rejection rejection = staging.firstRejection();
      if (rejection != null && !table.quarantine()) {
        throw KafkaConnector.malformed(table, rejection);
      }
      staging.close();
      if (rejection == null) {
        staging.dropRejected();
      }
      return StagedData.builder()
          .relation(staging.stagedTable(), rows)
          .rejected(
              rejection == null ? null : staging.rejectedTable(),
              rejection == null ? 0 : rejection.count())
          .state(state.state())
          .write(StagedData.Write.merge(KEYS))
          .build();
    } catch (RuntimeException e) {
      staging.dropAll();
      throw e;
    }
  }

  /** Whether a bound is an offset (a whole number), not a timestamp. */
  private static boolean isOffset(String bound) {
    return bound.strip().matches("[0-9]{1,18}");
  }

  /**
   * A bound: an instant with an offset, a date and time (UTC), or a date (its start, or for the end
   * of a window its last millisecond).
   */
  private static Instant parse(String text, boolean end, String what) {
    String value = text.strip();
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException e) {
      // not with an offset
    }
    try {
      return LocalDateTime.parse(value).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      // not a date and time
    }
    try {
      LocalDate date = LocalDate.parse(value);
      return end
          ? date.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC).minusMillis(1)
          : date.atStartOfDay().toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw new InvalidInputException(
          "Cannot read the replay bound '"
              + text
              + "' of "
              + what
              + ": the kafka connector replays by "
              + DESCRIPTION);
    }
  }
}
