package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * A project being loaded on a thread of its own while the command opens what needs only the
 * project's settings (its warehouse, catalog, engine and run store): a short command such as {@code
 * sluice query} or {@code sluice tables} then pays the longer of the two, not their sum (issue 20,
 * docs/benchmarks.md). What the command gets is what loading the project first gives: the same
 * project, and the project's problems before any other failure.
 */
public final class ProjectLoading {
  private final Path root;
  private final CompletableFuture<Project> project;

  private ProjectLoading(Path root, CompletableFuture<Project> project) {
    this.root = root;
    this.project = project;
  }

  /**
   * Starts {@code load}, the loading of the project at {@code root}, on a daemon thread.
   *
   * @param root the project's directory
   * @param load what loads it (the command's {@code Project.load} with its invocation)
   */
  public static ProjectLoading start(Path root, Supplier<Project> load) {
    requireNonNull(root, "root is null");
    requireNonNull(load, "load is null");
    CompletableFuture<Project> project = new CompletableFuture<>();
    Thread thread =
        new Thread(
            () -> {
              try {
                project.complete(load.get());
              } catch (RuntimeException | Error e) {
                project.completeExceptionally(e);
              }
            },
            "sluice-project-load");
    thread.setDaemon(true);
    thread.start();
    return new ProjectLoading(root, project);
  }

  /**
   * The project's settings: read from sluice.yaml alone while the project loads; a dbt project's
   * come from its profile, read with the whole project, so it waits for the project.
   *
   * @param target the target of sluice.yaml's {@code targets:} (null for the default)
   */
  public ProjectConfig config(String target) {
    if (!Files.isRegularFile(root.resolve(ConfigParser.FILE))) {
      return project().config();
    }
    try {
      return Project.loadConfig(root, target);
    } catch (RuntimeException e) {
      throw problemFirst(e);
    }
  }

  /**
   * The loaded project, waiting for it.
   *
   * @throws RuntimeException what loading it threw (a {@link dev.sluice.api.ProjectException} for a
   *     project with problems), as loading it on the caller's thread would have
   */
  public Project project() {
    try {
      return project.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw e;
    }
  }

  /**
   * What to report when work done alongside the loading failed with {@code failure}: the project's
   * own problem when it has one (as a command that loads the project first reports it), else {@code
   * failure}.
   */
  public RuntimeException problemFirst(RuntimeException failure) {
    requireNonNull(failure, "failure is null");
    try {
      project();
    } catch (RuntimeException e) {
      return e;
    }
    return failure;
  }
}
