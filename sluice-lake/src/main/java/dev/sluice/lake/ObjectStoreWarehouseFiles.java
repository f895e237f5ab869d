package dev.sluice.lake;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.SluiceException;
import dev.sluice.api.io.Directories;
import dev.sluice.objectstore.ObjectStore;
import dev.sluice.objectstore.S3Location;
import dev.sluice.objectstore.StorageFailure;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.iceberg.io.FileIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Data files of a warehouse in S3-compatible storage. The engine writes a data file to a local
 * upload directory whose layout mirrors the object's location ({@code bucket/key}); {@link #store}
 * uploads it through the warehouse's FileIO. Reads go through a local read-through cache keyed the
 * same way: Iceberg never rewrites a data file in place, so a cached copy can never be stale.
 *
 * <p>The cache is shared by the processes of a project and bounded: when a warehouse is opened and
 * closed, the files used least recently are deleted until it is below its limit. Each open
 * warehouse has its own upload directory, deleted when it closes.
 */
final class ObjectStoreWarehouseFiles implements WarehouseFiles {
  private static final Logger LOG = LoggerFactory.getLogger(ObjectStoreWarehouseFiles.class);

  /** The cache is pruned to this fraction of its limit, so that it is not pruned at every open. */
  private static final double PRUNE_TO = 0.8;

  private final ObjectStore store;
  private final S3Location warehouse;
  private final FileIO io;
  private final Path uploads;
  private final Path cache;
  private final long cacheLimitBytes;
  private final Clock clock;

  /**
   * Data files in {@code warehouse}, cached under {@code workDirectory} up to {@code
   * cacheLimitBytes}; a cached file's use is marked with {@code clock}'s time.
   */
  ObjectStoreWarehouseFiles(
      ObjectStore store,
      S3Location warehouse,
      FileIO io,
      Path workDirectory,
      long cacheLimitBytes,
      Clock clock) {
    this.store = requireNonNull(store, "store is null");
    this.warehouse = requireNonNull(warehouse, "warehouse is null");
    this.io = requireNonNull(io, "io is null");
    Path work = workDirectory.toAbsolutePath().normalize();
    this.uploads = work.resolve("uploads").resolve(UUID.randomUUID().toString());
    this.cache = work.resolve("cache");
    this.cacheLimitBytes = cacheLimitBytes;
    this.clock = requireNonNull(clock, "clock is null");
    pruneCache();
  }

  @Override
  public Path newDataFile(String location) {
    Path file = localPath(uploads, S3Location.parse(location));
    createParent(file);
    return file;
  }

  @Override
  public String store(Path written) {
    Path relative = uploads.relativize(written.toAbsolutePath().normalize());
    if (relative.startsWith("..") || relative.getNameCount() < 2) {
      throw new IllegalArgumentException("Not a data file of this warehouse's uploads: " + written);
    }
    List<String> parts = new ArrayList<>();
    relative.forEach(part -> parts.add(part.toString()));
    S3Location location =
        new S3Location(parts.get(0), String.join("/", parts.subList(1, parts.size())));
    try (OutputStream out = io.newOutputFile(location.toString()).createOrOverwrite()) {
      Files.copy(written, out);
    } catch (IOException | RuntimeException e) {
      throw store.failure("write", location, e);
    }
    // the data file is read right after its commit (checks, publish): keep it as the cached copy
    Path cached = localPath(cache, location);
    createParent(cached);
    try {
      Files.move(written, cached, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot move " + written + " into the cache " + cache, e);
    }
    return location.toString();
  }

  @Override
  public WarehouseFiles forEngineReadingObjectStore() {
    return new DirectObjectStoreFiles(this);
  }

  @Override
  public String readablePath(String location) {
    S3Location object = S3Location.parse(location);
    Path cached = localPath(cache, object);
    if (Files.isRegularFile(cached)) {
      try {
        // the modification time is the last use, by which the cache is pruned
        Files.setLastModifiedTime(cached, FileTime.from(clock.instant()));
      } catch (IOException e) {
        // pruned meanwhile by another process: download it again
        store.download(object, cached);
      }
    } else {
      store.download(object, cached);
    }
    return cached.toString();
  }

  /**
   * Explains failures whose cause is the storage (an SDK error from Iceberg's metadata reads and
   * writes, or from this class): the storage's message names the endpoint and bucket and says how
   * to fix it; an unreachable endpoint becomes a {@link dev.sluice.api.TransientException}, which
   * steps retry.
   */
  @Override
  public RuntimeException explain(RuntimeException failure) {
    boolean explained = StorageFailure.isExplained(failure);
    for (Throwable cause = failure; cause != null && !explained; cause = cause.getCause()) {
      if (cause instanceof SdkException) {
        SluiceException storage = store.failure("use the warehouse", warehouse, failure);
        return failure instanceof SluiceException && !(failure.getMessage() == null)
            ? StorageFailure.of(
                storage, failure.getMessage() + ": " + storage.getMessage(), failure)
            : storage;
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return failure;
  }

  /** {@code directory/bucket/key}, refusing keys that would lead outside the directory. */
  private static Path localPath(Path directory, S3Location location) {
    Path path = directory.resolve(location.bucket()).resolve(location.key()).normalize();
    if (!path.startsWith(directory.resolve(location.bucket())) || location.key().isEmpty()) {
      throw new IllegalArgumentException("Not a data file location: " + location);
    }
    return path;
  }

  private static void createParent(Path file) {
    try {
      Files.createDirectories(file.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create the directory of " + file, e);
    }
  }

  /** Deletes the least recently used cached files until the cache is below its limit. */
  private void pruneCache() {
    if (!Files.isDirectory(cache)) {
      return;
    }
    record Cached(Path path, long size, long lastUse) {}
    List<Cached> files = new ArrayList<>();
    long total = 0;
    try (Stream<Path> paths = Files.walk(cache)) {
      for (Path path : paths.filter(Files::isRegularFile).toList()) {
        try {
          long size = Files.size(path);
          files.add(new Cached(path, size, Files.getLastModifiedTime(path).toMillis()));
          total += size;
        } catch (IOException e) {
          // deleted meanwhile
        }
      }
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("Cannot read the warehouse cache {}: {}", cache, e.toString());
      return;
    }
    if (total <= cacheLimitBytes) {
      return;
    }
    files.sort(Comparator.comparingLong(Cached::lastUse));
    long target = (long) (cacheLimitBytes * PRUNE_TO);
    for (Cached file : files) {
      if (total <= target) {
        break;
      }
      try {
        Files.deleteIfExists(file.path());
        total -= file.size();
      } catch (IOException e) {
        // in use or deleted meanwhile
      }
    }
  }

  @Override
  public void close() {
    try {
      Directories.deleteRecursively(uploads);
    } catch (UncheckedIOException e) {
      LOG.warn("Cannot delete the upload directory {}: {}", uploads, e.getCause().toString());
    }
    pruneCache();
  }
}
