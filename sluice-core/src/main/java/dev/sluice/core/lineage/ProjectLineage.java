package dev.sluice.core.lineage;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.SluiceException;
import dev.sluice.api.TableName;
import dev.sluice.core.project.Asset;
import dev.sluice.core.project.ColumnDef;
import dev.sluice.core.project.ModelDef;
import dev.sluice.core.project.Project;
import dev.sluice.lineage.ColumnDependency;
import dev.sluice.lineage.ColumnLineage;
import dev.sluice.lineage.ColumnRef;
import dev.sluice.lineage.ConditionDependency;
import dev.sluice.lineage.DependencyKind;
import dev.sluice.lineage.LineageResult;
import dev.sluice.lineage.OutputColumn;
import dev.sluice.lineage.RelationSchema;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The column-level lineage of a whole project: every model's rendered SQL analysed by {@link
 * ColumnLineage} in graph order, so that {@code select *} over an upstream model expands to the
 * columns derived for it; sources and seeds contribute their declared columns. Built on demand
 * ({@link #of(Project)}), not when a project is loaded. Immutable once built.
 */
public final class ProjectLineage {
  private final Map<String, AssetColumns> assets;
  private final Map<TableName, String> assetOfTable;
  private final Map<ColumnRef, List<Edge>> downstream;
  private final Map<ColumnRef, List<ConditionUse>> conditionUses;

  /** One output column computed from an input column. */
  private record Edge(ColumnRef output, String asset, ColumnDependency dependency) {}

  /**
   * A model that uses a column to filter, join or group its rows.
   *
   * @param asset the model
   * @param condition the column and the clause
   */
  public record ConditionUse(String asset, ConditionDependency condition) {}

  private ProjectLineage(Map<String, AssetColumns> assets) {
    this.assets = Collections.unmodifiableMap(assets);
    Map<TableName, String> tables = new HashMap<>();
    Map<ColumnRef, List<Edge>> edges = new HashMap<>();
    Map<ColumnRef, List<ConditionUse>> uses = new HashMap<>();
    for (AssetColumns asset : assets.values()) {
      tables.put(asset.table(), asset.asset());
      for (OutputColumn column : asset.columns()) {
        ColumnRef output = new ColumnRef(asset.table(), column.name());
        for (ColumnDependency dependency : column.inputs()) {
          edges
              .computeIfAbsent(dependency.column(), key -> new ArrayList<>())
              .add(new Edge(output, asset.asset(), dependency));
        }
      }
      for (ConditionDependency condition : asset.conditions()) {
        uses.computeIfAbsent(condition.column(), key -> new ArrayList<>())
            .add(new ConditionUse(asset.asset(), condition));
      }
    }
    this.assetOfTable = Map.copyOf(tables);
    this.downstream = edges;
    this.conditionUses = uses;
  }

  /** Derives the lineage of every model of the project. */
  public static ProjectLineage of(Project project) {
    requireNonNull(project, "project is null");
    return derive(project, project.graph().assets(), FRESH);
  }

  /**
   * The models whose column lineage cannot be derived, each with why, by name: what {@link
   * #notDerivable()} of {@link #of(Project)} gives, reusing for a model what {@code cache} kept of
   * its analysis while its rendered SQL and the tables that analysis looked up are unchanged
   * ({@link ModelLineageCache}; {@code sluice validate}'s warnings). What this derives is kept.
   */
  public static Map<String, AssetColumns> notDerivable(
      Project project, dev.sluice.core.state.DerivedCache cache, java.time.Instant now) {
    requireNonNull(project, "project is null");
    ModelLineageCache kept = ModelLineageCache.read(cache);
    Map<String, AssetColumns> models =
        derive(project, project.graph().assets(), kept::analyze).notDerivable();
    kept.write(project, now);
    return models;
  }

  /**
   * Derives the lineage of the given assets and of everything they read, directly or not (a {@code
   * select *} expands to its input's derived columns), and of nothing else: for each of them the
   * same lineage as {@link #of(Project)}, at the cost of those assets only. {@link #asset} is empty
   * for the others. A change plan derives only the changed models, their downstream and their
   * inputs so: deriving every model of a 1,000-model project for one changed leaf was most of the
   * parsing of {@code sluice run --env} (bench suite environments).
   *
   * @throws dev.sluice.api.InvalidInputException for an unknown asset
   */
  public static ProjectLineage of(Project project, Set<String> assets) {
    requireNonNull(project, "project is null");
    requireNonNull(assets, "assets is null");
    Set<String> needed = new HashSet<>(assets);
    for (String asset : assets) {
      needed.addAll(project.graph().allUpstream(asset));
    }
    return derive(project, needed, FRESH);
  }

  /**
   * As {@link #of(Project, Set)}, where only the models of {@code withInputs} need what each of
   * their columns is computed from: the others need their column names alone, which are reused from
   * what {@code cache} kept of their analysis while their rendered SQL and the tables it looked up
   * are unchanged ({@link ModelLineageCache}, shared with {@code sluice validate}); what this
   * analyses anew is kept. A change plan needs the inputs of the models downstream of a changed one
   * only: an added model's change lists its columns, nothing else ({@code sluice plan} of 10,000
   * models never built parsed every one of them; docs/benchmarks.md).
   *
   * @throws dev.sluice.api.InvalidInputException for an unknown asset
   */
  public static ProjectLineage of(
      Project project,
      Set<String> assets,
      Set<String> withInputs,
      dev.sluice.core.state.DerivedCache cache,
      java.time.Instant now) {
    requireNonNull(project, "project is null");
    requireNonNull(assets, "assets is null");
    requireNonNull(withInputs, "withInputs is null");
    Set<String> needed = new HashSet<>(assets);
    for (String asset : assets) {
      needed.addAll(project.graph().allUpstream(asset));
    }
    ModelLineageCache kept = ModelLineageCache.read(cache);
    ProjectLineage lineage =
        derive(
            project,
            needed,
            (model, sql, schemas) ->
                withInputs.contains(model)
                    ? FRESH.analyze(model, sql, schemas)
                    : kept.analyze(model, sql, schemas));
    kept.write(project, now);
    return lineage;
  }

  /** How a model's SQL is analysed: its name, its rendered SQL, the schemas it may look up. */
  @FunctionalInterface
  interface Analyzer {
    LineageResult analyze(
        String model, String sql, Function<TableName, Optional<RelationSchema>> schemas);
  }

  /** Every model analysed anew. */
  private static final Analyzer FRESH =
      (model, sql, schemas) -> ColumnLineage.analyze(sql, schemas);

  private static ProjectLineage derive(Project project, Set<String> needed, Analyzer analyzer) {
    Map<String, AssetColumns> assets = new LinkedHashMap<>();
    Map<TableName, RelationSchema> schemas = new HashMap<>();
    for (String name : project.graph().topologicalOrder()) {
      if (!needed.contains(name)) {
        continue;
      }
      Asset asset = project.asset(name);
      AssetColumns columns =
          asset.map(
              model -> model(project, model, schemas, analyzer),
              seed -> declared(seed.name(), seed.tableName(), seed.columns(), seed.location()),
              table ->
                  declared(
                      table.assetName(), table.tableName(), table.columns(), table.location()));
      assets.put(name, columns);
      schemas.put(
          columns.table(),
          new RelationSchema(
              columns.columns().stream().map(OutputColumn::name).toList(),
              columns.derived() && asset instanceof Asset.Model));
    }
    return new ProjectLineage(assets);
  }

  private static AssetColumns declared(
      String name, TableName table, List<ColumnDef> columns, dev.sluice.api.Location location) {
    return new AssetColumns(
        name,
        table,
        columns.stream().map(column -> new OutputColumn(column.name(), List.of())).toList(),
        List.of(),
        null,
        location);
  }

  private static AssetColumns model(
      Project project, ModelDef model, Map<TableName, RelationSchema> schemas, Analyzer analyzer) {
    dev.sluice.api.Location location = dev.sluice.api.Location.of(model.sqlFileName());
    String sql;
    try {
      sql = project.renderedForFullBuild(model);
    } catch (SluiceException e) {
      return notDerivable(model, "its SQL does not render: " + e.getMessage(), location);
    }
    LineageResult result =
        analyzer.analyze(model.name(), sql, table -> Optional.ofNullable(schemas.get(table)));
    if (result instanceof LineageResult.Derived derived) {
      return new AssetColumns(
          model.name(),
          model.tableName(),
          derived.lineage().columns(),
          derived.lineage().conditions(),
          null,
          location);
    }
    return notDerivable(model, ((LineageResult.NotDerivable) result).reason(), location);
  }

  private static AssetColumns notDerivable(
      ModelDef model, String reason, dev.sluice.api.Location location) {
    return new AssetColumns(
        model.name(),
        model.tableName(),
        model.columns().stream().map(column -> new OutputColumn(column.name(), List.of())).toList(),
        List.of(),
        reason,
        location);
  }

  /** Every asset's columns, in graph order (inputs before what is built from them). */
  public List<AssetColumns> assets() {
    return List.copyOf(assets.values());
  }

  /** The columns of an asset, by asset name. */
  public Optional<AssetColumns> asset(String name) {
    return Optional.ofNullable(assets.get(name));
  }

  /** The asset whose table this is. */
  public Optional<String> assetOf(TableName table) {
    return Optional.ofNullable(assetOfTable.get(table));
  }

  /** The models whose lineage cannot be derived, each with why, by name. */
  public Map<String, AssetColumns> notDerivable() {
    Map<String, AssetColumns> models = new TreeMap<>();
    assets.values().stream()
        .filter(asset -> !asset.derived())
        .forEach(asset -> models.put(asset.asset(), asset));
    return models;
  }

  /**
   * Every column the given one is computed from, transitively, nearest first: a model's inputs,
   * their inputs, down to source and seed columns.
   */
  public List<TracedColumn> upstream(ColumnRef column) {
    requireNonNull(column, "column is null");
    Map<ColumnRef, TracedColumn> reached = new LinkedHashMap<>();
    Deque<TracedColumn> queue = new ArrayDeque<>();
    expandUpstream(column, DependencyKind.DIRECT, true, 0, reached, queue);
    while (!queue.isEmpty()) {
      TracedColumn next = queue.removeFirst();
      expandUpstream(
          next.column(), next.kind(), next.carriesValues(), next.distance(), reached, queue);
    }
    return List.copyOf(reached.values());
  }

  private void expandUpstream(
      ColumnRef column,
      DependencyKind kindSoFar,
      boolean carriesSoFar,
      int distance,
      Map<ColumnRef, TracedColumn> reached,
      Deque<TracedColumn> queue) {
    String assetName = assetOfTable.get(column.table());
    if (assetName == null) {
      return;
    }
    assets
        .get(assetName)
        .column(column.column())
        .ifPresent(
            output -> {
              for (ColumnDependency input : output.inputs()) {
                TracedColumn traced =
                    new TracedColumn(
                        input.column(),
                        assetOfTable.getOrDefault(
                            input.column().table(), input.column().table().toString()),
                        kindSoFar.then(input.kind()),
                        carriesSoFar && input.carriesValues(),
                        column,
                        distance + 1);
                if (reached.putIfAbsent(input.column(), traced) == null) {
                  queue.addLast(traced);
                }
              }
            });
  }

  /** Every column computed from the given one, transitively, nearest first. */
  public List<TracedColumn> downstream(ColumnRef column) {
    requireNonNull(column, "column is null");
    Map<ColumnRef, TracedColumn> reached = new LinkedHashMap<>();
    Deque<TracedColumn> queue = new ArrayDeque<>();
    queue.addLast(new TracedColumn(column, "", DependencyKind.DIRECT, true, column, 0));
    while (!queue.isEmpty()) {
      TracedColumn from = queue.removeFirst();
      for (Edge edge : downstream.getOrDefault(from.column(), List.of())) {
        TracedColumn traced =
            new TracedColumn(
                edge.output(),
                edge.asset(),
                from.kind().then(edge.dependency().kind()),
                from.carriesValues() && edge.dependency().carriesValues(),
                from.column(),
                from.distance() + 1);
        if (!edge.output().equals(column) && reached.putIfAbsent(edge.output(), traced) == null) {
          queue.addLast(traced);
        }
      }
    }
    return List.copyOf(reached.values());
  }

  /** The models that filter, join or group on this column (directly, not through others). */
  public List<ConditionUse> conditionUses(ColumnRef column) {
    return List.copyOf(conditionUses.getOrDefault(column, List.of()));
  }
}
