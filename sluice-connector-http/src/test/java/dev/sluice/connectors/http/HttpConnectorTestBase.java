package dev.sluice.connectors.http;

import dev.sluice.api.connector.LoadState;
import dev.sluice.api.connector.SourceTableSpec;
import dev.sluice.api.connector.StagedData;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.engine.duckdb.DuckDbEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** A real DuckDB engine and a real local HTTP server, for tests of the http connector. */
abstract class HttpConnectorTestBase {
  private static Path spillDirectory;
  private static DuckDbEngine engine;

  final HttpConnector connector = new HttpConnector();
  TestApi api;
  EngineSession session;

  @BeforeAll
  static void startEngine() throws IOException {
    spillDirectory = Files.createTempDirectory("sluice-http-test-spill");
    engine = DuckDbEngine.start(spillDirectory, "1GB");
  }

  @AfterAll
  static void stopEngine() {
    engine.close();
  }

  @BeforeEach
  void start() throws IOException {
    api = new TestApi();
    session = engine.openSession();
  }

  @AfterEach
  void stop() {
    session.close();
    api.close();
  }

  /** Options as a source file gives them: {@code name, value, name, value, ...}. */
  static Map<String, String> options(String... pairs) {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      options.put(pairs[i], pairs[i + 1]);
    }
    return options;
  }

  SourceTableSpec spec(Map<String, String> options) {
    return spec(options, false, List.of());
  }

  SourceTableSpec spec(
      Map<String, String> options, boolean quarantine, List<SourceTableSpec.Column> columns) {
    return new SourceTableSpec(
        "shop",
        "orders",
        Path.of("."),
        "incremental".equals(options.get("mode")),
        quarantine,
        options,
        columns);
  }

  StagedData stage(Map<String, String> options) {
    return connector.stage(spec(options), LoadState.empty(), session);
  }

  /**
   * Options of a table at {@code /orders} that authenticates with OAuth2 client credentials at
   * {@code tokenPath}, then the {@code more} options as name, value pairs.
   */
  Map<String, String> oauth2Options(
      String tokenPath, String clientId, String clientSecret, String... more) {
    Map<String, String> options =
        options(
            "url",
            api.url() + "/orders",
            "auth",
            "oauth2",
            "token_url",
            api.url() + tokenPath,
            "client_id",
            clientId,
            "client_secret",
            clientSecret);
    options.putAll(options(more));
    return options;
  }

  /**
   * Serves one order at {@code /orders} to requests whose bearer token starts with {@code prefix},
   * and 401 to any other.
   */
  void serveOrdersToBearer(String prefix) {
    api.route(
        "/orders",
        request ->
            request.header("Authorization") != null
                    && request.header("Authorization").startsWith("Bearer " + prefix)
                ? TestApi.Response.json(orders(1, 1))
                : TestApi.Response.status(401, ""));
  }

  /** The rows of a query, each value as text. */
  List<List<String>> rows(String sql) {
    List<List<String>> rows = new ArrayList<>();
    for (List<Object> row : session.query(sql, 10_000).rows()) {
      rows.add(row.stream().map(String::valueOf).toList());
    }
    return rows;
  }

  /** A JSON array of orders {@code id} from {@code first} to {@code last}. */
  static String orders(int first, int last) {
    StringBuilder json = new StringBuilder("[");
    for (int id = first; id <= last; id++) {
      if (id > first) {
        json.append(',');
      }
      json.append("{\"id\":")
          .append(id)
          .append(",\"status\":\"new\",\"amount\":")
          .append(id * 10 + 0.5)
          .append('}');
    }
    return json.append(']').toString();
  }
}
