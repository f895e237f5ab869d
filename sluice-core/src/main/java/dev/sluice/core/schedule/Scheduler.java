package dev.sluice.core.schedule;

import static java.util.Objects.requireNonNull;

import com.cronutils.model.time.ExecutionTime;
import dev.sluice.api.TableName;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.Asset;
import dev.sluice.core.project.ScheduleDef;
import dev.sluice.core.project.Selector;
import dev.sluice.core.project.SensorDef;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import dev.sluice.core.state.AbandonedRuns;
import dev.sluice.core.state.RunOwner;
import dev.sluice.core.state.RunStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates the project's cron schedules and starts their runs. Exactly one scheduler acts at a
 * time: each evaluation first takes (or renews) the {@code scheduler} lease in the state database;
 * a scheduler that cannot stands by, and takes over when the holder stops renewing it.
 */
public final class Scheduler {
  /**
   * A run to start: a schedule's due tick, or a sensor that fired.
   *
   * @param schedule the schedule's or sensor's name
   * @param tick the schedule's tick, or when the sensor fired
   * @param select what to run
   */
  public record Trigger(String schedule, Instant tick, List<String> select) {
    public Trigger {
      select = List.copyOf(select);
    }
  }

  static final String LEASE = "scheduler";

  /** Ticks older than this are late: catch_up: skip drops them. */
  static final Duration ON_TIME = Duration.ofMinutes(1);

  /** At most this many missed ticks are run with catch_up: all. */
  static final int MAX_CATCH_UP = 100;

  private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);

  private final Workspace workspace;
  private final String owner;
  private final Clock clock;
  private final Duration leaseTtl;

  /**
   * @param owner this scheduler's name in the lease, unique per process (e.g. host and pid)
   * @param leaseTtl how long the lease lasts without renewal; evaluate more often than this
   */
  public Scheduler(Workspace workspace, String owner, Clock clock, Duration leaseTtl) {
    this.workspace = requireNonNull(workspace, "workspace is null");
    this.owner = requireNonNull(owner, "owner is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.leaseTtl = requireNonNull(leaseTtl, "leaseTtl is null");
  }

  /** Whether this scheduler holds the lease (renewing it). */
  public boolean takeLease() {
    return workspace.runStore().locks().tryLock(LEASE, owner, leaseTtl, clock.instant());
  }

  /** Whether this scheduler holds the lease now (without renewing it). */
  public boolean holdsLease() {
    return workspace
        .runStore()
        .locks()
        .lockHolder(LEASE)
        .map(lock -> lock.owner().equals(owner) && lock.expiresAt().isAfter(clock.instant()))
        .orElse(false);
  }

  /**
   * Gives the lease up, if this scheduler holds it, so that another scheduler can act at once
   * rather than when the lease expires. A server calls this when it stops.
   */
  public void releaseLease() {
    workspace.runStore().locks().unlock(LEASE, owner);
  }

  /**
   * Takes or renews the lease, then returns the ticks that are due and records them as dealt with.
   * Returns nothing while another scheduler holds the lease.
   */
  public List<Trigger> evaluate() {
    if (!takeLease()) {
      return List.of();
    }
    Instant now = clock.instant();
    RunStore store = workspace.runStore();
    workspace.observers().tick(now);
    List<Trigger> triggers = new ArrayList<>();
    for (ScheduleDef schedule : workspace.project().config().schedules()) {
      ExecutionTime times = schedule.executionTime();
      ZonedDateTime current = now.atZone(schedule.timeZone());
      Optional<ZonedDateTime> latest = times.lastExecution(current.plusNanos(1));
      Optional<Instant> handled = store.scheduleTicks().lastScheduleTick(schedule.name());
      if (latest.isEmpty()) {
        continue;
      }
      if (handled.isEmpty()) {
        // first sight of this schedule: start from now, do not run what was before
        store.scheduleTicks().recordScheduleTick(schedule.name(), latest.get().toInstant());
        continue;
      }
      List<Instant> due = new ArrayList<>();
      Optional<ZonedDateTime> next = times.nextExecution(handled.get().atZone(schedule.timeZone()));
      while (next.isPresent() && !next.get().toInstant().isAfter(now)) {
        due.add(next.get().toInstant());
        if (due.size() > MAX_CATCH_UP) {
          due.remove(0);
        }
        next = times.nextExecution(next.get());
      }
      if (due.isEmpty()) {
        continue;
      }
      Instant newest = due.get(due.size() - 1);
      List<Instant> chosen =
          switch (schedule.catchUp()) {
            case ALL -> due;
            case LATEST -> List.of(newest);
            case SKIP ->
                Duration.between(newest, now).compareTo(ON_TIME) <= 0 ? List.of(newest) : List.of();
          };
      if (chosen.size() < due.size()) {
        LOG.info(
            "Schedule {}: {} missed tick(s) not run (catch_up: {})",
            schedule.name(),
            due.size() - chosen.size(),
            schedule.catchUp());
      }
      for (Instant tick : chosen) {
        triggers.add(new Trigger(schedule.name(), tick, schedule.select()));
      }
      store.scheduleTicks().recordScheduleTick(schedule.name(), newest);
    }
    for (SensorDef sensor : workspace.project().config().sensors()) {
      evaluate(sensor, now).ifPresent(triggers::add);
    }
    return triggers;
  }

  /** Whether a sensor fires now; a sensor fires at most once per its {@code min_interval}. */
  private Optional<Trigger> evaluate(SensorDef sensor, Instant now) {
    RunStore store = workspace.runStore();
    String key = "sensor:" + sensor.name();
    Optional<Instant> lastFired = store.scheduleTicks().lastScheduleTick(key);
    if (lastFired.isPresent()
        && Duration.between(lastFired.get(), now).compareTo(sensor.minInterval()) < 0) {
      return Optional.empty();
    }
    List<String> assets = new Selector(workspace.project()).select(sensor.select(), List.of());
    Runner runner = new Runner(workspace, clock);
    List<String> run = new ArrayList<>();
    for (String asset : assets) {
      Optional<Long> built = snapshotMillis(asset);
      if (sensor.type() == SensorDef.Type.NEW_DATA) {
        if (workspace.project().asset(asset) instanceof Asset.SourceTable
            && runner.hasNewData(asset)) {
          run.add(asset + "+");
        }
        continue;
      }
      boolean fires =
          switch (sensor.type()) {
            case FRESHNESS ->
                built.isEmpty()
                    || Duration.between(Instant.ofEpochMilli(built.get()), now)
                            .compareTo(sensor.maxAge())
                        > 0;
            case UPSTREAM_UPDATED -> upstreamNewer(asset, built, sensor.all());
            case NEW_DATA -> false;
          };
      if (fires) {
        run.add(sensor.type() == SensorDef.Type.FRESHNESS ? "+" + asset : asset);
      }
    }
    if (run.isEmpty()) {
      return Optional.empty();
    }
    LOG.info("Sensor {} fired for {}", sensor.name(), run);
    store.scheduleTicks().recordScheduleTick(key, now);
    return Optional.of(new Trigger(sensor.name(), now, run));
  }

  private boolean upstreamNewer(String asset, Optional<Long> built, boolean all) {
    int newer = 0;
    int upstreams = 0;
    for (String upstream : workspace.project().graph().upstream(asset)) {
      upstreams++;
      Optional<Long> upstreamBuilt = snapshotMillis(upstream);
      if (upstreamBuilt.isPresent() && (built.isEmpty() || upstreamBuilt.get() > built.get())) {
        newer++;
      }
    }
    return upstreams > 0 && (all ? newer == upstreams : newer > 0);
  }

  /** When an asset's table last got a snapshot on main, if it has one. */
  private Optional<Long> snapshotMillis(String asset) {
    TableName table = workspace.project().asset(asset).tableName();
    return workspace
        .lake()
        .findTable(table)
        .map(Table::currentSnapshot)
        .map(Snapshot::timestampMillis);
  }

  /** Runs a trigger's selection; the run's command names the schedule and tick. */
  public RunResult fire(Trigger trigger, RunListener listener) {
    return new Runner(workspace, clock)
        .run(
            new RunOptions(trigger.select(), false),
            listener,
            "schedule " + trigger.schedule() + " @ " + trigger.tick());
  }

  /** A run whose process gave no sign of life for this long is taken as dead, on any host. */
  public static final Duration ABANDONED_AFTER = AbandonedRuns.HEARTBEAT_TIMEOUT;

  /**
   * The runs still marked as running whose process died: on this host, no process has its id any
   * more; on any host, no heartbeat for {@link #ABANDONED_AFTER}. Empty unless this scheduler holds
   * the lease, so that one process recovers them.
   */
  public List<String> abandonedRuns() {
    if (!takeLease()) {
      return List.of();
    }
    return new AbandonedRuns(workspace.runStore(), clock)
        .find().stream().map(RunOwner::runId).toList();
  }

  /**
   * Finishes a dead run: marks it interrupted (releasing its locks) and runs what it left undone
   * (its committed steps are not redone).
   */
  public RunResult recover(String runId, RunListener listener) {
    new AbandonedRuns(workspace.runStore(), clock).interruptIfGone(runId);
    return new Runner(workspace, clock).resume(runId, listener);
  }
}
