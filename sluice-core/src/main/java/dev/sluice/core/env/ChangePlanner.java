package dev.sluice.core.env;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import dev.sluice.core.Workspace;
import dev.sluice.core.env.ModelChange.AffectedModel;
import dev.sluice.core.env.ModelChange.HistoryChoice;
import dev.sluice.core.lineage.AssetColumns;
import dev.sluice.core.lineage.ProjectLineage;
import dev.sluice.core.project.Materialization;
import dev.sluice.core.project.ModelDef;
import dev.sluice.core.project.ModelMetadata;
import dev.sluice.core.project.Project;
import dev.sluice.core.run.Planner;
import dev.sluice.core.state.BuiltModel;
import dev.sluice.core.state.PartitionStatus;
import dev.sluice.lake.CarriedState;
import dev.sluice.lake.ReadPoint;
import dev.sluice.lineage.ColumnDependency;
import dev.sluice.lineage.ConditionDependency;
import dev.sluice.lineage.OutputColumn;
import dev.sluice.lineage.QueryChange;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.types.Types;

/**
 * Classifies every change of the project's models against what production, or an environment, was
 * built from (issue 17 item 2): the fingerprint each table's snapshot carries names the SQL and
 * metadata recorded when it was built ({@code RunStore.builtModels()}), which {@link QueryChange}
 * compares column by column; the project's column lineage ({@link ProjectLineage}) then says which
 * downstream models read a changed column. See docs/environments.md for the rules.
 */
public final class ChangePlanner {
  private final Workspace workspace;

  public ChangePlanner(Workspace workspace) {
    this.workspace = requireNonNull(workspace, "workspace is null");
  }

  /**
   * The changes of the project against production ({@code environment} null) or against an
   * environment: its branch of a table where it built one, else production's.
   *
   * @throws dev.sluice.api.InvalidInputException for an invalid environment name
   */
  public List<ModelChange> plan(String environment) {
    if (environment != null) {
      EnvironmentName.check(environment);
    }
    return compare(environment, true, new CatalogLookups(workspace)).changes();
  }

  /**
   * The project compared with production, once: every change as {@link #plan} gives it, and the
   * tables looked up for it, for an environment build to reuse ({@link Environments#build(String,
   * dev.sluice.core.run.RunOptions, dev.sluice.core.run.RunListener, Comparison)}), as {@code
   * sluice ci} plans and then builds. Valid until something is written to the warehouse.
   */
  public Comparison compareWithProduction() {
    return compare(null, true, new CatalogLookups(workspace));
  }

  /**
   * The changes against production that build a model again: a model production has not built, or
   * whose fingerprint differs from the one production's table (or view) carries. A change of
   * metadata only, which leaves the fingerprint alone, is left out (a changed contract is in: it is
   * in the fingerprint). As {@link #plan} finds them, with the tables looked up in {@code lookups}.
   */
  List<ModelChange> rebuilds(CatalogLookups lookups) {
    return compare(null, false, lookups).rebuilds();
  }

  /** A comparison of the project with production (or an environment), and its catalog lookups. */
  public static final class Comparison {
    private final List<ModelChange> changes;
    private final Set<String> rebuilt;
    private final CatalogLookups lookups;

    private Comparison(List<ModelChange> changes, Set<String> rebuilt, CatalogLookups lookups) {
      this.changes = List.copyOf(changes);
      this.rebuilt = Set.copyOf(rebuilt);
      this.lookups = lookups;
    }

    /** Every change, in graph order, metadata-only changes included. */
    public List<ModelChange> changes() {
      return changes;
    }

    /** The changes whose model's fingerprint differs: those a build writes again. */
    List<ModelChange> rebuilds() {
      return changes.stream().filter(change -> rebuilt.contains(change.model())).toList();
    }

    CatalogLookups lookups() {
      return lookups;
    }
  }

  /**
   * Compares every model with its baseline. The column lineage is derived only for the models whose
   * fingerprint differs, what is downstream of them and what they read: the other models' changes
   * need none (bench suite environments: deriving all 1,000 models for one changed leaf).
   */
  private Comparison compare(String environment, boolean withMetadata, CatalogLookups lookups) {
    Project project = workspace.project();
    Map<String, Baseline> baselines = new HashMap<>();
    Set<String> differing = new LinkedHashSet<>();
    // the tables load while the fingerprints render
    lookups.prefetch(
        project.graph().topologicalOrder().stream()
            .map(name -> project.models().get(name))
            .filter(Objects::nonNull)
            .map(ModelDef::tableName)
            .toList());
    for (String name : project.graph().topologicalOrder()) {
      ModelDef model = project.models().get(name);
      if (model == null) {
        continue;
      }
      String fingerprint = Planner.fingerprint(project, model);
      Optional<Baseline> baseline = baseline(model, environment, lookups);
      baseline.ifPresent(found -> baselines.put(name, found));
      if (baseline.isEmpty() || !fingerprint.equals(baseline.get().fingerprint())) {
        differing.add(name);
      }
    }
    Set<String> derived = new LinkedHashSet<>(differing);
    differing.forEach(name -> derived.addAll(project.graph().allDownstream(name)));
    // what each column is computed from matters only downstream of a model that changed against
    // a baseline (affected()); an added model's change lists its columns' names alone
    Set<String> withInputs = new HashSet<>();
    differing.stream()
        .filter(baselines::containsKey)
        .forEach(name -> withInputs.addAll(project.graph().allDownstream(name)));
    ProjectLineage lineage =
        ProjectLineage.of(
            project,
            derived,
            withInputs,
            workspace.runStore().derivedCache(),
            workspace.clock().instant());
    List<ModelChange> changes = new ArrayList<>();
    for (String name : project.graph().topologicalOrder()) {
      ModelDef model = project.models().get(name);
      if (model == null) {
        continue;
      }
      if (differing.contains(name)) {
        changes.add(change(project, lineage, baselines, model));
      } else if (withMetadata) {
        metadataChange(baselines.get(name), model).ifPresent(changes::add);
      }
    }
    lookups.keep();
    return new Comparison(changes, differing, lookups);
  }

  /**
   * What a model's table holds where the plan compares: columns, fingerprint, snapshot; what it was
   * built from is read from the state database only when a change needs it.
   */
  private final class Baseline {
    private final String fingerprint;
    private final List<String> columns;
    private final Long rows;
    private Optional<BuiltModel> built;

    Baseline(String fingerprint, List<String> columns, Long rows) {
      this.fingerprint = fingerprint;
      this.columns = columns;
      this.rows = rows;
    }

    String fingerprint() {
      return fingerprint;
    }

    List<String> columns() {
      return columns;
    }

    Long rows() {
      return rows;
    }

    Optional<BuiltModel> built() {
      if (built == null) {
        built = workspace.runStore().builtModels().find(fingerprint);
      }
      return built;
    }
  }

  private Optional<Baseline> baseline(ModelDef model, String environment, CatalogLookups lookups) {
    TableName tableName = model.tableName();
    Optional<TableState> table = lookups.state(tableName);
    if (table.isPresent()) {
      Optional<TableState.BranchState> branch =
          environment == null
              ? table.get().branch(SnapshotRef.MAIN_BRANCH)
              : table
                  .get()
                  .branch(environment)
                  .or(() -> table.get().branch(SnapshotRef.MAIN_BRANCH));
      return branch.map(head -> new Baseline(head.fingerprint(), head.columns(), head.rows()));
    }
    Optional<org.apache.iceberg.view.View> view =
        environment == null
            ? lookups.view(tableName)
            : lookups.lake().findView(tableName, ReadPoint.environment(environment));
    return view.map(
        found ->
            new Baseline(
                found.properties().getOrDefault(CarriedState.MODEL_FINGERPRINT, ""),
                names(found.schema().columns()),
                null));
  }

  private static List<String> names(List<Types.NestedField> fields) {
    return fields.stream().map(field -> field.name().toLowerCase(Locale.ROOT)).toList();
  }

  /** A model whose fingerprint is its baseline's: a change of its metadata only, if any. */
  private Optional<ModelChange> metadataChange(Baseline baseline, ModelDef model) {
    if (baseline == null || baseline.built().isEmpty()) {
      return Optional.empty();
    }
    List<String> facets =
        ModelMetadata.changed(baseline.built().get().metadata(), ModelMetadata.of(model));
    if (facets.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(metadataOnly(model, facets, null));
  }

  private static ModelChange metadataOnly(ModelDef model, List<String> facets, String note) {
    return new ModelChange(
        model.name(),
        model.tableName(),
        ChangeCategory.METADATA_ONLY,
        "metadata",
        List.of(),
        List.of(),
        List.of(),
        null,
        facets,
        List.of(),
        null,
        note);
  }

  /** A model new in the project, or whose fingerprint is not its baseline's. */
  private ModelChange change(
      Project project, ProjectLineage lineage, Map<String, Baseline> baselines, ModelDef model) {
    Baseline baseline = baselines.get(model.name());
    AssetColumns columns = lineage.asset(model.name()).orElseThrow();
    List<String> newColumns =
        columns.columns().stream().map(column -> column.name().toLowerCase(Locale.ROOT)).toList();
    if (baseline == null) {
      return new ModelChange(
          model.name(),
          model.tableName(),
          ChangeCategory.NON_BREAKING,
          "added",
          newColumns,
          List.of(),
          List.of(),
          null,
          List.of(),
          List.of(),
          null,
          null);
    }
    if (baseline.built().isPresent()
        && Planner.fingerprint(
                project, model, baseline.built().get().metadata().getOrDefault("contract", ""))
            .equals(baseline.fingerprint())) {
      // only the contract differs: the data would be the same, but it must be checked against
      // the new contract, which a build does (run --env builds it; its downstream is kept)
      return metadataOnly(
          model,
          ModelMetadata.changed(baseline.built().get().metadata(), ModelMetadata.of(model)),
          "the contract changed: the model's next build checks its data against it"
              + " ('sluice run --env NAME' builds it alone; nothing downstream is rebuilt)");
    }
    String sql = project.renderedForFullBuild(model);
    List<String> facets =
        baseline
            .built()
            .map(built -> ModelMetadata.changed(built.metadata(), ModelMetadata.of(model)))
            .orElse(List.of());
    QueryChange query;
    String note = null;
    String kind = "sql";
    if (baseline.built().isEmpty()) {
      query =
          new QueryChange(
              Set.of(),
              Set.of(),
              Set.of(),
              true,
              "no record of the SQL it was built from (built before Sluice kept it)");
      note = "every column counts as changed: the SQL it was built from was not recorded";
    } else if (baseline.built().get().compiledSql().equals(sql)) {
      query = new QueryChange(Set.of(), Set.of(), Set.of(), false, null);
      kind = "configuration";
    } else {
      query = QueryChange.between(baseline.built().get().compiledSql(), sql);
    }
    Set<String> added = new TreeSet<>();
    Set<String> removed = new TreeSet<>();
    if (columns.derived()) {
      added.addAll(newColumns);
      added.removeAll(baseline.columns());
      removed.addAll(baseline.columns());
      removed.removeAll(newColumns);
    } else {
      added.addAll(query.added());
      removed.addAll(query.removed());
      note = "its column lineage cannot be derived (" + columns.notDerivable() + ")";
    }
    Set<String> modified = new TreeSet<>(query.modified());
    modified.retainAll(newColumns);
    Set<String> changed = new TreeSet<>();
    if (query.rowsChanged()) {
      changed.addAll(newColumns);
      changed.addAll(baseline.columns());
    } else {
      changed.addAll(modified);
      changed.addAll(removed);
    }
    List<AffectedModel> downstream =
        changed.isEmpty()
            ? List.of()
            : affected(project, lineage, baselines, model, changed, query.rowsChanged());
    ChangeCategory category =
        !removed.isEmpty() || !downstream.isEmpty()
            ? ChangeCategory.BREAKING
            : ChangeCategory.NON_BREAKING;
    return new ModelChange(
        model.name(),
        model.tableName(),
        category,
        kind,
        List.copyOf(added),
        List.copyOf(removed),
        List.copyOf(modified),
        query.rowsChanged() ? query.reason() : null,
        facets,
        downstream,
        history(model, baseline),
        note);
  }

  /**
   * The downstream models whose columns are computed from, or whose rows are decided by, a changed
   * column of {@code changedModel}, transitively, in graph order.
   */
  private List<AffectedModel> affected(
      Project project,
      ProjectLineage lineage,
      Map<String, Baseline> baselines,
      ModelDef changedModel,
      Set<String> changedColumns,
      boolean rowsChanged) {
    Map<TableName, Set<String>> affected = new HashMap<>();
    affected.put(changedModel.tableName(), changedColumns);
    // tables whose set of rows may differ: whatever reads them (a count(*) too) is affected
    Set<TableName> rowsDiffer = new HashSet<>();
    if (rowsChanged) {
      rowsDiffer.add(changedModel.tableName());
    }
    Set<String> downstream = project.graph().allDownstream(changedModel.name());
    List<AffectedModel> result = new ArrayList<>();
    for (String name : project.graph().topologicalOrder()) {
      ModelDef model = project.models().get(name);
      if (model == null || !downstream.contains(name)) {
        continue;
      }
      boolean readsAffected =
          project.graph().upstream(name).stream()
              .anyMatch(upstream -> affected.containsKey(project.asset(upstream).tableName()));
      if (!readsAffected) {
        continue;
      }
      AssetColumns columns = lineage.asset(name).orElseThrow();
      Baseline baseline = baselines.get(name);
      Set<String> hit = new TreeSet<>();
      boolean allRows = !columns.derived();
      boolean readsChangedRows =
          project.graph().upstream(name).stream()
              .anyMatch(upstream -> rowsDiffer.contains(project.asset(upstream).tableName()));
      if (columns.derived()) {
        for (ConditionDependency condition : columns.conditions()) {
          if (isAffected(affected, condition.column())) {
            allRows = true;
          }
        }
        for (OutputColumn output : columns.columns()) {
          for (ColumnDependency input : output.inputs()) {
            if (isAffected(affected, input.column())) {
              hit.add(output.name().toLowerCase(Locale.ROOT));
            }
          }
        }
        if (baseline != null) {
          // a column that comes and goes with its input through a '*'
          Set<String> now = new LinkedHashSet<>();
          columns.columns().forEach(column -> now.add(column.name().toLowerCase(Locale.ROOT)));
          for (String before : baseline.columns()) {
            if (!now.contains(before)) {
              hit.add(before);
            }
          }
        }
      }
      if (readsChangedRows && hit.isEmpty()) {
        // it reads no changed column, but rows that differ (a count(*)): all of it may differ
        allRows = true;
      }
      if (allRows) {
        columns.columns().forEach(column -> hit.add(column.name().toLowerCase(Locale.ROOT)));
        if (baseline != null) {
          hit.addAll(baseline.columns());
        }
      }
      if (allRows || readsChangedRows) {
        rowsDiffer.add(model.tableName());
      }
      if (!hit.isEmpty()) {
        affected.put(model.tableName(), hit);
        result.add(new AffectedModel(name, List.copyOf(hit), allRows, history(model, baseline)));
      }
    }
    return result;
  }

  private static boolean isAffected(
      Map<TableName, Set<String>> affected, dev.sluice.lineage.ColumnRef column) {
    Set<String> columns = affected.get(column.table());
    return columns != null && columns.contains(column.column());
  }

  /** Forward-only vs rebuilding the history, for an incremental or partitioned model. */
  private HistoryChoice history(ModelDef model, Baseline baseline) {
    if (baseline == null) {
      return null;
    }
    if (model.partitioned()) {
      int built =
          (int)
              workspace.runStore().partitions().partitions(model.name()).values().stream()
                  .filter(state -> state.status() == PartitionStatus.MATERIALIZED)
                  .count();
      return new HistoryChoice(
          label(model.materialization()),
          built,
          baseline.rows(),
          "sluice run --select " + model.name() + " (new partitions only)",
          "sluice backfill --select " + model.name() + " (rebuilds " + built + " partitions)");
    }
    if (model.materialization() == Materialization.INCREMENTAL) {
      return new HistoryChoice(
          label(model.materialization()),
          null,
          baseline.rows(),
          "sluice run --select " + model.name() + " (new rows only)",
          "sluice run --full-refresh --select "
              + model.name()
              + (baseline.rows() == null ? "" : " (rebuilds " + baseline.rows() + " rows)"));
    }
    return null;
  }

  private static String label(Materialization materialization) {
    return materialization.name().toLowerCase(Locale.ROOT);
  }
}
