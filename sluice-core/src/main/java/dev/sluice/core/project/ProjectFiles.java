package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What a project's files look like now (names, sizes, modification times), so that a long-running
 * server can tell when they were edited and reload the project. Only the files a project is loaded
 * from count: {@code sluice.yaml}, {@code policies.yaml}, and what is under {@code sources/},
 * {@code models/} and {@code seeds/}; never the warehouse or the state database. A dbt project's
 * files count as dbt reads them: {@code dbt_project.yml}, {@code profiles.yml}, {@code
 * packages.yml}, {@code dependencies.yml}, {@code selectors.yml}, and what is under the directories
 * its {@code dbt_project.yml} names (model, seed, test, macro, snapshot, analysis and docs paths,
 * and the installed packages, linked ones included), never its {@code target-path}.
 */
public final class ProjectFiles {
  private static final List<String> FILES =
      List.of(
          "sluice.yaml",
          "policies.yaml",
          "dbt_project.yml",
          "profiles.yml",
          "packages.yml",
          "dependencies.yml",
          "selectors.yml");
  private static final List<String> DIRECTORIES = List.of("sources", "models", "seeds");
  private static final long HASHED_UP_TO = 1 << 20;

  /** Files that may differ between hosts serving one project: a dbt profile's connections. */
  private static final List<String> HOST_FILES = List.of("profiles.yml");

  private ProjectFiles() {}

  /**
   * A digest of the project's definition: its files' paths relative to the root and their contents
   * (not their times), as {@link #snapshot} lists them, less {@code profiles.yml} (each host may
   * reach the databases its own way). Two copies of one project revision, on any host, have the
   * same digest; a run and the workers that run its steps compare them.
   *
   * @throws UncheckedIOException if a file cannot be read
   */
  public static String digest(Path root) {
    requireNonNull(root, "root is null");
    java.security.MessageDigest digest = sha256();
    for (String file : snapshot(root).keySet()) {
      if (HOST_FILES.contains(file)) {
        continue;
      }
      try {
        digest.update(file.replace('\\', '/').getBytes(java.nio.charset.StandardCharsets.UTF_8));
        digest.update((byte) 0);
        digest.update(sha256().digest(Files.readAllBytes(root.resolve(file))));
      } catch (NoSuchFileException e) {
        // removed since it was listed: not part of the project
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read " + root.resolve(file), e);
      }
    }
    return java.util.HexFormat.of().formatHex(digest.digest());
  }

  private static java.security.MessageDigest sha256() {
    try {
      return java.security.MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every Java runtime has SHA-256", e);
    }
  }

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
    Set<String> directories = new LinkedHashSet<>(DIRECTORIES);
    Set<String> linked = new LinkedHashSet<>();
    Optional<DbtProjectFile> dbtProject = dbtProject(root);
    dbtProject.ifPresent(
        dbt -> {
          directories.addAll(dbt.propertyPaths());
          directories.addAll(dbt.docsPaths());
          directories.add("analyses");
          linked.add(dbt.packagesInstallPath());
        });
    directories.addAll(linked);
    // a dbt project's target path is written by runs, never a definition
    Path target = dbtProject.map(dbt -> root.resolve(dbt.targetPath()).normalize()).orElse(null);
    for (String name : directories) {
      Path directory = root.resolve(name).normalize();
      if (!directory.startsWith(root.normalize()) || !Files.isDirectory(directory)) {
        continue;
      }
      FileVisitOption[] options =
          linked.contains(name) ? new FileVisitOption[] {FileVisitOption.FOLLOW_LINKS} : NO_OPTIONS;
      try (Stream<Path> paths = Files.walk(directory, options)) {
        paths
            .filter(path -> target == null || !path.normalize().startsWith(target))
            .filter(Files::isRegularFile)
            .forEach(path -> record(root, path, files));
      } catch (IOException | UncheckedIOException e) {
        throw new UncheckedIOException(
            "Cannot read " + directory,
            e instanceof UncheckedIOException unchecked ? unchecked.getCause() : (IOException) e);
      }
    }
    return files;
  }

  private static final FileVisitOption[] NO_OPTIONS = {};

  /** The dbt project's {@code dbt_project.yml} as far as it can be read, if the root has one. */
  private static Optional<DbtProjectFile> dbtProject(Path root) {
    Path file = root.resolve(DbtProjectFile.FILE);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    // a broken file is reported when the project loads; here it only names fewer directories
    Problems ignored = new Problems();
    return YamlFiles.read(root, file, ignored).flatMap(node -> DbtProjectFile.parse(node, ignored));
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
