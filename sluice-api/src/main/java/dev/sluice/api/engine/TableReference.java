package dev.sluice.api.engine;

import static java.util.Objects.requireNonNull;

/**
 * A table that a query names, as written: {@code schema} is empty for an unqualified name.
 *
 * @param line the 1-based line of the SQL the name is on, or 0 when unknown
 */
public record TableReference(String schema, String name, int line) {
  public TableReference {
    requireNonNull(schema, "schema is null");
    requireNonNull(name, "name is null");
  }

  @Override
  public String toString() {
    return schema.isEmpty() ? name : schema + "." + name;
  }
}
