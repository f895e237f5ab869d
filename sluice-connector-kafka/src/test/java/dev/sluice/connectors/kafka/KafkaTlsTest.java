package dev.sluice.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.DataException;
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
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The connector against a broker that speaks TLS only: a broker of its own, in-process (KRaft),
 * with a certificate made by the JDK's keytool for this test, and a trust store holding it.
 */
class KafkaTlsTest {
  private static final String TOPIC = "tls-events";
  private static final String STORE_PASSWORD = "store-Secret-5521";

  private static Path directory;
  private static KafkaClusterTestKit cluster;
  private static DuckDbEngine engine;

  private final KafkaConnector connector = new KafkaConnector();

  @BeforeAll
  static void startBroker() throws Exception {
    directory = Files.createTempDirectory("sluice-kafka-tls");
    TestCertificates certificates = TestCertificates.create(directory, STORE_PASSWORD);
    Path keystore = certificates.keystore();
    Path truststore = certificates.truststore();
    Map<String, String> config = new LinkedHashMap<>();
    // the test kit only sets up PLAINTEXT and SASL listeners: its broker listener speaks TLS
    // through the listener map
    config.put("listener.security.protocol.map", "EXTERNAL:SSL,CONTROLLER:PLAINTEXT");
    config.putAll(TestKafka.tls(keystore, truststore, STORE_PASSWORD));
    cluster = TestKafka.start(SecurityProtocol.PLAINTEXT, config);
    Properties client = cluster.clientProperties();
    client.put("security.protocol", "SSL");
    client.put("ssl.truststore.type", "PKCS12");
    client.put("ssl.truststore.location", truststore.toString());
    client.put("ssl.truststore.password", STORE_PASSWORD);
    try (Admin admin = Admin.create(client)) {
      admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
    }
    TestKafka.produceNumbered(client, TOPIC, 2);
    engine = DuckDbEngine.start(Files.createTempDirectory("sluice-kafka-tls-spill"), "1GB");
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
  void readsWithTheTrustStore() {
    try (EngineSession session = engine.openSession()) {
      StagedData staged =
          connector.stage(
              spec(directory.resolve("truststore.p12").toString()), LoadState.empty(), session);
      assertThat(staged.rows()).isEqualTo(2);
    }
  }

  @Test
  void withoutTheTrustStoreTheCertificateIsRefusedNamingTheBroker() {
    try (EngineSession session = engine.openSession()) {
      assertThatThrownBy(() -> connector.stage(spec(null), LoadState.empty(), session))
          .isInstanceOfAny(
              InvalidInputException.class, TransientException.class, DataException.class)
          .hasMessageContaining("kafka at " + cluster.bootstrapServers())
          .hasMessageContaining("check ssl_truststore_location");
    }
  }

  private static SourceTableSpec spec(String truststore) {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("bootstrap_servers", cluster.bootstrapServers());
    options.put("topic", TOPIC);
    options.put("security_protocol", "ssl");
    if (truststore != null) {
      options.put("ssl_truststore_location", truststore);
      options.put("ssl_truststore_password", STORE_PASSWORD);
    }
    options.put("timeout", "10s");
    return new SourceTableSpec("shop", "events", Path.of("."), true, false, options, List.of());
  }
}
