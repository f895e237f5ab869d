package dev.sluice.connectors.http;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Secrets;
import dev.sluice.api.connector.ConnectorOption;
import dev.sluice.api.connector.ConnectorOption.Type;
import dev.sluice.api.connector.ConnectorOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The options of an {@code http} source table, read and checked. Secrets ({@code token}, {@code
 * password}, {@code api_key}, {@code client_secret}) are given only by reference and never shown by
 * {@link #toString()}.
 */
record HttpOptions(
    String url,
    List<String> queryParams,
    List<String> headers,
    String recordsPath,
    Auth auth,
    Pagination pagination,
    Incremental incremental,
    boolean flatten,
    String separator,
    String childPath,
    List<String> parentKeys,
    Double requestsPerSecond,
    int maxRetries,
    Duration retryInitialDelay,
    Duration retryMaxDelay,
    Duration timeout,
    Duration connectTimeout) {

  /** How requests authenticate. */
  record Auth(
      String kind,
      String token,
      String username,
      String password,
      String apiKey,
      String apiKeyName,
      boolean apiKeyInQuery,
      String tokenUrl,
      String clientId,
      String clientSecret,
      String scope,
      boolean clientAuthInBody) {
    /**
     * The secrets, to be removed from any text shown: also the {@code user:password} pairs that
     * Basic authentication sends (form-encoded for an OAuth2 client), in every encoding.
     */
    Secrets secrets() {
      List<String> secrets = new ArrayList<>();
      for (String secret : new String[] {token, password, apiKey, clientSecret}) {
        if (secret != null && !secret.isEmpty()) {
          secrets.add(secret);
        }
      }
      if (username != null && password != null && !password.isEmpty()) {
        secrets.add(username + ":" + password);
      }
      if (clientId != null && clientSecret != null && !clientSecret.isEmpty()) {
        secrets.add(clientId + ":" + clientSecret);
        secrets.add(
            URLEncoder.encode(clientId, StandardCharsets.UTF_8)
                + ":"
                + URLEncoder.encode(clientSecret, StandardCharsets.UTF_8));
      }
      return Secrets.of(secrets);
    }

    @Override
    public String toString() {
      return "Auth[" + kind + "]";
    }
  }

  /** How the pages of a collection are requested. */
  record Pagination(
      String style,
      String pageParam,
      long firstPage,
      Long pageSize,
      String pageSizeParam,
      String offsetParam,
      String limitParam,
      String nextPath,
      String nextCursorParam,
      Long maxPages) {}

  /** What an incremental load reads, or with {@code enabled} false, a full load. */
  record Incremental(
      boolean enabled,
      String cursor,
      String cursorStart,
      Duration lookback,
      List<String> primaryKey) {
    Incremental {
      primaryKey = List.copyOf(primaryKey);
    }
  }

  static final String URL = "url";
  static final String QUERY_PARAMS = "query_params";
  static final String HEADERS = "headers";
  static final String RECORDS_PATH = "records_path";
  static final String AUTH = "auth";
  static final String TOKEN = "token";
  static final String USERNAME = "username";
  static final String PASSWORD = "password";
  static final String API_KEY = "api_key";
  static final String API_KEY_NAME = "api_key_name";
  static final String API_KEY_IN = "api_key_in";
  static final String TOKEN_URL = "token_url";
  static final String CLIENT_ID = "client_id";
  static final String CLIENT_SECRET = "client_secret";
  static final String SCOPE = "scope";
  static final String CLIENT_AUTH = "client_auth";
  static final String PAGINATION = "pagination";
  static final String PAGE_PARAM = "page_param";
  static final String FIRST_PAGE = "first_page";
  static final String PAGE_SIZE = "page_size";
  static final String PAGE_SIZE_PARAM = "page_size_param";
  static final String OFFSET_PARAM = "offset_param";
  static final String LIMIT_PARAM = "limit_param";
  static final String NEXT_PATH = "next_path";
  static final String NEXT_CURSOR_PARAM = "next_cursor_param";
  static final String MAX_PAGES = "max_pages";
  static final String MODE = "mode";
  static final String CURSOR = "cursor";
  static final String CURSOR_START = "cursor_start";
  static final String LOOKBACK = "lookback";
  static final String PRIMARY_KEY = "primary_key";
  static final String NESTED = "nested";
  static final String SEPARATOR = "separator";
  static final String CHILD_PATH = "child_path";
  static final String PARENT_KEY = "parent_key";
  static final String REQUESTS_PER_SECOND = "requests_per_second";
  static final String MAX_RETRIES = "max_retries";
  static final String RETRY_INITIAL_DELAY = "retry_initial_delay";
  static final String RETRY_MAX_DELAY = "retry_max_delay";
  static final String TIMEOUT = "timeout";
  static final String CONNECT_TIMEOUT = "connect_timeout";

  /** The template in {@code url} and {@code query_params} that the last cursor value fills. */
  static final String CURSOR_TEMPLATE = "{cursor}";

  /**
   * The template that a replay fills with the last value of its window ({@code --to}); left out of
   * other loads, and of replays without {@code --to}.
   */
  static final String CURSOR_END_TEMPLATE = "{cursor_end}";

  /** The declarations, in the order the docs show them. */
  static final List<ConnectorOption> DECLARATIONS =
      List.of(
          option(URL, Type.STRING)
              .description(
                  "the URL of the collection, e.g. https://api.example.com/v1/orders; its query"
                      + " string may use {cursor}, which incremental loads fill")
              .required()
              .build(),
          option(QUERY_PARAMS, Type.LIST)
              .description(
                  "query parameters added to every first request, as name=value items; a value"
                      + " may use {cursor}, and a parameter whose {cursor} has no value yet is"
                      + " left out; {cursor_end} is the --to of 'sluice ingest --replay' (left out"
                      + " otherwise)")
              .build(),
          option(HEADERS, Type.LIST)
              .description(
                  "request headers, as 'Name: value' items (no secrets: use the auth options)")
              .build(),
          option(RECORDS_PATH, Type.STRING)
              .description(
                  "where the array of records is in a response: a JSON pointer (/data/items) or"
                      + " a dotted path (data.items); by default the response itself is the"
                      + " array")
              .build(),
          option(AUTH, Type.CHOICE)
              .description(
                  "none; bearer (token); basic (username, password); api_key (api_key,"
                      + " api_key_name, api_key_in); oauth2 client credentials (token_url,"
                      + " client_id, client_secret, scope)")
              .allowedValues("none", "bearer", "basic", "api_key", "oauth2")
              .defaultValue("none")
              .build(),
          option(TOKEN, Type.STRING)
              .description("for auth: bearer, the token, by reference: ${env:NAME} or ${file:path}")
              .secret()
              .build(),
          option(USERNAME, Type.STRING).description("for auth: basic, the user name").build(),
          option(PASSWORD, Type.STRING)
              .description("for auth: basic, the password, by reference")
              .secret()
              .build(),
          option(API_KEY, Type.STRING)
              .description("for auth: api_key, the key, by reference")
              .secret()
              .build(),
          option(API_KEY_NAME, Type.STRING)
              .description("for auth: api_key, the header or query parameter that carries the key")
              .defaultValue("X-API-Key")
              .build(),
          option(API_KEY_IN, Type.CHOICE)
              .description("for auth: api_key, whether the key goes in a header or the query")
              .allowedValues("header", "query")
              .defaultValue("header")
              .build(),
          option(TOKEN_URL, Type.STRING)
              .description(
                  "for auth: oauth2, the token endpoint; its access token is kept until it"
                      + " expires")
              .build(),
          option(CLIENT_ID, Type.STRING).description("for auth: oauth2, the client id").build(),
          option(CLIENT_SECRET, Type.STRING)
              .description("for auth: oauth2, the client secret, by reference")
              .secret()
              .build(),
          option(SCOPE, Type.STRING)
              .description("for auth: oauth2, the scope to ask for (space-separated)")
              .build(),
          option(CLIENT_AUTH, Type.CHOICE)
              .description(
                  "for auth: oauth2, how the client authenticates to the token endpoint: basic"
                      + " (an Authorization header) or body (form fields)")
              .allowedValues("basic", "body")
              .defaultValue("basic")
              .build(),
          option(PAGINATION, Type.CHOICE)
              .description(
                  "none; page_number (page_param, first_page, page_size); offset (offset_param,"
                      + " limit_param, page_size); cursor (a next cursor at next_path in the"
                      + " body, sent as next_cursor_param); next_url (a next URL at next_path);"
                      + " link_header (a Link header with rel=\"next\")")
              .allowedValues("none", "page_number", "offset", "cursor", "next_url", "link_header")
              .defaultValue("none")
              .build(),
          option(PAGE_PARAM, Type.STRING)
              .description("for pagination: page_number, the query parameter of the page number")
              .defaultValue("page")
              .build(),
          option(FIRST_PAGE, Type.INTEGER)
              .description("for pagination: page_number, the number of the first page")
              .defaultValue("1")
              .build(),
          option(PAGE_SIZE, Type.INTEGER)
              .description("records per page; a shorter page is the last one (page_number, offset)")
              .build(),
          option(PAGE_SIZE_PARAM, Type.STRING)
              .description(
                  "for pagination: page_number or cursor, the query parameter that sends"
                      + " page_size, e.g. per_page")
              .build(),
          option(OFFSET_PARAM, Type.STRING)
              .description("for pagination: offset, the query parameter of the offset")
              .defaultValue("offset")
              .build(),
          option(LIMIT_PARAM, Type.STRING)
              .description("for pagination: offset, the query parameter of the page size")
              .defaultValue("limit")
              .build(),
          option(NEXT_PATH, Type.STRING)
              .description(
                  "for pagination: cursor or next_url, where the next cursor or URL is in the"
                      + " body (JSON pointer or dotted path); none or null ends the collection")
              .build(),
          option(NEXT_CURSOR_PARAM, Type.STRING)
              .description("for pagination: cursor, the query parameter that sends the cursor")
              .defaultValue("cursor")
              .build(),
          option(MAX_PAGES, Type.INTEGER)
              .description(
                  "fail a load that would read more pages than this (guards against a"
                      + " collection that never ends)")
              .defaultValue("100000")
              .build(),
          option(MODE, Type.CHOICE)
              .description(
                  "full: read every record and replace the table; incremental: fill {cursor}"
                      + " with the greatest cursor value loaded so far, and merge on primary_key"
                      + " (or append when there is none)")
              .allowedValues("full", "incremental")
              .defaultValue("full")
              .build(),
          option(CURSOR, Type.STRING)
              .description(
                  "for mode: incremental, the field of each record that grows with every change"
                      + " (e.g. updated_at, or meta.updated); its greatest value is committed"
                      + " with the data")
              .build(),
          option(CURSOR_START, Type.STRING)
              .description(
                  "for mode: incremental, the value of {cursor} at the first load (else"
                      + " parameters using {cursor} are left out)")
              .build(),
          option(LOOKBACK, Type.DURATION)
              .description(
                  "for a timestamp or date cursor, how far before the last cursor value to read"
                      + " again, to catch late changes; needs primary_key")
              .build(),
          option(PRIMARY_KEY, Type.LIST)
              .description(
                  "the columns that identify a record: a load keeps the last record per key,"
                      + " and an incremental load replaces the loaded ones with the same key")
              .build(),
          option(NESTED, Type.CHOICE)
              .description(
                  "flatten: nested objects become columns named parent_child; struct: nested"
                      + " objects stay structs. Arrays stay lists either way")
              .allowedValues("flatten", "struct")
              .defaultValue("flatten")
              .build(),
          option(SEPARATOR, Type.STRING)
              .description("for nested: flatten, what joins the names of nested fields")
              .defaultValue("_")
              .build(),
          option(CHILD_PATH, Type.STRING)
              .description(
                  "makes this table a child table: the path, inside each record, of an array"
                      + " whose elements become this table's rows")
              .build(),
          option(PARENT_KEY, Type.LIST)
              .description(
                  "for child_path, the parent record's fields copied into each child row, as"
                      + " columns named parent_<field>")
              .build(),
          option(REQUESTS_PER_SECOND, Type.STRING)
              .description(
                  "at most this many requests per second to the source (a decimal number,"
                      + " e.g. 0.5), shared by the tables of the source")
              .build(),
          option(MAX_RETRIES, Type.INTEGER)
              .description(
                  "how often a request that failed with 429, a 5xx status or a network error is"
                      + " tried again, with exponential backoff, honouring Retry-After")
              .defaultValue("5")
              .build(),
          option(RETRY_INITIAL_DELAY, Type.DURATION)
              .description("the wait before the first retry; it doubles with each retry")
              .defaultValue("1s")
              .build(),
          option(RETRY_MAX_DELAY, Type.DURATION)
              .description("the longest wait between retries, Retry-After included")
              .defaultValue("1m")
              .build(),
          option(TIMEOUT, Type.DURATION)
              .description("how long to wait for a response")
              .defaultValue("30s")
              .build(),
          option(CONNECT_TIMEOUT, Type.DURATION)
              .description("how long to wait for a connection")
              .defaultValue("10s")
              .build());

  HttpOptions {
    requireNonNull(url, "url is null");
    queryParams = List.copyOf(queryParams);
    headers = List.copyOf(headers);
    parentKeys = List.copyOf(parentKeys);
  }

  private static ConnectorOption.Builder option(String name, Type type) {
    return ConnectorOption.builder(name, type);
  }

  /** Combinations of options that cannot work, one message each; never quotes a secret. */
  static List<String> problems(ConnectorOptions options) {
    List<String> problems = new ArrayList<>();
    String url = options.string(URL);
    if (url != null) {
      try {
        URI uri =
            new URI(url.replace(CURSOR_TEMPLATE, "cursor").replace(CURSOR_END_TEMPLATE, "end"));
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if ((!scheme.equals("http") && !scheme.equals("https")) || uri.getHost() == null) {
          problems.add(
              "'url' must be an http:// or https:// URL with a host, got '"
                  + Secrets.redactCredentials(url)
                  + "'");
        } else if (uri.getUserInfo() != null) {
          problems.add("'url' must not hold a user or password: use auth: basic");
        }
      } catch (URISyntaxException e) {
        problems.add("'url' is not a valid URL: " + Secrets.redactCredentials(e.getMessage()));
      }
    }
    for (String param : options.list(QUERY_PARAMS)) {
      if (param.indexOf('=') <= 0) {
        problems.add("each of 'query_params' must be name=value, got '" + param + "'");
      }
    }
    for (String header : options.list(HEADERS)) {
      if (header.indexOf(':') <= 0) {
        problems.add("each of 'headers' must be 'Name: value', got '" + header + "'");
      }
    }
    String auth = options.choice(AUTH);
    requireFor(options, problems, "auth: bearer", "bearer".equals(auth), TOKEN);
    requireFor(options, problems, "auth: basic", "basic".equals(auth), USERNAME, PASSWORD);
    requireFor(options, problems, "auth: api_key", "api_key".equals(auth), API_KEY);
    requireFor(
        options,
        problems,
        "auth: oauth2",
        "oauth2".equals(auth),
        TOKEN_URL,
        CLIENT_ID,
        CLIENT_SECRET);
    String pagination = options.choice(PAGINATION);
    requireFor(options, problems, "pagination: offset", "offset".equals(pagination), PAGE_SIZE);
    requireFor(
        options,
        problems,
        "pagination: " + pagination,
        "cursor".equals(pagination) || "next_url".equals(pagination),
        NEXT_PATH);
    Long pageSize = options.integer(PAGE_SIZE);
    if (pageSize != null && pageSize < 1) {
      problems.add("'page_size' must be at least 1");
    }
    Long maxPages = options.integer(MAX_PAGES);
    if (maxPages != null && maxPages < 1) {
      problems.add("'max_pages' must be at least 1");
    }
    boolean incremental = "incremental".equals(options.choice(MODE));
    if (incremental && !options.has(CURSOR)) {
      problems.add("mode: incremental needs a 'cursor' field, e.g. cursor: updated_at");
    }
    for (String name : List.of(CURSOR, CURSOR_START, LOOKBACK)) {
      if (!incremental && options.has(name)) {
        problems.add("'" + name + "' applies only to mode: incremental");
      }
    }
    if (incremental
        && !options.string(URL).contains(CURSOR_TEMPLATE)
        && options.list(QUERY_PARAMS).stream().noneMatch(p -> p.contains(CURSOR_TEMPLATE))) {
      problems.add(
          "mode: incremental sends the last cursor value as {cursor}: use it in 'url' or"
              + " 'query_params', e.g. query_params: [\"updated_since={cursor}\"]");
    }
    if (options.has(LOOKBACK) && options.list(PRIMARY_KEY).isEmpty()) {
      problems.add(
          "'lookback' reads records again, which needs 'primary_key' to replace them instead of"
              + " loading them twice");
    }
    if (options.has(PARENT_KEY) && !options.has(CHILD_PATH)) {
      problems.add("'parent_key' applies only to a child table, which has 'child_path'");
    }
    String rate = options.string(REQUESTS_PER_SECOND);
    if (rate != null) {
      Double parsed = parseRate(rate);
      if (parsed == null) {
        problems.add(
            "'requests_per_second' must be a positive number such as 10 or 0.5, got '"
                + rate
                + "'");
      }
    }
    Long retries = options.integer(MAX_RETRIES);
    if (retries != null && (retries < 0 || retries > 100)) {
      problems.add("'max_retries' must be between 0 and 100");
    }
    if (options.string(SEPARATOR) != null && options.string(SEPARATOR).isEmpty()) {
      problems.add("'separator' must not be empty");
    }
    return problems;
  }

  private static void requireFor(
      ConnectorOptions options,
      List<String> problems,
      String what,
      boolean applies,
      String... names) {
    if (!applies) {
      return;
    }
    for (String name : names) {
      if (!options.has(name) || options.string(name).isBlank()) {
        problems.add(what + " needs '" + name + "'");
      }
    }
  }

  private static Double parseRate(String text) {
    try {
      double value = Double.parseDouble(text.strip());
      return value > 0 && Double.isFinite(value) ? value : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Reads checked options. */
  static HttpOptions of(ConnectorOptions options) {
    Auth auth =
        new Auth(
            options.choice(AUTH),
            options.string(TOKEN),
            options.string(USERNAME),
            options.string(PASSWORD),
            options.string(API_KEY),
            options.string(API_KEY_NAME),
            "query".equals(options.choice(API_KEY_IN)),
            options.string(TOKEN_URL),
            options.string(CLIENT_ID),
            options.string(CLIENT_SECRET),
            options.string(SCOPE),
            "body".equals(options.choice(CLIENT_AUTH)));
    Pagination pagination =
        new Pagination(
            options.choice(PAGINATION),
            options.string(PAGE_PARAM),
            options.integer(FIRST_PAGE),
            options.integer(PAGE_SIZE),
            options.string(PAGE_SIZE_PARAM),
            options.string(OFFSET_PARAM),
            options.string(LIMIT_PARAM),
            options.string(NEXT_PATH),
            options.string(NEXT_CURSOR_PARAM),
            options.integer(MAX_PAGES));
    Incremental incremental =
        new Incremental(
            "incremental".equals(options.choice(MODE)),
            options.string(CURSOR),
            options.string(CURSOR_START),
            options.has(LOOKBACK) ? options.duration(LOOKBACK) : Duration.ZERO,
            options.list(PRIMARY_KEY));
    String rate = options.string(REQUESTS_PER_SECOND);
    return new HttpOptions(
        options.string(URL),
        options.list(QUERY_PARAMS),
        options.list(HEADERS),
        options.string(RECORDS_PATH),
        auth,
        pagination,
        incremental,
        "flatten".equals(options.choice(NESTED)),
        options.string(SEPARATOR),
        options.string(CHILD_PATH),
        options.list(PARENT_KEY),
        rate == null ? null : parseRate(rate),
        Math.toIntExact(options.integer(MAX_RETRIES)),
        options.duration(RETRY_INITIAL_DELAY),
        options.duration(RETRY_MAX_DELAY),
        options.duration(TIMEOUT),
        options.duration(CONNECT_TIMEOUT));
  }

  /** The secrets of the options, to remove from any text that may quote one (an error body). */
  Secrets secrets() {
    return auth.secrets();
  }

  @Override
  public String toString() {
    return "HttpOptions[url="
        + url
        + ", auth="
        + auth.kind()
        + ", pagination="
        + pagination.style()
        + ", incremental="
        + incremental.enabled()
        + "]";
  }
}
