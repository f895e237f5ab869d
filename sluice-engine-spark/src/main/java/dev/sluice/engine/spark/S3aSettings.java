package dev.sluice.engine.spark;

import dev.sluice.api.engine.WarehouseStorage;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The settings of Hadoop's S3A file system that let Spark read and write the warehouse's bucket:
 * per bucket ({@code fs.s3a.bucket.<bucket>.*}), so that the cluster's settings of other buckets
 * stay as they are, and set on each Spark Connect session (Spark copies a session's settings into
 * the Hadoop configuration of its reads and writes, as {@code spark.hadoop.fs.s3a.*} does for a
 * whole cluster). Keys are set only when sluice.yaml gives them; else the cluster's own credentials
 * (an instance role, its {@code spark.hadoop.fs.s3a.*}) apply.
 *
 * <p>The secret key is a session setting on the server: Spark redacts settings whose names match
 * {@code spark.redaction.regex} ({@code secret}, {@code access.key}, ...) in its UI and logs, and
 * Sluice never logs or prints them. A Spark server keeps one S3A file system per bucket, made with
 * the settings it first saw: every project using a server must reach a bucket the same way.
 */
final class S3aSettings {
  private S3aSettings() {}

  /**
   * The settings for the warehouse's bucket.
   *
   * @param endpoint the endpoint as the Spark cluster reaches it ({@code spark.s3_endpoint}), when
   *     it differs from Sluice's; else the warehouse's
   */
  static Map<String, String> of(WarehouseStorage storage, Optional<String> endpoint) {
    String prefix = "fs.s3a.bucket." + storage.bucket() + ".";
    Map<String, String> settings = new LinkedHashMap<>();
    Optional<String> reached = endpoint.or(() -> Optional.ofNullable(storage.endpoint()));
    reached.ifPresent(
        url -> {
          settings.put(prefix + "endpoint", url);
          settings.put(
              prefix + "connection.ssl.enabled", Boolean.toString(url.startsWith("https:")));
        });
    settings.put(prefix + "endpoint.region", storage.region());
    settings.put(prefix + "path.style.access", Boolean.toString(storage.pathStyleAccess()));
    if (storage.accessKeyId() != null) {
      settings.put(prefix + "access.key", storage.accessKeyId());
      settings.put(prefix + "secret.key", storage.secretAccessKey());
    }
    // Sluice finds the file a write made by reading the directory back: no _SUCCESS marker
    settings.put("mapreduce.fileoutputcommitter.marksuccessfuljobs", "false");
    return settings;
  }
}
