package dev.sluice.core.run;

import dev.sluice.core.project.AssetGraph;
import dev.sluice.core.project.ModelDef;
import dev.sluice.core.project.Project;
import dev.sluice.core.project.TestAfterParents;
import dev.sluice.core.state.StepKey;
import dev.sluice.core.state.StepKind;
import dev.sluice.core.state.StepStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a run takes a dbt project's tests on several nodes ({@link TestAfterParents}), as dbt's
 * build orders them: each runs once every step of its parents in the run has ended (after the last
 * of them, its host), and a step waits for and is skipped by the failure of each test whose parents
 * are all upstream of its asset. A test runs when the asset it tests is in the run, as each of
 * Sluice's checks runs with its asset; its other parents that are not in the run are read as they
 * are.
 */
final class TestsAfterParents {
  private final AssetGraph graph;
  private final Project project;
  private final Map<StepKey, List<TestAfterParents>> byHost = new HashMap<>();
  private final Map<TestAfterParents, StepKey> hosts = new HashMap<>();
  private final List<TestAfterParents> first = new ArrayList<>();
  private final Map<String, List<Work>> worksByAsset = new HashMap<>();
  private final Map<TestAfterParents, String> failures = new ConcurrentHashMap<>();
  private final Map<String, List<CheckOutcome>> outcomes = new ConcurrentHashMap<>();

  /**
   * The tests of the project that a run of these steps (in their order) takes.
   *
   * @param selected the assets the run selected: an ephemeral model among them, which has no step,
   *     has its tests run
   */
  TestsAfterParents(Project project, List<Work> works, Set<String> selected) {
    this.graph = project.graph();
    this.project = project;
    Map<StepKey, Integer> positions = new HashMap<>();
    for (Work work : works) {
      positions.put(work.key(), positions.size());
      worksByAsset.computeIfAbsent(work.asset(), ignored -> new ArrayList<>()).add(work);
    }
    for (TestAfterParents test : graph.testsAfterParents()) {
      boolean ephemeral = ephemeral(project, test.asset());
      if (!worksByAsset.containsKey(test.asset())
          && !(ephemeral && selected.contains(test.asset()))) {
        continue;
      }
      Work host = null;
      for (Work work : parentWorks(test)) {
        if (host == null || positions.get(work.key()) > positions.get(host.key())) {
          host = work;
        }
      }
      if (host == null) {
        // an ephemeral model that reads nothing this run builds: its tests run before the steps
        first.add(test);
        continue;
      }
      byHost.computeIfAbsent(host.key(), ignored -> new ArrayList<>()).add(test);
      hosts.put(test, host.key());
    }
  }

  private static boolean ephemeral(Project project, String asset) {
    ModelDef model = project.models().get(asset);
    return model != null && !model.materialization().built();
  }

  /** The tests of ephemeral models that read nothing the run builds: they run before its steps. */
  List<TestAfterParents> first() {
    return List.copyOf(first);
  }

  /** The tests that run once this step and the other steps of their parents have ended. */
  List<TestAfterParents> hostedBy(Work work) {
    return byHost.getOrDefault(work.key(), List.of());
  }

  /** The steps of the run that build a test's parents. */
  List<Work> parentWorks(TestAfterParents test) {
    List<Work> works = new ArrayList<>();
    for (String parent : test.parents()) {
      works.addAll(worksByAsset.getOrDefault(parent, List.of()));
    }
    return works;
  }

  /** The hosts of the tests this step waits for: those whose parents are all upstream of it. */
  Set<StepKey> gatingHosts(Work work) {
    Set<StepKey> keys = new LinkedHashSet<>();
    for (TestAfterParents test : gating(work.asset())) {
      if (hosts.containsKey(test)) { // the others ran before the first step
        keys.add(hosts.get(test));
      }
    }
    return keys;
  }

  private List<TestAfterParents> gating(String asset) {
    if (hosts.isEmpty() && first.isEmpty()) {
      return List.of();
    }
    Set<String> upstream = graph.allUpstream(asset);
    List<TestAfterParents> tests = new ArrayList<>();
    for (TestAfterParents test : first) {
      if (test.gates(upstream)) {
        tests.add(test);
      }
    }
    for (TestAfterParents test : hosts.keySet()) {
      if (test.gates(upstream)) {
        tests.add(test);
      }
    }
    return tests;
  }

  /** Records a test's outcome, and whether it failed (an error-severity failure, or an error). */
  void ran(TestAfterParents test, CheckOutcome outcome) {
    outcomes.computeIfAbsent(test.asset(), ignored -> new ArrayList<>());
    synchronized (outcomes.get(test.asset())) {
      outcomes.get(test.asset()).add(outcome);
    }
    if (outcome.blocks()) {
      failures.put(
          test,
          "'"
              + test.check().name()
              + "' of "
              + test.asset()
              + (outcome.error() != null ? " errored" : " failed"));
    }
  }

  /** Why a step of this asset is skipped (a test that gates it failed), or null to run it. */
  String skipReason(String asset) {
    List<String> failed = new ArrayList<>();
    for (TestAfterParents test : gating(asset)) {
      String failure = failures.get(test);
      if (failure != null) {
        failed.add(failure);
      }
    }
    return failed.isEmpty() ? null : "skipped: test " + String.join(", ", failed);
  }

  /** How many of the tests failed. */
  int failed() {
    return failures.size();
  }

  /**
   * The steps' results with the outcomes of these tests among the checks of their asset's last
   * step, so that run_results.json and on-run-end's results have them as the asset's tests.
   */
  List<StepResult> withOutcomes(List<StepResult> results) {
    if (outcomes.isEmpty()) {
      return results;
    }
    Map<String, Integer> last = new LinkedHashMap<>();
    for (int i = 0; i < results.size(); i++) {
      last.put(StepKey.parse(results.get(i).asset()).asset(), i);
    }
    List<StepResult> merged = new ArrayList<>(results);
    outcomes.forEach(
        (asset, tests) -> {
          Integer index = last.get(asset);
          if (index == null && project.models().containsKey(asset)) {
            // an ephemeral model's tests: a step of its own that built nothing, which holds them
            ModelDef model = project.models().get(asset);
            merged.add(
                StepResult.builder(asset, StepKind.MODEL, model.tableName().toString())
                    .status(StepStatus.SUCCEEDED)
                    .detail("ephemeral: inlined into its tests")
                    .checks(tests)
                    .build());
          } else if (index != null) {
            StepResult result = merged.get(index);
            List<CheckOutcome> checks = new ArrayList<>(result.checks());
            checks.addAll(tests);
            merged.set(index, result.toBuilder().checks(checks).build());
          }
        });
    return merged;
  }
}
