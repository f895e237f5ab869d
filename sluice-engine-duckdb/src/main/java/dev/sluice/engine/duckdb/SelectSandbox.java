package dev.sluice.engine.duckdb;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.api.SqlRejectedException;
import dev.sluice.api.engine.ParsedSelect;
import dev.sluice.api.engine.TableReference;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Checks user SQL with DuckDB's own parser ({@code json_serialize_sql}, which serializes SELECT
 * statements only) before it runs: exactly one SELECT, no table function but a few that compute
 * rows from their arguments, no function that reads settings, the environment or sequences, no
 * other catalog. What tables it names is returned for the caller to allow or refuse.
 *
 * <p>An allow-list for table functions, because every reader DuckDB has or may gain ({@code
 * read_text}, {@code read_blob}, {@code glob}, {@code parquet_scan}, {@code query_table}, {@code
 * duckdb_settings}, ...) is one; a deny-list for scalar functions, because there are hundreds of
 * harmless ones and only these few reach beyond their arguments.
 */
final class SelectSandbox {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Table functions that only compute rows from their arguments. */
  private static final Set<String> ALLOWED_TABLE_FUNCTIONS =
      Set.of("range", "generate_series", "unnest", "json_each", "json_tree");

  /** Scalar functions that read the session, the process or the catalog, or take SQL text. */
  private static final Set<String> DENIED_FUNCTIONS =
      Set.of(
          "current_setting",
          "getenv",
          "getvariable",
          "nextval",
          "currval",
          "setval",
          "write_log",
          "json_serialize_plan",
          "json_execute_serialized_sql",
          "read_text",
          "read_blob");

  private final byte[] bytes;
  private final List<TableReference> tables = new ArrayList<>();
  private final Deque<Set<String>> commonTableExpressions = new ArrayDeque<>();

  private SelectSandbox(String sql) {
    this.bytes = sql.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The statement {@link #check} runs, prepared once per connection ({@link #prepare}): preparing
   * it again for each SQL text was most of the parse's time (10,000 models' checks: 14 s prepared
   * each time, 2.9 s prepared once, on the loaded 2-core machine; docs/benchmarks.md).
   */
  private static final String SERIALIZE = "SELECT json_serialize_sql(?::VARCHAR)";

  /** Prepares the statement {@link #check} takes, on the connection it will parse with. */
  static PreparedStatement prepare(Connection connection) throws SQLException {
    return connection.prepareStatement(SERIALIZE);
  }

  /**
   * Parses and checks {@code sql} with {@code serializer} ({@link #prepare}), running nothing.
   *
   * @throws SqlRejectedException as {@link dev.sluice.api.engine.EngineSession#parseSelect} says
   * @throws SQLException when the engine cannot be asked
   */
  static ParsedSelect check(PreparedStatement serializer, String sql) throws SQLException {
    String serialized;
    serializer.setString(1, sql);
    try (ResultSet result = serializer.executeQuery()) {
      result.next();
      serialized = result.getString(1);
    }
    JsonNode tree;
    try {
      tree = JSON.readTree(serialized);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("DuckDB's parser returned unreadable JSON", e);
    }
    SelectSandbox sandbox = new SelectSandbox(sql);
    if (tree.path("error").asBoolean()) {
      throw sandbox.parseError(tree);
    }
    JsonNode statements = tree.path("statements");
    if (statements.isEmpty()) {
      throw new SqlRejectedException("The SQL is empty: write one SELECT", 0);
    }
    if (statements.size() > 1) {
      throw new SqlRejectedException(
          "Only one statement is allowed, found "
              + statements.size()
              + ": remove the ';' and what follows it",
          sandbox.firstLine(statements.get(1)));
    }
    sandbox.visit(statements.get(0));
    return new ParsedSelect(sandbox.tables);
  }

  private SqlRejectedException parseError(JsonNode tree) {
    String message = tree.path("error_message").asText("");
    if (message.startsWith("Only SELECT statements")) {
      return new SqlRejectedException(
          "Only one SELECT is allowed here; statements such as COPY, ATTACH, SET, PRAGMA, INSTALL,"
              + " LOAD, CALL, CREATE or INSERT are not, nor are several statements separated by ';'",
          0);
    }
    int line = lineAt(tree.path("position").asText(""));
    return new SqlRejectedException("Syntax error: " + message, line);
  }

  private void visit(JsonNode node) {
    if (node.isArray()) {
      node.forEach(this::visit);
      return;
    }
    if (!node.isObject()) {
      return;
    }
    boolean scoped = false;
    JsonNode cteMap = node.path("cte_map").path("map");
    if (cteMap.isArray() && !cteMap.isEmpty()) {
      Set<String> names = new HashSet<>();
      cteMap.forEach(entry -> names.add(entry.path("key").asText().toLowerCase(Locale.ROOT)));
      commonTableExpressions.push(names);
      scoped = true;
    }
    try {
      String type = node.path("type").asText("");
      if (type.equals("TABLE_FUNCTION")) {
        checkTableFunction(node);
      } else if (type.equals("BASE_TABLE")) {
        checkTable(node);
      } else if (node.path("class").asText("").equals("FUNCTION")) {
        checkFunction(node);
      }
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        visit(field.getValue());
      }
    } finally {
      if (scoped) {
        commonTableExpressions.pop();
      }
    }
  }

  private void checkTableFunction(JsonNode node) {
    JsonNode function = node.path("function");
    String name = function.path("function_name").asText("").toLowerCase(Locale.ROOT);
    if (!ALLOWED_TABLE_FUNCTIONS.contains(name) || !function.path("catalog").asText("").isEmpty()) {
      throw new SqlRejectedException(
          "Table function "
              + name
              + "() is not allowed: SQL here reads only the project's tables, not files, URLs or"
              + " the engine's own state (allowed table functions: "
              + String.join(", ", new java.util.TreeSet<>(ALLOWED_TABLE_FUNCTIONS))
              + ")",
          line(node));
    }
  }

  private void checkFunction(JsonNode node) {
    String name = node.path("function_name").asText("").toLowerCase(Locale.ROOT);
    if (DENIED_FUNCTIONS.contains(name)) {
      throw new SqlRejectedException(
          "Function "
              + name
              + "() is not allowed: SQL here cannot read settings, variables, sequences, the"
              + " environment or files",
          line(node));
    }
  }

  private void checkTable(JsonNode node) {
    String catalog = node.path("catalog_name").asText("");
    String schema = node.path("schema_name").asText("");
    String name = node.path("table_name").asText("");
    if (!catalog.isEmpty()) {
      throw new SqlRejectedException(
          "Table "
              + catalog
              + "."
              + schema
              + "."
              + name
              + " names a database: write tables as zone.table, e.g. published.orders",
          line(node));
    }
    if (!node.path("at_clause").isNull() && !node.path("at_clause").isMissingNode()) {
      throw new SqlRejectedException(
          "AT (...) time travel is not supported on "
              + (schema.isEmpty() ? name : schema + "." + name)
              + ": read the tables as of a snapshot with 'sluice query --as-of'",
          line(node));
    }
    if (schema.isEmpty() && isCommonTableExpression(name)) {
      return;
    }
    tables.add(new TableReference(schema, name, line(node)));
  }

  private boolean isCommonTableExpression(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    for (Set<String> scope : commonTableExpressions) {
      if (scope.contains(lower)) {
        return true;
      }
    }
    return false;
  }

  /** The line of a node's {@code query_location} (a byte offset), or 0. */
  private int line(JsonNode node) {
    JsonNode location = node.path("query_location");
    return location.canConvertToInt() ? lineAtByte(location.asInt()) : 0;
  }

  /** The line of the first located node under {@code node}, or 0. */
  private int firstLine(JsonNode node) {
    int smallest = Integer.MAX_VALUE;
    Deque<JsonNode> pending = new ArrayDeque<>(List.of(node));
    while (!pending.isEmpty()) {
      JsonNode next = pending.pop();
      JsonNode location = next.path("query_location");
      if (location.canConvertToInt()) {
        smallest = Math.min(smallest, location.asInt());
      }
      next.forEach(pending::push);
    }
    return smallest == Integer.MAX_VALUE ? 0 : lineAtByte(smallest);
  }

  private int lineAt(String position) {
    try {
      return lineAtByte(Integer.parseInt(position));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private int lineAtByte(int offset) {
    if (offset < 0 || offset > bytes.length) {
      return 0;
    }
    int line = 1;
    for (int i = 0; i < offset; i++) {
      if (bytes[i] == '\n') {
        line++;
      }
    }
    return line;
  }
}
