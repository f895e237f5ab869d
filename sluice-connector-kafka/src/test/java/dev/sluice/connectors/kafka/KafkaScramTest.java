package dev.sluice.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.sluice.api.InvalidInputException;
import dev.sluice.api.connector.LoadState;
import dev.sluice.api.connector.SourceTableSpec;
import dev.sluice.api.connector.StagedData;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.engine.duckdb.DuckDbEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.JaasUtils;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The connector against a broker whose clients' listener speaks SASL_SSL (SASL over TLS, with a
 * certificate made by the JDK's keytool for this test) and accepts SCRAM-SHA-256, SCRAM-SHA-512 and
 * PLAIN: a broker of its own, in-process (KRaft), with an authorizer. The SCRAM users are created
 * through the Admin API once the controller is up, as an operator would.
 */
class KafkaScramTest {
  private static final String TOPIC = "scram-events";
  private static final String STORE_PASSWORD = "store-Secret-7730";
  private static final String USER_256 = "loader-256";
  private static final String USER_512 = "loader-512";
  private static final String PASSWORD_256 = "scram256-Secret-1181";
  private static final String PASSWORD_512 = "scram512-Secret-2293";

  private static Path truststore;
  private static KafkaClusterTestKit cluster;
  private static DuckDbEngine engine;

  private final KafkaConnector connector = new KafkaConnector();

  @BeforeAll
  static void startBroker() throws Exception {
    Path directory = Files.createTempDirectory("sluice-kafka-scram");
    TestCertificates certificates = TestCertificates.create(directory, STORE_PASSWORD);
    Path keystore = certificates.keystore();
    truststore = certificates.truststore();
    Map<String, String> config = new LinkedHashMap<>();
    // the test kit sets up SASL listeners with PLAIN: its broker listener speaks SASL over TLS
    // through the listener map, and accepts the SCRAM mechanisms too
    config.put("listener.security.protocol.map", "EXTERNAL:SASL_SSL,CONTROLLER:SASL_PLAINTEXT");
    config.put("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512");
    config.putAll(TestKafka.tls(keystore, truststore, STORE_PASSWORD));
    cluster = TestKafka.start(SecurityProtocol.SASL_PLAINTEXT, config);
    Properties client = cluster.clientProperties();
    client.put("security.protocol", "SASL_SSL");
    client.put("ssl.truststore.type", "PKCS12");
    client.put("ssl.truststore.location", truststore.toString());
    client.put("ssl.truststore.password", STORE_PASSWORD);
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
      admin
          .alterUserScramCredentials(
              List.of(
                  new UserScramCredentialUpsertion(
                      USER_256,
                      new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096),
                      PASSWORD_256),
                  new UserScramCredentialUpsertion(
                      USER_512,
                      new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096),
                      PASSWORD_512)))
          .all()
          .get();
      List<AclBinding> acls = new ArrayList<>();
      for (String user : List.of(USER_256, USER_512, JaasUtils.KAFKA_PLAIN_USER1)) {
        acls.add(
            new AclBinding(
                new ResourcePattern(ResourceType.TOPIC, TOPIC, PatternType.LITERAL),
                new AccessControlEntry(
                    "User:" + user, "*", AclOperation.READ, AclPermissionType.ALLOW)));
      }
      admin.createAcls(acls).all().get();
    }
    TestKafka.produceNumbered(client, TOPIC, 3);
    awaitScramCredentials();
    engine = DuckDbEngine.start(Files.createTempDirectory("sluice-kafka-scram-spill"), "1GB");
  }

  /**
   * Waits until the broker has applied the SCRAM credentials from the metadata log (the controller
   * accepted them before the broker's credential cache has them): logs in as each user until it
   * works, for at most two minutes. A readiness wait of the setup, not an assertion on time.
   */
  private static void awaitScramCredentials() throws Exception {
    for (String[] user :
        List.of(
            new String[] {"SCRAM-SHA-256", USER_256, PASSWORD_256},
            new String[] {"SCRAM-SHA-512", USER_512, PASSWORD_512})) {
      Properties properties = cluster.clientProperties();
      properties.put("security.protocol", "SASL_SSL");
      properties.put("ssl.truststore.type", "PKCS12");
      properties.put("ssl.truststore.location", truststore.toString());
      properties.put("ssl.truststore.password", STORE_PASSWORD);
      properties.put("sasl.mechanism", user[0]);
      properties.put(
          "sasl.jaas.config",
          "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
              + user[1]
              + "\" password=\""
              + user[2]
              + "\";");
      org.awaitility.Awaitility.await(user[0] + " login of " + user[1])
          .atMost(java.time.Duration.ofMinutes(2))
          .pollInterval(java.time.Duration.ofMillis(200))
          .ignoreExceptionsMatching(
              e ->
                  e instanceof java.util.concurrent.ExecutionException
                      && e.getCause() instanceof SaslAuthenticationException)
          .untilAsserted(
              () -> {
                try (Admin admin = Admin.create(properties)) {
                  admin.describeTopics(List.of(TOPIC)).allTopicNames().get();
                }
              });
    }
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
  void scramSha256OverSaslSslReads() {
    assertThat(load("scram-sha-256", USER_256, PASSWORD_256)).containsExactly("0", "1", "2");
  }

  @Test
  void scramSha512OverSaslSslReads() {
    assertThat(load("scram-sha-512", USER_512, PASSWORD_512)).containsExactly("0", "1", "2");
  }

  @Test
  void plainOverSaslSslReads() {
    assertThat(load("plain", JaasUtils.KAFKA_PLAIN_USER1, JaasUtils.KAFKA_PLAIN_USER1_PASSWORD))
        .containsExactly("0", "1", "2");
  }

  @Test
  void aWrongScramPasswordFailsNamingBrokerAndMechanismButNeverThePassword() {
    String wrong = "not-the-Scram-Password-6610";
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    root.addAppender(logs);
    try (EngineSession session = engine.openSession()) {
      assertThatThrownBy(
              () ->
                  connector.stage(
                      spec("scram-sha-512", USER_512, wrong, truststore.toString()),
                      LoadState.empty(),
                      session))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageStartingWith(
              "Cannot log in to source 'shop' (kafka at "
                  + cluster.bootstrapServers()
                  + ") with SASL mechanism SCRAM-SHA-512: ")
          .hasMessageEndingWith("; check sasl_username, sasl_password and sasl_mechanism")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain(wrong))
          .satisfies(e -> assertThat(String.valueOf(e.getCause())).doesNotContain(wrong))
          .satisfies(e -> assertThat(e.getSuppressed()).isEmpty());
    } finally {
      root.detachAppender(logs);
    }
    // the client logs the failed login (at ERROR): without the password
    assertThat(logs.list)
        .isNotEmpty()
        .allSatisfy(
            event ->
                assertThat(event.getFormattedMessage() + event.getThrowableProxy())
                    .doesNotContain(wrong));
  }

  @Test
  void aScramUserOfTheOtherMechanismIsRefused() {
    // USER_256 has only SCRAM-SHA-256 credentials
    try (EngineSession session = engine.openSession()) {
      assertThatThrownBy(
              () ->
                  connector.stage(
                      spec("scram-sha-512", USER_256, PASSWORD_256, truststore.toString()),
                      LoadState.empty(),
                      session))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("with SASL mechanism SCRAM-SHA-512")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain(PASSWORD_256));
    }
  }

  private List<String> load(String mechanism, String user, String password) {
    try (EngineSession session = engine.openSession()) {
      StagedData staged =
          connector.stage(
              spec(mechanism, user, password, truststore.toString()), LoadState.empty(), session);
      assertThat(staged.rows()).isEqualTo(3);
      return session.query("SELECT n FROM " + staged.relation() + " ORDER BY n", 10).rows().stream()
          .map(row -> String.valueOf(row.get(0)))
          .toList();
    }
  }

  private static SourceTableSpec spec(
      String mechanism, String user, String password, String truststore) {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("bootstrap_servers", cluster.bootstrapServers());
    options.put("topic", TOPIC);
    options.put("security_protocol", "sasl_ssl");
    options.put("sasl_mechanism", mechanism);
    options.put("sasl_username", user);
    options.put("sasl_password", password);
    options.put("ssl_truststore_location", truststore);
    options.put("ssl_truststore_password", STORE_PASSWORD);
    options.put("timeout", "10s");
    return new SourceTableSpec("shop", "events", Path.of("."), true, false, options, List.of());
  }
}
