package dev.sluice.core.run;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import dev.sluice.api.connector.SourceConnector;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.Asset;
import dev.sluice.core.project.LoadMode;
import dev.sluice.core.project.Materialization;
import dev.sluice.core.project.ModelDef;
import dev.sluice.core.project.Project;
import dev.sluice.core.project.SourceTableDef;
import dev.sluice.core.state.StepKind;
import dev.sluice.lake.Lake;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.view.View;

/** Explains what a run would do and why, without doing it. */
public final class Planner {
  /** The snapshot summary key (and view property) holding a model's fingerprint. */
  static final String FINGERPRINT = dev.sluice.lake.CarriedState.MODEL_FINGERPRINT;

  private final Workspace workspace;
  private final Clock clock;

  /** A planner on the system clock (UTC). */
  public Planner(Workspace workspace) {
    this(workspace, Clock.systemUTC());
  }

  /** A planner that decides which partitions are complete by {@code clock}. */
  public Planner(Workspace workspace, Clock clock) {
    this.workspace = requireNonNull(workspace, "workspace is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  public List<PlannedStep> plan(RunOptions options) {
    Runner runner = new Runner(workspace, clock);
    List<PlannedStep> steps = new ArrayList<>();
    Lookups lookups = new Lookups(workspace.lake());
    WorkPlanner planner = new WorkPlanner(workspace, clock.instant());
    List<Work> works = planner.plan(runner.plan(options), options);
    java.util.Map<String, java.util.Map<String, dev.sluice.core.state.PartitionState>> states =
        new java.util.HashMap<>();
    for (Work work : works) {
      String asset = work.asset();
      Asset definition = workspace.project().asset(asset);
      StepKind kind = definition.stepKind();
      TableName table = definition.tableName();
      List<String> reasons =
          work.partitioned()
              ? partitionReasons(
                  work,
                  options,
                  states.computeIfAbsent(
                      asset, name -> workspace.runStore().partitions().partitions(name)),
                  planner.staleReasons(asset))
              : reasons(definition, options, lookups);
      steps.add(new PlannedStep(work.id(), kind, table.toString(), reasons));
    }
    return steps;
  }

  /**
   * The materialized partitions of a partitioned model that are stale (an input changed in their
   * window since they were built), each with why, by partition key.
   */
  public java.util.Map<String, String> stalePartitions(ModelDef model) {
    requireNonNull(model, "model is null");
    return new PartitionStaleness(workspace.lake())
        .stale(
            model,
            workspace.runStore().partitions().partitions(model.name()),
            model.partitions().complete(clock.instant()));
  }

  private static List<String> partitionReasons(
      Work work,
      RunOptions options,
      java.util.Map<String, dev.sluice.core.state.PartitionState> states,
      java.util.Map<String, String> staleReasons) {
    if (work.replaceAll()) {
      return List.of("full refresh: rebuilds all " + work.keys().size() + " partitions");
    }
    int missing = 0;
    int failed = 0;
    java.util.Set<String> staleWhy = new java.util.LinkedHashSet<>();
    int stale = 0;
    for (var key : work.keys()) {
      var state = states.get(key.toString());
      if (state == null || !state.materialized()) {
        missing++;
      } else if (state.status() == dev.sluice.core.state.PartitionStatus.FAILED) {
        failed++;
      } else if (staleReasons.containsKey(key.toString())) {
        stale++;
        staleWhy.add(staleReasons.get(key.toString()));
      }
    }
    List<String> reasons = new ArrayList<>();
    if (missing > 0) {
      reasons.add("missing partitions: " + missing);
    }
    if (failed > 0) {
      reasons.add("failed last time: " + failed);
    }
    if (stale > 0) {
      reasons.add("stale: " + String.join("; ", staleWhy));
    }
    int rest = work.keys().size() - missing - failed - stale;
    if (rest > 0) {
      reasons.add(
          options.partitions().mode() == PartitionSelection.Mode.DUE
                  && options.partitions().keys().isEmpty()
              ? "lookback: rebuilt for late data"
              : "requested: rebuilt");
    }
    return reasons;
  }

  /**
   * The catalog as one plan found it: the names listed once, each table loaded once. A plan of
   * 10,000 models looked every model's table up, then its view, then its view again and each
   * upstream table once per reader: one catalog query each, a third of {@code sluice plan}'s
   * samples (JFR; docs/benchmarks.md).
   */
  private static final class Lookups {
    private final Lake lake;
    private final Lake.CatalogNames names;
    private final Map<TableName, Optional<Table>> tables = new HashMap<>();

    Lookups(Lake lake) {
      this.lake = lake;
      this.names = lake.catalogNames();
    }

    Optional<Table> table(TableName name) {
      if (!names.tables().contains(name)) {
        return Optional.empty();
      }
      return tables.computeIfAbsent(name, lake::findTable);
    }

    Optional<View> view(TableName name) {
      return names.views().contains(name) ? lake.findView(name) : Optional.empty();
    }
  }

  private List<String> reasons(Asset asset, RunOptions options, Lookups lookups) {
    Project project = workspace.project();
    TableName table = asset.tableName();
    List<String> reasons = new ArrayList<>();
    Optional<Table> existing = lookups.table(table);
    Optional<View> view = lookups.view(table);
    boolean isView = view.isPresent();
    Snapshot current = existing.map(Table::currentSnapshot).orElse(null);
    if ((existing.isEmpty() && !isView) || (existing.isPresent() && current == null)) {
      reasons.add("new: not built yet");
    }
    if (asset instanceof Asset.Model modelAsset) {
      ModelDef model = modelAsset.definition();
      String fingerprint = fingerprint(project, model);
      String recorded =
          isView
              ? view.orElseThrow().properties().get(FINGERPRINT)
              : current == null
                  ? null
                  : dev.sluice.lake.CarriedState.of(existing.get(), current).get(FINGERPRINT);
      if ((current != null || isView) && !fingerprint.equals(recorded)) {
        reasons.add("changed: SQL or configuration differs from the last build");
      }
      if (model.materialization() == Materialization.INCREMENTAL && current != null) {
        reasons.add(
            options.fullRefresh() ? "full refresh requested" : "incremental: adds new rows");
      }
    } else if (asset instanceof Asset.SourceTable sourceAsset) {
      reasons.add(sourceReason(project, sourceAsset.definition(), options));
    } else {
      reasons.add("seed: reloaded on every run");
    }
    if (current != null) {
      for (String upstream : project.graph().upstream(asset.name())) {
        TableName upstreamTable = project.asset(upstream).tableName();
        Optional<Snapshot> upstreamSnapshot =
            lookups.table(upstreamTable).map(Table::currentSnapshot);
        if (upstreamSnapshot.isPresent()
            && upstreamSnapshot.get().timestampMillis() > current.timestampMillis()) {
          reasons.add("upstream updated: " + upstream);
        }
      }
    }
    if (reasons.isEmpty()) {
      reasons.add("up to date: rebuilt to keep it current");
    }
    return reasons;
  }

  /** Why a source table's step loads what it loads. */
  private static String sourceReason(Project project, SourceTableDef source, RunOptions options) {
    String connector = project.sources().get(source.source()).connector();
    if (options.fullRefresh()) {
      return "full refresh requested: rebuilt from everything the source holds";
    }
    if (!SourceStep.connector(connector).supports(SourceConnector.Capability.LOADS_FILES)) {
      return connector + ": reads what is new in the source";
    }
    return source.mode() == LoadMode.APPEND
        ? "append: loads files not loaded before from " + source.origin()
        : "full: reloads every file of " + source.origin();
  }

  /**
   * A hash of what a model builds: its SQL as rendered for a full build, its settings, and its
   * contract when it has one (a build checks its data against the contract, so a changed contract
   * is built, and checked, again).
   */
  public static String fingerprint(Project project, ModelDef model) {
    return fingerprint(project, model, dev.sluice.core.project.ModelMetadata.contract(model));
  }

  /**
   * As {@link #fingerprint(Project, ModelDef)}, with {@code contract} (as {@link
   * dev.sluice.core.project.ModelMetadata#contract}) in place of the model's own: whether only the
   * contract differs from a build whose contract was that.
   */
  public static String fingerprint(Project project, ModelDef model, String contract) {
    String sql = project.renderedForFullBuild(model);
    String text =
        sql
            + "\n"
            + model.materialization()
            + "\n"
            + model.uniqueKey()
            + "\n"
            + model.zone()
            + (model.partitioned() ? "\n" + model.partitions() : "")
            // without a contract, the fingerprint is what it was before contracts counted
            + (contract.isEmpty() ? "" : "\ncontract\n" + contract);
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
