package dev.sluice.core.run;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import dev.sluice.core.SluiceVersion;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.Asset;
import dev.sluice.core.project.Execution;
import dev.sluice.core.project.ProjectFiles;
import dev.sluice.core.state.RunStore;
import dev.sluice.core.state.StepKind;
import dev.sluice.core.state.StepQueue;
import dev.sluice.core.state.StepStatus;
import dev.sluice.core.state.Workers;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run's side of running on workers: queues a step in the state database, waits until a worker
 * has run and recorded it, and reads what it recorded. The run's own process keeps the order of the
 * steps (a step is queued once its upstream steps succeeded), skips downstream of failures, honours
 * {@code threads} (at most that many of the run's steps are queued or running at once) and records
 * the run.
 */
final class WorkerDispatch {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerDispatch.class);

  /**
   * The longest the run waits between looks whether its queued steps are done: the state database
   * signals a step done at once ({@link dev.sluice.core.state.QueueSignals}), so this bounds only
   * how late a step claimed is shown started, and a wait whose signal was lost.
   */
  static final Duration POLL = Duration.ofMillis(250);

  /** How long a step may wait for a worker before the run says that none is taking it. */
  static final Duration WAITING_NOTICE = Duration.ofSeconds(30);

  private final Workspace workspace;
  private final Clock clock;
  private final String projectDigest;

  private WorkerDispatch(Workspace workspace, Clock clock) {
    this.workspace = requireNonNull(workspace, "workspace is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.projectDigest = ProjectFiles.digest(workspace.project().root());
  }

  /**
   * A dispatch to the workers of the workspace's state database.
   *
   * @throws InvalidInputException when the database cannot be shared (SQLite), or a live worker
   *     runs another Sluice version than this process
   */
  static WorkerDispatch start(Workspace workspace, Clock clock) {
    RunStore store = workspace.runStore();
    requireSharedState(store, "sluice run --on-workers");
    refuseOtherVersions(store, SluiceVersion.current(), "This process", clock.instant());
    return new WorkerDispatch(workspace, clock);
  }

  /**
   * Refuses an SQLite state database: workers on several hosts share their steps through the state
   * database, which an SQLite file cannot be.
   */
  static void requireSharedState(RunStore store, String what) {
    if (!store.shared()) {
      throw new InvalidInputException(
          what
              + " needs a state database that workers on several hosts can share, but the state"
              + " database is "
              + store.describe()
              + " (an SQLite file, one machine only): set 'state: url:' in sluice.yaml to a"
              + " PostgreSQL database, jdbc:postgresql://host:5432/db (docs/deployment.md)");
    }
  }

  /**
   * Refuses to share the state database with a live worker of another Sluice version: both sides
   * must read and write the state, and run the steps, alike.
   *
   * @param who what runs {@code version}, e.g. "Worker w-12@host" or "This process"
   */
  static void refuseOtherVersions(RunStore store, String version, String who, Instant now) {
    for (Workers.Worker other : store.workers().alive(now, Worker.ALIVE_TIMEOUT)) {
      if (!other.version().equals(version)) {
        throw new InvalidInputException(
            who
                + " runs Sluice "
                + version
                + ", but worker "
                + other.id()
                + " ("
                + other.process()
                + "), alive on the same state database "
                + store.describe()
                + ", runs Sluice "
                + other.version()
                + ": workers sharing a state database must run one Sluice version. Stop the"
                + " workers of one version ('sluice workers' lists them) and start them with the"
                + " other");
      }
    }
  }

  /** Queues the step, waits until a worker has run it, and returns what the worker recorded. */
  StepResult run(
      Work work,
      String runId,
      Instant runStarted,
      RunOptions options,
      RunControl control,
      RunListener listener) {
    Asset asset = workspace.project().asset(work.asset());
    Execution execution = asset.execution(workspace.project().config());
    Integer poolSize =
        execution.pool() == null
            ? null
            : workspace.project().config().pools().get(execution.pool());
    StepQueue queue = workspace.runStore().stepQueue();
    Instant queuedAt = clock.instant();
    long id =
        queue.enqueue(
            new StepQueue.Request(
                runId,
                work.key(),
                execution.pool(),
                poolSize == null ? 0 : poolSize,
                options.fullRefresh(),
                runStarted,
                SluiceVersion.current(),
                projectDigest,
                options.environment()),
            queuedAt);
    LOG.debug("Run {}: queued step {} for the workers (entry {})", runId, work.id(), id);
    boolean started = false;
    Instant noticeAt = queuedAt.plus(WAITING_NOTICE);
    while (true) {
      long seen = queue.changes().generation();
      Optional<StepQueue.Entry> entry = queue.entry(id);
      if (entry.isEmpty()) {
        throw new IllegalStateException("Queued step " + work.id() + " disappeared: entry " + id);
      }
      StepQueue.Status status = entry.get().status();
      if (status == StepQueue.Status.DONE) {
        return finished(work, asset, entry.get(), queuedAt, control, runId, listener);
      }
      if (!started && status == StepQueue.Status.CLAIMED) {
        started = true;
        listener.stepStarted(work.id(), asset.stepKind());
      }
      if (status == StepQueue.Status.QUEUED && control.cancelled()) {
        queue.withdraw(runId, clock.instant());
        continue;
      }
      Instant now = clock.instant();
      if (status == StepQueue.Status.QUEUED && now.isAfter(noticeAt)) {
        List<Workers.Worker> alive =
            workspace.runStore().workers().alive(now, Worker.ALIVE_TIMEOUT);
        LOG.warn(
            "Run {}: step {} has waited {} s for a worker; {} worker(s) alive ('sluice workers')",
            runId,
            work.id(),
            Duration.between(queuedAt, now).toSeconds(),
            alive.size());
        noticeAt = now.plus(WAITING_NOTICE);
      }
      pause(queue, seen);
    }
  }

  private StepResult finished(
      Work work,
      Asset asset,
      StepQueue.Entry entry,
      Instant queuedAt,
      RunControl control,
      String runId,
      RunListener listener) {
    StepKind kind = asset.stepKind();
    String table = asset.tableName().toString();
    if (entry.stepId() == null) {
      // withdrawn before any worker took it: the run was cancelled
      StepResult skipped =
          StepResult.skipped(work.id(), kind, table, "skipped: the run was cancelled");
      return new Runner(workspace, clock).recordSkipped(runId, work, kind, skipped, listener);
    }
    StepResult result =
        StepResult.builder(work.id(), kind, table)
            .status(entry.stepStatus() == null ? StepStatus.FAILED : entry.stepStatus())
            .rowsIn(entry.metrics().rowsIn())
            .rowsOut(entry.metrics().rowsOut())
            .bytesIn(entry.metrics().bytesIn())
            .bytesOut(entry.metrics().bytesOut())
            .rejectedRows(entry.metrics().rejectedRows())
            .snapshotId(entry.metrics().snapshotId())
            .detail(entry.metrics().detail())
            .phases(entry.metrics().phases())
            .error(entry.error())
            .duration(Duration.between(queuedAt, clock.instant()))
            .build();
    if (control.cancelled() && result.status() != StepStatus.SUCCEEDED) {
      LOG.debug("Run {}: step {} stopped by the cancellation", runId, work.id());
    }
    listener.stepFinished(result);
    return result;
  }

  private static void pause(StepQueue queue, long seen) {
    try {
      queue.changes().await(seen, POLL);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new dev.sluice.api.SluiceException("Interrupted while waiting for a worker", e);
    }
  }
}
