package dev.sluice.core.project;

import dev.sluice.api.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * dbt's {@code clean}: removes the directories of dbt_project.yml's {@code clean-targets} (the
 * {@code target-path} when it has none), as dbt does. It refuses, before removing anything, a
 * target outside the project (dbt's default {@code --clean-project-files-only}), the project itself
 * and a directory that holds the project's files (model, seed, test, macro, snapshot, analysis and
 * docs paths), as dbt protects them. A symbolic link is removed, never what it points to.
 */
public final class DbtClean {
  private DbtClean() {}

  /**
   * What {@code clean} removed.
   *
   * @param removed the targets that were there and are removed, relative to the project
   * @param absent the targets that were not there
   */
  public record Result(List<String> removed, List<String> absent) {
    public Result {
      removed = List.copyOf(removed);
      absent = List.copyOf(absent);
    }
  }

  /**
   * Removes the clean targets of the dbt project in {@code root}.
   *
   * @throws InvalidInputException naming the targets it refuses (nothing is removed then)
   * @throws dev.sluice.api.ProjectException when dbt_project.yml cannot be read
   */
  public static Result clean(Path root) {
    Path project = root.toAbsolutePath().normalize();
    Problems problems = new Problems();
    DbtProjectFile file = DbtDeps.projectFile(project, problems);
    List<String> targets =
        YamlFiles.read(project, project.resolve(DbtProjectFile.FILE), problems)
            .flatMap(
                node ->
                    YamlMap.lenient(
                        DbtProjectFile.FILE,
                        node,
                        DbtProjectFile.FILE,
                        Set.of("clean-targets"),
                        new Problems()))
            .filter(map -> map.has("clean-targets"))
            .map(map -> map.stringList("clean-targets"))
            .orElse(List.of(file.targetPath()));
    List<String> protectedPaths = new ArrayList<>();
    protectedPaths.addAll(file.modelPaths());
    protectedPaths.addAll(file.seedPaths());
    protectedPaths.addAll(file.testPaths());
    protectedPaths.addAll(file.macroPaths());
    protectedPaths.addAll(file.snapshotPaths());
    protectedPaths.addAll(file.docsPaths());
    protectedPaths.add("analyses");
    List<String> refused = new ArrayList<>();
    List<Path> paths = new ArrayList<>();
    for (String target : targets) {
      Path path = project.resolve(target).normalize();
      if (!path.startsWith(project) || path.equals(project)) {
        refused.add(target + " (outside the project)");
      } else if (protectedPaths.stream()
          .map(kept -> project.resolve(kept).normalize())
          .anyMatch(kept -> kept.startsWith(path))) {
        refused.add(target + " (it holds the project's files)");
      } else {
        paths.add(path);
      }
    }
    if (!refused.isEmpty()) {
      throw new InvalidInputException(
          "dbt_project.yml's clean-targets name what 'clean' must not remove: "
              + String.join(", ", refused)
              + "; nothing was removed. List only directories inside the project that Sluice or"
              + " dbt write, e.g. clean-targets: [target, dbt_packages]");
    }
    List<String> removed = new ArrayList<>();
    List<String> absent = new ArrayList<>();
    for (Path path : paths) {
      String name = project.relativize(path).toString().replace('\\', '/');
      if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
        absent.add(name);
        continue;
      }
      delete(path);
      removed.add(name);
    }
    return new Result(removed, absent);
  }

  /** Deletes a file or a directory tree; a symbolic link is deleted, not followed. */
  private static void delete(Path path) {
    try {
      Files.walkFileTree(
          path,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
                throws IOException {
              Files.delete(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path directory, IOException e)
                throws IOException {
              if (e != null) {
                throw e;
              }
              Files.delete(directory);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot remove " + path, e);
    }
  }
}
