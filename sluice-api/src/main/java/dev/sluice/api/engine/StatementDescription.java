package dev.sluice.api.engine;

import java.util.List;

/**
 * What a query returns and takes, known without running it: its result columns with their engine
 * type names, and the engine type names of its positional parameters ({@code ?}), in order. A
 * parameter whose type the engine cannot infer from the query is {@code "UNKNOWN"}.
 */
public record StatementDescription(
    List<String> columns, List<String> types, List<String> parameterTypes) {
  public StatementDescription {
    columns = List.copyOf(columns);
    types = List.copyOf(types);
    parameterTypes = List.copyOf(parameterTypes);
    if (columns.size() != types.size()) {
      throw new IllegalArgumentException(
          "columns and types differ in length: " + columns + " " + types);
    }
  }
}
