package dev.sluice.core.project;

import dev.sluice.api.ProjectException;
import dev.sluice.api.ProjectException.Problem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Writes project files for tests, and loads projects expecting problems. */
final class TestProjects {
  static final String MINIMAL_CONFIG = "name: shop\n";

  private TestProjects() {}

  static Path write(Path root, String file, String content) {
    try {
      Path path = root.resolve(file);
      Files.createDirectories(path.getParent());
      Files.writeString(path, content, StandardCharsets.UTF_8);
      return path;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Loads a project that must fail, and returns its problems. */
  static List<Problem> problems(Path root) {
    return problems(root, Map.of());
  }

  static List<Problem> problems(Path root, Map<String, String> environment) {
    try {
      Project.load(root, environment);
    } catch (ProjectException e) {
      return e.problems();
    }
    throw new AssertionError("Expected the project in " + root + " to have problems");
  }

  /** The only problem of a project that must fail. */
  static Problem onlyProblem(Path root) {
    List<Problem> problems = problems(root);
    if (problems.size() != 1) {
      throw new AssertionError("Expected one problem, got: " + problems);
    }
    return problems.get(0);
  }
}
