package dev.sluice.api;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.stream.Collectors;

/** One or more problems in the project's files, each with its file and line. */
public class ProjectException extends SluiceException {
  private static final long serialVersionUID = 1L;

  /** One problem: where, what is wrong, and how to fix it (the hint may be empty). */
  public record Problem(Location location, String message, String hint) {
    public Problem {
      requireNonNull(location, "location is null");
      requireNonNull(message, "message is null");
      hint = hint == null ? "" : hint;
    }

    @Override
    public String toString() {
      return location + ": " + message + (hint.isEmpty() ? "" : " (" + hint + ")");
    }
  }

  private final transient List<Problem> problems;

  public ProjectException(List<Problem> problems) {
    super(format(problems));
    this.problems = List.copyOf(problems);
  }

  public ProjectException(Location location, String message, String hint) {
    this(List.of(new Problem(location, message, hint)));
  }

  public List<Problem> problems() {
    return problems;
  }

  private static String format(List<Problem> problems) {
    if (problems.size() == 1) {
      return problems.get(0).toString();
    }
    return problems.size()
        + " problems in the project:\n"
        + problems.stream().map(p -> "  " + p).collect(Collectors.joining("\n"));
  }
}
