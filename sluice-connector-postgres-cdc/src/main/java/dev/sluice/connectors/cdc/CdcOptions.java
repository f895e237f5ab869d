package dev.sluice.connectors.cdc;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Secrets;
import dev.sluice.api.connector.ConnectorOption;
import dev.sluice.api.connector.ConnectorOption.Type;
import dev.sluice.api.connector.ConnectorOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The options of a {@code postgres_cdc} source table, read and checked.
 *
 * @param url the JDBC URL, {@code jdbc:postgresql://host:port/database}
 * @param user the role to log in as; it needs the REPLICATION attribute
 * @param password the password (a resolved secret), or null
 * @param schema the schema of {@code table}
 * @param table the table whose changes are captured
 * @param primaryKey the columns that identify a row, empty to use the table's primary key
 * @param slot the logical replication slot of this source table
 * @param publication the publication of this source table
 * @param snapshotEachLoad whether every load reads a new snapshot ({@code mode: full}) instead of
 *     the changes since the last load
 * @param history whether the table keeps every change (appended) instead of mirroring the source
 * @param maxEvents the most change events one load applies, or 0 for no limit
 * @param maxDuration how long one load may read changes
 * @param fetchSize how many rows the initial snapshot fetches at a time
 * @param connectTimeout how long to wait for a connection
 * @param heartbeatInterval how old the committed position may get before a load that finds no
 *     changes of the table commits its position anyway, so that the slot releases WAL
 */
record CdcOptions(
    String url,
    String user,
    String password,
    String schema,
    String table,
    List<String> primaryKey,
    String slot,
    String publication,
    boolean snapshotEachLoad,
    boolean history,
    long maxEvents,
    Duration maxDuration,
    int fetchSize,
    Duration connectTimeout,
    Duration heartbeatInterval) {
  static final String URL = "url";
  static final String USER = "user";
  static final String PASSWORD = "password";
  static final String SCHEMA = "schema";
  static final String TABLE = "table";
  static final String PRIMARY_KEY = "primary_key";
  static final String SLOT = "slot";
  static final String PUBLICATION = "publication";
  static final String MODE = "mode";
  static final String HISTORY = "history";
  static final String MAX_EVENTS = "max_events";
  static final String MAX_DURATION = "max_duration";
  static final String FETCH_SIZE = "fetch_size";
  static final String CONNECT_TIMEOUT = "connect_timeout";
  static final String HEARTBEAT_INTERVAL = "heartbeat_interval";

  /** Replication slot names: PostgreSQL allows lower-case letters, digits and underscores. */
  private static final Pattern SLOT_NAME = Pattern.compile("[a-z0-9_]{1,63}");

  /** The declarations, in the order the docs show them. */
  static final List<ConnectorOption> DECLARATIONS =
      List.of(
          ConnectorOption.builder(URL, Type.STRING)
              .description(
                  "JDBC URL of the database, jdbc:postgresql://host:port/database; put no"
                      + " password in it")
              .required()
              .build(),
          ConnectorOption.builder(USER, Type.STRING)
              .description(
                  "the role to log in as; it needs the REPLICATION attribute and SELECT on the"
                      + " table")
              .required()
              .build(),
          ConnectorOption.builder(PASSWORD, Type.STRING)
              .description("the role's password, by reference: ${env:NAME} or ${file:path}")
              .secret()
              .build(),
          ConnectorOption.builder(SCHEMA, Type.STRING)
              .description("the schema of 'table'")
              .defaultValue("public")
              .build(),
          ConnectorOption.builder(TABLE, Type.STRING)
              .description(
                  "the table whose changes are captured; by default the source table's name")
              .build(),
          ConnectorOption.builder(PRIMARY_KEY, Type.LIST)
              .description(
                  "the columns that identify a row; by default the table's primary key (a table"
                      + " without one needs this and REPLICA IDENTITY FULL)")
              .build(),
          ConnectorOption.builder(SLOT, Type.STRING)
              .description(
                  "the logical replication slot; by default sluice_<source>_<table>. Each source"
                      + " table needs a slot of its own")
              .build(),
          ConnectorOption.builder(PUBLICATION, Type.STRING)
              .description(
                  "the publication of the table, created when missing; by default the slot's name")
              .build(),
          ConnectorOption.builder(MODE, Type.CHOICE)
              .description(
                  "incremental: the first load reads a snapshot, each later load the changes since"
                      + " the last; full: every load reads a new snapshot and replaces the table")
              .allowedValues("incremental", "full")
              .defaultValue("incremental")
              .build(),
          ConnectorOption.builder(HISTORY, Type.BOOLEAN)
              .description(
                  "true: append every change as a row with _op (r snapshot, c insert, u update, d"
                      + " delete), _lsn and _committed_at, instead of keeping the table equal to the"
                      + " source")
              .defaultValue("false")
              .build(),
          ConnectorOption.builder(MAX_EVENTS, Type.INTEGER)
              .description(
                  "the most change events one load applies (the rest wait for the next load); 0"
                      + " for no limit. The initial snapshot is always read whole")
              .defaultValue("0")
              .build(),
          ConnectorOption.builder(MAX_DURATION, Type.DURATION)
              .description(
                  "how long one load may read changes before it commits what it read; a snapshot"
                      + " that takes longer fails")
              .defaultValue("1h")
              .build(),
          ConnectorOption.builder(FETCH_SIZE, Type.INTEGER)
              .description("how many rows the initial snapshot fetches from the server at a time")
              .defaultValue("10000")
              .build(),
          ConnectorOption.builder(CONNECT_TIMEOUT, Type.DURATION)
              .description("how long to wait for the server to accept a connection")
              .defaultValue("10s")
              .build(),
          ConnectorOption.builder(HEARTBEAT_INTERVAL, Type.DURATION)
              .description(
                  "how long the slot may hold WAL written by other tables while this one has no"
                      + " changes: a load that finds none commits its position (a snapshot without"
                      + " data) when the last committed one is older than this, and the slot is"
                      + " confirmed up to it; 0s at every such load")
              .defaultValue("10m")
              .build());

  CdcOptions {
    requireNonNull(url, "url is null");
    requireNonNull(user, "user is null");
    requireNonNull(schema, "schema is null");
    requireNonNull(table, "table is null");
    requireNonNull(slot, "slot is null");
    requireNonNull(publication, "publication is null");
    primaryKey = List.copyOf(primaryKey);
  }

  /** Combinations of options that cannot work, one message each. */
  static List<String> problems(ConnectorOptions options) {
    List<String> problems = new ArrayList<>();
    String url = options.string(URL);
    if (url != null && parseUrl(url) == null) {
      problems.add("'url' must be a PostgreSQL JDBC URL: jdbc:postgresql://host:port/database");
    }
    String slot = options.string(SLOT);
    if (slot != null && !SLOT_NAME.matcher(slot).matches()) {
      problems.add(
          "'slot' must be 1 to 63 lower-case letters, digits or underscores, got '" + slot + "'");
    }
    for (String name : List.of(SCHEMA, TABLE, PUBLICATION)) {
      String value = options.string(name);
      if (value != null && (value.isBlank() || value.contains(","))) {
        problems.add("'" + name + "' must be a name without commas");
      }
    }
    if ("full".equals(options.choice(MODE)) && Boolean.TRUE.equals(options.bool(HISTORY))) {
      problems.add("'history: true' keeps every change, which needs mode: incremental");
    }
    Long maxEvents = options.integer(MAX_EVENTS);
    if (maxEvents != null && maxEvents < 0) {
      problems.add("'max_events' must be 0 (no limit) or more");
    }
    Long fetchSize = options.integer(FETCH_SIZE);
    if (fetchSize != null && (fetchSize < 1 || fetchSize > 1_000_000)) {
      problems.add("'fetch_size' must be between 1 and 1000000");
    }
    return problems;
  }

  /** Reads checked options of the table {@code table} of the source {@code source}. */
  static CdcOptions of(ConnectorOptions options, String source, String table) {
    String slot = options.has(SLOT) ? options.string(SLOT) : defaultSlot(source, table);
    return new CdcOptions(
        options.string(URL),
        options.string(USER),
        options.string(PASSWORD),
        options.string(SCHEMA),
        options.has(TABLE) ? options.string(TABLE) : table,
        options.list(PRIMARY_KEY),
        slot,
        options.has(PUBLICATION) ? options.string(PUBLICATION) : slot,
        "full".equals(options.choice(MODE)),
        options.bool(HISTORY),
        options.integer(MAX_EVENTS),
        options.duration(MAX_DURATION),
        Math.toIntExact(options.integer(FETCH_SIZE)),
        options.duration(CONNECT_TIMEOUT),
        options.duration(HEARTBEAT_INTERVAL));
  }

  /**
   * {@code sluice_<source>_<table>} in the characters a slot name allows; names too long for
   * PostgreSQL's 63 characters are cut and end with a hash of the whole, so they stay distinct.
   */
  static String defaultSlot(String source, String table) {
    String name =
        ("sluice_" + source + "_" + table).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    if (name.length() <= 63) {
      return name;
    }
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest((source + "\u0000" + table).getBytes(StandardCharsets.UTF_8));
      return name.substring(0, 54) + "_" + HexFormat.of().formatHex(digest).substring(0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The host, port and database of a JDBC URL, or null when it is not one of PostgreSQL. */
  static Server parseUrl(String url) {
    if (!url.startsWith("jdbc:postgresql://")) {
      return null;
    }
    try {
      URI uri = new URI(url.substring("jdbc:".length()));
      String database = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
      if (uri.getHost() == null || database.isEmpty()) {
        return null;
      }
      return new Server(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), database);
    } catch (URISyntaxException e) {
      return null;
    }
  }

  Server server() {
    return parseUrl(url);
  }

  /** The fully qualified table, {@code schema.table}, for messages. */
  String qualifiedTable() {
    return schema + "." + table;
  }

  /** The password, and any in the URL, to remove from a text that may quote them. */
  Secrets secrets() {
    List<String> secrets = new ArrayList<>(Secrets.inUrl(url));
    secrets.add(password);
    return Secrets.of(secrets);
  }

  @Override
  public String toString() {
    return "CdcOptions[server="
        + server()
        + ", user="
        + user
        + ", table="
        + qualifiedTable()
        + ", slot="
        + slot
        + ", publication="
        + publication
        + "]";
  }

  /** Where the database is: host, port and database name. */
  record Server(String host, int port, String database) {
    @Override
    public String toString() {
      return host + ":" + port + "/" + database;
    }
  }
}
