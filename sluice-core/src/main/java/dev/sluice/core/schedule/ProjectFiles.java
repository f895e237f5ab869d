package dev.sluice.core.schedule;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What a project's files look like now (names, sizes, modification times), so that a long-running
 * server can tell when they were edited and reload the project. Only the files a project is loaded
 * from count: {@code sluice.yaml}, {@code policies.yaml}, and what is under {@code sources/},
 * {@code models/} and {@code seeds/}; never the warehouse or the state database. A dbt project's
 * {@code dbt_project.yml} and {@code profiles.yml} count too (its models and seeds in the default
 * directories; not yet those of other {@code model-paths}).
 */
public final class ProjectFiles {
  private static final List<String> FILES =
      List.of("sluice.yaml", "policies.yaml", "dbt_project.yml", "profiles.yml");
  private static final List<String> DIRECTORIES = List.of("sources", "models", "seeds");
  private static final long HASHED_UP_TO = 1 << 20;

  private ProjectFiles() {}

  /**
   * The project files by path relative to the root, each with its size, modification time and (up
   * to a mebibyte) a checksum of its content: two snapshots differ when a file was added, removed
   * or changed.
   *
   * @throws UncheckedIOException if a directory cannot be read
   */
  public static Map<String, String> snapshot(Path root) {
    requireNonNull(root, "root is null");
    Map<String, String> files = new TreeMap<>();
    for (String name : FILES) {
      record(root, root.resolve(name), files);
    }
    for (String name : DIRECTORIES) {
      Path directory = root.resolve(name);
      if (!Files.isDirectory(directory)) {
        continue;
      }
      try (Stream<Path> paths = Files.walk(directory)) {
        paths.filter(Files::isRegularFile).forEach(path -> record(root, path, files));
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read " + directory, e);
      }
    }
    return files;
  }

  private static void record(Path root, Path path, Map<String, String> files) {
    try {
      BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
      String state = attributes.size() + "@" + attributes.lastModifiedTime().toMillis();
      if (attributes.size() <= HASHED_UP_TO) {
        // an edit within the file system's time resolution that keeps the size shows in the content
        java.util.zip.CRC32 checksum = new java.util.zip.CRC32();
        checksum.update(Files.readAllBytes(path));
        state += "#" + Long.toHexString(checksum.getValue());
      }
      files.put(root.relativize(path).toString(), state);
    } catch (NoSuchFileException e) {
      // absent (or removed while listed): not part of the project
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + path, e);
    }
  }
}
