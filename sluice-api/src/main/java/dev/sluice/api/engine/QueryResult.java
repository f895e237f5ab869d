package dev.sluice.api.engine;

import java.util.List;

/**
 * The rows of a query: column names, their engine type names, and values as Java objects.
 *
 * @param truncated whether the query returned more rows than were kept
 */
public record QueryResult(
    List<String> columns, List<String> types, List<List<Object>> rows, boolean truncated) {
  public QueryResult {
    columns = List.copyOf(columns);
    types = List.copyOf(types);
    rows = List.copyOf(rows);
  }
}
