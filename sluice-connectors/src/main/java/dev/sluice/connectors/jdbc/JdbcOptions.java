package dev.sluice.connectors.jdbc;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Secrets;
import dev.sluice.api.connector.ConnectorOption;
import dev.sluice.api.connector.ConnectorOption.Type;
import dev.sluice.api.connector.ConnectorOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The options of a source table of a JDBC connector ({@code postgres}, {@code mysql}), read and
 * checked.
 *
 * @param url the JDBC URL, e.g. {@code jdbc:postgresql://host:port/database}
 * @param user the role to log in as, or null for the driver's default
 * @param password the password (a resolved secret), or null
 * @param schema the schema of {@code table}, or null for the URL's database
 * @param table the table to read, or null when {@code query} is given
 * @param query a SELECT to read instead of a table, or null
 * @param incremental whether a load reads only rows whose cursor is past the last load's
 * @param cursor the cursor column, or null in full mode
 * @param lookback how far before the last cursor value an incremental load starts again
 * @param primaryKey the columns that identify a row, empty for none
 * @param fetchSize how many rows the driver fetches at a time
 * @param connectTimeout how long to wait for a connection
 * @param splitColumn the numeric column a full read splits into key ranges on, or null to use the
 *     table's single-column numeric primary key
 * @param parallelism how many chunks are read at once, on as many connections
 * @param chunkRows how many key values one chunk spans, or 0 for {@code parallelism} chunks
 * @param snapshotLock how the connections of a chunked read begin one snapshot ({@code table},
 *     {@code global} or {@code none}), or null for a dialect without the option
 */
record JdbcOptions(
    String url,
    String user,
    String password,
    String schema,
    String table,
    String query,
    boolean incremental,
    String cursor,
    Duration lookback,
    List<String> primaryKey,
    int fetchSize,
    Duration connectTimeout,
    String splitColumn,
    int parallelism,
    long chunkRows,
    String snapshotLock) {
  static final String URL = "url";
  static final String USER = "user";
  static final String PASSWORD = "password";
  static final String SCHEMA = "schema";
  static final String TABLE = "table";
  static final String QUERY = "query";
  static final String MODE = "mode";
  static final String CURSOR = "cursor";
  static final String LOOKBACK = "lookback";
  static final String PRIMARY_KEY = "primary_key";
  static final String FETCH_SIZE = "fetch_size";
  static final String CONNECT_TIMEOUT = "connect_timeout";
  static final String SPLIT_COLUMN = "split_column";
  static final String PARALLELISM = "parallelism";
  static final String CHUNK_ROWS = "chunk_rows";
  static final String SNAPSHOT_LOCK = "snapshot_lock";

  JdbcOptions {
    requireNonNull(url, "url is null");
    primaryKey = List.copyOf(primaryKey);
  }

  /** The declarations of a dialect's connector, in the order the docs show them. */
  static List<ConnectorOption> declarations(JdbcDialect dialect) {
    ConnectorOption.Builder schema =
        ConnectorOption.builder(SCHEMA, Type.STRING).description(dialect.schemaDescription());
    if (dialect.defaultSchema() != null) {
      schema.defaultValue(dialect.defaultSchema());
    }
    List<ConnectorOption> declared = new ArrayList<>();
    declared.addAll(
        List.of(
            ConnectorOption.builder(URL, Type.STRING)
                .description(
                    "JDBC URL of the database, " + dialect.urlExample() + "; put no password in it")
                .required()
                .build(),
            ConnectorOption.builder(USER, Type.STRING).description("the user to log in as").build(),
            ConnectorOption.builder(PASSWORD, Type.STRING)
                .description("the user's password, by reference: ${env:NAME} or ${file:path}")
                .secret()
                .build(),
            schema.build(),
            ConnectorOption.builder(TABLE, Type.STRING)
                .description(
                    "the table (or view) to read; by default the source table's name, unless"
                        + " 'query' is given")
                .build(),
            ConnectorOption.builder(QUERY, Type.STRING)
                .description("a SELECT to read instead of a table")
                .build(),
            ConnectorOption.builder(MODE, Type.CHOICE)
                .description(
                    "full: read every row and replace the table; incremental: read the rows whose"
                        + " cursor is past the last load's, and merge them on primary_key (or"
                        + " append them when there is none)")
                .allowedValues("full", "incremental")
                .defaultValue("full")
                .build(),
            ConnectorOption.builder(CURSOR, Type.STRING)
                .description(
                    "for mode: incremental, the column that grows with each insert and update,"
                        + " e.g. updated_at or an id")
                .build(),
            ConnectorOption.builder(LOOKBACK, Type.DURATION)
                .description(
                    "for a timestamp or date cursor, how far before the last load's cursor to read"
                        + " again, to catch rows committed late; needs primary_key")
                .build(),
            ConnectorOption.builder(PRIMARY_KEY, Type.LIST)
                .description(
                    "the columns that identify a row: a row read again replaces the loaded one,"
                        + " and a load keeps one row per key")
                .build(),
            ConnectorOption.builder(SPLIT_COLUMN, Type.STRING)
                .description(
                    "for mode: full, the numeric column whose [min, max] range is split into chunks"
                        + " read in parallel; by default the table's primary key when it is one"
                        + " numeric column")
                .build(),
            ConnectorOption.builder(PARALLELISM, Type.INTEGER)
                .description(
                    "for mode: full, how many key-range chunks are read at once, each on its own"
                        + " connection; 1 reads the table in one stream")
                .defaultValue("2")
                .build(),
            ConnectorOption.builder(CHUNK_ROWS, Type.INTEGER)
                .description(
                    "for mode: full, how many key values one chunk spans (rows, for a dense key);"
                        + " by default the range is split into 'parallelism' chunks")
                .build(),
            ConnectorOption.builder(FETCH_SIZE, Type.INTEGER)
                .description("how many rows the driver fetches from the server at a time")
                .defaultValue("10000")
                .build(),
            ConnectorOption.builder(CONNECT_TIMEOUT, Type.DURATION)
                .description("how long to wait for the server to accept a connection")
                .defaultValue("10s")
                .build()));
    declared.addAll(dialect.extraOptions());
    return List.copyOf(declared);
  }

  /** Combinations of options that cannot work, one message each. */
  static List<String> problems(ConnectorOptions options, JdbcDialect dialect) {
    List<String> problems = new ArrayList<>();
    String url = options.string(URL);
    if (url != null && !dialect.acceptsUrl(url)) {
      problems.add("'url' must be a " + dialect.product() + " JDBC URL: " + dialect.urlExample());
    }
    if (options.has(TABLE) && options.has(QUERY)) {
      problems.add("give 'table' or 'query', not both");
    }
    boolean incremental = "incremental".equals(options.choice(MODE));
    if (incremental && !options.has(CURSOR)) {
      problems.add("mode: incremental needs a 'cursor' column, e.g. cursor: updated_at");
    }
    if (!incremental && options.has(CURSOR)) {
      problems.add("'cursor' applies only to mode: incremental");
    }
    if (options.has(LOOKBACK) && !incremental) {
      problems.add("'lookback' applies only to mode: incremental");
    }
    if (options.has(LOOKBACK) && options.list(PRIMARY_KEY).isEmpty()) {
      problems.add(
          "'lookback' reads rows again, which needs 'primary_key' to replace them instead of"
              + " loading them twice");
    }
    if (incremental && (options.has(SPLIT_COLUMN) || options.has(CHUNK_ROWS))) {
      problems.add(
          "'split_column' and 'chunk_rows' apply only to mode: full (incremental loads read in"
              + " cursor order, in one stream)");
    }
    Long fetchSize = options.integer(FETCH_SIZE);
    if (fetchSize != null && (fetchSize < 1 || fetchSize > 1_000_000)) {
      problems.add("'fetch_size' must be between 1 and 1000000");
    }
    Long parallelism = options.integer(PARALLELISM);
    if (parallelism != null && (parallelism < 1 || parallelism > 64)) {
      problems.add("'parallelism' must be between 1 and 64");
    }
    Long chunkRows = options.integer(CHUNK_ROWS);
    if (chunkRows != null && chunkRows < 1) {
      problems.add("'chunk_rows' must be at least 1");
    }
    return problems;
  }

  /**
   * Reads checked options; {@code defaultTable} is the source table's name, {@code dialect} the
   * connector's (which declares the options beyond the shared ones).
   */
  static JdbcOptions of(ConnectorOptions options, String defaultTable, JdbcDialect dialect) {
    boolean snapshotLock =
        dialect.extraOptions().stream().anyMatch(option -> option.name().equals(SNAPSHOT_LOCK));
    String query = options.string(QUERY);
    return new JdbcOptions(
        options.string(URL),
        options.string(USER),
        options.string(PASSWORD),
        options.has(SCHEMA) ? options.string(SCHEMA) : null,
        query == null ? (options.has(TABLE) ? options.string(TABLE) : defaultTable) : null,
        query,
        "incremental".equals(options.choice(MODE)),
        options.string(CURSOR),
        options.has(LOOKBACK) ? options.duration(LOOKBACK) : Duration.ZERO,
        options.list(PRIMARY_KEY),
        Math.toIntExact(options.integer(FETCH_SIZE)),
        options.duration(CONNECT_TIMEOUT),
        options.has(SPLIT_COLUMN) ? options.string(SPLIT_COLUMN) : null,
        Math.toIntExact(options.integer(PARALLELISM)),
        options.has(CHUNK_ROWS) ? options.integer(CHUNK_ROWS) : 0,
        snapshotLock ? options.choice(SNAPSHOT_LOCK) : null);
  }

  /** The password, and any in the URL, to remove from a text that may quote them. */
  Secrets secrets() {
    List<String> secrets = new ArrayList<>(Secrets.inUrl(url));
    secrets.add(password);
    return Secrets.of(secrets);
  }

  @Override
  public String toString() {
    return "JdbcOptions[user="
        + user
        + ", schema="
        + schema
        + ", table="
        + table
        + ", incremental="
        + incremental
        + ", cursor="
        + cursor
        + ", parallelism="
        + parallelism
        + "]";
  }
}
