package dev.sluice.objectstore;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import java.util.Locale;

/**
 * An object or prefix in a bucket, written {@code s3://bucket/key}.
 *
 * @param bucket the bucket's name
 * @param key the object's key or a prefix, without a leading '/'; empty for the whole bucket
 */
public record S3Location(String bucket, String key) {
  public static final String SCHEME = "s3://";

  public S3Location {
    requireNonNull(bucket, "bucket is null");
    requireNonNull(key, "key is null");
  }

  /** Whether {@code text} is an {@code s3://} URI (also {@code s3a://}, as Hadoop writes it). */
  public static boolean isS3(String text) {
    String lower = text.strip().toLowerCase(Locale.ROOT);
    return lower.startsWith(SCHEME) || lower.startsWith("s3a://");
  }

  /**
   * Parses {@code s3://bucket/key}.
   *
   * @throws InvalidInputException when it is not an s3 URI or names no bucket
   */
  public static S3Location parse(String text) {
    String stripped = text.strip();
    if (!isS3(stripped)) {
      throw new InvalidInputException(
          "'" + text + "' is not an S3 location; write it as s3://bucket/path");
    }
    String rest = stripped.substring(stripped.indexOf("://") + 3);
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String key = slash < 0 ? "" : rest.substring(slash + 1);
    if (bucket.isEmpty()) {
      throw new InvalidInputException(
          "'" + text + "' names no bucket; write it as s3://bucket/path");
    }
    return new S3Location(bucket, key);
  }

  /** A location below this one: {@code s3://bucket/key/child}. */
  public S3Location resolve(String child) {
    if (key.isEmpty()) {
      return new S3Location(bucket, child);
    }
    return new S3Location(bucket, key.endsWith("/") ? key + child : key + "/" + child);
  }

  /** The location without a trailing '/'. */
  public S3Location withoutTrailingSlash() {
    return key.endsWith("/") ? new S3Location(bucket, key.substring(0, key.length() - 1)) : this;
  }

  @Override
  public String toString() {
    return SCHEME + bucket + (key.isEmpty() ? "" : "/" + key);
  }
}
