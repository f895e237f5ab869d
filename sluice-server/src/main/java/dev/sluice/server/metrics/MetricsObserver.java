package dev.sluice.server.metrics;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.Workspace;
import dev.sluice.core.project.Asset;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunObserver;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.StepResult;
import dev.sluice.core.state.StepKind;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reports a workspace's runs, steps and the scheduler's ticks to the metrics of the server serving
 * its project, when one does in this process.
 */
final class MetricsObserver implements RunObserver {
  private final Workspace workspace;
  private final Map<String, String> assetsByTable;

  MetricsObserver(Workspace workspace) {
    this.workspace = requireNonNull(workspace, "workspace is null");
    Map<String, String> byTable = new HashMap<>();
    for (String name : workspace.project().graph().assets()) {
      Asset asset = workspace.project().asset(name);
      byTable.put(asset.tableName().toString(), name);
    }
    this.assetsByTable = Map.copyOf(byTable);
  }

  private Optional<RunMetrics> metrics() {
    return ServerMetrics.serving(workspace.project().root()).map(ServerMetrics::runs);
  }

  @Override
  public RunListener runStarted(String runId, String command, Instant startedAt) {
    return metrics().<RunListener>map(RunCounting::new).orElse(RunListener.NONE);
  }

  @Override
  public void tick(Instant now) {
    metrics().ifPresent(metrics -> metrics.tick(workspace, now));
  }

  /** The asset a step wrote: a partition's step counts for its asset. */
  private String assetOf(StepResult result) {
    return assetsByTable.getOrDefault(result.table(), result.asset());
  }

  /** One run's steps: queued until started, running until finished. */
  private final class RunCounting implements RunListener {
    private final RunMetrics metrics;
    private final AtomicBoolean begun = new AtomicBoolean();
    private final AtomicLong queued = new AtomicLong();
    private final Set<String> running = ConcurrentHashMap.newKeySet();

    RunCounting(RunMetrics metrics) {
      this.metrics = metrics;
    }

    @Override
    public void runStarted(String runId, int steps) {
      if (begun.compareAndSet(false, true)) {
        queued.set(steps);
        metrics.runStarted(steps);
      }
    }

    @Override
    public void stepStarted(String asset, StepKind kind) {
      if (begun.get() && running.add(asset)) {
        queued.decrementAndGet();
        metrics.stepStarted();
      }
    }

    @Override
    public void stepRetrying(String asset, int attempt, Duration delay, String reason) {
      metrics.stepRetrying(asset);
    }

    @Override
    public void stepFinished(StepResult result) {
      if (!begun.get()) {
        return;
      }
      boolean started = running.remove(result.asset());
      if (!started) {
        queued.decrementAndGet();
      }
      metrics.stepFinished(workspace, assetOf(result), result, started);
    }

    @Override
    public void runFinished(RunResult result) {
      boolean counted = begun.getAndSet(false);
      metrics.runFinished(
          result.status(), counted, counted ? Math.max(0, queued.get()) : 0, running.size());
    }
  }
}
