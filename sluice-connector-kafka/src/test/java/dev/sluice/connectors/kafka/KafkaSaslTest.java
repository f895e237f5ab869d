package dev.sluice.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.TransientException;
import dev.sluice.api.connector.LoadState;
import dev.sluice.api.connector.SourceTableSpec;
import dev.sluice.api.connector.StagedData;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.engine.duckdb.DuckDbEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.JaasUtils;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The connector against a broker that requires SASL/PLAIN (SASL_PLAINTEXT): a broker of its own,
 * in-process (KRaft), with the users of Kafka's test kit.
 */
class KafkaSaslTest {
  private static final String TOPIC = "sasl-events";

  private static KafkaClusterTestKit cluster;
  private static DuckDbEngine engine;

  private final KafkaConnector connector = new KafkaConnector();

  @BeforeAll
  static void startBroker() throws Exception {
    cluster = TestKafka.start(SecurityProtocol.SASL_PLAINTEXT, Map.of());
    Properties client = cluster.clientProperties();
    client.put("security.protocol", "SASL_PLAINTEXT");
    client.put("sasl.mechanism", "PLAIN");
    client.put(
        "sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
            + JaasUtils.KAFKA_PLAIN_ADMIN
            + "\" password=\""
            + JaasUtils.KAFKA_PLAIN_ADMIN_PASSWORD
            + "\";");
    try (Admin admin = Admin.create(client)) {
      admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
      // the test kit's broker authorizes: the loader's user may read the topic (READ implies
      // DESCRIBE)
      admin
          .createAcls(
              List.of(
                  new AclBinding(
                      new ResourcePattern(ResourceType.TOPIC, TOPIC, PatternType.LITERAL),
                      new AccessControlEntry(
                          "User:" + JaasUtils.KAFKA_PLAIN_USER1,
                          "*",
                          AclOperation.READ,
                          AclPermissionType.ALLOW))))
          .all()
          .get();
    }
    TestKafka.produceNumbered(client, TOPIC, 3);
    engine = DuckDbEngine.start(Files.createTempDirectory("sluice-kafka-sasl-spill"), "1GB");
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (engine != null) {
      engine.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void theRightPasswordReads() {
    try (EngineSession session = engine.openSession()) {
      StagedData staged =
          connector.stage(spec(JaasUtils.KAFKA_PLAIN_USER1_PASSWORD), LoadState.empty(), session);
      assertThat(staged.rows()).isEqualTo(3);
      assertThat(
              session
                  .query("SELECT n FROM " + staged.relation() + " ORDER BY n", 10)
                  .rows()
                  .stream()
                  .map(row -> String.valueOf(row.get(0)))
                  .toList())
          .containsExactly("0", "1", "2");
    }
  }

  @Test
  void aWrongPasswordFailsNamingTheBrokerButNotThePassword() {
    String wrong = "not-the-Password-4471";
    try (EngineSession session = engine.openSession()) {
      assertThatThrownBy(() -> connector.stage(spec(wrong), LoadState.empty(), session))
          .isInstanceOfAny(InvalidInputException.class, TransientException.class)
          .hasMessageContaining(
              "Cannot log in to source 'shop' (kafka at " + cluster.bootstrapServers())
          .hasMessageContaining("check sasl_username, sasl_password and sasl_mechanism")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain(wrong))
          .satisfies(e -> assertThat(String.valueOf(e.getCause())).doesNotContain(wrong));
    }
  }

  private static SourceTableSpec spec(String password) {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("bootstrap_servers", cluster.bootstrapServers());
    options.put("topic", TOPIC);
    options.put("security_protocol", "sasl_plaintext");
    options.put("sasl_mechanism", "plain");
    options.put("sasl_username", JaasUtils.KAFKA_PLAIN_USER1);
    options.put("sasl_password", password);
    options.put("timeout", "10s");
    return new SourceTableSpec("shop", "events", Path.of("."), true, false, options, List.of());
  }
}
