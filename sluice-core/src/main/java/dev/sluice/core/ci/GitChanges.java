package dev.sluice.core.ci;

import dev.sluice.api.InvalidInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The files of a project that changed since a git base ({@code sluice ci --base REF}): those that
 * differ between the merge base of {@code REF} and {@code HEAD}, and the working tree, as a pull
 * request shows them. Read with the {@code git} command.
 *
 * @param base the ref as given, e.g. {@code origin/main}
 * @param mergeBase the commit the change started from
 * @param head the commit checked out
 * @param files the changed files, relative to the project directory, sorted
 */
public record GitChanges(String base, String mergeBase, String head, List<String> files) {
  public GitChanges {
    files = List.copyOf(files);
  }

  /**
   * The files changed in the project at {@code root} since {@code base}.
   *
   * @throws InvalidInputException when the project is not in a git repository or {@code base} is
   *     not a commit there (a shallow clone lacks it: fetch with full history)
   */
  public static GitChanges since(Path root, String base) {
    if (base.isBlank() || base.startsWith("-")) {
      throw new InvalidInputException("--base must name a git ref, e.g. origin/main; got " + base);
    }
    String head = git(root, "rev-parse", "--verify", "HEAD^{commit}");
    String mergeBase;
    try {
      git(root, "rev-parse", "--verify", "--quiet", base + "^{commit}");
      mergeBase = git(root, "merge-base", base, "HEAD");
    } catch (InvalidInputException e) {
      throw new InvalidInputException(
          "--base "
              + base
              + " is not a commit of the project's git repository: "
              + e.getMessage()
              + " (in CI, check out the full history, e.g. fetch-depth: 0, and fetch the base"
              + " branch)");
    }
    List<String> files = new ArrayList<>();
    // committed and uncommitted changes since the merge base, limited to the project directory
    for (String line :
        git(root, "diff", "--name-only", "--relative", mergeBase, "--", ".").lines().toList()) {
      if (!line.isBlank()) {
        files.add(line.strip());
      }
    }
    for (String line :
        git(root, "ls-files", "--others", "--exclude-standard", "--", ".").lines().toList()) {
      if (!line.isBlank() && !files.contains(line.strip())) {
        files.add(line.strip());
      }
    }
    files.sort(null);
    return new GitChanges(base, mergeBase, head, files);
  }

  /** A git command's output, trimmed. */
  private static String git(Path root, String... arguments) {
    List<String> command = new ArrayList<>(List.of("git", "-C", root.toString()));
    command.addAll(List.of(arguments));
    try {
      Process process = new ProcessBuilder(command).start();
      process.getOutputStream().close();
      byte[] output = process.getInputStream().readAllBytes();
      byte[] error = process.getErrorStream().readAllBytes();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new InvalidInputException("git " + arguments[0] + " did not finish in 60 s");
      }
      if (process.exitValue() != 0) {
        String message = new String(error, StandardCharsets.UTF_8).strip();
        throw new InvalidInputException(
            "git "
                + String.join(" ", arguments)
                + " failed"
                + (message.isEmpty() ? "" : ": " + message.lines().findFirst().orElse("")));
      }
      return new String(output, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new InvalidInputException("Cannot run git (is it installed?): " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InvalidInputException("Interrupted while running git");
    }
  }
}
