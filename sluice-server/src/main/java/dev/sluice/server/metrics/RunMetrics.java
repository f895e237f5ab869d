package dev.sluice.server.metrics;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.Asset;
import dev.sluice.core.project.Project;
import dev.sluice.core.run.CheckOutcome;
import dev.sluice.core.run.StepResult;
import dev.sluice.core.state.RunStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metrics of runs, steps, checks, freshness and the scheduler, as Prometheus reads them:
 *
 * <ul>
 *   <li>{@code sluice_runs_total{status}}, {@code sluice_runs_running};
 *   <li>{@code sluice_steps_total{kind,status}}, {@code sluice_step_duration_seconds} (a histogram
 *       by kind and status), {@code sluice_step_retries_total}, {@code sluice_steps_queued} (steps
 *       of running runs not started yet) and {@code sluice_steps_running};
 *   <li>{@code sluice_written_rows_total{asset,kind}}, {@code
 *       sluice_written_bytes_total{asset,kind}};
 *   <li>{@code sluice_check_failures_total{asset,check,severity}};
 *   <li>{@code sluice_asset_freshness_lag_seconds{asset}}: how old the newest published snapshot of
 *       the asset's table is, known once a step wrote it or the table was looked at (on the
 *       scheduler's tick or a scrape, at most once per {@link #FRESHNESS_REFRESH});
 *   <li>{@code sluice_scheduler_ticks_total} and {@code sluice_scheduler_tick_lag_seconds}: how
 *       long ago the scheduler last evaluated its schedules (NaN before its first tick); it grows
 *       when the scheduler is stuck or another process holds its lease.
 * </ul>
 */
final class RunMetrics {
  /** The tables' snapshots are looked at no more often than this. */
  static final Duration FRESHNESS_REFRESH = Duration.ofMinutes(1);

  private static final Logger log = LoggerFactory.getLogger(RunMetrics.class);

  private final MeterRegistry registry;
  private final Supplier<Workspace> workspace;
  private final Clock clock;
  private final AtomicLong runsRunning = new AtomicLong();
  private final AtomicLong stepsQueued = new AtomicLong();
  private final AtomicLong stepsRunning = new AtomicLong();
  private final Counter ticks;
  private final Map<String, Instant> published = new ConcurrentHashMap<>();
  private volatile Instant lastTick;
  private volatile Instant lastRefresh;

  RunMetrics(MeterRegistry registry, Supplier<Workspace> workspace, Clock clock) {
    this.registry = requireNonNull(registry, "registry is null");
    this.workspace = requireNonNull(workspace, "workspace is null");
    this.clock = requireNonNull(clock, "clock is null");
    Gauge.builder("sluice.runs.running", runsRunning, AtomicLong::get)
        .description("Runs in progress in this process")
        .register(registry);
    Gauge.builder("sluice.steps.queued", stepsQueued, AtomicLong::get)
        .description("Steps of the runs in progress that have not started yet")
        .register(registry);
    Gauge.builder("sluice.steps.running", stepsRunning, AtomicLong::get)
        .description("Steps running now")
        .register(registry);
    ticks =
        Counter.builder("sluice.scheduler.ticks")
            .description("Evaluations of the schedules and sensors by this process's scheduler")
            .register(registry);
    Gauge.builder("sluice.scheduler.tick.lag", this, RunMetrics::tickLagSeconds)
        .description("Seconds since the scheduler last evaluated its schedules (NaN: never)")
        .baseUnit("seconds")
        .register(registry);
  }

  void runStarted(int steps) {
    runsRunning.incrementAndGet();
    stepsQueued.addAndGet(steps);
  }

  void stepStarted() {
    stepsQueued.decrementAndGet();
    stepsRunning.incrementAndGet();
  }

  void stepRetrying(String asset) {
    Counter.builder("sluice.step.retries")
        .description("Steps attempted again after a transient failure")
        .tag("asset", asset)
        .register(registry)
        .increment();
  }

  /**
   * A step finished.
   *
   * @param asset the asset whose table the step wrote (one per partitioned asset)
   * @param started whether it started (a skipped step never does)
   */
  void stepFinished(Workspace open, String asset, StepResult result, boolean started) {
    if (started) {
      stepsRunning.decrementAndGet();
    } else {
      stepsQueued.decrementAndGet();
    }
    String kind = result.kind().name().toLowerCase(Locale.ROOT);
    String status = result.status().name().toLowerCase(Locale.ROOT);
    Counter.builder("sluice.steps")
        .description("Steps finished, by kind and status")
        .tag("kind", kind)
        .tag("status", status)
        .register(registry)
        .increment();
    if (started) {
      Timer.builder("sluice.step.duration")
          .description("How long steps took, by kind and status")
          .tag("kind", kind)
          .tag("status", status)
          .publishPercentileHistogram()
          .register(registry)
          .record(result.duration());
    }
    Counter.builder("sluice.written.rows")
        .description("Rows written to tables by steps")
        .tag("asset", asset)
        .tag("kind", kind)
        .register(registry)
        .increment((double) result.rowsOut());
    Counter.builder("sluice.written.bytes")
        .description("Bytes of data files written to tables by steps")
        .tag("asset", asset)
        .tag("kind", kind)
        .register(registry)
        .increment((double) result.bytesOut());
    for (CheckOutcome check : result.checks()) {
      if (!check.passed()) {
        Counter.builder("sluice.check.failures")
            .description("Checks that failed or could not run, by asset, check and severity")
            .tag("asset", asset)
            .tag(
                "check", check.check().name() != null ? check.check().name() : check.check().type())
            .tag("severity", check.check().severity().name().toLowerCase(Locale.ROOT))
            .register(registry)
            .increment();
      }
    }
    if (result.snapshotId() != null) {
      try {
        snapshotTime(open, TableName.parse(result.table()))
            .ifPresent(time -> published(asset, time));
      } catch (RuntimeException e) {
        log.debug("Cannot read the snapshot of {} for its freshness: {}", result.table(), e);
      }
    }
  }

  /**
   * A run ended.
   *
   * @param counted whether its start was counted (a run can fail as a whole before it starts)
   * @param queued its steps that never started nor finished
   * @param running its steps that started and never finished
   */
  void runFinished(RunStatus status, boolean counted, long queued, long running) {
    if (counted) {
      runsRunning.decrementAndGet();
    }
    stepsQueued.addAndGet(-queued);
    stepsRunning.addAndGet(-running);
    Counter.builder("sluice.runs")
        .description("Runs finished, by status")
        .tag("status", status.name().toLowerCase(Locale.ROOT))
        .register(registry)
        .increment();
  }

  /** The scheduler evaluated at {@code now}. */
  void tick(Workspace open, Instant now) {
    lastTick = now;
    ticks.increment();
    refreshFreshnessIfDue(open);
  }

  /** Looks at the tables' snapshots when it was not done for {@link #FRESHNESS_REFRESH}. */
  void refreshFreshnessIfDue() {
    refreshFreshnessIfDue(workspace.get());
  }

  private synchronized void refreshFreshnessIfDue(Workspace open) {
    Instant now = clock.instant();
    if (lastRefresh != null
        && Duration.between(lastRefresh, now).compareTo(FRESHNESS_REFRESH) < 0) {
      return;
    }
    lastRefresh = now;
    Project project = open.project();
    for (String name : project.graph().assets()) {
      Asset asset = project.asset(name);
      try {
        snapshotTime(open, asset.tableName()).ifPresent(time -> published(name, time));
      } catch (RuntimeException e) {
        log.debug("Cannot read the snapshot of {} for its freshness: {}", asset.tableName(), e);
      }
    }
  }

  private static Optional<Instant> snapshotTime(Workspace open, TableName table) {
    return open.lake()
        .findTable(table)
        .map(Table::currentSnapshot)
        .map(Snapshot::timestampMillis)
        .map(Instant::ofEpochMilli);
  }

  private void published(String asset, Instant at) {
    if (published.put(asset, at) == null) {
      Gauge.builder("sluice.asset.freshness.lag", this, metrics -> metrics.lagSeconds(asset))
          .description("Seconds since the newest published snapshot of the asset's table")
          .tag("asset", asset)
          .baseUnit("seconds")
          .register(registry);
    }
  }

  private double lagSeconds(String asset) {
    Instant at = published.get(asset);
    return at == null ? Double.NaN : Duration.between(at, clock.instant()).toMillis() / 1000.0;
  }

  private double tickLagSeconds() {
    Instant tick = lastTick;
    return tick == null ? Double.NaN : Duration.between(tick, clock.instant()).toMillis() / 1000.0;
  }
}
