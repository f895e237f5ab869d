package dev.sluice.core.project;

import dev.sluice.api.Location;
import dev.sluice.api.ProjectException;
import dev.sluice.api.ProjectException.Problem;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Collects the problems found while loading a project, so that all of them are reported at once.
 */
final class Problems {
  private final Set<Problem> problems = new LinkedHashSet<>();

  void add(Location location, String message, String hint) {
    problems.add(new Problem(location, message, hint));
  }

  void add(Location location, String message) {
    add(location, message, "");
  }

  void addAll(ProjectException exception) {
    problems.addAll(exception.problems());
  }

  void addAll(Problems other) {
    problems.addAll(other.problems);
  }

  boolean isEmpty() {
    return problems.isEmpty();
  }

  int size() {
    return problems.size();
  }

  /** The problems sorted by file and line; problems of one place keep the order they were found. */
  List<Problem> sorted() {
    List<Problem> list = new ArrayList<>(problems);
    list.sort(
        Comparator.comparing((Problem problem) -> problem.location().file())
            .thenComparingInt(problem -> problem.location().line()));
    return list;
  }

  /**
   * @throws ProjectException listing every problem, if there is any
   */
  void throwIfAny() {
    if (!problems.isEmpty()) {
      throw new ProjectException(sorted());
    }
  }
}
