package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A dbt data test on several nodes (a {@code relationships} test, a generic test given another
 * {@code ref()}) that runs after all of its parents are built, as dbt orders it, rather than in the
 * step of the asset it tests: one of its other parents is not upstream of that asset (dbt-labs'
 * jaffle-shop tests {@code order_items.order_id} against {@code orders}, which reads {@code
 * order_items}). dbt-core's {@code Linker.add_test_edges} makes such a test gate a node only when
 * all of the test's parents are upstream of that node, so that no cycle is made; Sluice does the
 * same ({@link #gates}).
 *
 * @param asset the asset the test is declared on
 * @param check the test
 * @param parents every asset the test reads: {@code asset} and the others
 */
public record TestAfterParents(String asset, CheckDef check, Set<String> parents) {
  public TestAfterParents {
    requireNonNull(asset, "asset is null");
    requireNonNull(check, "check is null");
    parents = Set.copyOf(parents);
  }

  /**
   * Whether a node waits for this test and is skipped when it fails: as dbt's {@code
   * add_test_edges}, when every parent of the test is upstream of the node.
   *
   * @param upstream everything the node reads, directly or not, without the node itself
   */
  public boolean gates(Set<String> upstream) {
    return upstream.containsAll(parents);
  }

  /**
   * The tests of a dbt project that run after their parents: those of each source table, seed and
   * model (and of their columns) that read an asset that is not upstream of the asset they test,
   * upstream meaning through {@code ref()} and {@code source()}, as in dbt's graph.
   */
  static List<TestAfterParents> of(
      Map<String, SourceDef> sources, Map<String, SeedDef> seeds, Map<String, ModelDef> models) {
    Set<String> assets = new HashSet<>(seeds.keySet());
    assets.addAll(models.keySet());
    sources.values().forEach(s -> s.tables().forEach(t -> assets.add(t.assetName())));
    Map<String, Set<String>> reads = new HashMap<>();
    for (ModelDef model : models.values()) {
      Set<String> direct = new LinkedHashSet<>(model.refs());
      model.sources().forEach(source -> direct.add(source.assetName()));
      reads.put(model.name(), direct);
    }
    List<TestAfterParents> tests = new ArrayList<>();
    for (SourceDef source : sources.values()) {
      for (SourceTableDef table : source.tables()) {
        add(tests, table.assetName(), table.checks(), table.columns(), assets, reads);
      }
    }
    for (SeedDef seed : seeds.values()) {
      add(tests, seed.name(), seed.checks(), seed.columns(), assets, reads);
    }
    for (ModelDef model : models.values()) {
      if (model.materialization().built()) {
        add(tests, model.name(), model.checks(), model.columns(), assets, reads);
      } else {
        ephemeral(tests, model, models, assets);
      }
    }
    return List.copyOf(tests);
  }

  /**
   * The tests of an ephemeral model, which no step builds: dbt inlines the model into each test's
   * query as a CTE, so that the test runs once the models it reads are built. Each runs after all
   * of its parents: the model, what it reads once its ephemeral models are inlined (their models,
   * seeds and source tables) and what else the test reads.
   */
  private static void ephemeral(
      List<TestAfterParents> tests,
      ModelDef model,
      Map<String, ModelDef> models,
      Set<String> assets) {
    List<CheckDef> all = new ArrayList<>(model.checks());
    model.columns().forEach(column -> all.addAll(column.checks()));
    for (CheckDef check : all) {
      Set<String> parents = new LinkedHashSet<>();
      parents.add(model.name());
      parents.addAll(EphemeralModels.tableRefs(model, models));
      EphemeralModels.sources(model, models).forEach(source -> parents.add(source.assetName()));
      for (String other : CheckTargets.of(check)) {
        ModelDef read = models.get(other);
        if (read != null && !read.materialization().built()) {
          parents.add(other);
          parents.addAll(EphemeralModels.tableRefs(read, models));
          EphemeralModels.sources(read, models).forEach(source -> parents.add(source.assetName()));
        } else {
          parents.add(other);
        }
      }
      parents.retainAll(assets);
      tests.add(new TestAfterParents(model.name(), check, parents));
    }
  }

  private static void add(
      List<TestAfterParents> tests,
      String asset,
      List<CheckDef> checks,
      List<ColumnDef> columns,
      Set<String> assets,
      Map<String, Set<String>> reads) {
    List<CheckDef> all = new ArrayList<>(checks);
    columns.forEach(column -> all.addAll(column.checks()));
    Set<String> upstream = null;
    for (CheckDef check : all) {
      Set<String> others = new LinkedHashSet<>(CheckTargets.of(check));
      others.remove(asset);
      others.retainAll(assets);
      if (others.isEmpty()) {
        continue;
      }
      if (upstream == null) {
        upstream = upstream(asset, reads);
      }
      if (!upstream.containsAll(others)) {
        Set<String> parents = new LinkedHashSet<>();
        parents.add(asset);
        parents.addAll(others);
        tests.add(new TestAfterParents(asset, check, parents));
      }
    }
  }

  private static Set<String> upstream(String asset, Map<String, Set<String>> reads) {
    Set<String> seen = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>(reads.getOrDefault(asset, Set.of()));
    while (!todo.isEmpty()) {
      String next = todo.pop();
      if (seen.add(next)) {
        todo.addAll(reads.getOrDefault(next, Set.of()));
      }
    }
    return seen;
  }
}
