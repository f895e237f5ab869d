package dev.sluice.objectstore;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * An object as a listing shows it.
 *
 * @param eTag the entity tag, which changes whenever the object's content is written again
 */
public record StoredObject(S3Location location, String eTag, Instant lastModified, long size) {
  public StoredObject {
    requireNonNull(location, "location is null");
    requireNonNull(eTag, "eTag is null");
    requireNonNull(lastModified, "lastModified is null");
  }

  /** The version of the object's content: its ETag, without the quotes S3 puts around it. */
  public String version() {
    String tag = eTag.strip();
    return tag.length() >= 2 && tag.startsWith("\"") && tag.endsWith("\"")
        ? tag.substring(1, tag.length() - 1)
        : tag;
  }
}
