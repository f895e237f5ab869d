package dev.sluice.connectors.jdbc;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.connector.ConnectorOption;
import dev.sluice.api.connector.ConnectorOption.Type;
import dev.sluice.api.connector.ConnectorOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The options of a {@code postgres} source table, read and checked.
 *
 * @param url the JDBC URL, {@code jdbc:postgresql://host:port/database}
 * @param user the role to log in as, or null for the driver's default
 * @param password the password (a resolved secret), or null
 * @param schema the schema of {@code table}
 * @param table the table to read, or null when {@code query} is given
 * @param query a SELECT to read instead of a table, or null
 * @param incremental whether a load reads only rows whose cursor is past the last load's
 * @param cursor the cursor column, or null in full mode
 * @param lookback how far before the last cursor value an incremental load starts again
 * @param primaryKey the columns that identify a row, empty for none
 * @param fetchSize how many rows the driver fetches at a time
 * @param connectTimeout how long to wait for a connection
 */
record PostgresOptions(
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
    Duration connectTimeout) {
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

  /** The declarations, in the order the docs show them. */
  static final List<ConnectorOption> DECLARATIONS =
      List.of(
          ConnectorOption.builder(URL, Type.STRING)
              .description(
                  "JDBC URL of the database, jdbc:postgresql://host:port/database; put no"
                      + " password in it")
              .required()
              .build(),
          ConnectorOption.builder(USER, Type.STRING).description("the role to log in as").build(),
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
          ConnectorOption.builder(FETCH_SIZE, Type.INTEGER)
              .description("how many rows the driver fetches from the server at a time")
              .defaultValue("10000")
              .build(),
          ConnectorOption.builder(CONNECT_TIMEOUT, Type.DURATION)
              .description("how long to wait for the server to accept a connection")
              .defaultValue("10s")
              .build());

  PostgresOptions {
    requireNonNull(url, "url is null");
    requireNonNull(schema, "schema is null");
    primaryKey = List.copyOf(primaryKey);
  }

  /** Combinations of options that cannot work, one message each. */
  static List<String> problems(ConnectorOptions options) {
    List<String> problems = new ArrayList<>();
    String url = options.string(URL);
    if (url != null && !url.startsWith("jdbc:postgresql:")) {
      problems.add("'url' must be a PostgreSQL JDBC URL: jdbc:postgresql://host:port/database");
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
    Long fetchSize = options.integer(FETCH_SIZE);
    if (fetchSize != null && (fetchSize < 1 || fetchSize > 1_000_000)) {
      problems.add("'fetch_size' must be between 1 and 1000000");
    }
    return problems;
  }

  /** Reads checked options; {@code defaultTable} is the source table's name. */
  static PostgresOptions of(ConnectorOptions options, String defaultTable) {
    String query = options.string(QUERY);
    return new PostgresOptions(
        options.string(URL),
        options.string(USER),
        options.string(PASSWORD),
        options.string(SCHEMA),
        query == null ? (options.has(TABLE) ? options.string(TABLE) : defaultTable) : null,
        query,
        "incremental".equals(options.choice(MODE)),
        options.string(CURSOR),
        options.has(LOOKBACK) ? options.duration(LOOKBACK) : Duration.ZERO,
        options.list(PRIMARY_KEY),
        Math.toIntExact(options.integer(FETCH_SIZE)),
        options.duration(CONNECT_TIMEOUT));
  }

  /** The server named by the URL, {@code host:port/database}, for messages; never a secret. */
  String server() {
    String rest = url.substring("jdbc:postgresql:".length());
    if (rest.startsWith("//")) {
      rest = rest.substring(2);
    }
    int query = rest.indexOf('?');
    if (query >= 0) {
      rest = rest.substring(0, query);
    }
    int at = rest.lastIndexOf('@');
    return at >= 0 ? rest.substring(at + 1) : rest;
  }

  /** Removes the password from a text that may quote it (e.g. a driver's message). */
  String withoutSecrets(String text) {
    if (text == null) {
      return "";
    }
    return password == null || password.isEmpty() ? text : text.replace(password, "****");
  }

  @Override
  public String toString() {
    return "PostgresOptions[server="
        + server()
        + ", user="
        + user
        + ", schema="
        + schema
        + ", table="
        + table
        + ", incremental="
        + incremental
        + ", cursor="
        + cursor
        + "]";
  }
}
