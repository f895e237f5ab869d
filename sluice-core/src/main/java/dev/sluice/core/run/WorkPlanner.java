package dev.sluice.core.run;

import dev.sluice.api.InvalidInputException;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.ModelDef;
import dev.sluice.core.project.PartitionKey;
import dev.sluice.core.project.PartitionRange;
import dev.sluice.core.project.PartitionsDef;
import dev.sluice.core.state.PartitionState;
import dev.sluice.core.state.PartitionStatus;
import dev.sluice.core.state.StepKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Turns the selected assets into steps: one per asset, or one per partition range. */
final class WorkPlanner {
  private final Workspace workspace;
  private final Instant now;
  private final PartitionStaleness staleness;
  // the steps planned so far, by asset: a partition whose upstream partitions are rebuilt is due
  private final Map<String, List<Work>> planned = new java.util.HashMap<>();
  // why each stale partition planned so far is stale, by step asset and partition key
  private final Map<String, Map<String, String>> staleReasons = new java.util.HashMap<>();

  WorkPlanner(Workspace workspace, Instant now) {
    this.workspace = workspace;
    this.now = now;
    this.staleness = new PartitionStaleness(workspace.lake());
  }

  /**
   * Why the partitions planned for {@code asset} that were materialized are rebuilt: an input
   * changed in their window, or their upstream partitions are rebuilt in the same run; by key.
   */
  Map<String, String> staleReasons(String asset) {
    return staleReasons.getOrDefault(asset, Map.of());
  }

  /** The steps of {@code assets} (in dependency order), in the same order. */
  List<Work> plan(List<String> assets, RunOptions options) {
    List<Work> works = new ArrayList<>();
    for (String asset : assets) {
      ModelDef model = workspace.project().models().get(asset);
      if (model != null && !model.materialization().built()) {
        continue; // an ephemeral model is inlined in what reads it
      }
      List<Work> assetWorks =
          model == null || !model.partitioned()
              ? List.of(Work.whole(asset))
              : partitions(model, options);
      planned.put(asset, assetWorks);
      works.addAll(assetWorks);
    }
    return works;
  }

  /** The partition steps of one model. */
  List<Work> partitions(ModelDef model, RunOptions options) {
    PartitionsDef partitions = model.partitions();
    PartitionSelection selection = options.partitions();
    // an environment rebuilds a changed partitioned model in full unless partitions are asked for
    boolean onlyAskedFor = options.environment() != null && !selection.keys().isEmpty();
    boolean refreshes =
        workspace.project().dbt() == null
            || workspace.project().dbt().microbatch().fullRefreshes(model.name());
    if (options.fullRefresh() && !onlyAskedFor && refreshes) {
      List<PartitionKey> all = partitions.complete(now);
      return all.isEmpty()
          ? List.of()
          : List.of(Work.fullRefresh(model.name(), fullRefreshRanges(partitions, all)));
    }
    List<PartitionKey> keys;
    if (!selection.keys().isEmpty()) {
      keys = new ArrayList<>();
      for (String text : selection.keys()) {
        PartitionKey key = PartitionKey.parse(text);
        Optional<String> problem = partitions.problemWith(key);
        if (problem.isPresent()) {
          throw new InvalidInputException(
              "Model "
                  + model.name()
                  + ": "
                  + problem.get()
                  + "; 'sluice partitions "
                  + model.name()
                  + "' lists its partitions");
        }
        keys.add(key);
      }
    } else {
      keys = due(model, selection);
    }
    List<Work> works = new ArrayList<>();
    // a dbt microbatch model's batches are each built (and committed) on their own, as in dbt
    int batchSize = partitions.current() ? 1 : selection.batchSize();
    for (PartitionRange range : PartitionRange.batches(partitions, keys, batchSize)) {
      works.add(Work.partitions(model.name(), range));
    }
    return works;
  }

  private List<PartitionKey> due(ModelDef model, PartitionSelection selection) {
    PartitionsDef partitions = model.partitions();
    java.time.LocalDateTime from = selection.from();
    if (from != null && partitions.current() && partitions.time().isPresent()) {
      // dbt starts a backfill at the batch its start falls in
      var grain = partitions.time().get().grain();
      from = grain.startOf(grain.keyOf(from));
    }
    List<PartitionKey> window = partitions.between(from, selection.to(), now);
    if (selection.mode() == PartitionSelection.Mode.ALL) {
      return window;
    }
    Map<String, PartitionState> states = workspace.runStore().partitions().partitions(model.name());
    Set<String> lookback = lookback(partitions, window);
    Map<String, String> stale = new java.util.HashMap<>();
    // dbt's microbatch models rebuild their lookback, not what their inputs changed
    if (selection.mode() == PartitionSelection.Mode.DUE && !partitions.current()) {
      stale.putAll(staleness.stale(model, states, window));
      stale.putAll(rebuiltUpstream(model, window, stale.keySet()));
      staleReasons.put(model.name(), stale);
    }
    List<PartitionKey> due = new ArrayList<>();
    for (PartitionKey key : window) {
      PartitionState state = states.get(key.toString());
      boolean missing = state == null || !state.materialized();
      boolean failed = state != null && state.status() == PartitionStatus.FAILED;
      boolean wanted =
          switch (selection.mode()) {
            case MISSING -> missing;
            case FAILED -> failed;
            default ->
                missing
                    || failed
                    || lookback.contains(timeValue(partitions, key))
                    || stale.containsKey(key.toString());
          };
      if (wanted) {
        due.add(key);
      }
    }
    return due;
  }

  /**
   * The partitions of {@code window} whose time window overlaps a partition of an upstream model
   * that this plan rebuilds: its rows change, so theirs may.
   */
  private Map<String, String> rebuiltUpstream(
      ModelDef model, List<PartitionKey> window, Set<String> alreadyStale) {
    List<PartitionRange> upstreamRanges = new ArrayList<>();
    List<String> upstreamNames = new ArrayList<>();
    for (String upstream : workspace.project().graph().upstream(model.name())) {
      for (Work work : planned.getOrDefault(upstream, List.of())) {
        for (PartitionRange range : work.ranges()) {
          if (range.start().isPresent() && range.end().isPresent()) {
            upstreamRanges.add(range);
            upstreamNames.add(work.id());
          }
        }
      }
    }
    Map<String, String> due = new java.util.HashMap<>();
    if (upstreamRanges.isEmpty() || model.partitions().time().isEmpty()) {
      return due;
    }
    for (PartitionKey key : window) {
      if (alreadyStale.contains(key.toString())) {
        continue;
      }
      PartitionRange own = PartitionRange.of(model.partitions(), key);
      for (int i = 0; i < upstreamRanges.size(); i++) {
        PartitionRange upstream = upstreamRanges.get(i);
        if (upstream.start().get().isBefore(own.end().orElseThrow())
            && own.start().orElseThrow().isBefore(upstream.end().get())) {
          due.put(key.toString(), "upstream " + upstreamNames.get(i) + " is rebuilt in this run");
          break;
        }
      }
    }
    return due;
  }

  /**
   * The ranges a full refresh renders: as few as possible (consecutive partitions together), or
   * each partition on its own where every window is rendered by itself (a dbt microbatch model's
   * batches); all are committed together.
   */
  private static List<PartitionRange> fullRefreshRanges(
      PartitionsDef partitions, List<PartitionKey> all) {
    return PartitionRange.batches(partitions, all, partitions.current() ? 1 : Integer.MAX_VALUE);
  }

  /** The time values of the model's latest {@code lookback} partitions in the window. */
  private static Set<String> lookback(PartitionsDef partitions, List<PartitionKey> window) {
    if (partitions.lookback() == 0 || partitions.time().isEmpty()) {
      return Set.of();
    }
    Set<String> times = new LinkedHashSet<>();
    window.forEach(key -> times.add(timeValue(partitions, key)));
    List<String> ordered = new ArrayList<>(times);
    return new HashSet<>(
        ordered.subList(Math.max(0, ordered.size() - partitions.lookback()), ordered.size()));
  }

  private static String timeValue(PartitionsDef partitions, PartitionKey key) {
    return partitions
        .time()
        .map(time -> key.values().get(partitions.dimensions().indexOf(time)))
        .orElse("");
  }

  /**
   * The step a run recorded in its plan, rebuilt for a resume.
   *
   * @return empty when the asset or its partitions no longer exist
   */
  Optional<Work> fromKey(StepKey step) {
    String asset = step.asset();
    String label = step.partition();
    if (label == null) {
      return Optional.of(Work.whole(asset));
    }
    ModelDef model = workspace.project().models().get(asset);
    if (model == null || !model.partitioned()) {
      return Optional.empty();
    }
    if (label.equals(Work.ALL_PARTITIONS)) {
      List<PartitionKey> all = model.partitions().complete(now);
      return all.isEmpty()
          ? Optional.empty()
          : Optional.of(Work.fullRefresh(asset, fullRefreshRanges(model.partitions(), all)));
    }
    PartitionRange range = PartitionRange.parseLabel(model.partitions(), label);
    for (PartitionKey key : range.keys()) {
      if (model.partitions().problemWith(key).isPresent()) {
        return Optional.empty();
      }
    }
    return Optional.of(Work.partitions(asset, range));
  }
}
