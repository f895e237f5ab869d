package dev.sluice.api.engine;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * A data file an engine wrote.
 *
 * @param path the local file, or null for a file the engine wrote straight into object storage
 * @param location where the file is, as the engine that wrote it names it: the local path, or e.g.
 *     {@code s3a://bucket/key} (see {@link EngineSession#readsObjectStoreLocations()})
 */
public record WrittenFile(Path path, long rowCount, long sizeInBytes, String location) {
  public WrittenFile {
    requireNonNull(location, "location is null");
  }

  /** A local file. */
  public WrittenFile(Path path, long rowCount, long sizeInBytes) {
    this(requireNonNull(path, "path is null"), rowCount, sizeInBytes, path.toString());
  }

  /** A file an engine wrote into object storage, at {@code location}. */
  public static WrittenFile inObjectStore(String location, long rowCount, long sizeInBytes) {
    return new WrittenFile(null, rowCount, sizeInBytes, location);
  }

  /** Whether the file is local (else it is in object storage). */
  public boolean isLocal() {
    return path != null;
  }
}
