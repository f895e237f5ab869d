package dev.sluice.core.schedule;

import static java.util.Objects.requireNonNull;

import com.cronutils.model.time.ExecutionTime;
import dev.sluice.api.TableName;
import dev.sluice.core.Workspace;
import dev.sluice.core.maintain.Maintenance;
import dev.sluice.core.maintain.RetentionOutcome;
import dev.sluice.core.maintain.TableMaintenance;
import dev.sluice.core.project.Asset;
import dev.sluice.core.project.MaintenanceDef;
import dev.sluice.core.project.Project;
import dev.sluice.core.project.ScheduleDef;
import dev.sluice.core.project.Selector;
import dev.sluice.core.project.SensorDef;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import dev.sluice.core.run.Worker;
import dev.sluice.core.state.AbandonedRuns;
import dev.sluice.core.state.RunOwner;
import dev.sluice.core.state.RunStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
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
  /** What a trigger starts. */
  public enum Kind {
    /** A run of the selected assets ({@link #fire}). */
    RUN,
    /** Maintenance of the selected tables ({@link #maintain}). */
    MAINTENANCE
  }

  /**
   * Work to start: a schedule's due tick, a sensor that fired, or tables whose maintenance schedule
   * is due.
   *
   * @param schedule the schedule's or sensor's name, or {@code maintenance}
   * @param tick the schedule's tick, or when the sensor fired
   * @param select what to run (selector syntax), or the tables to maintain
   */
  public record Trigger(Kind kind, String schedule, Instant tick, List<String> select) {
    public Trigger {
      requireNonNull(kind, "kind is null");
      select = List.copyOf(select);
    }

    /** A run of {@code select}. */
    public Trigger(String schedule, Instant tick, List<String> select) {
      this(Kind.RUN, schedule, tick, select);
    }
  }

  /** The key of a table's maintenance ticks among the schedules' ticks. */
  static final String MAINTENANCE_KEY = "maintenance:";

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
    workspace.observers().tick(now);
    List<Trigger> triggers = new ArrayList<>();
    for (ScheduleDef schedule : workspace.project().config().schedules()) {
      for (Instant tick : dueTicks(schedule, schedule.name(), now)) {
        triggers.add(new Trigger(schedule.name(), tick, schedule.select()));
      }
    }
    for (SensorDef sensor : workspace.project().config().sensors()) {
      evaluate(sensor, now).ifPresent(triggers::add);
    }
    maintenanceDue(now).ifPresent(triggers::add);
    return triggers;
  }

  /**
   * The ticks of {@code schedule} to act on now, recorded as dealt with under {@code key}: none at
   * first sight of the schedule (what was before is not run), then those due since the last one
   * recorded, as its {@code catch_up} chooses.
   */
  private List<Instant> dueTicks(ScheduleDef schedule, String key, Instant now) {
    RunStore store = workspace.runStore();
    ExecutionTime times = schedule.executionTime();
    ZonedDateTime current = now.atZone(schedule.timeZone());
    Optional<ZonedDateTime> latest = times.lastExecution(current.plusNanos(1));
    Optional<Instant> handled = store.scheduleTicks().lastScheduleTick(key);
    if (latest.isEmpty()) {
      return List.of();
    }
    if (handled.isEmpty()) {
      // first sight of this schedule: start from now, do not run what was before
      store.scheduleTicks().recordScheduleTick(key, latest.get().toInstant());
      return List.of();
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
      return List.of();
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
          key,
          due.size() - chosen.size(),
          schedule.catchUp());
    }
    store.scheduleTicks().recordScheduleTick(key, newest);
    return chosen;
  }

  /**
   * The tables of the warehouse whose {@code maintenance: schedule} (their own, else sluice.yaml's)
   * is due, as one trigger; each table's ticks are kept apart, so that a table given its own
   * schedule starts from its first sight.
   */
  private Optional<Trigger> maintenanceDue(Instant now) {
    Project project = workspace.project();
    if (!hasMaintenanceSchedule(project)) {
      return Optional.empty();
    }
    List<String> tables = new ArrayList<>();
    Instant newest = null;
    for (TableName table : workspace.lake().listTables()) {
      Optional<ScheduleDef> schedule = project.maintenance(table).map(MaintenanceDef::schedule);
      if (schedule.isEmpty()) {
        continue;
      }
      List<Instant> due = dueTicks(schedule.get(), MAINTENANCE_KEY + table, now);
      if (!due.isEmpty()) {
        tables.add(table.toString());
        Instant tick = due.get(due.size() - 1);
        newest = newest == null || tick.isAfter(newest) ? tick : newest;
      }
    }
    if (tables.isEmpty()) {
      return Optional.empty();
    }
    LOG.info("Maintenance due for {}", tables);
    return Optional.of(new Trigger(Kind.MAINTENANCE, "maintenance", newest, tables));
  }

  /** Whether sluice.yaml or any table of the project schedules maintenance. */
  public static boolean hasMaintenanceSchedule(Project project) {
    return project.maintenanceSchedules().findAny().isPresent();
  }

  /**
   * Maintains a maintenance trigger's tables as {@code sluice maintain} without options does:
   * retention first, then compaction, layout, manifests, snapshot expiry and orphan files; every
   * change is in the audit log.
   */
  public ScheduledMaintenance maintain(Trigger trigger) {
    if (trigger.kind() != Kind.MAINTENANCE) {
      throw new IllegalArgumentException("Not a maintenance trigger: " + trigger);
    }
    Set<TableName> tables =
        trigger.select().stream().map(TableName::parse).collect(Collectors.toSet());
    List<RetentionOutcome> retention = new Maintenance(workspace, clock).applyRetention(tables);
    List<TableMaintenance.Report> reports =
        new TableMaintenance(workspace, clock)
            .run(
                new TableMaintenance.Request(
                    EnumSet.allOf(TableMaintenance.Operation.class), false, tables));
    return new ScheduledMaintenance(trigger, retention, reports);
  }

  /**
   * What a scheduled maintenance did.
   *
   * @param retention the rows each table's retention deleted
   * @param tables what the other operations did to each table
   */
  public record ScheduledMaintenance(
      Trigger trigger, List<RetentionOutcome> retention, List<TableMaintenance.Report> tables) {
    public ScheduledMaintenance {
      requireNonNull(trigger, "trigger is null");
      retention = List.copyOf(retention);
      tables = List.copyOf(tables);
    }
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
    if (trigger.kind() != Kind.RUN) {
      throw new IllegalArgumentException("Not a run trigger: " + trigger);
    }
    return runner()
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
    return runner().resume(runId, listener);
  }

  /**
   * The runner of scheduled runs: on the workers ({@code sluice serve --worker}) when the state
   * database is shared and a worker is alive, else in this process.
   */
  private Runner runner() {
    Runner runner = new Runner(workspace, clock);
    RunStore store = workspace.runStore();
    if (store.shared() && !store.workers().alive(clock.instant(), Worker.ALIVE_TIMEOUT).isEmpty()) {
      LOG.info("Workers are alive: the run's steps are handed to them");
      return runner.onWorkers();
    }
    return runner;
  }
}
