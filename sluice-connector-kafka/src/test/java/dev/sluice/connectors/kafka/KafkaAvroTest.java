package dev.sluice.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.DataException;
import dev.sluice.api.InvalidInputException;
import dev.sluice.api.TransientException;
import dev.sluice.api.connector.ConnectorOptions;
import dev.sluice.api.connector.LoadState;
import dev.sluice.api.connector.ReplayWindow;
import dev.sluice.api.connector.SourceTableSpec;
import dev.sluice.api.connector.StagedData;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.core.Workspace;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import dev.sluice.core.run.StepResult;
import dev.sluice.engine.duckdb.DuckDbEngine;
import dev.sluice.lake.ReadPoint;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Avro messages from a real Kafka broker (in-process KRaft): in the Confluent wire format with
 * schemas from a schema registry, and as plain Avro binary with a schema file.
 *
 * <p>The registry is {@link TestSchemaRegistry}, a small HTTP server started by the test that
 * serves the Confluent REST API's {@code GET /schemas/ids/{id}}: the registry's protocol, not a
 * real registry (none can be started in-process from Maven Central on Java 17).
 */
class KafkaAvroTest {
  private static final String PASSWORD = "registry-Secret-9031";
  private static final Schema ORDER =
      new Schema.Parser()
          .parse(
              """
              {"type": "record", "name": "Order", "namespace": "shop", "fields": [
                {"name": "id", "type": "long"},
                {"name": "amount",
                 "type": {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2}},
                {"name": "day", "type": {"type": "int", "logicalType": "date"}},
                {"name": "placed_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
                {"name": "shipped_at", "default": null,
                 "type": ["null", {"type": "long", "logicalType": "timestamp-micros"}]},
                {"name": "uid", "type": {"type": "string", "logicalType": "uuid"}},
                {"name": "status",
                 "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID"]}},
                {"name": "tags", "type": {"type": "array", "items": "string"}},
                {"name": "counts", "type": {"type": "map", "values": "long"}},
                {"name": "address", "type": {"type": "record", "name": "Address", "fields": [
                  {"name": "city", "type": "string"},
                  {"name": "zip", "type": ["null", "string"], "default": null}]}},
                {"name": "payload", "type": "bytes"},
                {"name": "note", "type": ["null", "string"], "default": null}
              ]}
              """);
  private static final Schema KEY =
      new Schema.Parser()
          .parse(
              """
              {"type": "record", "name": "OrderKey", "namespace": "shop",
               "fields": [{"name": "id", "type": "long"}]}
              """);
  private static final Schema SMALL_V1 =
      new Schema.Parser()
          .parse(
              """
              {"type": "record", "name": "Small", "fields": [{"name": "id", "type": "long"}]}
              """);

  private static DuckDbEngine engine;
  private static TestSchemaRegistry registry;

  @TempDir Path project;
  private EngineSession session;
  private final KafkaConnector connector = new KafkaConnector();

  @BeforeAll
  static void start() throws IOException {
    engine = DuckDbEngine.start(Files.createTempDirectory("sluice-kafka-avro-spill"), "1GB");
    registry = new TestSchemaRegistry(null, null);
  }

  @AfterAll
  static void stop() {
    registry.close();
    engine.close();
    TestKafka.stop();
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
  void registryMessagesBecomeTypedColumnsWithAvroKeys() {
    String topic = TestKafka.newTopic("avro-orders", 1);
    int valueId = registry.register(ORDER);
    int keyId = registry.register(KEY);
    TestKafka.produceRecords(
        topic,
        List.<byte[][]>of(
            new byte[][] {
              TestSchemaRegistry.wire(keyId, KEY, key(1)),
              TestSchemaRegistry.wire(valueId, ORDER, order(1, "1234.50", "zip-1", "first"))
            },
            new byte[][] {
              TestSchemaRegistry.wire(keyId, KEY, key(2)),
              TestSchemaRegistry.wire(valueId, ORDER, order(2, "-0.07", null, null))
            }));
    int lookupsBefore = registry.lookups();

    StagedData staged = connector.stage(spec(topic, registryOptions()), LoadState.empty(), session);

    assertThat(staged.rows()).isEqualTo(2);
    assertThat(staged.rejectedRows()).isZero();
    // two messages of each schema, one lookup each: schemas are cached by id
    assertThat(registry.lookups() - lookupsBefore).isEqualTo(2);
    Map<String, String> types = new LinkedHashMap<>();
    session
        .query("DESCRIBE " + staged.relation(), 100)
        .rows()
        .forEach(row -> types.put((String) row.get(0), (String) row.get(1)));
    assertThat(types)
        .containsEntry("id", "BIGINT")
        .containsEntry("amount", "DECIMAL(12,2)")
        .containsEntry("day", "DATE")
        .containsEntry("placed_at", "TIMESTAMP WITH TIME ZONE")
        .containsEntry("shipped_at", "TIMESTAMP WITH TIME ZONE")
        .containsEntry("uid", "VARCHAR")
        .containsEntry("status", "VARCHAR")
        .containsEntry("tags", "VARCHAR[]")
        .containsEntry("counts", "MAP(VARCHAR, BIGINT)")
        .containsEntry("address", "STRUCT(city VARCHAR, zip VARCHAR)")
        .containsEntry("payload", "BLOB")
        .containsEntry("note", "VARCHAR")
        .containsEntry("_key", "VARCHAR");
    assertThat(
            rows(
                "SELECT id, CAST(amount AS VARCHAR), CAST(day AS VARCHAR), epoch_ms(placed_at),"
                    + " epoch_us(shipped_at), uid, status, CAST(tags AS VARCHAR), counts['b'],"
                    + " address.city, address.zip, hex(payload), note, _key FROM "
                    + staged.relation()
                    + " ORDER BY _offset"))
        .containsExactly(
            List.of(
                "1",
                "1234.50",
                "2024-02-29",
                "1709210096789",
                "1709210096789123",
                "6f1c1c1e-0000-4000-8000-000000000001",
                "PAID",
                "[red, blue]",
                "2",
                "Lyon",
                "zip-1",
                "00FF01",
                "first",
                "{\"id\":1}"),
            Arrays.asList(
                "2",
                "-0.07",
                "2024-02-29",
                "1709210096789",
                null,
                "6f1c1c1e-0000-4000-8000-000000000002",
                "PAID",
                "[red, blue]",
                "2",
                "Lyon",
                null,
                "00FF01",
                null,
                "{\"id\":2}"));
  }

  @Test
  void undecodableMessagesAreQuarantinedWithReasonPartitionAndOffset() {
    String topic = TestKafka.newTopic("avro-bad", 1);
    int id = registry.register(SMALL_V1);
    byte[] good = TestSchemaRegistry.wire(id, SMALL_V1, small(SMALL_V1, 1, null));
    int orderId = registry.register(ORDER);
    // the header and the first few bytes of the datum
    byte[] truncated =
        Arrays.copyOf(TestSchemaRegistry.wire(orderId, ORDER, order(9, "1.00", null, null)), 12);
    TestKafka.produceRecords(
        topic,
        List.<byte[][]>of(
            new byte[][] {null, good},
            new byte[][] {null, "{\"id\": 2}".getBytes(StandardCharsets.UTF_8)},
            new byte[][] {null, ByteBuffer.allocate(6).put((byte) 0).putInt(9999).array()},
            new byte[][] {null, truncated},
            new byte[][] {null, new byte[] {0, 0, 1}},
            new byte[][] {null, good}));

    StagedData staged =
        connector.stage(spec(topic, registryOptions(), true), LoadState.empty(), session);

    assertThat(staged.rows()).isEqualTo(2);
    assertThat(staged.rejectedRows()).isEqualTo(4);
    String at = "topic '" + topic + "' partition 0 offset ";
    assertThat(rows("SELECT _line, _reason FROM " + staged.rejectedRelation() + " ORDER BY _line"))
        .containsExactly(
            List.of(
                "1",
                at
                    + "1: the first byte is 123, not the Confluent wire format's magic byte 0; was"
                    + " the message written without the schema registry's serializer?"),
            List.of(
                "2", at + "2: schema id 9999 is not in the schema registry at " + registry.url()),
            List.of(
                "3",
                at
                    + "3: truncated: the Avro datum of schema id "
                    + orderId
                    + " ends before its last field"),
            List.of(
                "4",
                at
                    + "4: truncated: 3 bytes, fewer than the Confluent wire format's 5-byte header"
                    + " (magic byte 0 and a 4-byte schema id)"));
    assertThat(rows("SELECT _raw_record FROM " + staged.rejectedRelation() + " WHERE _line = 1"))
        .containsExactly(List.of("base64:eyJpZCI6IDJ9"));

    // without quarantine, the load fails naming the first, and stages nothing
    assertThatThrownBy(
            () ->
                connector.stage(spec(topic, registryOptions(), false), LoadState.empty(), session))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith("Malformed record in " + at + "1: the first byte is 123")
        .hasMessageContaining("The load found 4 malformed records");
  }

  @Test
  void anUnreachableRegistryFailsTheLoadNamingItsUrlButNotThePassword() throws IOException {
    String topic = TestKafka.newTopic("avro-down", 1);
    TestKafka.produceRecords(
        topic,
        List.<byte[][]>of(
            new byte[][] {null, TestSchemaRegistry.wire(1, SMALL_V1, small(SMALL_V1, 1, null))}));
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Map<String, String> options = new HashMap<>();
    options.put("format", "avro");
    options.put("schema_registry_url", "http://127.0.0.1:" + port + "/registry");
    options.put("schema_registry_username", "loader");
    options.put("schema_registry_password", PASSWORD);

    assertThatThrownBy(() -> connector.stage(spec(topic, options), LoadState.empty(), session))
        .isInstanceOf(TransientException.class)
        .hasMessageStartingWith(
            "Cannot reach the schema registry at http://127.0.0.1:"
                + port
                + "/registry for source table 'shop.events'")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(PASSWORD))
        .satisfies(e -> assertThat(String.valueOf(e.getCause())).doesNotContain(PASSWORD));
    // nothing was staged
    assertThat(
            rows("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'stage_shop_events%'"))
        .containsExactly(List.of("0"));
  }

  @Test
  void aRegistryThatRefusesTheCredentialsFailsTheLoad() throws IOException {
    try (TestSchemaRegistry secured = new TestSchemaRegistry("loader", PASSWORD)) {
      String topic = TestKafka.newTopic("avro-auth", 1);
      int id = secured.register(SMALL_V1);
      TestKafka.produceRecords(
          topic,
          List.<byte[][]>of(
              new byte[][] {
                null, TestSchemaRegistry.wire(id, SMALL_V1, small(SMALL_V1, 7, null))
              }));
      Map<String, String> options = new HashMap<>();
      options.put("format", "avro");
      options.put("schema_registry_url", secured.url());
      options.put("schema_registry_username", "loader");

      // first the wrong password (found schemas are cached, so later loads would not ask)
      String wrong = "not-the-Secret-1234";
      options.put("schema_registry_password", wrong);
      assertThatThrownBy(() -> connector.stage(spec(topic, options), LoadState.empty(), session))
          .isInstanceOf(InvalidInputException.class)
          .hasMessage(
              "The schema registry at "
                  + secured.url()
                  + " refused the request of source table 'shop.events' (HTTP 401); check"
                  + " schema_registry_username and schema_registry_password")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain(wrong));

      options.put("schema_registry_password", PASSWORD);
      StagedData staged = connector.stage(spec(topic, options), LoadState.empty(), session);
      assertThat(rows("SELECT id FROM " + staged.relation())).containsExactly(List.of("7"));
    }
  }

  @Test
  void aNewFieldOfALaterSchemaIdFollowsTheSchemaDriftPolicy() throws IOException {
    Schema v2 =
        new Schema.Parser()
            .parse(
                """
                {"type": "record", "name": "Small", "fields": [{"name": "id", "type": "long"},
                  {"name": "coupon", "type": ["null", "string"], "default": null}]}
                """);
    String topic = TestKafka.newTopic("avro-evolving", 1);
    int v1Id = registry.register(SMALL_V1);
    TestKafka.produceRecords(
        topic,
        List.<byte[][]>of(
            new byte[][] {
              null, TestSchemaRegistry.wire(v1Id, SMALL_V1, small(SMALL_V1, 1, null))
            }));
    writeProject(topic, "freeze");
    try (Workspace workspace = Workspace.open(project)) {
      RunResult first = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(first.succeeded()).as(String.valueOf(first.steps())).isTrue();
    }

    int v2Id = registry.register(v2);
    TestKafka.produceRecords(
        topic,
        List.<byte[][]>of(
            new byte[][] {null, TestSchemaRegistry.wire(v2Id, v2, small(v2, 2, "SAVE10"))},
            new byte[][] {
              null, TestSchemaRegistry.wire(v1Id, SMALL_V1, small(SMALL_V1, 3, null))
            }));
    try (Workspace workspace = Workspace.open(project)) {
      RunResult frozen = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(frozen.succeeded()).isFalse();
      assertThat(step(frozen).error()).contains("coupon");
      assertThat(queryRows(workspace, "select id from raw.shop_orders"))
          .containsExactly(List.of("1"));
    }

    writeProject(topic, "evolve");
    try (Workspace workspace = Workspace.open(project)) {
      RunResult evolved = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      assertThat(evolved.succeeded()).as(String.valueOf(evolved.steps())).isTrue();
      assertThat(queryRows(workspace, "select id, coupon from raw.shop_orders order by id"))
          .containsExactly(
              Arrays.asList("1", null), List.of("2", "SAVE10"), Arrays.asList("3", null));
    }
  }

  private void writeProject(String topic, String drift) throws IOException {
    Files.writeString(project.resolve("sluice.yaml"), "name: shop\n");
    Files.createDirectories(project.resolve("sources"));
    Files.writeString(
        project.resolve("sources/shop.yaml"),
        """
        connector: kafka
        options:
          bootstrap_servers: %s
          format: avro
          schema_registry_url: %s
        schema_drift: %s
        tables:
          - name: orders
            options:
              topic: %s
        """
            .formatted(TestKafka.bootstrapServers(), registry.url(), drift, topic));
  }

  private static StepResult step(RunResult run) {
    return run.steps().stream()
        .filter(step -> step.asset().equals("shop.orders"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no step shop.orders in " + run.steps()));
  }

  private static List<List<String>> queryRows(Workspace workspace, String sql) {
    QueryResult result = new QueryService(workspace).query(sql, ReadPoint.main(), 1000);
    List<List<String>> rows = new ArrayList<>();
    for (List<Object> row : result.rows()) {
      rows.add(row.stream().map(value -> value == null ? null : String.valueOf(value)).toList());
    }
    return rows;
  }

  @Test
  void plainAvroWithASchemaFile() throws IOException {
    Files.createDirectories(project.resolve("schemas"));
    Files.writeString(project.resolve("schemas/order.avsc"), ORDER.toString(true));
    String topic = TestKafka.newTopic("avro-plain", 1);
    TestKafka.produceRecords(
        topic,
        List.<byte[][]>of(
            new byte[][] {
              "k1".getBytes(StandardCharsets.UTF_8),
              TestSchemaRegistry.avro(ORDER, order(5, "10.00", null, "plain"))
            },
            new byte[][] {null, new byte[] {2}}));
    Map<String, String> options = new HashMap<>();
    options.put("format", "avro");
    options.put("value_schema", "schemas/order.avsc");

    StagedData staged = connector.stage(spec(topic, options, true), LoadState.empty(), session);

    assertThat(rows("SELECT id, CAST(amount AS VARCHAR), note, _key FROM " + staged.relation()))
        .containsExactly(List.of("5", "10.00", "plain", "k1"));
    assertThat(rows("SELECT _reason FROM " + staged.rejectedRelation()))
        .containsExactly(
            List.of(
                "topic '"
                    + topic
                    + "' partition 0 offset 1: truncated: the Avro datum of the schema file ends"
                    + " before its last field"));

    options.put("value_schema", "schemas/missing.avsc");
    assertThatThrownBy(() -> connector.stage(spec(topic, options), LoadState.empty(), session))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("The Avro schema file " + project.resolve("schemas/missing.avsc"))
        .hasMessageContaining("does not exist");
  }

  @Test
  void declaredColumnsPlainAvroKeysAndAReplayOfAvroMessages() throws IOException {
    Files.createDirectories(project.resolve("schemas"));
    Files.writeString(project.resolve("schemas/order.avsc"), ORDER.toString(true));
    Files.writeString(project.resolve("schemas/key.avsc"), "\"string\"");
    Schema keySchema = Schema.create(Schema.Type.STRING);
    String topic = TestKafka.newTopic("avro-declared", 1);
    TestKafka.produceRecords(
        topic,
        List.<byte[][]>of(
            new byte[][] {
              TestSchemaRegistry.avro(keySchema, "order-5"),
              TestSchemaRegistry.avro(ORDER, order(5, "10.00", null, "plain"))
            },
            new byte[][] {
              new byte[] {40}, // a string of 20 bytes, without them
              TestSchemaRegistry.avro(ORDER, order(6, "11.00", null, null))
            },
            new byte[][] {
              TestSchemaRegistry.avro(keySchema, "order-7"),
              TestSchemaRegistry.avro(ORDER, order(7, "12.50", "zip-7", null))
            }));
    Map<String, String> options = new HashMap<>();
    options.put("bootstrap_servers", TestKafka.bootstrapServers());
    options.put("topic", topic);
    options.put("format", "avro");
    options.put("value_schema", "schemas/order.avsc");
    options.put("key_format", "avro");
    options.put("key_schema", "schemas/key.avsc");
    SourceTableSpec spec =
        new SourceTableSpec(
            "shop",
            "events",
            project,
            false,
            true,
            options,
            List.of(
                new SourceTableSpec.Column("id", org.apache.iceberg.types.Types.IntegerType.get()),
                new SourceTableSpec.Column(
                    "amount", org.apache.iceberg.types.Types.DecimalType.of(10, 1)),
                new SourceTableSpec.Column(
                    "payload", org.apache.iceberg.types.Types.BinaryType.get())));

    StagedData staged = connector.stage(spec, LoadState.empty(), session);

    // only the declared fields, converted to the declared types
    assertThat(
            rows(
                "SELECT id, CAST(amount AS VARCHAR), hex(payload), _key FROM "
                    + staged.relation()
                    + " ORDER BY id"))
        .containsExactly(
            List.of("5", "10.0", "00FF01", "order-5"), List.of("7", "12.5", "00FF01", "order-7"));
    assertThat(rows("SELECT _line, _reason FROM " + staged.rejectedRelation()))
        .containsExactly(
            List.of(
                "1",
                "topic '"
                    + topic
                    + "' partition 0 offset 1: the key is truncated: the Avro datum of the schema"
                    + " file ends before its last field"));

    // a replay of offsets 2 and later reads the same Avro messages again
    StagedData replayed =
        connector.stage(
            spec,
            new LoadState(Map.of(), staged.state()).withReplay(new ReplayWindow("2", null)),
            session);
    assertThat(rows("SELECT id, _offset FROM " + replayed.relation()))
        .containsExactly(List.of("7", "2"));
  }

  @Test
  void discoverGivesTheColumnsOfTheSchemaFileOrOfTheSubjectsLatestSchema() throws IOException {
    String topic = TestKafka.newTopic("avro-discover", 1);
    Files.createDirectories(project.resolve("schemas"));
    Files.writeString(project.resolve("schemas/order.avsc"), ORDER.toString(true));
    Map<String, String> file = new HashMap<>();
    file.put("format", "avro");
    file.put("value_schema", "schemas/order.avsc");
    assertThat(connector.discover(spec(topic, file)).schema().columns())
        .extracting(field -> field.name() + " " + field.type())
        .startsWith("id long", "amount decimal(12, 2)", "day date", "placed_at timestamptz")
        .contains("address struct<1004: city: optional string, 1005: zip: optional string>");

    Map<String, String> withRegistry = new HashMap<>();
    withRegistry.put("format", "avro");
    withRegistry.put("schema_registry_url", registry.url());
    assertThatThrownBy(() -> connector.discover(spec(topic, withRegistry)))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("has no subject ['" + topic + "-value']");
    registry.register(topic + "-value", SMALL_V1);
    assertThat(connector.discover(spec(topic, withRegistry)).schema().columns())
        .extracting(field -> field.name() + " " + field.type())
        .containsExactly("id long");
  }

  @Test
  void nestedFlattenMakesColumnsOfTheFieldsOfRecordFields() throws IOException {
    Files.createDirectories(project.resolve("schemas"));
    Files.writeString(project.resolve("schemas/order.avsc"), ORDER.toString(true));
    String topic = TestKafka.newTopic("avro-flatten", 1);
    TestKafka.produceRecords(
        topic,
        List.<byte[][]>of(
            new byte[][] {null, TestSchemaRegistry.avro(ORDER, order(3, "1.00", "zip-3", null))}));
    Map<String, String> options = new HashMap<>();
    options.put("format", "avro");
    options.put("value_schema", "schemas/order.avsc");
    options.put("nested", "flatten");
    options.put("separator", "__");

    StagedData staged = connector.stage(spec(topic, options), LoadState.empty(), session);

    List<String> names =
        session.query("DESCRIBE " + staged.relation(), 100).rows().stream()
            .map(row -> (String) row.get(0))
            .toList();
    assertThat(names).contains("address__city", "address__zip").doesNotContain("address");
    assertThat(rows("SELECT id, address__city, address__zip FROM " + staged.relation()))
        .containsExactly(List.of("3", "Lyon", "zip-3"));

    // two fields that flatten to one name
    Files.writeString(
        project.resolve("schemas/clash.avsc"),
        """
        {"type": "record", "name": "Clash", "fields": [
          {"name": "a__b", "type": "string"},
          {"name": "a", "type": {"type": "record", "name": "A",
                                 "fields": [{"name": "b", "type": "string"}]}}]}
        """);
    options.put("value_schema", "schemas/clash.avsc");
    assertThatThrownBy(() -> connector.discover(spec(topic, options)))
        .isInstanceOf(DataException.class)
        .hasMessage(
            "Fields of the Avro schema Clash flatten to the same column name a__b; set another"
                + " 'separator', or nested: struct");
  }

  @Test
  void optionsThatCannotWorkAreNamed() {
    assertThat(problems(Map.of("format", "avro")))
        .containsExactly(
            "format: avro needs either 'schema_registry_url' (messages in the Confluent wire"
                + " format) or 'value_schema' (a .avsc file, for plain Avro binary), not neither");
    assertThat(
            problems(
                Map.of("format", "avro", "schema_registry_url", "https://user:pw@registry:8081")))
        .containsExactly(
            "'schema_registry_url' must not carry credentials; give them as"
                + " schema_registry_username and schema_registry_password (by reference)");
    assertThat(problems(Map.of("nested", "flatten")))
        .containsExactly(
            "nested: flatten needs format: avro (JSON values keep nested objects as structs)");
    assertThat(problems(Map.of("schema_registry_url", "https://registry:8081")))
        .containsExactly("'schema_registry_url' needs format: avro or key_format: avro");
    assertThat(problems(Map.of("format", "avro", "schema_registry_url", "registry:8081")))
        .containsExactly(
            "'schema_registry_url' must be an http:// or https:// URL, e.g."
                + " https://registry.internal:8081");
  }

  private List<String> problems(Map<String, String> values) {
    Map<String, String> all = new HashMap<>(values);
    all.put("bootstrap_servers", "localhost:9092");
    return connector.validate(ConnectorOptions.of(connector.options(), all, "test"));
  }

  private Map<String, String> registryOptions() {
    Map<String, String> options = new HashMap<>();
    options.put("format", "avro");
    options.put("key_format", "avro");
    options.put("schema_registry_url", registry.url());
    return options;
  }

  private SourceTableSpec spec(String topic, Map<String, String> extra) {
    return spec(topic, extra, false);
  }

  private SourceTableSpec spec(String topic, Map<String, String> extra, boolean quarantine) {
    Map<String, String> options = new HashMap<>(extra);
    options.put("bootstrap_servers", TestKafka.bootstrapServers());
    options.put("topic", topic);
    return new SourceTableSpec("shop", "events", project, false, quarantine, options, List.of());
  }

  private List<List<String>> rows(String sql) {
    List<List<String>> rows = new ArrayList<>();
    for (List<Object> row : session.query(sql, 1000).rows()) {
      rows.add(row.stream().map(value -> value == null ? null : String.valueOf(value)).toList());
    }
    return rows;
  }

  private static GenericRecord key(long id) {
    GenericRecord key = new GenericData.Record(KEY);
    key.put("id", id);
    return key;
  }

  static GenericRecord small(Schema schema, long id, String coupon) {
    GenericRecord record = new GenericData.Record(schema);
    record.put("id", id);
    if (schema.getField("coupon") != null) {
      record.put("coupon", coupon);
    }
    return record;
  }

  private static GenericRecord order(long id, String amount, String zip, String note) {
    GenericRecord order = new GenericData.Record(ORDER);
    order.put("id", id);
    order.put(
        "amount",
        ByteBuffer.wrap(new BigDecimal(amount).setScale(2).unscaledValue().toByteArray()));
    order.put("day", (int) LocalDate.parse("2024-02-29").toEpochDay());
    order.put("placed_at", 1709210096789L);
    order.put("shipped_at", zip == null ? null : 1709210096789123L);
    order.put("uid", "6f1c1c1e-0000-4000-8000-00000000000" + id);
    order.put("status", new GenericData.EnumSymbol(ORDER.getField("status").schema(), "PAID"));
    order.put("tags", List.of("red", "blue"));
    order.put("counts", Map.of("a", 1L, "b", 2L));
    GenericRecord address = new GenericData.Record(ORDER.getField("address").schema());
    address.put("city", "Lyon");
    address.put("zip", zip);
    order.put("address", address);
    order.put("payload", ByteBuffer.wrap(new byte[] {0, (byte) 0xff, 1}));
    order.put("note", note);
    return order;
  }
}
