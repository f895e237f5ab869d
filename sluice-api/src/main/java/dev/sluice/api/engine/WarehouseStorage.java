package dev.sluice.api.engine;

import static java.util.Objects.requireNonNull;

/**
 * How an engine that reads and writes object storage itself reaches the warehouse's S3-compatible
 * storage: the {@code warehouse: s3://...} and {@code s3:} settings of {@code sluice.yaml}. {@link
 * #toString()} never shows the keys.
 *
 * @param bucket the warehouse's bucket
 * @param endpoint the service's URL, e.g. {@code http://minio.internal:9000}; null for AWS S3
 * @param region the signing region, never null
 * @param pathStyleAccess whether buckets are addressed as {@code endpoint/bucket}
 * @param accessKeyId the access key id, or null for the engine's own credentials (an instance role,
 *     its cluster's settings)
 * @param secretAccessKey the secret key, with {@code accessKeyId}; a secret, never logged
 */
public record WarehouseStorage(
    String bucket,
    String endpoint,
    String region,
    boolean pathStyleAccess,
    String accessKeyId,
    String secretAccessKey) {
  public WarehouseStorage {
    requireNonNull(bucket, "bucket is null");
    requireNonNull(region, "region is null");
    if ((accessKeyId == null) != (secretAccessKey == null)) {
      throw new IllegalArgumentException("Give both keys, or neither");
    }
  }

  /** The endpoint for messages: the given one or AWS S3's. */
  public String describeEndpoint() {
    return endpoint == null ? "AWS S3 (" + region + ")" : endpoint;
  }

  @Override
  public String toString() {
    return "WarehouseStorage[bucket="
        + bucket
        + ", endpoint="
        + describeEndpoint()
        + ", pathStyleAccess="
        + pathStyleAccess
        + ", keys="
        + (accessKeyId == null ? "the engine's own" : "****")
        + "]";
  }
}
