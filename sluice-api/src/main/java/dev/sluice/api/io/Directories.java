package dev.sluice.api.io;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Local directories: the one recursive delete that modules share. */
public final class Directories {
  private Directories() {}

  /**
   * Deletes {@code directory} with everything in it, deepest first; nothing when it does not exist.
   * Links are deleted, not followed.
   *
   * @throws UncheckedIOException naming the directory, when something in it cannot be deleted
   */
  public static void deleteRecursively(Path directory) {
    requireNonNull(directory, "directory is null");
    if (!Files.exists(directory)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + directory, e);
    }
  }
}
