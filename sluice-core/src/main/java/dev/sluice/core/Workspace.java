package dev.sluice.core;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.engine.Engine;
import dev.sluice.core.project.Project;
import dev.sluice.core.state.RunStore;
import dev.sluice.engine.duckdb.DuckDbEngine;
import dev.sluice.lake.Lake;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A loaded project with its warehouse, engine and run store open. */
public final class Workspace implements AutoCloseable {
  private final Project project;
  private final Lake lake;
  private final Engine engine;
  private final RunStore runStore;

  private Workspace(Project project, Lake lake, Engine engine, RunStore runStore) {
    this.project = project;
    this.lake = lake;
    this.engine = engine;
    this.runStore = runStore;
  }

  /** Loads the project at {@code root} and opens what it needs. */
  public static Workspace open(Path root) {
    return open(Project.load(root));
  }

  public static Workspace open(Project project) {
    requireNonNull(project, "project is null");
    Path spill = project.root().resolve(".sluice").resolve("tmp");
    try {
      Files.createDirectories(spill);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Lake lake =
        Lake.open(
            project.config().warehouse(),
            project.config().catalogUrl(),
            project.config().catalogProperties());
    RunStore runStore;
    try {
      runStore = RunStore.open(project.config().stateUrl(), project.config().stateProperties());
    } catch (RuntimeException e) {
      lake.close();
      throw e;
    }
    Engine engine = DuckDbEngine.start(spill, null);
    return new Workspace(project, lake, engine, runStore);
  }

  public Project project() {
    return project;
  }

  public Lake lake() {
    return lake;
  }

  public Engine engine() {
    return engine;
  }

  public RunStore runStore() {
    return runStore;
  }

  @Override
  public void close() {
    try (runStore;
        engine;
        lake) {
      // closes all three, last opened first
    }
  }
}
