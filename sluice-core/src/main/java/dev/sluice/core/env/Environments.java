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
import dev.sluice.core.run.Planner;
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
    EnvironmentName.check(name);
    Project project = workspace.project();
    Lake lake = workspace.lake();
    Set<String> selected = new LinkedHashSet<>(new Selector(project).select(select, exclude));
    Map<String, String> why = new LinkedHashMap<>();
    // only the downstream models a change reaches through the columns they read are rebuilt; the
    // others keep reading production's tables (docs/environments.md, change categories)
    Map<String, ModelChange> categorized = new HashMap<>();
    for (ModelChange change : new ChangePlanner(workspace).plan(null)) {
      categorized.put(change.model(), change);
    }
    for (String asset : project.graph().topologicalOrder()) {
      ModelDef model = project.models().get(asset);
      if (model == null) {
        continue;
      }
      Optional<String> changed = changedFromProduction(project, lake, model);
      if (changed.isPresent()) {
        why.putIfAbsent(asset, changed.get());
        ModelChange change = categorized.get(asset);
        Set<String> reached =
            change == null
                ? project.graph().allDownstream(asset)
                : new LinkedHashSet<>(
                    change.downstream().stream().map(ModelChange.AffectedModel::model).toList());
        for (String downstream : reached) {
          if (project.models().containsKey(downstream)) {
            why.putIfAbsent(downstream, "downstream of " + asset);
          }
        }
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
        if (lake.findTable(model.tableName()).isPresent()) {
          refused.add(asset + " (" + model.sqlFileName() + ") is a view, a table in production");
          continue;
        }
        changes.add(new Change(asset, model.tableName(), reason));
        continue;
      }
      if (lake.findView(model.tableName()).isPresent()) {
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

  /** Why a model differs from production, or empty when production was built from it as it is. */
  private static Optional<String> changedFromProduction(
      Project project, Lake lake, ModelDef model) {
    TableName table = model.tableName();
    String fingerprint = Planner.fingerprint(project, model);
    Optional<Table> existing = lake.findTable(table);
    String recorded;
    if (existing.isPresent()) {
      Snapshot current = existing.get().currentSnapshot();
      if (current == null) {
        return Optional.of("new: not built in production");
      }
      recorded = CarriedState.of(existing.get(), current).get(CarriedState.MODEL_FINGERPRINT);
    } else {
      Optional<org.apache.iceberg.view.View> view = lake.findView(table);
      if (view.isEmpty()) {
        return Optional.of("new: not built in production");
      }
      recorded = view.get().properties().get(CarriedState.MODEL_FINGERPRINT);
    }
    return fingerprint.equals(recorded)
        ? Optional.empty()
        : Optional.of("changed: SQL or configuration differs from production");
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
    EnvironmentName.check(name);
    requireNonNull(options, "options is null");
    if (options.replay() != null) {
      throw new InvalidInputException("--env takes no replay: it builds models, not sources");
    }
    List<Change> changes = changes(name, options.select(), options.exclude());
    Lake lake = workspace.lake();
    Project project = workspace.project();
    Map<TableName, Long> base = new HashMap<>();
    for (Change change : changes) {
      base.put(change.table(), productionVersion(lake, change.table()));
    }
    List<Branches.Removal> reverted = new ArrayList<>();
    if (options.select().isEmpty() && options.exclude().isEmpty()) {
      Set<TableName> building = new LinkedHashSet<>();
      changes.forEach(change -> building.add(change.table()));
      for (TableName table : lake.branches().tablesWith(name)) {
        if (!building.contains(table)) {
          reverted.add(lake.branches().remove(table, name));
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
      result = new Runner(workspace, clock).run(environmentOptions, recording, "run --env " + name);
    }
    record(name, result == null ? null : result.runId(), revision, changes, base);
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

  /** Records the environment's tables as its branches now hold them. */
  private void record(
      String name,
      String runId,
      Optional<ProjectRevision> revision,
      List<Change> changes,
      Map<TableName, Long> base) {
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
    for (TableName table : lake.branches().tablesWith(name)) {
      Table loaded = lake.loadTable(table);
      Snapshot head = loaded.snapshot(loaded.refs().get(name).snapshotId());
      String model = modelOf(project, table);
      Long baseSnapshot =
          base.containsKey(table)
              ? base.get(table)
              : Optional.ofNullable(previous.get(table))
                  .map(EnvironmentTable::baseSnapshotId)
                  .orElse(productionVersion(lake, table));
      tables.add(
          new EnvironmentTable(
              table.toString(),
              true,
              model,
              CarriedState.of(loaded, head).get(CarriedState.MODEL_FINGERPRINT),
              head.snapshotId(),
              baseSnapshot));
      built.add(table);
    }
    for (TableName view : lake.environmentViews().list(name)) {
      org.apache.iceberg.view.View loaded = lake.environmentViews().find(view, name).orElseThrow();
      tables.add(
          new EnvironmentTable(
              view.toString(),
              true,
              modelOf(project, view),
              loaded.properties().get(CarriedState.MODEL_FINGERPRINT),
              (long) loaded.currentVersion().versionId(),
              base.containsKey(view)
                  ? base.get(view)
                  : Optional.ofNullable(previous.get(view))
                      .map(EnvironmentTable::baseSnapshotId)
                      .orElse(productionVersion(lake, view))));
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
      tables.add(
          new EnvironmentTable(
              table.toString(), false, null, null, null, productionVersion(lake, table)));
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
   * What production holds of a table or view, to tell later whether it moved: main's head of a
   * table, the current version of a view, or null when production has neither (or no data).
   */
  static Long productionVersion(Lake lake, TableName table) {
    Optional<Table> found = lake.findTable(table);
    if (found.isPresent()) {
      SnapshotRef main = found.get().refs().get(SnapshotRef.MAIN_BRANCH);
      return main == null ? null : main.snapshotId();
    }
    return lake.findView(table).map(view -> (long) view.currentVersion().versionId()).orElse(null);
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
