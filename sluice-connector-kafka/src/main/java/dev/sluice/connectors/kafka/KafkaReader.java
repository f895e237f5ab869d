package dev.sluice.connectors.kafka;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.TransientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads records of a table's topics with a consumer whose partitions are assigned by hand: where
 * each partition starts is decided by the connector from the offsets committed with the table,
 * never by a consumer group. Every failure of the client becomes a Sluice exception that names the
 * source and the bootstrap servers and never quotes a secret.
 */
final class KafkaReader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaReader.class);

  private final KafkaOptions options;
  private final String where;
  private final KafkaConsumer<byte[], byte[]> consumer;

  /**
   * @param source the source's name, for messages
   * @param table the table's name, for the client id
   */
  KafkaReader(KafkaOptions options, String source, String table) {
    this.options = options;
    this.where = "source '" + source + "' (kafka at " + options.bootstrapServers() + ")";
    try {
      this.consumer =
          new KafkaConsumer<>(options.consumerProperties("sluice-" + source + "-" + table));
    } catch (KafkaException e) {
      throw failure("connect to", e);
    }
  }

  /** The partitions of the topics, with their earliest and end offsets now. */
  record Partitions(Map<TopicPartition, Long> beginning, Map<TopicPartition, Long> end) {}

  /**
   * Finds the partitions of the topics and their offsets.
   *
   * @throws InvalidInputException for a topic the cluster does not have
   * @throws TransientException when the brokers do not answer
   */
  Partitions partitions() {
    try {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : options.topics()) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, options.timeout());
        if (infos == null || infos.isEmpty()) {
          throw new InvalidInputException(
              "Topic '"
                  + topic
                  + "' of "
                  + where
                  + " does not exist; check 'topic' (by default the table's name) or create the"
                  + " topic");
        }
        infos.forEach(info -> partitions.add(new TopicPartition(info.topic(), info.partition())));
      }
      Map<TopicPartition, Long> beginning = sorted(consumer.beginningOffsets(partitions));
      Map<TopicPartition, Long> end = sorted(consumer.endOffsets(partitions));
      return new Partitions(beginning, end);
    } catch (KafkaException e) {
      throw failure("read the partitions of " + String.join(", ", options.topics()) + " from", e);
    }
  }

  /**
   * Per partition, the offset of the first record whose timestamp is at or after {@code time}, or
   * {@code fallback}'s offset when there is none.
   */
  Map<TopicPartition, Long> offsetsAt(java.time.Instant time, Map<TopicPartition, Long> fallback) {
    Map<TopicPartition, Long> query = new TreeMap<>(Offsets.ORDER);
    fallback.keySet().forEach(partition -> query.put(partition, time.toEpochMilli()));
    try {
      Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndTimestamp> found =
          consumer.offsetsForTimes(query, options.timeout());
      Map<TopicPartition, Long> offsets = new TreeMap<>(Offsets.ORDER);
      fallback.forEach(
          (partition, offset) -> {
            org.apache.kafka.clients.consumer.OffsetAndTimestamp at = found.get(partition);
            offsets.put(partition, at == null ? offset : at.offset());
          });
      return offsets;
    } catch (KafkaException e) {
      throw failure("find offsets by time in", e);
    }
  }

  /**
   * Reads the records of a plan, at most {@code maxRecords} (0 for no limit), in offset order per
   * partition.
   *
   * @return per partition, the offset of the next record to read (the plan's end for a partition
   *     read to its end, which may lie past the last record: transaction markers and compacted
   *     records have offsets too)
   * @throws TransientException when the brokers stop answering for longer than the timeout
   */
  Map<TopicPartition, Long> read(
      ReadPlan plan, long maxRecords, Consumer<ConsumerRecord<byte[], byte[]>> handler) {
    Map<TopicPartition, Long> next = new TreeMap<>(Offsets.ORDER);
    next.putAll(plan.start());
    Set<TopicPartition> remaining = new HashSet<>();
    plan.start()
        .forEach(
            (partition, start) -> {
              if (start < plan.end().get(partition)) {
                remaining.add(partition);
              }
            });
    if (remaining.isEmpty()) {
      return next;
    }
    long budget = maxRecords > 0 ? maxRecords : Long.MAX_VALUE;
    Duration pollTimeout =
        options.timeout().compareTo(Duration.ofSeconds(1)) < 0
            ? options.timeout()
            : Duration.ofSeconds(1);
    try {
      consumer.assign(remaining);
      remaining.forEach(partition -> consumer.seek(partition, plan.start().get(partition)));
      long lastProgress = System.nanoTime();
      while (!remaining.isEmpty() && budget > 0) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(pollTimeout);
        boolean progress = !records.isEmpty();
        for (TopicPartition partition : records.partitions()) {
          long end = plan.end().get(partition);
          for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
            if (record.offset() >= end || budget == 0) {
              break;
            }
            handler.accept(record);
            next.put(partition, record.offset() + 1);
            budget--;
          }
        }
        if (budget == 0) {
          break;
        }
        // everything polled was handled, so the position is where the partition goes on
        for (TopicPartition partition : List.copyOf(remaining)) {
          long end = plan.end().get(partition);
          long position = consumer.position(partition, options.timeout());
          if (position > next.get(partition)) {
            progress = true;
          }
          if (position >= end) {
            next.put(partition, end);
            remaining.remove(partition);
            consumer.pause(List.of(partition));
          } else {
            next.put(partition, position);
          }
        }
        if (progress) {
          lastProgress = System.nanoTime();
        } else if (Duration.ofNanos(System.nanoTime() - lastProgress).compareTo(options.timeout())
            > 0) {
          TopicPartition stuck = remaining.iterator().next();
          throw new TransientException(
              "Cannot read "
                  + where
                  + ": no records came for "
                  + options.timeout().toSeconds()
                  + "s at offset "
                  + next.get(stuck)
                  + " of "
                  + Offsets.describe(stuck)
                  + ", which ends at "
                  + plan.end().get(stuck)
                  + "; the brokers may be down or overloaded");
        }
      }
      return next;
    } catch (WakeupException e) {
      throw new TransientException("Reading " + where + " was interrupted");
    } catch (KafkaException e) {
      throw failure("read records from", e);
    }
  }

  /**
   * Commits offsets to the consumer group, for monitoring only: failures are logged, not thrown.
   */
  void commitToGroup(Map<TopicPartition, Long> offsets) {
    if (options.groupId() == null || offsets.isEmpty()) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> commit = new TreeMap<>(Offsets.ORDER);
    offsets.forEach((partition, offset) -> commit.put(partition, new OffsetAndMetadata(offset)));
    try {
      consumer.commitSync(commit, options.timeout());
    } catch (KafkaException e) {
      LOG.warn(
          "Cannot commit offsets of {} to consumer group {} (used only for monitoring): {}",
          where,
          options.groupId(),
          options.secrets().redact(e.getMessage()));
    }
  }

  @Override
  public void close() {
    try {
      consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
    } catch (KafkaException e) {
      LOG.debug("Cannot close the consumer of {}: {}", where, e.getMessage());
    }
  }

  private static Map<TopicPartition, Long> sorted(Map<TopicPartition, Long> offsets) {
    Map<TopicPartition, Long> copy = new TreeMap<>(Offsets.ORDER);
    copy.putAll(offsets);
    return copy;
  }

  /**
   * The exception for a failed call of the client: transient for time-outs and retriable errors,
   * else invalid input (a refused login, a missing permission, a bad setting). The client's
   * exception is not kept as the cause: its message could quote a secret.
   */
  private RuntimeException failure(String action, KafkaException e) {
    String cause = options.secrets().redact(e.getMessage());
    if (e instanceof SslAuthenticationException) {
      return new InvalidInputException(
          "Cannot set up TLS with "
              + where
              + ": "
              + cause
              + "; check ssl_truststore_location (it must hold the brokers' certificate authority)"
              + " and that the brokers' certificates name the hosts in bootstrap_servers");
    }
    if (e instanceof AuthenticationException) {
      return new InvalidInputException(
          "Cannot log in to "
              + where
              + (options.securityProtocol().startsWith("SASL")
                  ? " with SASL mechanism " + options.saslMechanism()
                  : "")
              + ": "
              + cause
              + "; check sasl_username, sasl_password and sasl_mechanism");
    }
    if (e instanceof AuthorizationException) {
      return new InvalidInputException(
          "Not allowed to " + action + " " + where + ": " + cause + "; ask for read access");
    }
    if (e instanceof TimeoutException
        || e instanceof RetriableException
        || cause.contains("resolvable")) {
      return new TransientException(
          "Cannot "
              + action
              + " "
              + where
              + ": "
              + cause
              + " (no broker answered within "
              + options.timeout().toMillis()
              + " ms; check that the brokers run and bootstrap_servers is right)");
    }
    return new InvalidInputException("Cannot " + action + " " + where + ": " + cause);
  }
}
