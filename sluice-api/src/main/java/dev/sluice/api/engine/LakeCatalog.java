package dev.sluice.api.engine;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * The lake's Iceberg catalog as an engine that commits to its tables itself reaches it (Spark's
 * {@code MERGE INTO}, see {@link EngineSession#mergeIntoLakeTable}): the catalog's name and its
 * Iceberg catalog properties. {@link #toString()} never shows the properties: they hold the catalog
 * database's password.
 *
 * @param name the catalog's name, which Iceberg's {@code JdbcCatalog} keys its tables by: the
 *     engine must name its catalog so
 * @param catalogImpl the Iceberg catalog class, e.g. {@code org.apache.iceberg.jdbc.JdbcCatalog}
 * @param properties the catalog's properties ({@code uri}, {@code warehouse}, {@code jdbc.user},
 *     {@code jdbc.password}, ...), secrets resolved; never logged
 */
public record LakeCatalog(String name, String catalogImpl, Map<String, String> properties) {
  public LakeCatalog {
    requireNonNull(name, "name is null");
    requireNonNull(catalogImpl, "catalogImpl is null");
    properties = Map.copyOf(requireNonNull(properties, "properties is null"));
  }

  @Override
  public String toString() {
    return "LakeCatalog[name=" + name + ", catalogImpl=" + catalogImpl + "]";
  }
}
