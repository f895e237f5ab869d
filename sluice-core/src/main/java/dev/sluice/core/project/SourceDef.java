package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import java.util.List;
import java.util.Optional;

/**
 * A source system, declared in one {@code sources/*.yaml} file.
 *
 * @param connector the connector that reads it: {@code file}, or an installed connector such as
 *     {@code postgres}
 * @param description the description, or null
 */
public record SourceDef(
    String name,
    String connector,
    String description,
    List<SourceTableDef> tables,
    Location location) {
  public SourceDef {
    requireNonNull(name, "name is null");
    requireNonNull(connector, "connector is null");
    requireNonNull(tables, "tables is null");
    requireNonNull(location, "location is null");
    tables = List.copyOf(tables);
  }

  public Optional<SourceTableDef> table(String tableName) {
    return tables.stream().filter(table -> table.name().equals(tableName)).findFirst();
  }
}
