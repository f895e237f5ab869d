package dev.sluice.connectors.kafka;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real Kafka broker in KRaft mode (one combined broker and controller), started in this JVM on a
 * free port, in a temporary directory, at the first use by a test class and stopped by {@link
 * #stop()} after it. Each test uses topics of its own.
 */
final class TestKafka {
  private static final AtomicInteger TOPICS = new AtomicInteger();
  private static KafkaClusterTestKit cluster;

  private TestKafka() {}

  /** The running broker, started at the first call. */
  static synchronized KafkaClusterTestKit cluster() {
    if (cluster == null) {
      try {
        cluster =
            start(SecurityProtocol.PLAINTEXT, Map.of("group.initial.rebalance.delay.ms", "0"));
      } catch (Exception e) {
        throw new IllegalStateException("Cannot start the test Kafka broker: " + e, e);
      }
    }
    return cluster;
  }

  /**
   * Starts a broker of its own for a test class (the one broker setup of this module's tests): one
   * combined broker and controller, replication factors of one, listeners speaking {@code protocol}
   * as the test kit sets them up (PLAINTEXT, or SASL_PLAINTEXT with PLAIN and the test kit's
   * users), with {@code config} on top (a listener map to TLS, say: see {@link #tls}). The caller
   * closes it.
   */
  static KafkaClusterTestKit start(SecurityProtocol protocol, Map<String, String> config)
      throws Exception {
    KafkaClusterTestKit.Builder builder =
        new KafkaClusterTestKit.Builder(
                new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setBrokerSecurityProtocol(protocol)
                    .setControllerSecurityProtocol(protocol)
                    .build())
            .setConfigProp("offsets.topic.replication.factor", "1")
            .setConfigProp("transaction.state.log.replication.factor", "1")
            .setConfigProp("transaction.state.log.min.isr", "1");
    config.forEach(builder::setConfigProp);
    KafkaClusterTestKit started = builder.build();
    try {
      started.format();
      started.startup();
      started.waitForReadyBrokers();
    } catch (Exception e) {
      started.close();
      throw e;
    }
    return started;
  }

  /**
   * The broker settings for TLS with a PKCS12 key store and trust store (both with {@code
   * password}); the listener map that makes a listener speak TLS is the caller's.
   */
  static Map<String, String> tls(Path keystore, Path truststore, String password) {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("ssl.keystore.type", "PKCS12");
    config.put("ssl.keystore.location", keystore.toString());
    config.put("ssl.keystore.password", password);
    config.put("ssl.key.password", password);
    config.put("ssl.truststore.type", "PKCS12");
    config.put("ssl.truststore.location", truststore.toString());
    config.put("ssl.truststore.password", password);
    return config;
  }

  /**
   * Produces {@code count} messages {@code {"n": 0}}, {@code {"n": 1}}, ... to partition 0 of
   * {@code topic}, with the client settings {@code client} (security included).
   */
  static void produceNumbered(Properties client, String topic, int count) throws Exception {
    Properties properties = new Properties();
    properties.putAll(client);
    properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(properties)) {
      for (int n = 0; n < count; n++) {
        producer.send(new ProducerRecord<>(topic, 0, null, bytes("{\"n\": " + n + "}"))).get();
      }
    }
  }

  /**
   * Stops the broker, if it runs; test classes call it after their tests, so that the broker is
   * stopped inside the test run rather than while the JVM exits. The next test starts a new one.
   */
  static synchronized void stop() {
    if (cluster != null) {
      try {
        cluster.close();
      } catch (Exception e) {
        throw new IllegalStateException("Cannot stop the test Kafka broker: " + e, e);
      } finally {
        cluster = null;
      }
    }
  }

  static String bootstrapServers() {
    return cluster().bootstrapServers();
  }

  /** A new topic with a name no other test uses. */
  static String newTopic(String prefix, int partitions) {
    String topic = prefix + "-" + TOPICS.incrementAndGet();
    try (Admin admin = admin()) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
    } catch (InterruptedException | ExecutionException e) {
      throw new IllegalStateException(e);
    }
    return topic;
  }

  static void addPartitions(String topic, int totalPartitions) {
    try (Admin admin = admin()) {
      admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(totalPartitions))).all().get();
    } catch (InterruptedException | ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Deletes the records of a partition before an offset, as retention would. */
  static void deleteRecordsBefore(String topic, int partition, long offset) {
    try (Admin admin = admin()) {
      admin
          .deleteRecords(
              Map.of(new TopicPartition(topic, partition), RecordsToDelete.beforeOffset(offset)))
          .all()
          .get();
    } catch (InterruptedException | ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A message: partition, key and value (null for none). */
  record Message(int partition, String key, String value) {
    static Message of(String value) {
      return new Message(0, null, value);
    }
  }

  /** Produces messages, acknowledged by the broker, in order. */
  static void produce(String topic, List<Message> messages) {
    Properties properties = new Properties();
    properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    properties.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(properties)) {
      for (Message message : messages) {
        producer
            .send(
                new ProducerRecord<>(
                    topic, message.partition(), bytes(message.key()), bytes(message.value())))
            .get();
      }
    } catch (InterruptedException | ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Produces raw bytes as one message's value, to partition 0. */
  static void produceBytes(String topic, byte[] value) {
    Properties properties = new Properties();
    properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(properties)) {
      producer.send(new ProducerRecord<>(topic, 0, null, value)).get();
    } catch (InterruptedException | ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Produces messages of raw bytes (key, value; either may be null) to partition 0, in order. */
  static void produceRecords(String topic, List<byte[][]> messages) {
    Properties properties = new Properties();
    properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(properties)) {
      for (byte[][] message : messages) {
        producer.send(new ProducerRecord<>(topic, 0, message[0], message[1])).get();
      }
    } catch (InterruptedException | ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] bytes(String text) {
    return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
  }

  private static Admin admin() {
    Properties properties = new Properties();
    properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    return Admin.create(properties);
  }
}
