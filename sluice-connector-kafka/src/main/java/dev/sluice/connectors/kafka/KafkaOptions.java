package dev.sluice.connectors.kafka;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Secrets;
import dev.sluice.api.connector.ConnectorOption;
import dev.sluice.api.connector.ConnectorOption.Type;
import dev.sluice.api.connector.ConnectorOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The options of a {@code kafka} source table, read and checked.
 *
 * @param bootstrapServers the brokers to start from, {@code host:port}
 * @param full whether every load reads all records the topics retain and replaces the table
 * @param topics the topics to read
 * @param startingOffsets where partitions start at the first load: {@code earliest} or {@code
 *     latest}
 * @param offsetReset what a load does when a committed offset is no longer in its partition: {@code
 *     fail}, {@code earliest} or {@code latest}
 * @param maxRecords at most this many records per load, or 0 for no limit
 * @param keepTombstones whether records without a value become rows (else they are skipped)
 * @param groupId the consumer group that loaded offsets are committed to for monitoring, or null
 * @param readCommitted whether only records of committed transactions are read
 * @param securityProtocol Kafka's {@code security.protocol}, e.g. {@code SASL_SSL}
 * @param saslMechanism Kafka's {@code sasl.mechanism}, e.g. {@code SCRAM-SHA-512}
 * @param saslUsername the SASL user, or null
 * @param saslPassword the SASL password (a resolved secret), or null
 * @param truststoreLocation a trust store for TLS, or null for the JVM's
 * @param truststorePassword its password (a resolved secret), or null
 * @param timeout how long to wait for the brokers
 * @param avroValues whether values are Avro binary (else JSON text)
 * @param avroKeys whether keys are Avro binary (else text)
 * @param schemaRegistryUrl the schema registry's base URL, or null
 * @param schemaRegistryUsername its user for HTTP basic authentication, or null
 * @param schemaRegistryPassword its password (a resolved secret), or null
 * @param valueSchema an Avro schema file for plain Avro values, or null
 * @param keySchema an Avro schema file for plain Avro keys, or null
 * @param flattenSeparator with {@code nested: flatten}, what joins flattened names; else null
 */
record KafkaOptions(
    String bootstrapServers,
    boolean full,
    List<String> topics,
    String startingOffsets,
    String offsetReset,
    long maxRecords,
    boolean keepTombstones,
    String groupId,
    boolean readCommitted,
    String securityProtocol,
    String saslMechanism,
    String saslUsername,
    String saslPassword,
    String truststoreLocation,
    String truststorePassword,
    Duration timeout,
    boolean avroValues,
    boolean avroKeys,
    String schemaRegistryUrl,
    String schemaRegistryUsername,
    String schemaRegistryPassword,
    String valueSchema,
    String keySchema,
    String flattenSeparator) {
  static final String BOOTSTRAP_SERVERS = "bootstrap_servers";
  static final String TOPIC = "topic";
  static final String FORMAT = "format";
  static final String MODE = "mode";
  static final String STARTING_OFFSETS = "starting_offsets";
  static final String OFFSET_RESET = "offset_reset";
  static final String MAX_RECORDS = "max_records";
  static final String TOMBSTONES = "tombstones";
  static final String GROUP_ID = "group_id";
  static final String ISOLATION_LEVEL = "isolation_level";
  static final String SECURITY_PROTOCOL = "security_protocol";
  static final String SASL_MECHANISM = "sasl_mechanism";
  static final String SASL_USERNAME = "sasl_username";
  static final String SASL_PASSWORD = "sasl_password";
  static final String SSL_TRUSTSTORE_LOCATION = "ssl_truststore_location";
  static final String SSL_TRUSTSTORE_PASSWORD = "ssl_truststore_password";
  static final String TIMEOUT = "timeout";
  static final String KEY_FORMAT = "key_format";
  static final String SCHEMA_REGISTRY_URL = "schema_registry_url";
  static final String SCHEMA_REGISTRY_USERNAME = "schema_registry_username";
  static final String SCHEMA_REGISTRY_PASSWORD = "schema_registry_password";
  static final String VALUE_SCHEMA = "value_schema";
  static final String KEY_SCHEMA = "key_schema";
  static final String NESTED = "nested";
  static final String SEPARATOR = "separator";

  /** Kafka's rule for topic names. */
  private static final Pattern TOPIC_NAME = Pattern.compile("[A-Za-z0-9._-]{1,249}");

  /** The declarations, in the order the docs show them. */
  static final List<ConnectorOption> DECLARATIONS =
      List.of(
          ConnectorOption.builder(BOOTSTRAP_SERVERS, Type.LIST)
              .description("the brokers to connect to first, host:port, one or a list")
              .required()
              .build(),
          ConnectorOption.builder(TOPIC, Type.LIST)
              .description(
                  "the topic to read, or a list of topics read into the same table; by default"
                      + " the source table's name")
              .build(),
          ConnectorOption.builder(FORMAT, Type.CHOICE)
              .description(
                  "how message values are encoded: json, one JSON object per message; avro, an"
                      + " Avro record in the Confluent wire format (with schema_registry_url) or"
                      + " plain Avro binary (with value_schema)")
              .allowedValues("json", "avro")
              .defaultValue("json")
              .build(),
          ConnectorOption.builder(SCHEMA_REGISTRY_URL, Type.STRING)
              .description(
                  "for avro, the base URL of a schema registry speaking the Confluent REST API"
                      + " (Confluent, Apicurio's /apis/ccompat/v7, Redpanda, Karapace); messages"
                      + " carry the id of their writer schema, fetched from it and cached")
              .build(),
          ConnectorOption.builder(SCHEMA_REGISTRY_USERNAME, Type.STRING)
              .description("the schema registry's user for HTTP basic authentication, if any")
              .build(),
          ConnectorOption.builder(SCHEMA_REGISTRY_PASSWORD, Type.STRING)
              .description(
                  "the schema registry user's password (an API secret), by reference:"
                      + " ${env:NAME} or ${file:path}")
              .secret()
              .build(),
          ConnectorOption.builder(VALUE_SCHEMA, Type.STRING)
              .description(
                  "for avro without a registry, the Avro schema file (.avsc, relative to the"
                      + " project) that the values were written with, as plain Avro binary")
              .build(),
          ConnectorOption.builder(NESTED, Type.CHOICE)
              .description(
                  "for avro, what becomes of record fields: struct keeps them as struct columns;"
                      + " flatten makes their fields columns named parent_child (records in lists"
                      + " and maps stay structs)")
              .allowedValues("struct", "flatten")
              .defaultValue("struct")
              .build(),
          ConnectorOption.builder(SEPARATOR, Type.STRING)
              .description("for nested: flatten, what joins the names of nested fields")
              .defaultValue("_")
              .build(),
          ConnectorOption.builder(KEY_FORMAT, Type.CHOICE)
              .description(
                  "how message keys are encoded: string, UTF-8 text; avro, Avro binary (from the"
                      + " schema registry, or plain with key_schema), kept in _key as JSON text")
              .allowedValues("string", "avro")
              .defaultValue("string")
              .build(),
          ConnectorOption.builder(KEY_SCHEMA, Type.STRING)
              .description(
                  "for key_format: avro without a registry, the Avro schema file (.avsc) of the"
                      + " keys")
              .build(),
          ConnectorOption.builder(MODE, Type.CHOICE)
              .description(
                  "incremental: each load reads the records that arrived since the last one and"
                      + " appends them; full: each load reads every record the topics retain and"
                      + " replaces the table (for small compacted topics)")
              .allowedValues("incremental", "full")
              .defaultValue("incremental")
              .build(),
          ConnectorOption.builder(STARTING_OFFSETS, Type.CHOICE)
              .description(
                  "where the first load of the table starts: earliest reads every record the"
                      + " topic retains, latest only records produced after it; partitions added"
                      + " later are always read from their start")
              .allowedValues("earliest", "latest")
              .defaultValue("earliest")
              .build(),
          ConnectorOption.builder(OFFSET_RESET, Type.CHOICE)
              .description(
                  "what a load does when records it has not loaded yet were deleted (retention,"
                      + " or the topic was recreated): fail with an error, or skip to the"
                      + " earliest or latest retained record, losing the deleted ones")
              .allowedValues("fail", "earliest", "latest")
              .defaultValue("fail")
              .build(),
          ConnectorOption.builder(MAX_RECORDS, Type.INTEGER)
              .description(
                  "at most this many records per load (across partitions); the next load goes"
                      + " on from there; by default every record up to the end offsets seen"
                      + " when the load starts")
              .build(),
          ConnectorOption.builder(TOMBSTONES, Type.CHOICE)
              .description(
                  "records with a null value (deletes of compacted topics): skip them, or keep"
                      + " them as rows whose value columns are null")
              .allowedValues("skip", "keep")
              .defaultValue("skip")
              .build(),
          ConnectorOption.builder(GROUP_ID, Type.STRING)
              .description(
                  "a consumer group to commit loaded offsets to, so that lag can be monitored"
                      + " with Kafka's tools; Sluice reads its offsets only from the table")
              .build(),
          ConnectorOption.builder(ISOLATION_LEVEL, Type.CHOICE)
              .description(
                  "read_committed reads only records of committed transactions;"
                      + " read_uncommitted reads every record")
              .allowedValues("read_committed", "read_uncommitted")
              .defaultValue("read_committed")
              .build(),
          ConnectorOption.builder(SECURITY_PROTOCOL, Type.CHOICE)
              .description("how to talk to the brokers")
              .allowedValues("plaintext", "ssl", "sasl_plaintext", "sasl_ssl")
              .defaultValue("plaintext")
              .build(),
          ConnectorOption.builder(SASL_MECHANISM, Type.CHOICE)
              .description("for sasl_plaintext and sasl_ssl, how to log in")
              .allowedValues("plain", "scram-sha-256", "scram-sha-512")
              .defaultValue("plain")
              .build(),
          ConnectorOption.builder(SASL_USERNAME, Type.STRING)
              .description("for sasl_plaintext and sasl_ssl, the user to log in as")
              .build(),
          ConnectorOption.builder(SASL_PASSWORD, Type.STRING)
              .description("the SASL user's password, by reference: ${env:NAME} or ${file:path}")
              .secret()
              .build(),
          ConnectorOption.builder(SSL_TRUSTSTORE_LOCATION, Type.STRING)
              .description(
                  "for ssl and sasl_ssl, a trust store (JKS or PKCS12 file) with the brokers'"
                      + " certificate authority; by default the JVM's")
              .build(),
          ConnectorOption.builder(SSL_TRUSTSTORE_PASSWORD, Type.STRING)
              .description("the trust store's password, by reference")
              .secret()
              .build(),
          ConnectorOption.builder(TIMEOUT, Type.DURATION)
              .description(
                  "how long to wait for the brokers to answer before the load fails (and is"
                      + " retried as the table's retries allow)")
              .defaultValue("30s")
              .build());

  KafkaOptions {
    requireNonNull(bootstrapServers, "bootstrapServers is null");
    topics = List.copyOf(topics);
    requireNonNull(timeout, "timeout is null");
  }

  /** Combinations of options that cannot work, one message each. */
  static List<String> problems(ConnectorOptions options) {
    List<String> problems = new ArrayList<>();
    for (String server : options.list(BOOTSTRAP_SERVERS)) {
      int colon = server.lastIndexOf(':');
      if (colon <= 0 || !server.substring(colon + 1).matches("\\d{1,5}")) {
        problems.add(
            "'bootstrap_servers' must be host:port, e.g. broker-1.internal:9092, got '"
                + server
                + "'");
      }
    }
    if (options.has(BOOTSTRAP_SERVERS) && options.list(BOOTSTRAP_SERVERS).isEmpty()) {
      problems.add("'bootstrap_servers' is empty; give host:port of at least one broker");
    }
    for (String topic : options.list(TOPIC)) {
      if (!TOPIC_NAME.matcher(topic).matches()) {
        problems.add(
            "'"
                + topic
                + "' is not a Kafka topic name (letters, digits, '.', '_' and '-', at most 249)");
      }
    }
    Long maxRecords = options.integer(MAX_RECORDS);
    if (maxRecords != null && maxRecords < 1) {
      problems.add("'max_records' must be at least 1");
    }
    boolean sasl = options.choice(SECURITY_PROTOCOL).startsWith("sasl");
    if (sasl && (!options.has(SASL_USERNAME) || !options.has(SASL_PASSWORD))) {
      problems.add(
          "security_protocol: "
              + options.choice(SECURITY_PROTOCOL)
              + " needs 'sasl_username' and"
              + " 'sasl_password'");
    }
    if (!sasl && (options.has(SASL_USERNAME) || options.has(SASL_PASSWORD))) {
      problems.add(
          "'sasl_username' and 'sasl_password' need security_protocol: sasl_plaintext or"
              + " sasl_ssl");
    }
    boolean ssl = options.choice(SECURITY_PROTOCOL).endsWith("ssl");
    if (!ssl && (options.has(SSL_TRUSTSTORE_LOCATION) || options.has(SSL_TRUSTSTORE_PASSWORD))) {
      problems.add("the ssl_truststore options need security_protocol: ssl or sasl_ssl");
    }
    problems.addAll(avroProblems(options));
    Duration timeout = options.duration(TIMEOUT);
    if (timeout != null && (timeout.toMillis() < 100 || timeout.toHours() > 1)) {
      problems.add("'timeout' must be between 100ms and 1h");
    }
    return problems;
  }

  private static List<String> avroProblems(ConnectorOptions options) {
    List<String> problems = new ArrayList<>();
    boolean avroValues = "avro".equals(options.choice(FORMAT));
    boolean avroKeys = "avro".equals(options.choice(KEY_FORMAT));
    boolean registry = options.has(SCHEMA_REGISTRY_URL);
    if (avroValues && registry == options.has(VALUE_SCHEMA)) {
      problems.add(
          "format: avro needs either 'schema_registry_url' (messages in the Confluent wire"
              + " format) or 'value_schema' (a .avsc file, for plain Avro binary), not "
              + (registry ? "both" : "neither"));
    }
    if (!avroValues && options.has(VALUE_SCHEMA)) {
      problems.add("'value_schema' needs format: avro");
    }
    if (avroKeys && registry == options.has(KEY_SCHEMA)) {
      problems.add(
          "key_format: avro needs either 'schema_registry_url' or 'key_schema' (a .avsc file),"
              + " not "
              + (registry ? "both" : "neither"));
    }
    if (!avroKeys && options.has(KEY_SCHEMA)) {
      problems.add("'key_schema' needs key_format: avro");
    }
    if (!avroValues && "flatten".equals(options.choice(NESTED))) {
      problems.add(
          "nested: flatten needs format: avro (JSON values keep nested objects as structs)");
    }
    if (options.has(SEPARATOR) && options.string(SEPARATOR).isEmpty()) {
      problems.add("'separator' must not be empty");
    }
    if (registry && !avroValues && !avroKeys) {
      problems.add("'schema_registry_url' needs format: avro or key_format: avro");
    }
    if (registry) {
      String url = options.string(SCHEMA_REGISTRY_URL);
      try {
        URI uri = new URI(url);
        if ((!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()))
            || uri.getHost() == null) {
          problems.add(
              "'schema_registry_url' must be an http:// or https:// URL, e.g."
                  + " https://registry.internal:8081");
        } else if (uri.getUserInfo() != null) {
          problems.add(
              "'schema_registry_url' must not carry credentials; give them as"
                  + " schema_registry_username and schema_registry_password (by reference)");
        } else if (uri.getQuery() != null || uri.getFragment() != null) {
          problems.add("'schema_registry_url' must be the registry's base URL, without ? or #");
        }
      } catch (URISyntaxException e) {
        problems.add("'schema_registry_url' is not a URL: " + e.getReason());
      }
    }
    if (options.has(SCHEMA_REGISTRY_PASSWORD) && !options.has(SCHEMA_REGISTRY_USERNAME)) {
      problems.add("'schema_registry_password' needs 'schema_registry_username'");
    }
    if (!registry
        && (options.has(SCHEMA_REGISTRY_USERNAME) || options.has(SCHEMA_REGISTRY_PASSWORD))) {
      problems.add("the schema_registry_username and _password options need 'schema_registry_url'");
    }
    return problems;
  }

  /** Reads checked options; {@code defaultTopic} is the source table's name. */
  static KafkaOptions of(ConnectorOptions options, String defaultTopic) {
    List<String> topics = options.list(TOPIC);
    Long maxRecords = options.integer(MAX_RECORDS);
    return builder(String.join(",", options.list(BOOTSTRAP_SERVERS)))
        .full("full".equals(options.choice(MODE)))
        .topics(topics.isEmpty() ? List.of(defaultTopic) : topics)
        .startingOffsets(options.choice(STARTING_OFFSETS))
        .offsetReset(options.choice(OFFSET_RESET))
        .maxRecords(maxRecords == null ? 0 : maxRecords)
        .keepTombstones("keep".equals(options.choice(TOMBSTONES)))
        .groupId(options.string(GROUP_ID))
        .readCommitted("read_committed".equals(options.choice(ISOLATION_LEVEL)))
        .securityProtocol(options.choice(SECURITY_PROTOCOL).toUpperCase(Locale.ROOT))
        .saslMechanism(options.choice(SASL_MECHANISM).toUpperCase(Locale.ROOT))
        .saslUsername(options.string(SASL_USERNAME))
        .saslPassword(options.string(SASL_PASSWORD))
        .truststoreLocation(options.string(SSL_TRUSTSTORE_LOCATION))
        .truststorePassword(options.string(SSL_TRUSTSTORE_PASSWORD))
        .timeout(options.duration(TIMEOUT))
        .avroValues("avro".equals(options.choice(FORMAT)))
        .avroKeys("avro".equals(options.choice(KEY_FORMAT)))
        .schemaRegistryUrl(options.string(SCHEMA_REGISTRY_URL))
        .schemaRegistryUsername(options.string(SCHEMA_REGISTRY_USERNAME))
        .schemaRegistryPassword(options.string(SCHEMA_REGISTRY_PASSWORD))
        .valueSchema(options.string(VALUE_SCHEMA))
        .keySchema(options.string(KEY_SCHEMA))
        .flattenSeparator(
            "flatten".equals(options.choice(NESTED)) ? options.string(SEPARATOR) : null)
        .build();
  }

  /**
   * Options for the brokers {@code bootstrapServers}: no topics, plaintext, JSON values, string
   * keys, a 30s timeout, every other flag off and every other value null, until set.
   */
  static Builder builder(String bootstrapServers) {
    return new Builder(bootstrapServers);
  }

  /** Builds {@link KafkaOptions}. */
  static final class Builder {
    private final String bootstrapServers;
    private boolean full;
    private List<String> topics = List.of();
    private String startingOffsets;
    private String offsetReset;
    private long maxRecords;
    private boolean keepTombstones;
    private String groupId;
    private boolean readCommitted;
    private String securityProtocol = "PLAINTEXT";
    private String saslMechanism = "PLAIN";
    private String saslUsername;
    private String saslPassword;
    private String truststoreLocation;
    private String truststorePassword;
    private Duration timeout = Duration.ofSeconds(30);
    private boolean avroValues;
    private boolean avroKeys;
    private String schemaRegistryUrl;
    private String schemaRegistryUsername;
    private String schemaRegistryPassword;
    private String valueSchema;
    private String keySchema;
    private String flattenSeparator;

    private Builder(String bootstrapServers) {
      this.bootstrapServers = requireNonNull(bootstrapServers, "bootstrapServers is null");
    }

    Builder full(boolean full) {
      this.full = full;
      return this;
    }

    Builder topics(List<String> topics) {
      this.topics = List.copyOf(topics);
      return this;
    }

    Builder startingOffsets(String startingOffsets) {
      this.startingOffsets = startingOffsets;
      return this;
    }

    Builder offsetReset(String offsetReset) {
      this.offsetReset = offsetReset;
      return this;
    }

    Builder maxRecords(long maxRecords) {
      this.maxRecords = maxRecords;
      return this;
    }

    Builder keepTombstones(boolean keepTombstones) {
      this.keepTombstones = keepTombstones;
      return this;
    }

    Builder groupId(String groupId) {
      this.groupId = groupId;
      return this;
    }

    Builder readCommitted(boolean readCommitted) {
      this.readCommitted = readCommitted;
      return this;
    }

    Builder securityProtocol(String securityProtocol) {
      this.securityProtocol = securityProtocol;
      return this;
    }

    Builder saslMechanism(String saslMechanism) {
      this.saslMechanism = saslMechanism;
      return this;
    }

    Builder saslUsername(String saslUsername) {
      this.saslUsername = saslUsername;
      return this;
    }

    Builder saslPassword(String saslPassword) {
      this.saslPassword = saslPassword;
      return this;
    }

    Builder truststoreLocation(String truststoreLocation) {
      this.truststoreLocation = truststoreLocation;
      return this;
    }

    Builder truststorePassword(String truststorePassword) {
      this.truststorePassword = truststorePassword;
      return this;
    }

    Builder timeout(Duration timeout) {
      this.timeout = requireNonNull(timeout, "timeout is null");
      return this;
    }

    Builder avroValues(boolean avroValues) {
      this.avroValues = avroValues;
      return this;
    }

    Builder avroKeys(boolean avroKeys) {
      this.avroKeys = avroKeys;
      return this;
    }

    Builder schemaRegistryUrl(String schemaRegistryUrl) {
      this.schemaRegistryUrl = schemaRegistryUrl;
      return this;
    }

    Builder schemaRegistryUsername(String schemaRegistryUsername) {
      this.schemaRegistryUsername = schemaRegistryUsername;
      return this;
    }

    Builder schemaRegistryPassword(String schemaRegistryPassword) {
      this.schemaRegistryPassword = schemaRegistryPassword;
      return this;
    }

    Builder valueSchema(String valueSchema) {
      this.valueSchema = valueSchema;
      return this;
    }

    Builder keySchema(String keySchema) {
      this.keySchema = keySchema;
      return this;
    }

    Builder flattenSeparator(String flattenSeparator) {
      this.flattenSeparator = flattenSeparator;
      return this;
    }

    KafkaOptions build() {
      return new KafkaOptions(
          bootstrapServers,
          full,
          topics,
          startingOffsets,
          offsetReset,
          maxRecords,
          keepTombstones,
          groupId,
          readCommitted,
          securityProtocol,
          saslMechanism,
          saslUsername,
          saslPassword,
          truststoreLocation,
          truststorePassword,
          timeout,
          avroValues,
          avroKeys,
          schemaRegistryUrl,
          schemaRegistryUsername,
          schemaRegistryPassword,
          valueSchema,
          keySchema,
          flattenSeparator);
    }
  }

  /**
   * The consumer's configuration. Offsets are never committed automatically and never reset
   * silently: the connector decides where each partition starts.
   */
  Properties consumerProperties(String clientId) {
    Properties properties = new Properties();
    properties.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    properties.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
    properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
    properties.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    properties.put(
        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
        readCommitted ? "read_committed" : "read_uncommitted");
    if (groupId != null) {
      properties.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    }
    int millis = (int) timeout.toMillis();
    properties.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis);
    properties.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
    properties.put(CommonClientConfigs.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, (long) millis);
    properties.put(
        CommonClientConfigs.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, (long) millis);
    properties.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, securityProtocol);
    if (securityProtocol.startsWith("SASL")) {
      properties.put(SaslConfigs.SASL_MECHANISM, saslMechanism);
      String module =
          saslMechanism.equals("PLAIN")
              ? "org.apache.kafka.common.security.plain.PlainLoginModule"
              : "org.apache.kafka.common.security.scram.ScramLoginModule";
      properties.put(
          SaslConfigs.SASL_JAAS_CONFIG,
          module
              + " required username=\""
              + jaasEscape(saslUsername)
              + "\" password=\""
              + jaasEscape(saslPassword)
              + "\";");
    }
    if (truststoreLocation != null) {
      properties.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, truststoreLocation);
    }
    if (truststorePassword != null) {
      properties.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, truststorePassword);
    }
    return properties;
  }

  /** A value in a JAAS configuration's double quotes. */
  private static String jaasEscape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  /** The secrets of the options, to remove from a text that may quote them (a client's message). */
  Secrets secrets() {
    return Secrets.of(
        saslPassword,
        saslPassword == null ? null : jaasEscape(saslPassword),
        truststorePassword,
        schemaRegistryPassword,
        saslUsername == null || saslPassword == null ? null : saslUsername + ":" + saslPassword);
  }

  @Override
  public String toString() {
    return "KafkaOptions[bootstrapServers="
        + bootstrapServers
        + ", full="
        + full
        + ", topics="
        + topics
        + ", startingOffsets="
        + startingOffsets
        + ", offsetReset="
        + offsetReset
        + ", maxRecords="
        + maxRecords
        + ", securityProtocol="
        + securityProtocol
        + ", saslUsername="
        + saslUsername
        + ", avroValues="
        + avroValues
        + ", avroKeys="
        + avroKeys
        + ", schemaRegistryUrl="
        + schemaRegistryUrl
        + "]";
  }
}
