package dev.sluice.connectors.file;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.DataException;
import dev.sluice.api.connector.SourceFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * A file to read, with the name it is reported under (relative to the project when inside it), its
 * SHA-256 checksum and size.
 *
 * @param longRecords the CSV records longer than the maximum line size, found in the pass that
 *     computed the checksum; null when they were not looked for then
 */
record InputFile(
    Path path,
    String name,
    String checksum,
    long sizeInBytes,
    List<CsvLongRecords.LongRecord> longRecords) {
  private static final int BUFFER_SIZE = 1 << 16;

  InputFile {
    requireNonNull(path, "path is null");
    requireNonNull(name, "name is null");
    requireNonNull(checksum, "checksum is null");
    longRecords = longRecords == null ? null : List.copyOf(longRecords);
  }

  /** A file whose long records were not looked for. */
  InputFile(Path path, String name, String checksum, long sizeInBytes) {
    this(path, name, checksum, sizeInBytes, null);
  }

  /**
   * Reads a file's checksum and size.
   *
   * @throws DataException naming the file when it cannot be read
   */
  static InputFile read(Path projectDirectory, Path path) {
    return read(projectDirectory, path, null);
  }

  /**
   * Reads a file's checksum and size and, with a scanner, finds its long CSV records in the same
   * pass: the file is read once before the engine reads it, not twice (a separate pass over a
   * gigabyte of CSV cost about a second of one core). A gzip-compressed file's records are in its
   * decompressed bytes: they are not looked for here.
   *
   * @param scanner the scanner of the file's CSV records, or null to look for none
   * @throws DataException naming the file when it cannot be read
   */
  static InputFile read(Path projectDirectory, Path path, CsvLongRecords.Scanner scanner) {
    return read(projectDirectory, path, scanner, FileChecksums.NONE);
  }

  /**
   * As {@link #read(Path, Path, CsvLongRecords.Scanner)}, without reading a file that did not
   * change since a pass over it found its checksum (and, when scanned, no long record): see {@link
   * FileChecksums}.
   *
   * @param checksums what earlier passes found, and where this one's findings are kept
   * @throws DataException naming the file when it cannot be read
   */
  static InputFile read(
      Path projectDirectory, Path path, CsvLongRecords.Scanner scanner, FileChecksums checksums) {
    String name = displayName(projectDirectory, path);
    CsvLongRecords.Scanner records = scanner != null && !gzipped(path) ? scanner : null;
    FileChecksums.Identity before = null;
    long started = 0;
    if (checksums.keeps()) {
      try {
        before = FileChecksums.Identity.of(path);
      } catch (IOException e) {
        throw unreadable(name, e);
      }
      FileChecksums.Known known =
          checksums.known(path, before, records == null ? null : records.key());
      if (known != null) {
        return new InputFile(
            path, name, known.checksum(), before.size(), records == null ? null : List.of());
      }
      started = checksums.nowNanos();
    }
    MessageDigest digest = sha256();
    long size = 0;
    try (InputStream in = Files.newInputStream(path)) {
      byte[] buffer = new byte[BUFFER_SIZE];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
        if (records != null) {
          records.update(buffer, n);
        }
        size += n;
      }
    } catch (IOException e) {
      throw unreadable(name, e);
    }
    String checksum = HexFormat.of().formatHex(digest.digest());
    List<CsvLongRecords.LongRecord> found = records == null ? null : records.finish();
    if (before != null) {
      FileChecksums.Identity after;
      try {
        after = FileChecksums.Identity.of(path);
      } catch (IOException e) {
        after = null;
      }
      checksums.remember(
          path,
          before,
          after,
          started,
          new FileChecksums.Known(
              before, checksum, records != null && found.isEmpty() ? records.key() : null));
    }
    return new InputFile(path, name, checksum, size, found);
  }

  SourceFile toSourceFile() {
    return new SourceFile(name, checksum, sizeInBytes);
  }

  /** Whether the file is gzip-compressed, judged by its name as DuckDB does. */
  boolean gzipped() {
    return gzipped(path);
  }

  private static boolean gzipped(Path path) {
    return path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gz");
  }

  /** Opens the file's content, decompressed when it is gzip-compressed. */
  InputStream open() throws IOException {
    InputStream in = Files.newInputStream(path);
    return gzipped() ? new GZIPInputStream(in, BUFFER_SIZE) : in;
  }

  /** A DataException saying the file cannot be read, and why. */
  static DataException unreadable(String name, IOException e) {
    String reason;
    if (e instanceof NoSuchFileException) {
      reason = "the file does not exist (was it moved while loading?)";
    } else if (e instanceof AccessDeniedException) {
      reason = "permission denied; make it readable by the user running Sluice";
    } else {
      reason = e.getMessage() == null ? e.toString() : e.getMessage();
    }
    return new DataException("Cannot read " + name + ": " + reason, e);
  }

  /** A path relative to the project with '/' separators when inside it, else the absolute path. */
  static String displayName(Path projectDirectory, Path path) {
    Path project = projectDirectory.toAbsolutePath().normalize();
    Path absolute = path.toAbsolutePath().normalize();
    if (absolute.startsWith(project)) {
      return project.relativize(absolute).toString().replace('\\', '/');
    }
    return absolute.toString();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("The JDK has no SHA-256", e);
    }
  }
}
