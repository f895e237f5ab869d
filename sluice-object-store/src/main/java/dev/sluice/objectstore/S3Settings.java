package dev.sluice.objectstore;

/**
 * How to reach S3-compatible storage (AWS S3, MinIO, Ceph, s3proxy, ...).
 *
 * @param endpoint the service's URL, e.g. {@code http://localhost:9000}; null for AWS S3 itself
 * @param region the signing region; null for {@code us-east-1}
 * @param pathStyleAccess whether buckets are addressed as {@code endpoint/bucket} (MinIO, s3proxy)
 *     rather than {@code bucket.endpoint}
 * @param accessKeyId the access key id, or null to use the AWS SDK's default credentials (the
 *     {@code AWS_ACCESS_KEY_ID} variable, a profile, an instance role)
 * @param secretAccessKey the secret access key, with {@code accessKeyId}; {@link #toString()} never
 *     shows it
 */
public record S3Settings(
    String endpoint,
    String region,
    boolean pathStyleAccess,
    String accessKeyId,
    String secretAccessKey) {
  public static final String DEFAULT_REGION = "us-east-1";

  /** Settings for AWS S3 with the default credentials. */
  public static final S3Settings DEFAULT = new S3Settings(null, null, false, null, null);

  public S3Settings {
    if ((accessKeyId == null) != (secretAccessKey == null)) {
      throw new IllegalArgumentException(
          "Give both access_key_id and secret_access_key, or neither to use the default"
              + " credentials");
    }
  }

  /** The region to sign with. */
  public String effectiveRegion() {
    return region == null || region.isBlank() ? DEFAULT_REGION : region;
  }

  /** The endpoint for messages: the given one or AWS S3's. */
  public String describeEndpoint() {
    return endpoint == null ? "AWS S3 (" + effectiveRegion() + ")" : endpoint;
  }

  /** Shows the settings with the secret masked: secrets are never logged. */
  @Override
  public String toString() {
    return "S3Settings[endpoint="
        + describeEndpoint()
        + ", region="
        + effectiveRegion()
        + ", pathStyleAccess="
        + pathStyleAccess
        + ", accessKeyId="
        + (accessKeyId == null ? "default credentials" : "****")
        + ", secretAccessKey="
        + (secretAccessKey == null ? "none" : "****")
        + "]";
  }
}
