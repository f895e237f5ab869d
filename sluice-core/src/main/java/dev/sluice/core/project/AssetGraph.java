package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The project's assets and what each one reads. Assets are source tables (named {@code
 * source.table}), seeds and models (named by their name); a model depends on the models and seeds
 * it {@code ref()}s and on the source tables it {@code source()}s. An asset also depends on the
 * assets its checks read (the {@code to:} of a relationships check, the tables of a sql check's
 * query), because checks run before the asset's new data is published; in a dbt project, only when
 * the assets they read are upstream of it already, the others being {@link TestAfterParents}, run
 * after all of their parents as dbt runs them. The graph has no cycles.
 *
 * <p>Orders are deterministic: an asset comes after everything it depends on, ties are broken by
 * name.
 */
public final class AssetGraph {
  /** What an asset is. */
  public enum Kind {
    SOURCE_TABLE,
    SEED,
    MODEL
  }

  private final Map<String, Kind> kinds;
  private final Map<String, Set<String>> upstream;
  private final Map<String, Set<String>> downstream;
  private final List<String> order;
  private final Map<String, Integer> positions;
  private final List<TestAfterParents> testsAfterParents;
  private final Set<CheckDef> checksAfterParents;

  private AssetGraph(
      Map<String, Kind> kinds,
      Map<String, Set<String>> upstream,
      List<TestAfterParents> testsAfterParents) {
    this.testsAfterParents = List.copyOf(testsAfterParents);
    Set<CheckDef> afterParents = new java.util.HashSet<>();
    testsAfterParents.forEach(test -> afterParents.add(test.check()));
    this.checksAfterParents = Collections.unmodifiableSet(afterParents);
    Map<String, Set<String>> up = new HashMap<>();
    Map<String, Set<String>> down = new HashMap<>();
    for (String asset : kinds.keySet()) {
      up.put(asset, new TreeSet<>());
      down.put(asset, new TreeSet<>());
    }
    upstream.forEach(
        (asset, dependencies) -> {
          if (!kinds.containsKey(asset)) {
            throw new IllegalArgumentException("Unknown asset with dependencies: " + asset);
          }
          for (String dependency : dependencies) {
            if (!kinds.containsKey(dependency)) {
              throw new IllegalArgumentException(
                  "Asset " + asset + " depends on unknown asset " + dependency);
            }
            up.get(asset).add(dependency);
            down.get(dependency).add(asset);
          }
        });
    List<String> cycle = findCycle(up);
    if (!cycle.isEmpty()) {
      throw new IllegalArgumentException("Assets form a cycle: " + String.join(" → ", cycle));
    }
    this.upstream = freeze(up);
    this.downstream = freeze(down);
    this.order = sort(kinds.keySet(), this.upstream, this.downstream);
    Map<String, Kind> orderedKinds = new LinkedHashMap<>();
    Map<String, Integer> orderPositions = new HashMap<>();
    for (String asset : order) {
      orderedKinds.put(asset, kinds.get(asset));
      orderPositions.put(asset, orderPositions.size());
    }
    this.kinds = Collections.unmodifiableMap(orderedKinds);
    this.positions = orderPositions;
  }

  /**
   * A graph of the given assets.
   *
   * @param kinds every asset and its kind
   * @param upstream the assets each asset reads directly; assets without an entry read nothing
   * @throws IllegalArgumentException for an edge to an unknown asset, or a cycle (the message lists
   *     its path)
   */
  public static AssetGraph of(Map<String, Kind> kinds, Map<String, Set<String>> upstream) {
    requireNonNull(kinds, "kinds is null");
    requireNonNull(upstream, "upstream is null");
    return new AssetGraph(kinds, upstream, List.of());
  }

  /**
   * The graph of a project's source tables, seeds and models. References to missing assets are left
   * out (the loader reports them).
   *
   * @throws IllegalArgumentException for a cycle
   */
  public static AssetGraph of(
      Map<String, SourceDef> sources, Map<String, SeedDef> seeds, Map<String, ModelDef> models) {
    return of(sources, seeds, models, false);
  }

  /**
   * The graph of a project's source tables, seeds and models; for a dbt project ({@code dbt}), with
   * dbt's order of tests on several nodes: a test that reads an asset not upstream of the asset it
   * tests adds no edge and runs after all of its parents ({@link #testsAfterParents()}).
   *
   * @throws IllegalArgumentException for a cycle
   */
  public static AssetGraph of(
      Map<String, SourceDef> sources,
      Map<String, SeedDef> seeds,
      Map<String, ModelDef> models,
      boolean dbt) {
    Map<String, Kind> kinds = new HashMap<>();
    for (SourceDef source : sources.values()) {
      for (SourceTableDef table : source.tables()) {
        kinds.put(table.assetName(), Kind.SOURCE_TABLE);
      }
    }
    seeds.keySet().forEach(seed -> kinds.put(seed, Kind.SEED));
    models.keySet().forEach(model -> kinds.put(model, Kind.MODEL));
    List<TestAfterParents> afterParents =
        dbt ? TestAfterParents.of(sources, seeds, models) : List.of();
    Set<CheckDef> excluded = new java.util.HashSet<>();
    afterParents.forEach(test -> excluded.add(test.check()));
    return new AssetGraph(
        kinds, dependencies(kinds, sources, seeds, models, excluded), afterParents);
  }

  /**
   * A dbt project's tests on several nodes that run after all of their parents are built, not in
   * the step of the asset they test (empty for a Sluice project).
   */
  public List<TestAfterParents> testsAfterParents() {
    return testsAfterParents;
  }

  /**
   * Whether a check is one of the {@link #testsAfterParents()}, which no step of its asset runs.
   */
  public boolean runsAfterParents(CheckDef check) {
    return checksAfterParents.contains(check);
  }

  /**
   * The direct dependencies of each asset: a model's refs and source tables, and the assets that
   * the checks of any asset read. Only dependencies on assets in {@code kinds} are kept, and an
   * asset's checks reading the asset itself add nothing.
   */
  static Map<String, Set<String>> dependencies(
      Map<String, Kind> kinds,
      Map<String, SourceDef> sources,
      Map<String, SeedDef> seeds,
      Map<String, ModelDef> models) {
    return dependencies(kinds, sources, seeds, models, Set.of());
  }

  /** As {@link #dependencies(Map, Map, Map, Map)}, leaving out the edges of {@code excluded}. */
  static Map<String, Set<String>> dependencies(
      Map<String, Kind> kinds,
      Map<String, SourceDef> sources,
      Map<String, SeedDef> seeds,
      Map<String, ModelDef> models,
      Set<CheckDef> excluded) {
    Map<String, Set<String>> upstream = new HashMap<>();
    for (ModelDef model : models.values()) {
      Set<String> dependencies = new LinkedHashSet<>(model.refs());
      model.sources().forEach(source -> dependencies.add(source.assetName()));
      addCheckTargets(model.name(), dependencies, model.checks(), model.columns(), excluded);
      upstream.put(model.name(), dependencies);
    }
    for (SeedDef seed : seeds.values()) {
      Set<String> dependencies = new LinkedHashSet<>();
      addCheckTargets(seed.name(), dependencies, seed.checks(), seed.columns(), excluded);
      upstream.put(seed.name(), dependencies);
    }
    for (SourceDef source : sources.values()) {
      for (SourceTableDef table : source.tables()) {
        Set<String> dependencies = new LinkedHashSet<>();
        addCheckTargets(table.assetName(), dependencies, table.checks(), table.columns(), excluded);
        upstream.put(table.assetName(), dependencies);
      }
    }
    upstream.values().forEach(dependencies -> dependencies.retainAll(kinds.keySet()));
    return upstream;
  }

  /** Adds what the checks read, except the checked asset itself. */
  private static void addCheckTargets(
      String asset,
      Set<String> dependencies,
      List<CheckDef> checks,
      List<ColumnDef> columns,
      Set<CheckDef> excluded) {
    List<CheckDef> all = new ArrayList<>(checks);
    columns.forEach(column -> all.addAll(column.checks()));
    all.removeAll(excluded);
    for (CheckDef check : all) {
      for (String target : CheckTargets.of(check)) {
        if (!target.equals(asset)) {
          dependencies.add(target);
        }
      }
    }
  }

  /**
   * A cycle in a dependency map, as a path that starts and ends at the same asset ({@code a, b, a}:
   * a reads b, which reads a); empty when there is none. Dependencies on assets missing from the
   * map's keys are ignored.
   */
  public static List<String> findCycle(Map<String, ? extends Set<String>> upstream) {
    Map<String, Integer> state = new HashMap<>(); // absent: new, 1: on the path, 2: done
    for (String start : new TreeSet<>(upstream.keySet())) {
      if (state.containsKey(start)) {
        continue;
      }
      Deque<String> path = new ArrayDeque<>();
      Deque<Iterator<String>> pending = new ArrayDeque<>();
      path.push(start);
      pending.push(sorted(upstream.get(start)).iterator());
      state.put(start, 1);
      while (!path.isEmpty()) {
        Iterator<String> next = pending.peek();
        if (!next.hasNext()) {
          state.put(path.pop(), 2);
          pending.pop();
          continue;
        }
        String dependency = next.next();
        Integer dependencyState = state.get(dependency);
        if (dependencyState == null && upstream.containsKey(dependency)) {
          state.put(dependency, 1);
          path.push(dependency);
          pending.push(sorted(upstream.get(dependency)).iterator());
        } else if (dependencyState != null && dependencyState == 1) {
          List<String> cycle = new ArrayList<>();
          for (Iterator<String> it = path.descendingIterator(); it.hasNext(); ) {
            cycle.add(it.next());
          }
          cycle = new ArrayList<>(cycle.subList(cycle.indexOf(dependency), cycle.size()));
          cycle.add(dependency);
          return List.copyOf(cycle);
        }
      }
    }
    return List.of();
  }

  /** Every asset, in topological order. */
  public Set<String> assets() {
    return kinds.keySet();
  }

  public boolean contains(String asset) {
    return kinds.containsKey(asset);
  }

  /**
   * What an asset is.
   *
   * @throws InvalidInputException for an unknown asset
   */
  public Kind kind(String asset) {
    return kinds.get(check(asset));
  }

  /** Every asset, each after all the assets it reads; ties broken by name. */
  public List<String> topologicalOrder() {
    return order;
  }

  /**
   * The assets an asset reads directly.
   *
   * @throws InvalidInputException for an unknown asset
   */
  public Set<String> upstream(String asset) {
    return upstream.get(check(asset));
  }

  /**
   * The assets that read an asset directly.
   *
   * @throws InvalidInputException for an unknown asset
   */
  public Set<String> downstream(String asset) {
    return downstream.get(check(asset));
  }

  /**
   * Everything an asset reads, directly or not, in topological order, without the asset itself.
   *
   * @throws InvalidInputException for an unknown asset
   */
  public Set<String> allUpstream(String asset) {
    return closure(check(asset), upstream);
  }

  /**
   * Everything that reads an asset, directly or not, in topological order, without the asset.
   *
   * @throws InvalidInputException for an unknown asset
   */
  public Set<String> allDownstream(String asset) {
    return closure(check(asset), downstream);
  }

  /**
   * The assets named (e.g. by {@code run --select a b}), without repeats, in topological order.
   *
   * @throws InvalidInputException for a name that is no asset, with a suggestion
   */
  public List<String> select(List<String> names) {
    requireNonNull(names, "names is null");
    Set<String> selected =
        new TreeSet<>((a, b) -> Integer.compare(positions.get(a), positions.get(b)));
    for (String name : names) {
      selected.add(check(name));
    }
    return List.copyOf(selected);
  }

  private String check(String asset) {
    requireNonNull(asset, "asset is null");
    if (!kinds.containsKey(asset)) {
      String hint =
          Suggestions.closest(asset, kinds.keySet())
              .map(s -> ": did you mean '" + s + "'?")
              .orElse(": assets are models and seeds by name, and source tables as source.table");
      throw new InvalidInputException("Unknown asset '" + asset + "'" + hint);
    }
    return asset;
  }

  private Set<String> closure(String start, Map<String, Set<String>> edges) {
    Set<String> seen = new TreeSet<>((a, b) -> Integer.compare(positions.get(a), positions.get(b)));
    Deque<String> todo = new ArrayDeque<>(edges.get(start));
    while (!todo.isEmpty()) {
      String asset = todo.pop();
      if (seen.add(asset)) {
        todo.addAll(edges.get(asset));
      }
    }
    return Collections.unmodifiableSet(new LinkedHashSet<>(seen));
  }

  private static List<String> sort(
      Set<String> assets, Map<String, Set<String>> upstream, Map<String, Set<String>> downstream) {
    Map<String, Integer> waiting = new HashMap<>();
    PriorityQueue<String> ready = new PriorityQueue<>();
    for (String asset : assets) {
      int count = upstream.get(asset).size();
      waiting.put(asset, count);
      if (count == 0) {
        ready.add(asset);
      }
    }
    List<String> order = new ArrayList<>(assets.size());
    while (!ready.isEmpty()) {
      String asset = ready.poll();
      order.add(asset);
      for (String reader : downstream.get(asset)) {
        if (waiting.merge(reader, -1, Integer::sum) == 0) {
          ready.add(reader);
        }
      }
    }
    return List.copyOf(order);
  }

  private static List<String> sorted(Set<String> values) {
    return values == null ? List.of() : new ArrayList<>(new TreeSet<>(values));
  }

  private static Map<String, Set<String>> freeze(Map<String, Set<String>> edges) {
    Map<String, Set<String>> frozen = new TreeMap<>();
    edges.forEach((asset, set) -> frozen.put(asset, Collections.unmodifiableSet(set)));
    return Collections.unmodifiableMap(frozen);
  }

  @Override
  public String toString() {
    return "AssetGraph[" + order.size() + " assets]";
  }
}
