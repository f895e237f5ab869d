package dev.sluice.engine.spark;

import dev.sluice.api.engine.LakeCatalog;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The settings that make the lake's Iceberg catalog a catalog of one Spark session, for {@code
 * MERGE INTO}: Iceberg's {@code SparkCatalog} over the lake's catalog implementation and
 * properties, named as the lake names it (a {@code JdbcCatalog} keys its tables by that name).
 * Iceberg's table cache is off: Sluice commits to the same tables between the session's statements.
 */
final class LakeCatalogSettings {
  /** The catalog property holding the catalog database's password, masked in messages. */
  static final String PASSWORD = "jdbc.password";

  private LakeCatalogSettings() {}

  static Map<String, String> of(LakeCatalog catalog) {
    String prefix = "spark.sql.catalog." + catalog.name();
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put(prefix, "org.apache.iceberg.spark.SparkCatalog");
    settings.put(prefix + ".catalog-impl", catalog.catalogImpl());
    settings.put(prefix + ".cache-enabled", "false");
    catalog.properties().forEach((key, value) -> settings.put(prefix + "." + key, value));
    return settings;
  }
}
