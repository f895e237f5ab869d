package dev.sluice.core;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.ProjectException;
import dev.sluice.api.engine.Engine;
import dev.sluice.api.engine.EngineProvider;
import dev.sluice.api.engine.EngineSettings;
import dev.sluice.api.engine.Engines;
import dev.sluice.api.engine.WarehouseStorage;
import dev.sluice.core.project.EngineConfig;
import dev.sluice.core.project.Project;
import dev.sluice.core.project.ProjectConfig;
import dev.sluice.core.project.ProjectLoading;
import dev.sluice.core.run.RunObservers;
import dev.sluice.core.state.RunStore;
import dev.sluice.lake.Lake;
import dev.sluice.objectstore.S3Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * A loaded project with its warehouse and engine open, and its run store opened on first use: reads
 * ({@code query}, {@code tables}) need no run state and work when the state database cannot be
 * opened.
 */
public final class Workspace implements AutoCloseable {
  private final Project project;
  private final Lake lake;
  private final Engine engine;
  private final WorkspaceAudit audit;
  private final Clock clock;
  private RunStore runStore;
  private RunObservers observers;
  private dev.sluice.governance.ColumnClassification classification;

  /** The other engines models chose ({@code engine: spark} on a model), started on first use. */
  private final java.util.Map<String, Engine> otherEngines = new java.util.TreeMap<>();

  private Workspace(Project project, Lake lake, Engine engine, Clock clock, String principal) {
    this.project = project;
    this.lake = lake;
    this.engine = engine;
    this.clock = clock;
    this.audit = new WorkspaceAudit(this::runStore, clock, principal);
    lake.onCommit(audit::committed);
  }

  /** Loads the project at {@code root} and opens what it needs. */
  public static Workspace open(Path root) {
    return open(Project.load(root));
  }

  /**
   * Opens the project's warehouse and engine, acting as the local user (the project's owner) on the
   * system clock.
   */
  public static Workspace open(Project project) {
    return open(project, Clock.systemUTC(), localPrincipal());
  }

  /**
   * Opens the project's warehouse and engine; what it records in the audit log (runs, commits) is
   * by {@code principal} at the times of {@code clock}.
   */
  public static Workspace open(Project project, Clock clock, String principal) {
    requireNonNull(project, "project is null");
    return open(
        project.config(),
        () -> project,
        java.util.function.UnaryOperator.identity(),
        clock,
        principal);
  }

  /**
   * As {@link #open(Project, Clock, String)}, opening the warehouse and engine of the project's
   * settings while {@code loading} loads the project on its thread (the project's problems are
   * still reported before a failure to open them).
   *
   * @param target the target of sluice.yaml's {@code targets:} (null for the default)
   */
  public static Workspace open(
      ProjectLoading loading, String target, Clock clock, String principal) {
    requireNonNull(loading, "loading is null");
    return open(loading.config(target), loading::project, loading::problemFirst, clock, principal);
  }

  private static Workspace open(
      ProjectConfig config,
      java.util.function.Supplier<Project> project,
      java.util.function.UnaryOperator<RuntimeException> problemFirst,
      Clock clock,
      String principal) {
    requireNonNull(clock, "clock is null");
    requireNonNull(principal, "principal is null");
    Lake lake;
    Engine engine;
    try {
      EngineConfig engineConfig = config.engine();
      EngineProvider provider = engineProvider(engineConfig.name());
      checkSpillDirectory(engineConfig);
      lake = openLake(config);
      try {
        engine = provider.start(withLake(engineConfig.settings(), config, lake));
      } catch (RuntimeException e) {
        lake.close();
        throw e;
      }
    } catch (RuntimeException e) {
      throw problemFirst.apply(e);
    }
    try {
      return new Workspace(project.get(), lake, engine, clock, principal);
    } catch (RuntimeException | Error e) {
      engine.close();
      lake.close();
      throw e;
    }
  }

  /**
   * An engine's settings with the lake's Iceberg catalog when engines may commit to it themselves
   * ({@link Lake#catalogForEngines()}: Spark's MERGE INTO), and the warehouse's object storage when
   * the warehouse is in object storage: an engine that reads and writes it itself (Spark) is given
   * its endpoint and keys.
   */
  private static EngineSettings withLake(
      EngineSettings engineSettings, ProjectConfig config, Lake lake) {
    EngineSettings settings = engineSettings.withLakeCatalog(lake.catalogForEngines().orElse(null));
    if (config.warehouseObjectStore() == null) {
      return settings;
    }
    S3Settings storage = config.warehouseStorage();
    return settings.withWarehouseStorage(
        new WarehouseStorage(
            config.warehouseObjectStore().bucket(),
            storage.endpoint(),
            storage.effectiveRegion(),
            storage.pathStyleAccess(),
            storage.accessKeyId(),
            storage.secretAccessKey()));
  }

  /**
   * Creates the engine's spill directory and checks that it can be written now, not in the middle
   * of the first query that spills.
   *
   * @throws ProjectException at {@code temp_directory} of sluice.yaml when it cannot
   */
  private static void checkSpillDirectory(EngineConfig config) {
    Path directory = config.tempDirectory();
    try {
      Files.createDirectories(directory);
      Files.delete(Files.createTempFile(directory, "probe", ".tmp"));
    } catch (IOException | SecurityException e) {
      throw new ProjectException(
          config.tempDirectoryLocation(),
          "The engine's spill directory "
              + directory
              + " cannot be written: "
              + (e instanceof java.nio.file.AccessDeniedException
                  ? "permission denied"
                  : String.valueOf(e.getMessage())),
          "set engine: {temp_directory: <a directory this user may write>} in sluice.yaml, or"
              + " give this user write access to it");
    }
  }

  /** The user running this process, who owns a local project: {@code user.name}. */
  public static String localPrincipal() {
    String user = System.getProperty("user.name");
    return user == null || user.isBlank() ? "local" : user;
  }

  /**
   * The installed engine of a name ({@code engine:} in sluice.yaml, checked when the project
   * loads).
   *
   * @throws InvalidInputException when none is installed, listing those that are
   */
  private static EngineProvider engineProvider(String name) {
    return Engines.find(name)
        .orElseThrow(
            () ->
                new InvalidInputException(
                    "No engine '"
                        + name
                        + "' is installed (engine: in sluice.yaml); the installed engines are: "
                        + String.join(", ", Engines.names())));
  }

  /**
   * Opens the project's warehouse: a local directory, or a location in S3-compatible storage whose
   * bucket is checked first (a missing bucket, refused credentials or an unreachable endpoint fail
   * here, before anything is written).
   */
  public static Lake openLake(ProjectConfig config) {
    if (config.warehouseObjectStore() != null) {
      return Lake.open(
          config.warehouseObjectStore(),
          config.warehouseStorage(),
          "the 's3:' block of sluice.yaml",
          config.warehouse(),
          config.catalogUrl(),
          config.catalogProperties());
    }
    return Lake.open(config.warehouse(), config.catalogUrl(), config.catalogProperties());
  }

  public Project project() {
    return project;
  }

  public Lake lake() {
    return lake;
  }

  /** The project's engine ({@code engine:} of sluice.yaml). */
  public Engine engine() {
    return engine;
  }

  /**
   * The installed engine of a name, as a model chooses it ({@code engine: spark}): the project's
   * engine for its name or for null, any other started on first use with its options from the
   * section of sluice.yaml named after it, and kept until the workspace closes.
   *
   * @throws InvalidInputException when no engine of that name is installed
   * @throws dev.sluice.api.SluiceException when the engine cannot start (e.g. its server cannot be
   *     reached)
   */
  public synchronized Engine engine(String name) {
    if (name == null || name.equals(engine.name())) {
      return engine;
    }
    Engine started = otherEngines.get(name);
    if (started == null) {
      started =
          engineProvider(name)
              .start(withLake(project.config().engine().settings(name), project.config(), lake));
      otherEngines.put(name, started);
    }
    return started;
  }

  /**
   * The engine a step runs on: the installed engine its {@link Execution#engine()} names, as {@link
   * #engine(String)}; for a step with a memory limit of its own ({@code memory_limit} on a model),
   * an instance of that engine started with that limit on first use and kept until the workspace
   * closes, so that the step's work is bounded by it (DuckDB's limit holds for a whole database,
   * not a session).
   */
  public synchronized Engine engine(dev.sluice.core.project.Execution execution) {
    String limit = execution.memoryLimit();
    if (limit == null) {
      return engine(execution.engine());
    }
    String name = execution.engine() == null ? engine.name() : execution.engine();
    String key = name + " memory_limit=" + limit;
    Engine started = otherEngines.get(key);
    if (started == null) {
      started =
          engineProvider(name)
              .start(
                  withLake(
                      project.config().engine().settings(name, limit), project.config(), lake));
      otherEngines.put(key, started);
    }
    return started;
  }

  /**
   * The clock this workspace reads the time from: for its audit records and for whether a
   * time-bound grant still holds.
   */
  public Clock clock() {
    return clock;
  }

  /** What this workspace records in the audit log: runs, commits, and entries of its own. */
  public WorkspaceAudit audit() {
    return audit;
  }

  /** The run store, opened on first use. */
  public synchronized RunStore runStore() {
    if (runStore == null) {
      runStore = RunStore.open(project.config().stateUrl(), project.config().stateProperties());
    }
    return runStore;
  }

  /**
   * The classification tags of the project's columns, declared and inherited along column lineage,
   * as masks by tag apply them: resolved on first use and kept, as the project does not change.
   */
  public synchronized dev.sluice.governance.ColumnClassification classification() {
    if (classification == null) {
      classification = dev.sluice.core.lineage.ColumnTags.forPolicies(project);
    }
    return classification;
  }

  /** The installed observers of this workspace's runs (e.g. OpenLineage), opened on first use. */
  public synchronized RunObservers observers() {
    if (observers == null) {
      observers = RunObservers.open(this);
    }
    return observers;
  }

  @Override
  public void close() {
    RunStore store;
    RunObservers runObservers;
    List<Engine> others;
    synchronized (this) {
      store = runStore;
      runObservers = observers;
      others = new java.util.ArrayList<>(otherEngines.values());
      otherEngines.clear();
    }
    for (Engine other : others) {
      try {
        other.close();
      } catch (RuntimeException e) {
        LoggerFactory.getLogger(Workspace.class).warn("Cannot close engine {}", other.name(), e);
      }
    }
    try (store;
        engine;
        lake;
        runObservers) {
      // closes the observers first (they may still write to the run store, e.g. the audit record
      // of an alert being sent), then the others, last opened first
    }
  }
}
