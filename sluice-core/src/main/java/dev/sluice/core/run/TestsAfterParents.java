package dev.sluice.core.run;

import dev.sluice.core.project.AssetGraph;
import dev.sluice.core.project.Project;
import dev.sluice.core.project.TestAfterParents;
import dev.sluice.core.state.StepKey;
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
  private final Map<StepKey, List<TestAfterParents>> byHost = new HashMap<>();
  private final Map<TestAfterParents, StepKey> hosts = new HashMap<>();
  private final Map<String, List<Work>> worksByAsset = new HashMap<>();
  private final Map<TestAfterParents, String> failures = new ConcurrentHashMap<>();
  private final Map<String, List<CheckOutcome>> outcomes = new ConcurrentHashMap<>();

  /** The tests of the project that a run of these steps (in their order) takes. */
  TestsAfterParents(Project project, List<Work> works) {
    this.graph = project.graph();
    Map<StepKey, Integer> positions = new HashMap<>();
    for (Work work : works) {
      positions.put(work.key(), positions.size());
      worksByAsset.computeIfAbsent(work.asset(), ignored -> new ArrayList<>()).add(work);
    }
    for (TestAfterParents test : graph.testsAfterParents()) {
      if (!worksByAsset.containsKey(test.asset())) {
        continue;
      }
      Work host = null;
      for (Work work : parentWorks(test)) {
        if (host == null || positions.get(work.key()) > positions.get(host.key())) {
          host = work;
        }
      }
      byHost.computeIfAbsent(host.key(), ignored -> new ArrayList<>()).add(test);
      hosts.put(test, host.key());
    }
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
      keys.add(hosts.get(test));
    }
    return keys;
  }

  private List<TestAfterParents> gating(String asset) {
    if (hosts.isEmpty()) {
      return List.of();
    }
    Set<String> upstream = graph.allUpstream(asset);
    List<TestAfterParents> tests = new ArrayList<>();
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
          if (index != null) {
            StepResult result = merged.get(index);
            List<CheckOutcome> checks = new ArrayList<>(result.checks());
            checks.addAll(tests);
            merged.set(index, result.toBuilder().checks(checks).build());
          }
        });
    return merged;
  }
}
