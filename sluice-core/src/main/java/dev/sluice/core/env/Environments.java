package dev.sluice.core.env;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.TableName;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.Asset;
import dev.sluice.core.project.Materialization;
import dev.sluice.core.project.ModelDef;
import dev.sluice.core.project.Project;
import dev.sluice.core.project.Selector;
import dev.sluice.core.run.PartitionSelection;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import dev.sluice.core.state.AuditAction;
import dev.sluice.core.state.EnvironmentRecords.Environment;
import dev.sluice.core.state.EnvironmentRecords.EnvironmentTable;
import dev.sluice.lake.Branches;
import dev.sluice.lake.CarriedState;
import dev.sluice.lake.Lake;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;

/**
 * Development environments: {@code sluice run --env NAME} builds the models whose fingerprint
 * differs from production's, and every model downstream of them, into branch {@code NAME} of their
 * tables; every other table is read from main, without a copy. Environments are listed, shown and
 * dropped here; their records are in the state database, their data in the branches.
 */
public final class Environments {
  private final Workspace workspace;
  private final Clock clock;

  public Environments(Workspace workspace) {
    this.workspace = requireNonNull(workspace, "workspace is null");
    this.clock = workspace.clock();
  }

  /**
   * A model an environment builds, and why.
   *
   * @param reason e.g. {@code changed: SQL or configuration differs from production}, {@code
   *     downstream of orders_clean}
   */
  public record Change(String model, TableName table, String reason) {
    public Change {
      requireNonNull(model, "model is null");
      requireNonNull(table, "table is null");
      requireNonNull(reason, "reason is null");
    }
  }

  /**
   * What a build of an environment did.
   *
   * @param run the run that built the changes, or null when nothing differed from production
   * @param reverted the branches removed because their model no longer differs from production
   */
  public record Build(
      String name, List<Change> changes, RunResult run, List<Branches.Removal> reverted) {
    public Build {
      requireNonNull(name, "name is null");
      changes = List.copyOf(changes);
      reverted = List.copyOf(reverted);
    }

    public boolean succeeded() {
      return run == null || run.succeeded();
    }
  }

  /**
   * What dropping an environment removed.
   *
   * @param removals one per table that had the environment's branch
   */
  public record Drop(String name, List<Branches.Removal> removals) {
    public Drop {
      requireNonNull(name, "name is null");
      removals = List.copyOf(removals);
    }

    public int deletedFiles() {
      return removals.stream().mapToInt(removal -> removal.deletedFiles().size()).sum();
    }
  }

  /**
   * The models an environment build would write to its branches: those whose fingerprint (SQL and
   * configuration) differs from production's, and the downstream models that read a column the
   * change affects ({@link ChangePlanner}; all downstream models when a change cannot be compared),
   * within the selection.
   *
   * @throws InvalidInputException for an invalid name, or when a model to build changes between a
   *     table and a view
   */
  public List<Change> changes(String name, List<String> select, List<String> exclude) {
    CatalogLookups lookups = new CatalogLookups(workspace);
    return changes(name, select, exclude, new ChangePlanner(workspace).rebuilds(lookups), lookups);
  }

  private List<Change> changes(
      String name,
      List<String> select,
      List<String> exclude,
      List<ModelChange> rebuilds,
      CatalogLookups lookups) {
    EnvironmentName.check(name);
    Project project = workspace.project();
    Set<String> selected = new LinkedHashSet<>(new Selector(project).select(select, exclude));
    Map<String, String> why = new LinkedHashMap<>();
    // a model changed from production (new there, or its fingerprint differs) and the downstream
    // models that read a column the change reaches; the others keep reading production's tables
    // (docs/environments.md, change categories)
    for (ModelChange change : rebuilds) {
      why.putIfAbsent(
          change.model(),
          "added".equals(change.kind())
              ? "new: not built in production"
              : "changed: SQL or configuration differs from production");
      for (ModelChange.AffectedModel downstream : change.downstream()) {
        why.putIfAbsent(downstream.model(), "downstream of " + change.model());
      }
    }
    List<Change> changes = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    for (String asset : project.graph().topologicalOrder()) {
      String reason = why.get(asset);
      if (reason == null || !selected.contains(asset)) {
        continue;
      }
      ModelDef model = project.models().get(asset);
      if (model.materialization() == Materialization.VIEW) {
        if (reason.startsWith("downstream")) {
          // an unchanged view reads the environment's tables by itself: nothing to build
          continue;
        }
        if (lookups.hasTable(model.tableName())) {
          refused.add(asset + " (" + model.sqlFileName() + ") is a view, a table in production");
          continue;
        }
        changes.add(new Change(asset, model.tableName(), reason));
        continue;
      }
      if (lookups.view(model.tableName()).isPresent()) {
        refused.add(asset + " (" + model.sqlFileName() + ") is a view in production");
        continue;
      }
      changes.add(new Change(asset, model.tableName(), reason));
    }
    if (!refused.isEmpty()) {
      throw new InvalidInputException(
          "Environment "
              + name
              + " cannot build "
              + String.join(", ", refused)
              + ": an environment cannot change a model between a table and a view. Build it in"
              + " production with 'sluice run', or leave it out with --exclude");
    }
    return changes;
  }

  /**
   * Builds an environment: the models of {@link #changes} are rebuilt in full into branch {@code
   * name} of their tables, reading every table the environment does not hold from main; branches of
   * models that no longer differ from production are removed (only when nothing is selected or
   * excluded). The build, its tables and the project's git commit are recorded.
   *
   * @param options what to select and how many threads; {@code environment} is set here
   */
  public Build build(String name, RunOptions options, RunListener listener) {
    return build(name, options, listener, false, null);
  }

  /**
   * Builds the environment as {@link #build(String, RunOptions, RunListener)} does, its steps run
   * by the workers sharing the state database when {@code onWorkers} ({@code sluice run --env NAME
   * --on-workers}).
   */
  public Build build(String name, RunOptions options, RunListener listener, boolean onWorkers) {
    return build(name, options, listener, onWorkers, null);
  }

  /**
   * Builds an environment as {@link #build(String, RunOptions, RunListener, boolean)} does, with
   * the changes of a comparison with production made just before (nothing written since), instead
   * of comparing again: {@code sluice ci} plans, then builds.
   *
   * @param comparison as {@link ChangePlanner#compareWithProduction} made it, or null to compare
   */
  public Build build(
      String name,
      RunOptions options,
      RunListener listener,
      boolean onWorkers,
      ChangePlanner.Comparison comparison) {
    EnvironmentName.check(name);
    requireNonNull(options, "options is null");
    if (options.replay() != null) {
      throw new InvalidInputException("--env takes no replay: it builds models, not sources");
    }
    // refused (an SQLite state database, workers of another version) before anything changes
    Runner runner =
        onWorkers ? new Runner(workspace, clock).onWorkers() : new Runner(workspace, clock);
    CatalogLookups lookups =
        comparison == null ? new CatalogLookups(workspace) : comparison.lookups();
    List<ModelChange> rebuilds =
        comparison == null ? new ChangePlanner(workspace).rebuilds(lookups) : comparison.rebuilds();
    List<Change> changes = changes(name, options.select(), options.exclude(), rebuilds, lookups);
    Lake lake = workspace.lake();
    Project project = workspace.project();
    Map<TableName, ProductionVersion> base = new HashMap<>();
    for (Change change : changes) {
      base.put(change.table(), ProductionVersion.of(lake, change.table()));
    }
    // the tables with the environment's branch: those it had before, and those this build writes
    Set<TableName> branched = new LinkedHashSet<>(lookups.tablesWith(name));
    List<Branches.Removal> reverted = new ArrayList<>();
    if (options.select().isEmpty() && options.exclude().isEmpty()) {
      Set<TableName> building = new LinkedHashSet<>();
      changes.forEach(change -> building.add(change.table()));
      for (TableName table : List.copyOf(branched)) {
        if (!building.contains(table)) {
          reverted.add(lake.branches().remove(table, name));
          branched.remove(table);
        }
      }
      for (TableName view : lake.environmentViews().list(name)) {
        if (!building.contains(view)) {
          lake.environmentViews().drop(view, name);
          reverted.add(new Branches.Removal(view, true, false, List.of()));
        }
      }
    }
    RunResult result = null;
    Optional<ProjectRevision> revision = ProjectRevision.of(project.root());
    if (!changes.isEmpty()) {
      RunOptions environmentOptions =
          new RunOptions(
              changes.stream().map(Change::model).toList(),
              List.of(),
              true,
              // a partitioned model: every partition (its history rebuilt into the branch), or
              // only the partitions asked for, the others read from main through the branch
              options.partitions().keys().isEmpty() ? PartitionSelection.DUE : options.partitions(),
              options.threads(),
              null,
              name);
      RunListener recording =
          new RunListener() {
            @Override
            public void runStarted(String runId, int steps) {
              workspace.runStore().environments().recordRun(runId, name);
              listener.runStarted(runId, steps);
            }

            @Override
            public void stepStarted(String asset, dev.sluice.core.state.StepKind kind) {
              listener.stepStarted(asset, kind);
            }

            @Override
            public void stepRetrying(
                String asset, int attempt, java.time.Duration delay, String error) {
              listener.stepRetrying(asset, attempt, delay, error);
            }

            @Override
            public void stepFinished(dev.sluice.core.run.StepResult step) {
              listener.stepFinished(step);
            }

            @Override
            public void runFinished(RunResult run) {
              listener.runFinished(run);
            }
          };
      result = runner.run(environmentOptions, recording, "run --env " + name);
    }
    changes.forEach(change -> branched.add(change.table()));
    record(name, result == null ? null : result.runId(), revision, changes, base, branched);
    workspace
        .audit()
        .record(
            workspace
                .audit()
                .entry(AuditAction.ENVIRONMENT)
                .tables(changes.stream().map(change -> change.table().toString()).toList())
                .detail("environment", name)
                .detail("event", "built")
                .detail("run_id", result == null ? null : result.runId())
                .detail("git_commit", revision.map(ProjectRevision::commit).orElse(null))
                .build());
    return new Build(name, changes, result, reverted);
  }

  /**
   * Records the environment's tables as its branches now hold them.
   *
   * @param branched the tables that may have the environment's branch: those that had it before the
   *     build and were kept, and those the build wrote
   */
  private void record(
      String name,
      String runId,
      Optional<ProjectRevision> revision,
      List<Change> changes,
      Map<TableName, ProductionVersion> base,
      Set<TableName> branched) {
    Lake lake = workspace.lake();
    Project project = workspace.project();
    Map<TableName, EnvironmentTable> previous = new HashMap<>();
    workspace
        .runStore()
        .environments()
        .find(name)
        .ifPresent(
            environment ->
                environment
                    .tables()
                    .forEach(table -> previous.put(TableName.parse(table.table()), table)));
    List<EnvironmentTable> tables = new ArrayList<>();
    Set<TableName> built = new LinkedHashSet<>();
    // in the catalog's order, as the branches were listed before; a built model's table has no
    // branch when its checks failed before its first write to the environment
    for (TableName table : lake.listTables()) {
      if (!branched.contains(table)) {
        continue;
      }
      Optional<Table> found = lake.findTable(table);
      SnapshotRef ref = found.map(loaded -> loaded.refs().get(name)).orElse(null);
      if (ref == null) {
        continue; // a view (its own view is recorded below), or no branch written
      }
      Table loaded = found.get();
      Snapshot head = loaded.snapshot(ref.snapshotId());
      ProductionVersion baseVersion = baseOf(table, base, previous);
      tables.add(
          new EnvironmentTable(
              table.toString(),
              true,
              modelOf(project, table),
              CarriedState.of(loaded, head).get(CarriedState.MODEL_FINGERPRINT),
              head.snapshotId(),
              baseVersion.id(),
              baseVersion.viewUuid()));
      built.add(table);
    }
    for (TableName view : lake.environmentViews().list(name)) {
      org.apache.iceberg.view.View loaded = lake.environmentViews().find(view, name).orElseThrow();
      ProductionVersion baseVersion = baseOf(view, base, previous);
      tables.add(
          new EnvironmentTable(
              view.toString(),
              true,
              modelOf(project, view),
              loaded.properties().get(CarriedState.MODEL_FINGERPRINT),
              (long) loaded.currentVersion().versionId(),
              baseVersion.id(),
              baseVersion.viewUuid()));
      built.add(view);
    }
    // what the built models read from production: where a later promotion checks that production
    // did not move under the environment
    Set<TableName> read = new LinkedHashSet<>();
    for (Change change : changes) {
      for (String upstream : project.graph().upstream(change.model())) {
        Asset asset = project.asset(upstream);
        if (!built.contains(asset.tableName())) {
          read.add(asset.tableName());
        }
      }
    }
    for (TableName table : read) {
      ProductionVersion production = ProductionVersion.of(lake, table);
      tables.add(
          new EnvironmentTable(
              table.toString(), false, null, null, null, production.id(), production.viewUuid()));
    }
    workspace
        .runStore()
        .environments()
        .recordBuild(
            name,
            clock.instant(),
            runId,
            revision.map(ProjectRevision::commit).orElse(null),
            revision.map(ProjectRevision::dirty).orElse(false),
            tables);
  }

  private static String modelOf(Project project, TableName table) {
    return project.models().values().stream()
        .filter(candidate -> candidate.tableName().equals(table))
        .map(ModelDef::name)
        .findFirst()
        .orElse(null);
  }

  /**
   * What the environment was built on of a table or view it holds: production's version when this
   * build wrote it, else what its earlier build recorded, else production's version now.
   */
  private ProductionVersion baseOf(
      TableName table,
      Map<TableName, ProductionVersion> base,
      Map<TableName, EnvironmentTable> previous) {
    if (base.containsKey(table)) {
      return base.get(table);
    }
    EnvironmentTable earlier = previous.get(table);
    return earlier != null
        ? new ProductionVersion(earlier.baseSnapshotId(), earlier.baseViewUuid())
        : ProductionVersion.of(workspace.lake(), table);
  }

  /**
   * What production holds of a table or view, to tell later whether it moved: main's head of a
   * table; of a view, its current version and the view's UUID (a view dropped and created again
   * starts its versions at 1 again, with another UUID). Both null when production has neither (or
   * no data).
   *
   * @param id main's head snapshot, or the view's version
   * @param viewUuid the view's UUID, or null for a table
   */
  record ProductionVersion(Long id, String viewUuid) {
    static ProductionVersion of(Lake lake, TableName table) {
      Optional<Table> found = lake.findTable(table);
      if (found.isPresent()) {
        SnapshotRef main = found.get().refs().get(SnapshotRef.MAIN_BRANCH);
        return new ProductionVersion(main == null ? null : main.snapshotId(), null);
      }
      return lake.findView(table)
          .map(
              view ->
                  new ProductionVersion(
                      (long) view.currentVersion().versionId(), view.uuid().toString()))
          .orElse(new ProductionVersion(null, null));
    }

    /**
     * Whether production is still at what was recorded: the same snapshot, or the same version of
     * the same view. A record without a view's UUID (written before Sluice kept it) compares the
     * version alone.
     */
    boolean isAt(Long recordedId, String recordedViewUuid) {
      return Objects.equals(id, recordedId)
          && (recordedViewUuid == null || recordedViewUuid.equals(viewUuid));
    }

    /** As a message names it: the snapshot or version, and a view's UUID. */
    String describe() {
      return viewUuid == null ? String.valueOf(id) : id + " of view " + viewUuid;
    }
  }

  /** Every environment, by name. */
  public List<Environment> list() {
    return workspace.runStore().environments().list();
  }

  /**
   * An environment with the tables of its last build.
   *
   * @throws InvalidInputException when there is none so named
   */
  public Environment show(String name) {
    EnvironmentName.check(name);
    return workspace.runStore().environments().find(name).orElseThrow(() -> unknown(name));
  }

  /**
   * Checks that an environment exists, for commands that read it.
   *
   * @throws InvalidInputException when there is none so named
   */
  public void requireExists(String name) {
    show(name);
  }

  /**
   * Drops an environment: removes its branch from every table that has it, deleting the files only
   * the environment referenced (and the tables only it held), and forgets its record. Production
   * (main) cannot be dropped. Audited.
   *
   * @throws InvalidInputException for an invalid name or an environment that does not exist
   */
  public Drop drop(String name) {
    EnvironmentName.check(name);
    Lake lake = workspace.lake();
    List<TableName> tables = new ArrayList<>(lake.branches().tablesWith(name));
    List<TableName> views = lake.environmentViews().list(name);
    boolean recorded = workspace.runStore().environments().find(name).isPresent();
    if (tables.isEmpty() && views.isEmpty() && !recorded) {
      throw unknown(name);
    }
    List<Branches.Removal> removals = new ArrayList<>();
    for (TableName table : tables) {
      removals.add(lake.branches().remove(table, name));
    }
    for (TableName view : views) {
      lake.environmentViews().drop(view, name);
      removals.add(new Branches.Removal(view, true, false, List.of()));
      tables.add(view);
    }
    workspace.runStore().environments().remove(name);
    Drop drop = new Drop(name, removals);
    workspace
        .audit()
        .record(
            workspace
                .audit()
                .entry(AuditAction.ENVIRONMENT)
                .tables(tables.stream().map(TableName::toString).toList())
                .detail("environment", name)
                .detail("event", "dropped")
                .detail("deleted_files", drop.deletedFiles())
                .build());
    return drop;
  }

  private static InvalidInputException unknown(String name) {
    return new InvalidInputException(
        "No environment "
            + name
            + ": 'sluice env list' lists them, 'sluice run --env "
            + name
            + "' builds it");
  }
}
