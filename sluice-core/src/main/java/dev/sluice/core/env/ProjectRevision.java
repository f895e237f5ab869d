package dev.sluice.core.env;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The revision of a project: its git commit, and whether files differ from it, when the project is
 * in a git repository (read with the {@code git} command).
 *
 * @param commit the commit id
 * @param dirty whether the working tree has uncommitted changes
 */
public record ProjectRevision(String commit, boolean dirty) {
  /** The revision of the project at {@code root}, or empty outside a git repository. */
  public static Optional<ProjectRevision> of(Path root) {
    Optional<String> commit = git(root, "rev-parse", "--verify", "HEAD");
    if (commit.isEmpty() || !commit.get().matches("[0-9a-f]{7,64}")) {
      return Optional.empty();
    }
    boolean dirty =
        git(root, "status", "--porcelain", "--untracked-files=no", "--", ".")
            .map(s -> !s.isEmpty())
            .orElse(false);
    return Optional.of(new ProjectRevision(commit.get(), dirty));
  }

  /** A git command's output, trimmed, or empty when git is missing or the command fails. */
  private static Optional<String> git(Path root, String... arguments) {
    List<String> command = new java.util.ArrayList<>(List.of("git", "-C", root.toString()));
    command.addAll(List.of(arguments));
    try {
      Process process =
          new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      process.getOutputStream().close();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return Optional.empty();
      }
      return process.exitValue() == 0 ? Optional.of(output.strip()) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }
}
