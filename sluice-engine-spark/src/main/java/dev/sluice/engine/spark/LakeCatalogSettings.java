package dev.sluice.engine.spark;

import dev.sluice.api.engine.LakeCatalog;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The settings that make the lake's Iceberg catalog a catalog of one Spark session, for {@code
 * MERGE INTO}: Iceberg's {@code SparkCatalog} over the lake's catalog implementation and
 * properties, named as the lake names it (a {@code JdbcCatalog} keys its tables by that name).
 * Iceberg's table cache is off: Sluice commits to the same tables between the session's statements.
 *
 * <p>A warehouse in object storage: the catalog's tables name their files {@code s3://bucket/key}
 * (Sluice writes them with Iceberg's {@code S3FileIO}). The catalog reads and writes them with
 * Iceberg's default {@code HadoopFileIO}, whose {@code s3} scheme is mapped to Hadoop's S3A file
 * system for this catalog only ({@code spark.sql.catalog.<name>.hadoop.fs.s3.impl}), so that the
 * per-bucket S3A settings the session already has ({@link S3aSettings}: endpoint as the cluster
 * reaches it, region, path-style addressing, keys) apply to the catalog's files too, and a cluster
 * needs nothing beyond what Spark's reads of the warehouse need. ({@code S3FileIO} itself, shipped
 * in {@code iceberg-spark-runtime}, would need the AWS SDK's KMS module on the cluster as well.)
 */
final class LakeCatalogSettings {
  /** The catalog property holding the catalog database's password, masked in messages. */
  static final String PASSWORD = "jdbc.password";

  private LakeCatalogSettings() {}

  /**
   * The lake's catalog as Spark's sessions reach it: for a warehouse in object storage, with its
   * {@code s3://} files read and written by S3A.
   */
  static LakeCatalog forWarehouse(LakeCatalog catalog, boolean objectStorage) {
    if (!objectStorage) {
      return catalog;
    }
    Map<String, String> properties = new LinkedHashMap<>(catalog.properties());
    properties.put("io-impl", "org.apache.iceberg.hadoop.HadoopFileIO");
    properties.put("hadoop.fs.s3.impl", "org.apache.hadoop.fs.s3a.S3AFileSystem");
    return new LakeCatalog(catalog.name(), catalog.catalogImpl(), properties);
  }

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
