package dev.sluice.connectors.file;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.connector.SourceTableSpec;
import dev.sluice.objectstore.ObjectStore;
import dev.sluice.objectstore.S3Location;
import dev.sluice.objectstore.S3Options;
import dev.sluice.objectstore.S3Settings;
import dev.sluice.objectstore.StoredObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Stream;

/**
 * The files of a source table whose {@code path} is in S3-compatible storage: {@code
 * s3://bucket/prefix/*.csv}. DuckDB cannot read {@code s3://} itself (its S3 extension is not part
 * of the JDBC build), so the matching objects are listed, and those to load are downloaded into the
 * table's staging directory, from which the usual readers stage them.
 *
 * <ul>
 *   <li>The glob works as for local files ({@link SourceFiles}): {@code *} stays within one level
 *       of the key's '/'-separated parts, {@code **} crosses them; keys with a part starting with
 *       '.' and "directory" markers (keys ending in '/') are skipped. A path without a glob is one
 *       object, or the objects directly under it as a prefix.
 *   <li>An object is known by its location ({@code s3://bucket/key}, its {@code _source_file}) and
 *       its ETag, which changes whenever it is written again: a load compares them with the files
 *       it loaded before, so unchanged objects are not even downloaded.
 *   <li>The staging directory ({@code .sluice/s3/sources/<source>_<table>/} in the project) keeps
 *       the objects of the last load, which the engine may read after staging; objects no longer
 *       being loaded are deleted from it at the next load.
 * </ul>
 */
final class ObjectSource {
  /** The storage settings among a table's options. */
  static final Set<String> KEYS = Set.copyOf(S3Options.KEYS);

  private static final String CHECKSUM_PREFIX = "etag:";

  private final SourceTableSpec table;
  private final S3Location base;
  private final PathMatcher matcher;
  private final int depth;
  private final boolean single;

  private ObjectSource(
      SourceTableSpec table, S3Location base, PathMatcher matcher, int depth, boolean single) {
    this.table = table;
    this.base = base;
    this.matcher = matcher;
    this.depth = depth;
    this.single = single;
  }

  static boolean isObjectPath(String path) {
    return S3Location.isS3(path);
  }

  /** The spec without the storage settings, which are not options of the format. */
  static SourceTableSpec withoutStorageOptions(SourceTableSpec table) {
    Map<String, String> formatOptions = new LinkedHashMap<>(table.options());
    formatOptions.keySet().removeAll(KEYS);
    if (formatOptions.size() == table.options().size()) {
      return table;
    }
    return new SourceTableSpec(
        table.source(),
        table.table(),
        table.projectDirectory(),
        table.append(),
        table.quarantine(),
        formatOptions,
        table.columns());
  }

  /**
   * Reads the table's {@code s3://} path.
   *
   * @throws InvalidInputException for a path that names no bucket or has an invalid glob
   */
  static ObjectSource of(SourceTableSpec table) {
    requireNonNull(table, "table is null");
    S3Location location = S3Location.parse(FileOptions.path(table));
    List<String> segments = List.of(location.key().split("/", -1));
    int firstGlob = 0;
    while (firstGlob < segments.size() && !SourceFiles.isGlob(segments.get(firstGlob))) {
      firstGlob++;
    }
    String fixed = String.join("/", segments.subList(0, firstGlob));
    if (firstGlob == segments.size()) {
      // one object, or the objects directly under a prefix
      PathMatcher any = FileSystems.getDefault().getPathMatcher("glob:*");
      return new ObjectSource(table, new S3Location(location.bucket(), fixed), any, 1, true);
    }
    String rest = String.join("/", segments.subList(firstGlob, segments.size()));
    PathMatcher matcher;
    try {
      matcher = FileSystems.getDefault().getPathMatcher("glob:" + rest);
    } catch (PatternSyntaxException e) {
      throw new InvalidInputException(
          "Invalid glob '"
              + rest
              + "' in the source path "
              + FileOptions.path(table)
              + ": "
              + e.getDescription(),
          e);
    }
    int depth = rest.contains("**") ? Integer.MAX_VALUE : segments.size() - firstGlob;
    return new ObjectSource(table, new S3Location(location.bucket(), fixed), matcher, depth, false);
  }

  /** The storage settings of the table: its {@code s3:} options, or AWS S3's defaults. */
  S3Settings settings() {
    return S3Options.settings(table.options());
  }

  /** Opens a client of the table's storage. */
  ObjectStore open() {
    return ObjectStore.open(settings(), "the 's3:' settings of source '" + table.source() + "'");
  }

  /** The matching objects, sorted by key. */
  List<StoredObject> list(ObjectStore store) {
    String prefix = base.key();
    if (single) {
      // an exact key, else the objects directly under it
      List<StoredObject> exact = new ArrayList<>();
      for (StoredObject object : store.list(base)) {
        if (object.location().key().equals(prefix)) {
          exact.add(object);
        }
      }
      if (!exact.isEmpty()) {
        return exact;
      }
    }
    String directory = prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/";
    List<StoredObject> matching = new ArrayList<>();
    for (StoredObject object : store.list(new S3Location(base.bucket(), directory))) {
      String key = object.location().key();
      if (key.endsWith("/")) {
        continue;
      }
      String relative = key.substring(directory.length());
      String[] parts = relative.split("/", -1);
      if (parts.length > depth || isHidden(parts)) {
        continue;
      }
      try {
        if (matcher.matches(Path.of(relative))) {
          matching.add(object);
        }
      } catch (InvalidPathException e) {
        // a key no local file could be named after cannot match a glob
      }
    }
    matching.sort(Comparator.comparing(object -> object.location().key()));
    return matching;
  }

  /** The checksum an object is loaded with: its ETag, which changes with its content. */
  static String checksum(StoredObject object) {
    return CHECKSUM_PREFIX + object.version();
  }

  /** The directory the table's objects are downloaded to. */
  Path stagingDirectory() {
    return table
        .projectDirectory()
        .resolve(".sluice")
        .resolve("s3")
        .resolve("sources")
        .resolve(table.source() + "_" + table.table());
  }

  /**
   * Downloads the objects to load into the staging directory (deleting the copies of objects not
   * among them) and describes them as input files.
   */
  List<InputFile> download(ObjectStore store, List<StoredObject> objects) {
    Path staging = stagingDirectory().toAbsolutePath().normalize();
    Set<Path> keep = new HashSet<>();
    List<InputFile> files = new ArrayList<>();
    for (StoredObject object : objects) {
      S3Location location = object.location();
      Path local = staging.resolve(location.bucket()).resolve(location.key()).normalize();
      if (!local.startsWith(staging.resolve(location.bucket()))) {
        throw new InvalidInputException(
            "Cannot load " + location + ": its key leads outside the staging directory");
      }
      store.download(location, local);
      keep.add(local);
      files.add(new InputFile(local, location.toString(), checksum(object), object.size()));
    }
    deleteOthers(staging, keep);
    return files;
  }

  private static void deleteOthers(Path staging, Set<Path> keep) {
    if (!Files.isDirectory(staging)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(staging)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        if (Files.isRegularFile(path) && !keep.contains(path)) {
          Files.deleteIfExists(path);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot clean the staging directory " + staging, e);
    }
  }

  private static boolean isHidden(String[] parts) {
    for (String part : parts) {
      if (part.startsWith(".")) {
        return true;
      }
    }
    return false;
  }
}
