package dev.sluice.connectors.kafka;

import dev.sluice.api.connector.ReplayWindow;
import dev.sluice.api.connector.SourceConnector;
import dev.sluice.api.connector.SourceTableSpec;
import dev.sluice.connector.testkit.ConnectorContractTest;
import dev.sluice.connector.testkit.ConnectorFixture;
import dev.sluice.connectors.kafka.TestKafka.Message;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterAll;

/** The connector contract, kept by the kafka connector on a real in-process Kafka broker. */
class KafkaConnectorContractTest extends ConnectorContractTest {
  @AfterAll
  static void stopKafka() {
    TestKafka.stop();
  }

  @Override
  protected SourceConnector connector() {
    return new KafkaConnector();
  }

  @Override
  protected ConnectorFixture newFixture() {
    return new KafkaFixture(TestKafka.newTopic("contract", 2));
  }

  /**
   * A topic of two partitions of its own, with messages {@code {"id": n, "name": "name-n"}} keyed
   * by id; the table declares {@code id long, name string}. A full read is {@code mode: full}.
   */
  static final class KafkaFixture implements ConnectorFixture {
    private final String topic;

    KafkaFixture(String topic) {
      this.topic = topic;
    }

    @Override
    public void addRows(long fromId, long toId) {
      List<Message> messages = new ArrayList<>();
      for (long id = fromId; id <= toId; id++) {
        messages.add(
            new Message(
                (int) (id % 2),
                Long.toString(id),
                "{\"id\": " + id + ", \"name\": \"name-" + id + "\"}"));
      }
      TestKafka.produce(topic, messages);
    }

    /** A message that is not JSON. */
    @Override
    public void addBadRecord() {
      TestKafka.produce(topic, List.of(new Message(0, "bad", "{\"id\": 999, \"name\": ")));
    }

    @Override
    public SourceTableSpec table(boolean incremental, boolean quarantine) {
      return spec(incremental ? Map.of() : Map.of("mode", "full"), quarantine);
    }

    @Override
    public SourceTableSpec tableWithInvalidOptions() {
      return spec(Map.of("max_records", "0"), false);
    }

    private SourceTableSpec spec(Map<String, String> extra, boolean quarantine) {
      Map<String, String> options = new LinkedHashMap<>();
      options.put("bootstrap_servers", TestKafka.bootstrapServers());
      options.put("topic", topic);
      options.putAll(extra);
      return new SourceTableSpec(
          "shop",
          "items",
          Path.of("."),
          false,
          quarantine,
          options,
          List.of(
              new SourceTableSpec.Column("id", Types.LongType.get()),
              new SourceTableSpec.Column("name", Types.StringType.get())));
    }

    @Override
    public Set<String> addedColumns() {
      return KafkaStaging.RESERVED;
    }

    /** Every record: the window starts long before the test and has no end. */
    @Override
    public ReplayWindow windowCoveringAllRows() {
      return new ReplayWindow("2000-01-01", null);
    }

    @Override
    public void close() {}
  }
}
