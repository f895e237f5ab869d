package dev.sluice.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.DataException;
import dev.sluice.api.InvalidInputException;
import dev.sluice.api.TransientException;
import dev.sluice.api.connector.LoadState;
import dev.sluice.api.connector.ReplayWindow;
import dev.sluice.api.connector.SourceConnectors;
import dev.sluice.api.connector.SourceTableSpec;
import dev.sluice.api.connector.StagedData;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.connectors.kafka.TestKafka.Message;
import dev.sluice.engine.duckdb.DuckDbEngine;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The kafka connector against a real Kafka broker (see {@link TestKafka}) and real DuckDB. */
class KafkaConnectorTest {
  private static Path spillDirectory;
  private static DuckDbEngine engine;

  private final KafkaConnector connector = new KafkaConnector();
  private EngineSession session;

  @BeforeAll
  static void startEngine() throws IOException {
    spillDirectory = Files.createTempDirectory("sluice-kafka-test-spill");
    engine = DuckDbEngine.start(spillDirectory, "1GB");
  }

  @AfterAll
  static void stopEngine() {
    try {
      engine.close();
    } finally {
      TestKafka.stop();
    }
  }

  @BeforeEach
  void openSession() {
    session = engine.openSession();
  }

  @AfterEach
  void closeSession() {
    session.close();
  }

  @Test
  void isFoundByServiceLoaderAndDescribesItsOptions() {
    assertThat(SourceConnectors.get("kafka")).isInstanceOf(KafkaConnector.class);
    assertThat(connector.options())
        .extracting(option -> option.name())
        .contains("bootstrap_servers", "topic", "starting_offsets", "offset_reset", "max_records")
        .contains("tombstones", "group_id", "sasl_password");
    assertThat(connector.options())
        .filteredOn(option -> option.name().endsWith("password"))
        .allSatisfy(option -> assertThat(option.secret()).isTrue());
  }

  @Test
  void firstLoadReadsEveryRecordWithMetadataAndInferredColumns() {
    String topic = TestKafka.newTopic("orders", 1);
    TestKafka.produce(
        topic,
        List.of(
            new Message(0, "k1", "{\"id\": 1, \"status\": \"new\", \"amount\": 10.5}"),
            new Message(0, "k2", "{\"id\": 2, \"status\": \"paid\", \"amount\": 20}"),
            new Message(0, null, "{\"id\": 3, \"status\": null, \"extra\": {\"a\": [1, 2]}}")));

    StagedData staged = connector.stage(spec(topic, Map.of()), LoadState.empty(), session);

    assertThat(staged.rows()).isEqualTo(3);
    assertThat(staged.rejectedRows()).isZero();
    assertThat(staged.write()).isEqualTo(StagedData.Write.replace());
    assertThat(staged.state()).containsExactly(Map.entry("offset." + topic + ":0", "3"));
    assertThat(
            rows(
                "SELECT id, status, amount, extra.a, _key, _topic, _partition, _offset,"
                    + " _timestamp IS NOT NULL FROM "
                    + staged.relation()
                    + " ORDER BY _offset"))
        .containsExactly(
            List.of("1", "new", "10.5", "null", "k1", topic, "0", "0", "true"),
            List.of("2", "paid", "20.0", "null", "k2", topic, "0", "1", "true"),
            List.of("3", "null", "null", "[1, 2]", "null", topic, "0", "2", "true"));
  }

  @Test
  void laterLoadsReadOnlyNewRecordsAndResumeFromTheCommittedOffsets() {
    String topic = TestKafka.newTopic("events", 1);
    TestKafka.produce(topic, messages(0, 3));
    StagedData first = connector.stage(spec(topic, Map.of()), LoadState.empty(), session);
    assertThat(first.rows()).isEqualTo(3);

    TestKafka.produce(topic, messages(3, 5));
    assertThat(connector.hasNewData(spec(topic, Map.of()), committed(first))).isTrue();
    StagedData second = connector.stage(spec(topic, Map.of()), committed(first), session);
    assertThat(second.rows()).isEqualTo(2);
    assertThat(second.write()).isEqualTo(StagedData.Write.append());
    assertThat(rows("SELECT n FROM " + second.relation() + " ORDER BY n"))
        .containsExactly(List.of("3"), List.of("4"));
    assertThat(second.state()).containsExactly(Map.entry("offset." + topic + ":0", "5"));

    assertThat(connector.hasNewData(spec(topic, Map.of()), committed(second))).isFalse();
    StagedData third = connector.stage(spec(topic, Map.of()), committed(second), session);
    assertThat(third.nothingNew()).isTrue();
    assertThat(third.state()).isEqualTo(second.state());
  }

  @Test
  void maxRecordsBoundsALoadAndTheNextLoadGoesOnFromThere() {
    String topic = TestKafka.newTopic("bounded", 1);
    TestKafka.produce(topic, messages(0, 5));
    SourceTableSpec spec = spec(topic, Map.of("max_records", "2"));
    LoadState state = LoadState.empty();
    List<String> seen = new ArrayList<>();
    for (int load = 0; load < 3; load++) {
      StagedData staged = connector.stage(spec, state, session);
      assertThat(staged.rows()).isLessThanOrEqualTo(2);
      rows("SELECT n FROM " + staged.relation() + " ORDER BY n").forEach(r -> seen.add(r.get(0)));
      state = committed(staged);
    }
    assertThat(seen).containsExactly("0", "1", "2", "3", "4");
    assertThat(connector.stage(spec, state, session).nothingNew()).isTrue();
  }

  @Test
  void aLoadThatIsNotCommittedIsReadAgainAndEachRecordIsLoadedOnce() {
    String topic = TestKafka.newTopic("crash", 2);
    TestKafka.produce(
        topic,
        List.of(
            new Message(0, "a", "{\"n\": 0}"),
            new Message(1, "b", "{\"n\": 1}"),
            new Message(0, "c", "{\"n\": 2}")));
    StagedData first = connector.stage(spec(topic, Map.of()), LoadState.empty(), session);
    LoadState committed = committed(first);
    TestKafka.produce(topic, List.of(new Message(1, "d", "{\"n\": 3}")));

    // staged, then the process dies before Sluice commits: the state stays as it was
    StagedData lost = connector.stage(spec(topic, Map.of()), committed, session);
    assertThat(lost.rows()).isEqualTo(1);
    session.execute("DROP TABLE " + lost.relation());
    TestKafka.produce(topic, List.of(new Message(0, "e", "{\"n\": 4}")));

    StagedData retried = connector.stage(spec(topic, Map.of()), committed, session);
    assertThat(rows("SELECT n, _partition, _offset FROM " + retried.relation() + " ORDER BY n"))
        .containsExactly(List.of("3", "1", "1"), List.of("4", "0", "2"));
    assertThat(retried.state())
        .containsOnly(
            Map.entry("offset." + topic + ":0", "3"), Map.entry("offset." + topic + ":1", "2"));
    assertThat(connector.stage(spec(topic, Map.of()), committed(retried), session).nothingNew())
        .isTrue();
  }

  @Test
  void readsEveryPartitionAndPartitionsAddedLaterFromTheirStart() {
    String topic = TestKafka.newTopic("partitioned", 3);
    TestKafka.produce(
        topic,
        List.of(
            new Message(0, "a", "{\"n\": 0}"),
            new Message(1, "b", "{\"n\": 1}"),
            new Message(2, "c", "{\"n\": 2}"),
            new Message(1, "d", "{\"n\": 3}")));
    StagedData first = connector.stage(spec(topic, Map.of()), LoadState.empty(), session);
    assertThat(rows("SELECT n, _partition, _offset FROM " + first.relation() + " ORDER BY n"))
        .containsExactly(
            List.of("0", "0", "0"),
            List.of("1", "1", "0"),
            List.of("2", "2", "0"),
            List.of("3", "1", "1"));
    assertThat(first.state()).hasSize(3);

    TestKafka.addPartitions(topic, 4);
    TestKafka.produce(
        topic, List.of(new Message(3, "e", "{\"n\": 4}"), new Message(3, "f", "{\"n\": 5}")));
    StagedData second = connector.stage(spec(topic, Map.of()), committed(first), session);
    assertThat(rows("SELECT n, _partition FROM " + second.relation() + " ORDER BY n"))
        .containsExactly(List.of("4", "3"), List.of("5", "3"));
    assertThat(second.state()).containsEntry("offset." + topic + ":3", "2").hasSize(4);
  }

  @Test
  void readsSeveralTopicsIntoOneTable() {
    String first = TestKafka.newTopic("multi-a", 1);
    String second = TestKafka.newTopic("multi-b", 1);
    TestKafka.produce(first, messages(0, 2));
    TestKafka.produce(second, messages(10, 11));
    StagedData staged =
        connector.stage(
            spec(first, Map.of("topic", first + "," + second)), LoadState.empty(), session);
    assertThat(rows("SELECT n, _topic FROM " + staged.relation() + " ORDER BY n"))
        .containsExactly(List.of("0", first), List.of("1", first), List.of("10", second));
    assertThat(staged.state()).hasSize(2);
  }

  @Test
  void badRecordsAreQuarantinedWithTopicPartitionOffsetAndReason() {
    String topic = TestKafka.newTopic("bad", 1);
    TestKafka.produce(
        topic,
        List.of(
            Message.of("{\"id\": 1, \"amount\": 1.5}"),
            Message.of("not json"),
            Message.of("[1, 2]"),
            Message.of("{\"id\": \"abc\", \"amount\": 2}"),
            Message.of("{\"id\": 5, \"amount\": 2.25}")));
    TestKafka.produceBytes(topic, new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, '"', '}'});
    SourceTableSpec spec =
        new SourceTableSpec(
            "shop",
            "payments",
            Path.of("."),
            false,
            true,
            Map.of("bootstrap_servers", TestKafka.bootstrapServers(), "topic", topic),
            List.of(
                new SourceTableSpec.Column("id", Types.IntegerType.get()),
                new SourceTableSpec.Column("amount", Types.DecimalType.of(10, 2))));

    StagedData staged = connector.stage(spec, LoadState.empty(), session);

    assertThat(rows("SELECT id, amount, _offset FROM " + staged.relation() + " ORDER BY id"))
        .containsExactly(List.of("1", "1.50", "0"), List.of("5", "2.25", "4"));
    assertThat(staged.rejectedRows()).isEqualTo(4);
    assertThat(
            rows(
                "SELECT _source_file, _line, _raw_record, _reason FROM "
                    + staged.rejectedRelation()
                    + " ORDER BY _line"))
        .containsExactly(
            List.of(
                "topic '" + topic + "' partition 0",
                "1",
                "not json",
                "topic '"
                    + topic
                    + "' partition 0 offset 1: invalid JSON at line 1, column 4: Unrecognized"
                    + " token 'not': was expecting (JSON String, Number, Array, Object or token"
                    + " 'null', 'true' or 'false')"),
            List.of(
                "topic '" + topic + "' partition 0",
                "2",
                "[1, 2]",
                "topic '"
                    + topic
                    + "' partition 0 offset 2: the value is not a JSON object but an"
                    + " array"),
            List.of(
                "topic '" + topic + "' partition 0",
                "3",
                "{\"id\": \"abc\", \"amount\": 2}",
                "topic '"
                    + topic
                    + "' partition 0 offset 3: column \"id\": \"abc\" is not a valid INTEGER"),
            List.of(
                "topic '" + topic + "' partition 0",
                "5",
                "{\"a\":\"\uFFFD\"}",
                "topic '"
                    + topic
                    + "' partition 0 offset 5: the value is not UTF-8 text, so it cannot be"
                    + " JSON"));
    // the bad records are behind the committed offsets: they are not read again
    assertThat(staged.state()).containsExactly(Map.entry("offset." + topic + ":0", "6"));
  }

  @Test
  void aBadRecordFailsTheLoadNamingTopicPartitionAndOffsetWhenTheTableDoesNotQuarantine() {
    String topic = TestKafka.newTopic("strict", 1);
    TestKafka.produce(
        topic, List.of(Message.of("{\"n\": 1}"), Message.of("{\"n\": oops}"), Message.of("nope")));
    assertThatThrownBy(() -> connector.stage(spec(topic, Map.of()), LoadState.empty(), session))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith(
            "Malformed record in topic '" + topic + "' partition 0 offset 1: invalid JSON")
        .hasMessageContaining("The load found 2 malformed records; this is the first.")
        .hasMessageContaining("set on_error: quarantine on table 'events' in sources/shop.yaml")
        .hasMessageContaining("raw.shop_events__rejected");
    assertThat(rows("SELECT count(*) FROM duckdb_tables() WHERE temporary"))
        .containsExactly(List.of("0"));
  }

  @Test
  void recordsDeletedBeforeTheyWereLoadedFailTheLoadUnlessOffsetResetSaysOtherwise() {
    String topic = TestKafka.newTopic("retention", 1);
    TestKafka.produce(topic, messages(0, 6));
    StagedData first =
        connector.stage(spec(topic, Map.of("max_records", "2")), LoadState.empty(), session);
    TestKafka.deleteRecordsBefore(topic, 0, 4);

    assertThatThrownBy(() -> connector.stage(spec(topic, Map.of()), committed(first), session))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith(
            "Records 2 to 3 of topic '"
                + topic
                + "' partition 0 were deleted (by retention, or by deleting records) before"
                + " source table 'shop.events' loaded them: the partition now starts at offset 4.")
        .hasMessageContaining("Set offset_reset: earliest");

    StagedData earliest =
        connector.stage(spec(topic, Map.of("offset_reset", "earliest")), committed(first), session);
    assertThat(rows("SELECT n FROM " + earliest.relation() + " ORDER BY n"))
        .containsExactly(List.of("4"), List.of("5"));

    StagedData latest =
        connector.stage(spec(topic, Map.of("offset_reset", "latest")), committed(first), session);
    assertThat(latest.rows()).isZero();
    assertThat(latest.state()).containsExactly(Map.entry("offset." + topic + ":0", "6"));
  }

  @Test
  void startingAtTheLatestOffsetsCommitsThemAtTheFirstLoad() {
    String topic = TestKafka.newTopic("latest", 1);
    TestKafka.produce(topic, messages(0, 3));
    SourceTableSpec spec = spec(topic, Map.of("starting_offsets", "latest"));
    assertThat(connector.hasNewData(spec, LoadState.empty())).isFalse();
    StagedData first = connector.stage(spec, LoadState.empty(), session);
    assertThat(first.nothingNew()).isFalse();
    assertThat(first.rows()).isZero();
    assertThat(first.state()).containsExactly(Map.entry("offset." + topic + ":0", "3"));

    TestKafka.produce(topic, messages(3, 4));
    StagedData second = connector.stage(spec, committed(first), session);
    assertThat(rows("SELECT n FROM " + second.relation())).containsExactly(List.of("3"));
  }

  @Test
  void tombstonesAreSkippedOrKeptAsRowsWithTheirKey() {
    String topic = TestKafka.newTopic("compacted", 1);
    TestKafka.produce(
        topic,
        List.of(
            new Message(0, "a", "{\"n\": 1}"),
            new Message(0, "a", null),
            new Message(0, "b", "{\"n\": 2}")));
    StagedData skipped = connector.stage(spec(topic, Map.of()), LoadState.empty(), session);
    assertThat(rows("SELECT n, _key FROM " + skipped.relation() + " ORDER BY _offset"))
        .containsExactly(List.of("1", "a"), List.of("2", "b"));
    assertThat(skipped.state()).containsExactly(Map.entry("offset." + topic + ":0", "3"));

    StagedData kept =
        connector.stage(spec(topic, Map.of("tombstones", "keep")), LoadState.empty(), session);
    assertThat(rows("SELECT n, _key, _offset FROM " + kept.relation() + " ORDER BY _offset"))
        .containsExactly(List.of("1", "a", "0"), List.of("null", "a", "1"), List.of("2", "b", "2"));
  }

  @Test
  void replayReadsAWindowOfTimestampsAgainOnlyUpToTheLoadedOffsets() {
    String topic = TestKafka.newTopic("replay", 1);
    TestKafka.produce(topic, messages(0, 3));
    StagedData loaded = connector.stage(spec(topic, Map.of()), LoadState.empty(), session);
    TestKafka.produce(topic, messages(3, 4));

    StagedData all =
        connector.stage(
            spec(topic, Map.of()),
            committed(loaded).withReplay(new ReplayWindow("2000-01-01", null)),
            session);
    assertThat(rows("SELECT n FROM " + all.relation() + " ORDER BY n"))
        .containsExactly(List.of("0"), List.of("1"), List.of("2"));
    assertThat(all.write())
        .isEqualTo(StagedData.Write.merge(List.of("_topic", "_partition", "_offset")));
    assertThat(all.state()).isEqualTo(loaded.state());

    StagedData none =
        connector.stage(
            spec(topic, Map.of()),
            committed(loaded).withReplay(new ReplayWindow("2000-01-01", "2000-01-02T00:00:00Z")),
            session);
    assertThat(none.rows()).isZero();

    assertThatThrownBy(
            () ->
                connector.stage(
                    spec(topic, Map.of()),
                    committed(loaded).withReplay(new ReplayWindow("yesterday", null)),
                    session))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(
            "Cannot read the replay bound 'yesterday' of source table 'shop.events'")
        .hasMessageContaining("record timestamps");
  }

  @Test
  void replayReadsAWindowOfOffsetsAgainOnlyUpToTheLoadedOffsets() {
    String topic = TestKafka.newTopic("replay-offsets", 1);
    TestKafka.produce(topic, messages(0, 4));
    StagedData loaded = connector.stage(spec(topic, Map.of()), LoadState.empty(), session);
    TestKafka.produce(topic, messages(4, 5));

    StagedData middle =
        connector.stage(
            spec(topic, Map.of()),
            committed(loaded).withReplay(new ReplayWindow("1", "2")),
            session);
    assertThat(rows("SELECT n, _offset FROM " + middle.relation() + " ORDER BY n"))
        .containsExactly(List.of("1", "1"), List.of("2", "2"));
    assertThat(middle.state()).isEqualTo(loaded.state());

    // an open window ends at the loaded offsets: record 4 is left to the next load
    StagedData open =
        connector.stage(
            spec(topic, Map.of()),
            committed(loaded).withReplay(new ReplayWindow("2", null)),
            session);
    assertThat(rows("SELECT n FROM " + open.relation() + " ORDER BY n"))
        .containsExactly(List.of("2"), List.of("3"));

    assertThatThrownBy(
            () ->
                connector.stage(
                    spec(topic, Map.of()),
                    committed(loaded).withReplay(new ReplayWindow("3", "2026-01-01")),
                    session))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("mixes an offset and a timestamp");
  }

  @Test
  void anUnreachableBrokerIsATransientErrorNamingSourceAndServersButNoSecret() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    String password = "s3cret-Kafka-pass";
    Map<String, String> options = new HashMap<>();
    options.put("bootstrap_servers", "127.0.0.1:" + port);
    options.put("timeout", "2s");
    options.put("security_protocol", "sasl_plaintext");
    options.put("sasl_username", "loader");
    options.put("sasl_password", password);
    SourceTableSpec spec =
        new SourceTableSpec("shop", "events", Path.of("."), false, false, options, List.of());

    assertThatThrownBy(() -> connector.stage(spec, LoadState.empty(), session))
        .isInstanceOf(TransientException.class)
        .hasMessageContaining("source 'shop' (kafka at 127.0.0.1:" + port + ")")
        .hasMessageNotContaining(password)
        .satisfies(e -> assertThat(e.getCause()).isNull());
    assertThatThrownBy(() -> connector.hasNewData(spec, LoadState.empty()))
        .isInstanceOf(TransientException.class)
        .hasMessageContaining("127.0.0.1:" + port);
  }

  @Test
  void aMissingTopicIsNamed() {
    assertThatThrownBy(
            () ->
                connector.stage(
                    spec("no-such-topic", Map.of("timeout", "5s")), LoadState.empty(), session))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("Topic 'no-such-topic' of source 'shop'")
        .hasMessageContaining("does not exist");
  }

  @Test
  void optionsThatCannotWorkAreReported() {
    assertThat(
            connector.validate(
                dev.sluice.api.connector.ConnectorOptions.of(
                    connector.options(),
                    Map.of(
                        "bootstrap_servers", "localhost",
                        "security_protocol", "sasl_ssl",
                        "max_records", "0",
                        "topic", "bad topic"),
                    "source table 'shop.events'")))
        .containsExactly(
            "'bootstrap_servers' must be host:port, e.g. broker-1.internal:9092, got 'localhost'",
            "'bad topic' is not a Kafka topic name (letters, digits, '.', '_' and '-', at most"
                + " 249)",
            "'max_records' must be at least 1",
            "security_protocol: sasl_ssl needs 'sasl_username' and 'sasl_password'");
  }

  private static SourceTableSpec spec(String topic, Map<String, String> extra) {
    Map<String, String> options = new HashMap<>(extra);
    options.put("bootstrap_servers", TestKafka.bootstrapServers());
    options.putIfAbsent("topic", topic);
    return new SourceTableSpec("shop", "events", Path.of("."), false, false, options, List.of());
  }

  private static LoadState committed(StagedData staged) {
    return new LoadState(Map.of(), staged.state());
  }

  private static List<Message> messages(int from, int to) {
    List<Message> messages = new ArrayList<>();
    for (int n = from; n < to; n++) {
      messages.add(new Message(0, "key-" + n, "{\"n\": " + n + "}"));
    }
    return messages;
  }

  private List<List<String>> rows(String sql) {
    List<List<String>> rows = new ArrayList<>();
    for (List<Object> row : session.query(sql, 1000).rows()) {
      rows.add(row.stream().map(String::valueOf).toList());
    }
    return rows;
  }
}
