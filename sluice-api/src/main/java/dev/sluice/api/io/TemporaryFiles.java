package dev.sluice.api.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Temporary files in the system's temporary directory, for data buffered while it is staged. */
public final class TemporaryFiles {
  private TemporaryFiles() {}

  /**
   * Creates an empty temporary file, e.g. {@code sluice-json-123.ndjson}; the caller deletes it.
   *
   * @throws UncheckedIOException when the file cannot be created
   */
  public static Path create(String prefix, String suffix) {
    try {
      return Files.createTempFile(prefix, suffix);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a temporary file: " + e.getMessage(), e);
    }
  }
}
