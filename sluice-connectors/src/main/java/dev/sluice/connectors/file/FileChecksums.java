package dev.sluice.connectors.file;

import static java.util.Objects.requireNonNull;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the pass over a file found (its SHA-256 checksum and, for a CSV file, that it has no record
 * longer than the maximum line size), kept by the file's identity on disk, so that a file that did
 * not change since is not read again for them: the device and inode, the size, the modification
 * time and the inode's change time ({@code ctime}) must all be the same. The change time is set by
 * the file system to the current time at every write of the file and every change of its
 * attributes, and no program can set it back (as {@code touch -d} or {@code cp -p} set the
 * modification time back): a file rewritten with the same size and its old modification time has
 * another change time, and is read again. A file modified within {@link #SETTLED} of its pass is
 * not kept (the times of a file system are coarser than a nanosecond: a write just after the pass
 * could leave them as they were), and neither is a file whose identity changed during the pass.
 *
 * <p>The pass over a gigabyte of CSV is about 1.4 s of CPU (the checksum and the long-record scan,
 * docs/benchmarks.md): a full load of unchanged files, an append-mode load of a directory of old
 * files and a {@code new_data} sensor's poll read every byte of them for nothing before. What the
 * checksum guards stays as it was: a file is identified by its path and its content's checksum; a
 * file under a new name, or with a new identity, is read.
 *
 * <p>Kept in the project's {@code .sluice/file-checksums/}, a file per source table; a file that
 * cannot be read or written there only costs the pass (nothing is kept on a file system without
 * Unix attributes). {@code checksums: always} on a table reads every file at every load.
 */
final class FileChecksums {
  private static final Logger LOG = LoggerFactory.getLogger(FileChecksums.class);

  /** How long before the pass a file must have last changed to be kept. */
  static final Duration SETTLED = Duration.ofSeconds(2);

  /** The directory of the kept checksums, in the project. */
  static final String DIRECTORY = ".sluice/file-checksums";

  private static final String ATTRIBUTES = "unix:dev,ino,size,lastModifiedTime,ctime";
  private static final String NOT_SCANNED = "-";

  /** A checksum that reads nothing and keeps nothing. */
  static final FileChecksums NONE = new FileChecksums(null, Clock.systemUTC(), SETTLED);

  /**
   * A file's identity on disk: when it is the same, the content is.
   *
   * @param device the device the file is on
   * @param inode its inode
   * @param size its size in bytes
   * @param modifiedNanos its modification time
   * @param changedNanos its inode's change time
   */
  record Identity(long device, long inode, long size, long modifiedNanos, long changedNanos) {
    /** The identity of {@code path} (links followed), or null without Unix attributes. */
    static Identity of(Path path) throws IOException {
      Map<String, Object> attributes;
      try {
        attributes = Files.readAttributes(path, ATTRIBUTES);
      } catch (UnsupportedOperationException | IllegalArgumentException e) {
        return null;
      }
      return new Identity(
          ((Number) attributes.get("dev")).longValue(),
          ((Number) attributes.get("ino")).longValue(),
          ((Number) attributes.get("size")).longValue(),
          nanos(attributes.get("lastModifiedTime")),
          nanos(attributes.get("ctime")));
    }

    private static long nanos(Object time) {
      return ((FileTime) time).to(TimeUnit.NANOSECONDS);
    }

    /** The later of the modification and change times. */
    long lastChangedNanos() {
      return Math.max(modifiedNanos, changedNanos);
    }
  }

  /**
   * What was found in a file of an identity.
   *
   * @param checksum its SHA-256, hex
   * @param scannedWith the quote and escape of the long-record scan that found none in it ({@link
   *     CsvLongRecords.Scanner#key()}), or null when it was not scanned or has long records
   */
  record Known(Identity identity, String checksum, String scannedWith) {}

  private final Path store;
  private final Clock clock;
  private final Duration settled;
  private final Map<Path, Known> known = new ConcurrentHashMap<>();
  private volatile boolean changed;
  private int hits;

  FileChecksums(Path store, Clock clock, Duration settled) {
    this.store = store;
    this.clock = requireNonNull(clock, "clock is null");
    this.settled = requireNonNull(settled, "settled is null");
    if (store != null) {
      load();
    }
  }

  /** The kept checksums of a source table of the project. */
  static FileChecksums of(Path projectDirectory, String source, String table) {
    return new FileChecksums(
        projectDirectory.resolve(DIRECTORY).resolve(safe(source) + "." + safe(table) + ".tsv"),
        Clock.systemUTC(),
        SETTLED);
  }

  /** Whether files' findings are kept (else every file is read). */
  boolean keeps() {
    return store != null;
  }

  /**
   * What is kept of the file at {@code path} with this identity, or null.
   *
   * @param scannedWith the key of the long-record scan the file needs ({@link
   *     CsvLongRecords.Scanner#key()}), or null when it needs none: an entry not scanned with it is
   *     of no use
   */
  Known known(Path path, Identity identity, String scannedWith) {
    if (store == null || identity == null) {
      return null;
    }
    Known kept = known.get(path.toAbsolutePath().normalize());
    if (kept == null
        || !kept.identity().equals(identity)
        || (scannedWith != null && !scannedWith.equals(kept.scannedWith()))) {
      return null;
    }
    synchronized (this) {
      hits++;
    }
    return kept;
  }

  /** How many files' checksums were taken from here rather than read (for the tests). */
  synchronized int hits() {
    return hits;
  }

  /** The current time, taken before a pass begins, for {@link #remember}. */
  long nowNanos() {
    return TimeUnit.MILLISECONDS.toNanos(clock.millis());
  }

  /**
   * Keeps what a pass found in the file at {@code path}, when the file had the same identity before
   * and after it and last changed {@link #SETTLED} before it began.
   */
  void remember(Path path, Identity before, Identity after, long passStartedNanos, Known found) {
    if (store == null || before == null || !before.equals(after)) {
      return;
    }
    if (before.lastChangedNanos() > passStartedNanos - settled.toNanos()) {
      return;
    }
    known.put(path.toAbsolutePath().normalize(), found);
    changed = true;
  }

  /** Writes what was found to the project, atomically; a failure is logged, not thrown. */
  synchronized void save() {
    if (store == null || !changed) {
      return;
    }
    try {
      Files.createDirectories(store.getParent());
      Path written =
          Files.createTempFile(store.getParent(), store.getFileName().toString(), ".tmp");
      try (BufferedWriter out = Files.newBufferedWriter(written, StandardCharsets.UTF_8)) {
        for (Map.Entry<Path, Known> entry : known.entrySet()) {
          String name = entry.getKey().toString();
          if (name.indexOf('\n') >= 0 || name.indexOf('\r') >= 0) {
            continue;
          }
          Known kept = entry.getValue();
          Identity identity = kept.identity();
          out.write(
              String.join(
                  "\t",
                  Long.toString(identity.device()),
                  Long.toString(identity.inode()),
                  Long.toString(identity.size()),
                  Long.toString(identity.modifiedNanos()),
                  Long.toString(identity.changedNanos()),
                  kept.checksum(),
                  kept.scannedWith() == null ? NOT_SCANNED : kept.scannedWith(),
                  name));
          out.write('\n');
        }
      }
      try {
        Files.move(written, store, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(written, store, StandardCopyOption.REPLACE_EXISTING);
      }
      changed = false;
    } catch (IOException | RuntimeException e) {
      LOG.debug("Cannot keep the files' checksums in {}: {}", store, e.toString());
    }
  }

  private void load() {
    List<String> lines;
    try {
      lines = Files.readAllLines(store, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return;
    } catch (IOException | RuntimeException e) {
      LOG.debug("Cannot read the kept checksums in {}: {}", store, e.toString());
      return;
    }
    for (String line : lines) {
      String[] fields = line.split("\t", 8);
      if (fields.length != 8 || fields[5].length() != 64) {
        continue;
      }
      try {
        Identity identity =
            new Identity(
                Long.parseLong(fields[0]),
                Long.parseLong(fields[1]),
                Long.parseLong(fields[2]),
                Long.parseLong(fields[3]),
                Long.parseLong(fields[4]));
        known.put(
            Path.of(fields[7]),
            new Known(identity, fields[5], NOT_SCANNED.equals(fields[6]) ? null : fields[6]));
      } catch (RuntimeException e) {
        // a damaged line: that file is read again
      }
    }
  }

  private static String safe(String name) {
    return name.replaceAll("[^A-Za-z0-9_-]", "_");
  }
}
