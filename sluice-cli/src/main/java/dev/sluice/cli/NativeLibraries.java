package dev.sluice.cli;

import dev.sluice.api.io.Directories;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the native libraries and temporary files of a {@code sluice} process out of the system
 * temporary directory, where every killed process used to leave a 72 MB DuckDB library and
 * SQLite's. In the cache directory ({@code sluice.cache.dir}, else {@code $SLUICE_CACHE_DIR}, else
 * {@code $XDG_CACHE_HOME/sluice}, else {@code ~/.cache/sluice}):
 *
 * <ul>
 *   <li>{@code native/sqlite-jdbc-VERSION/}: SQLite's library, extracted once per version and
 *       loaded from there by every process ({@code org.sqlite.lib.path}).
 *   <li>{@code native/snappy-java-VERSION/}: Snappy's library, alike ({@code
 *       org.xerial.snappy.lib.path}).
 *   <li>{@code tmp/PID/}: the process's temporary directory, which the {@code sluice} launcher
 *       passes as {@code java.io.tmpdir} (the JVM reads it only at start); the next process deletes
 *       the directories of processes that are gone.
 * </ul>
 *
 * DuckDB's library is not extracted: the build puts the driver's jar without it in {@code lib/} and
 * the library beside it, where the driver loads it in place (execution {@code duckdb-native} of the
 * parent pom, docs/adr/0005).
 *
 * <p>Called first in {@code main}, before any class reads these properties.
 */
public final class NativeLibraries {
  static final String CACHE_PROPERTY = "sluice.cache.dir";
  static final String CACHE_VARIABLE = "SLUICE_CACHE_DIR";
  private static final Logger log = LoggerFactory.getLogger(NativeLibraries.class);
  private static final String STARTED_FILE = "started";

  private NativeLibraries() {}

  /**
   * Sets up the process; a failure is logged and leaves the drivers' defaults. Public for the other
   * commands shipped with {@code lib/} (the benchmarks).
   */
  public static void prepare() {
    try {
      Path cache = cacheDirectory();
      useSqliteLibraryIn(cache.resolve("native"));
      useSnappyLibraryIn(cache.resolve("native"));
      useTemporaryDirectoryIn(cache.resolve("tmp"));
    } catch (IOException | RuntimeException e) {
      log.warn("Cannot use the cache directory for native libraries: {}", e.toString());
    }
  }

  static Path cacheDirectory() {
    String configured = System.getProperty(CACHE_PROPERTY);
    if (configured == null || configured.isBlank()) {
      configured = System.getenv(CACHE_VARIABLE);
    }
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured).toAbsolutePath();
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("sluice").toAbsolutePath();
  }

  private static void useSqliteLibraryIn(Path nativeDirectory) throws IOException {
    if (System.getProperty("org.sqlite.lib.path") != null) {
      return;
    }
    String folder = org.sqlite.util.OSInfo.getNativeLibFolderPathForCurrentOS();
    String name = System.mapLibraryName("sqlitejdbc");
    if (name.endsWith(".jnilib")) {
      name = name.replace(".jnilib", ".dylib");
    }
    Path directory =
        nativeDirectory
            .resolve("sqlite-jdbc-" + org.sqlite.SQLiteJDBCLoader.getVersion())
            .resolve(folder);
    if (extractOnce(
        org.sqlite.SQLiteJDBCLoader.class,
        "/org/sqlite/native/" + folder + "/" + name,
        directory.resolve(name))) {
      System.setProperty("org.sqlite.lib.path", directory.toString());
      System.setProperty("org.sqlite.lib.name", name);
    }
  }

  /**
   * Snappy's library (Iceberg's and Parquet's codecs load it when a run writes): its loader takes a
   * library at {@code org.xerial.snappy.lib.path}/{@code lib.name} in place, else unpacks it into
   * the temporary directory at every start.
   */
  private static void useSnappyLibraryIn(Path nativeDirectory) throws IOException {
    if (System.getProperty("org.xerial.snappy.lib.path") != null
        || NativeLibraries.class.getResource("/org/xerial/snappy/VERSION") == null) {
      return;
    }
    String folder = org.xerial.snappy.OSInfo.getNativeLibFolderPathForCurrentOS();
    String name = System.mapLibraryName("snappyjava");
    Path directory = nativeDirectory.resolve("snappy-java-" + snappyVersion()).resolve(folder);
    if (extractOnce(
        org.xerial.snappy.SnappyLoader.class,
        "/org/xerial/snappy/native/" + folder + "/" + name,
        directory.resolve(name))) {
      System.setProperty("org.xerial.snappy.lib.path", directory.toString());
      System.setProperty("org.xerial.snappy.lib.name", name);
    }
  }

  /**
   * The snappy-java release (its jar's manifest, such as 1.1.10.7): {@code SnappyLoader.getVersion}
   * gives only Snappy's own version (1.1.10), shared by releases with different libraries.
   */
  private static String snappyVersion() {
    String release = org.xerial.snappy.SnappyLoader.class.getPackage().getImplementationVersion();
    return release != null ? release : org.xerial.snappy.SnappyLoader.getVersion();
  }

  /**
   * Extracts {@code resource} of {@code owner}'s jar to {@code library} unless it is there already
   * (written to a file of this process first and moved in place, so that processes starting
   * together never load a partial file).
   *
   * @return whether the library is there: false when the jar has none for this platform (the driver
   *     then finds one itself)
   */
  private static boolean extractOnce(Class<?> owner, String resource, Path library)
      throws IOException {
    if (Files.isRegularFile(library)) {
      return true;
    }
    try (InputStream in = owner.getResourceAsStream(resource)) {
      if (in == null) {
        return false;
      }
      Files.createDirectories(library.getParent());
      Path partial =
          library.resolveSibling(
              library.getFileName() + "." + ProcessHandle.current().pid() + ".partial");
      Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
      try {
        Files.move(partial, library, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
        Files.deleteIfExists(partial); // another process extracted it first
      }
    }
    return true;
  }

  private static void useTemporaryDirectoryIn(Path temporaryRoot) throws IOException {
    if (!Files.isDirectory(temporaryRoot)) {
      return;
    }
    ProcessHandle self = ProcessHandle.current();
    Path own = temporaryRoot.resolve(Long.toString(self.pid()));
    if (Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize().equals(own)) {
      Files.writeString(own.resolve(STARTED_FILE), startOf(self).map(Instant::toString).orElse(""));
    }
    deleteDirectoriesOfGoneProcesses(temporaryRoot, self.pid());
  }

  /** Deletes {@code tmp/PID} directories whose process is gone (or is a later one with its id). */
  private static void deleteDirectoriesOfGoneProcesses(Path temporaryRoot, long self)
      throws IOException {
    try (Stream<Path> directories = Files.list(temporaryRoot)) {
      for (Path directory : directories.toList()) {
        long pid;
        try {
          pid = Long.parseLong(directory.getFileName().toString());
        } catch (NumberFormatException e) {
          continue;
        }
        if (pid == self) {
          continue;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        boolean alive = process.isPresent() && process.get().isAlive();
        if (alive) {
          Path started = directory.resolve(STARTED_FILE);
          String recorded = Files.exists(started) ? Files.readString(started) : "";
          String actual = startOf(process.get()).map(Instant::toString).orElse("");
          alive = recorded.isEmpty() || actual.isEmpty() || recorded.equals(actual);
        }
        if (!alive) {
          deleteRecursively(directory);
        }
      }
    }
  }

  private static Optional<Instant> startOf(ProcessHandle process) {
    return process.info().startInstant();
  }

  private static void deleteRecursively(Path directory) {
    try {
      Directories.deleteRecursively(directory);
    } catch (UncheckedIOException e) {
      log.debug("Cannot delete {}: {}", directory, e.getCause().toString());
    }
  }
}
