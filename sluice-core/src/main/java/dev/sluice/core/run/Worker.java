package dev.sluice.core.run;

import static java.util.Objects.requireNonNull;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import dev.sluice.api.SluiceException;
import dev.sluice.core.SluiceVersion;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.ProjectFiles;
import dev.sluice.core.state.RunProcess;
import dev.sluice.core.state.RunStore;
import dev.sluice.core.state.StepKind;
import dev.sluice.core.state.StepMetrics;
import dev.sluice.core.state.StepQueue;
import dev.sluice.core.state.StepStatus;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker ({@code sluice serve --worker}): claims the steps that runs queued in the shared state
 * database ({@link StepQueue}), runs each as a run in this process would (engine sessions, retries,
 * timeouts, the table's lock, write-audit-publish) and records it, at most {@code slots} at once.
 *
 * <p>While it runs a step it renews the step's lease; a worker that is killed or cut off from the
 * database stops renewing, and once the lease has expired another worker claims the step again,
 * marks the lost attempt interrupted and runs it. What the lost attempt committed is not doubled:
 * every step commits its rows with its source's state in one Iceberg commit, so the attempt that
 * follows reads on from there.
 *
 * <p>A worker needs a shared (PostgreSQL) state database, refuses to share it with live workers of
 * another Sluice version, and, when the database cannot be reached, waits and tries again with
 * exponential backoff, saying so.
 */
public final class Worker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Worker.class);

  /** A worker that gave no sign of life for this long is taken as gone. */
  public static final Duration ALIVE_TIMEOUT = Duration.ofSeconds(30);

  /** What a worker says to its operator (its process's messages on stderr). */
  @FunctionalInterface
  public interface Listener {
    void message(String text);

    Listener NONE = text -> {};
  }

  /**
   * How a worker works.
   *
   * @param slots how many steps it runs at once
   * @param heartbeat how often it records that it is alive and renews its leases
   * @param lease how long a claim lasts without renewal: a killed worker's step is claimed again by
   *     another worker this long after its last renewal
   * @param idlePoll the longest it waits between looks at the queue when nothing was to be done (a
   *     change of the queue that the state database signals ends the wait sooner)
   * @param maxBackoff the longest wait between attempts to reach an unreachable state database
   */
  public record Options(
      int slots, Duration heartbeat, Duration lease, Duration idlePoll, Duration maxBackoff) {
    public Options {
      if (slots < 1) {
        throw new IllegalArgumentException("A worker runs at least one step at once: " + slots);
      }
      requireNonNull(heartbeat, "heartbeat is null");
      requireNonNull(lease, "lease is null");
      requireNonNull(idlePoll, "idlePoll is null");
      requireNonNull(maxBackoff, "maxBackoff is null");
      if (lease.compareTo(heartbeat.multipliedBy(2)) < 0) {
        throw new IllegalArgumentException(
            "A lease (" + lease + ") must last at least two heartbeats (" + heartbeat + ")");
      }
    }

    /** Heartbeats every 5 s, leases of 30 s, a look at the queue every 200 ms when idle. */
    public static Options defaults(int slots) {
      return new Options(
          slots,
          Duration.ofSeconds(5),
          Duration.ofSeconds(30),
          Duration.ofMillis(200),
          Duration.ofSeconds(30));
    }
  }

  private final Workspace workspace;
  private final String projectDigest;
  private final Options options;
  private final Clock clock;
  private final Listener listener;
  private final String id;
  private final String version;
  private final Runner runner;
  private final ScheduledExecutorService heartbeats;
  private final ExecutorService steps;
  private final Semaphore freeSlots;
  private final AtomicBoolean stopping = new AtomicBoolean();
  // the claims running now, with the stop switch of each
  private final Map<Long, Running> running = new ConcurrentHashMap<>();
  private final AtomicLong stepsRun = new AtomicLong();
  // gives up the running steps once their leases cannot have been renewed: on a thread of its own,
  // so that a heartbeat hanging on an unanswering database cannot hold it back
  private final ScheduledExecutorService leaseWatch;
  private java.util.concurrent.ScheduledFuture<?> heartbeat;
  // when the leases were last renewed: written by the heartbeat, read by the lease watch
  private volatile Instant lastRenewed;

  /**
   * A claim being run.
   *
   * @param abandoned set when the worker gave the claim up (it could not renew its lease): the
   *     claim is left for another worker rather than finished
   * @param claimed when the claim (and so its lease) was taken
   */
  private record Running(
      String runId, String step, RunControl control, AtomicBoolean abandoned, Instant claimed) {}

  private Worker(Workspace workspace, Options options, Clock clock, Listener listener) {
    this.workspace = workspace;
    this.options = options;
    this.clock = clock;
    this.listener = listener;
    RunProcess process = RunProcess.current();
    this.id = process.pid() + "@" + process.host();
    this.version = SluiceVersion.current();
    // the files as they are when the worker starts, just after its project was loaded from them
    this.projectDigest = ProjectFiles.digest(workspace.project().root());
    this.runner = new Runner(workspace, clock);
    this.freeSlots = new Semaphore(options.slots());
    this.steps = Executors.newFixedThreadPool(options.slots(), daemon("sluice-worker-step"));
    this.heartbeats = Executors.newSingleThreadScheduledExecutor(daemon("sluice-worker-heartbeat"));
    this.leaseWatch = Executors.newSingleThreadScheduledExecutor(daemon("sluice-worker-leases"));
    this.lastRenewed = clock.instant();
  }

  /**
   * Registers a worker in the workspace's state database and starts its heartbeat; {@link #run()}
   * then claims and runs steps.
   *
   * @throws dev.sluice.api.InvalidInputException when the state database is SQLite, or a live
   *     worker runs another Sluice version
   */
  public static Worker start(Workspace workspace, Options options, Clock clock, Listener listener) {
    requireNonNull(workspace, "workspace is null");
    requireNonNull(options, "options is null");
    requireNonNull(clock, "clock is null");
    requireNonNull(listener, "listener is null");
    RunStore store = workspace.runStore();
    WorkerDispatch.requireSharedState(store, "sluice serve --worker");
    Worker worker = new Worker(workspace, options, clock, listener);
    worker.register();
    return worker;
  }

  private void register() {
    RunStore store = workspace.runStore();
    WorkerDispatch.refuseOtherVersions(store, version, "Worker " + id, clock.instant());
    store.workers().register(id, RunProcess.current(), version, options.slots(), clock.instant());
    heartbeat =
        heartbeats.scheduleWithFixedDelay(
            this::heartbeat,
            options.heartbeat().toMillis(),
            options.heartbeat().toMillis(),
            TimeUnit.MILLISECONDS);
    long watchEvery = Math.max(1, options.heartbeat().toMillis() / 2);
    var unused =
        leaseWatch.scheduleWithFixedDelay(
            this::watchLeases, watchEvery, watchEvery, TimeUnit.MILLISECONDS);
    listener.message(
        "Worker "
            + id
            + " (Sluice "
            + version
            + ", "
            + options.slots()
            + " slot(s)) takes steps from "
            + store.describe());
  }

  /** This worker's name in the state database: its process id and host. */
  public String id() {
    return id;
  }

  /** How many steps this worker has run (finished) so far. */
  public long stepsRun() {
    return stepsRun.get();
  }

  /**
   * Claims and runs steps until {@link #stop()}: the steps running then are finished (or, past the
   * process's end, claimed again by another worker once their lease expires).
   */
  public void run() {
    while (!stopping.get()) {
      if (!awaitFreeSlot()) {
        continue;
      }
      long seen = workspace.runStore().stepQueue().changes().generation();
      Optional<StepQueue.Claim> claim;
      try {
        claim =
            untilReachable(
                () ->
                    workspace
                        .runStore()
                        .stepQueue()
                        .claim(id, version, options.lease(), clock.instant()),
                "claim a step",
                options.maxBackoff(),
                listener,
                stopping::get);
      } catch (RuntimeException e) {
        freeSlots.release();
        if (stopping.get()) {
          break;
        }
        LOG.error("Worker {} cannot claim a step", id, e);
        listener.message("Cannot claim a step: " + e.getMessage());
        idle();
        continue;
      }
      if (claim.isEmpty()) {
        freeSlots.release();
        idleUntilChange(seen);
        continue;
      }
      StepQueue.Claim claimed = claim.get();
      if (stopping.get()) {
        // claimed while stopping: left to another worker once its lease expires
        freeSlots.release();
        break;
      }
      try {
        steps.execute(
            () -> {
              try {
                runClaim(claimed);
              } catch (RuntimeException e) {
                LOG.error(
                    "Worker {}: step {} failed unexpectedly", id, claimed.request().step(), e);
              } finally {
                freeSlots.release();
              }
            });
      } catch (java.util.concurrent.RejectedExecutionException stopped) {
        // stopping: the claim is left to another worker once its lease expires
        freeSlots.release();
        break;
      }
    }
  }

  /** Asks the worker to stop: it claims nothing more. */
  public void stop() {
    stopping.set(true);
  }

  /**
   * Stops claiming and waits for the running steps to finish, as long as {@code keepWaiting} says
   * so (asked about once a second); their leases are renewed meanwhile. {@link #close(Duration)}
   * then records the stop. A worker drains before it serves an edited project: the steps it runs
   * were planned from the version it loaded.
   *
   * @return whether every running step finished
   */
  public boolean drain(BooleanSupplier keepWaiting) {
    requireNonNull(keepWaiting, "keepWaiting is null");
    stop();
    steps.shutdown();
    try {
      while (!steps.awaitTermination(1, TimeUnit.SECONDS)) {
        if (!keepWaiting.getAsBoolean()) {
          return false;
        }
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Stops, waits up to {@code grace} for the running steps, and records that the worker stopped.
   */
  public void close(Duration grace) {
    stop();
    steps.shutdown();
    try {
      if (!steps.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        listener.message(
            "Worker "
                + id
                + ": steps still running after "
                + grace.toSeconds()
                + " s; other workers take them over once their leases expire");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (heartbeat != null) {
      heartbeat.cancel(false);
    }
    heartbeats.shutdownNow();
    leaseWatch.shutdownNow();
    try {
      workspace.runStore().workers().stopped(id, clock.instant());
    } catch (RuntimeException e) {
      LOG.warn("Cannot record that worker {} stopped: {}", id, e.getMessage());
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }

  /** Runs one claimed step and marks the claim done with the step it recorded. */
  private void runClaim(StepQueue.Claim claim) {
    StepQueue.Request request = claim.request();
    RunStore store = workspace.runStore();
    String step = request.step().name();
    if (claim.previousStepId() != null) {
      interruptLostAttempt(claim);
    }
    RunControl control = new RunControl();
    AtomicBoolean abandoned = new AtomicBoolean();
    running.put(
        claim.id(), new Running(request.runId(), step, control, abandoned, clock.instant()));
    AtomicLong stepId = new AtomicLong(-1);
    try {
      store.workers().running(id, request.runId(), step, clock.instant());
      LOG.info(
          "Worker {}: running step {} of run {} (attempt {})",
          id,
          step,
          request.runId(),
          claim.attempt());
      Optional<Work> work = new WorkPlanner(workspace, clock.instant()).fromKey(request.step());
      if (request.projectDigest() != null && !request.projectDigest().equals(projectDigest)) {
        stepId.set(recordOtherProject(request));
      } else if (work.isEmpty()
          || workspace.project().findAsset(request.step().asset()).isEmpty()) {
        stepId.set(recordMissing(request));
      } else {
        runner.runHere(
            work.get(),
            request.runId(),
            request.runStartedAt(),
            // an environment's step writes its branch and reads through it, as in the run's process
            new RunOptions(
                List.of(),
                List.of(),
                request.fullRefresh(),
                PartitionSelection.DUE,
                0,
                null,
                request.environment()),
            control,
            RunListener.NONE,
            recorded -> {
              stepId.set(recorded);
              store.stepQueue().recordStep(claim.id(), id, claim.attempt(), recorded);
            });
      }
    } catch (IllegalStateException e) {
      // the run finished meanwhile (its process was lost and the run taken over)
      LOG.info("Worker {}: step {} not run: {}", id, step, e.getMessage());
    } finally {
      running.remove(claim.id());
      stepsRun.incrementAndGet();
      Long recorded = stepId.get() < 0 ? null : stepId.get();
      if (abandoned.get()) {
        // its lease expired: another worker claims the step again and marks this attempt
        LOG.warn("Worker {}: gave up step {} (its lease expired)", id, step);
      } else {
        finishClaim(claim, step, recorded);
      }
    }
  }

  /** Marks a claim done (trying again while the database cannot be reached). */
  private void finishClaim(StepQueue.Claim claim, String step, Long recorded) {
    RunStore store = workspace.runStore();
    try {
      boolean held =
          untilReachable(
              () -> store.stepQueue().finish(claim.id(), id, claim.attempt(), recorded, now()),
              "record step " + step + " done",
              options.maxBackoff(),
              listener,
              () -> false);
      if (!held) {
        LOG.warn(
            "Worker {}: lost the claim of step {} (its lease expired); another worker runs it",
            id,
            step);
      }
      store.workers().running(id, null, null, clock.instant());
    } catch (RuntimeException e) {
      LOG.warn("Worker {}: cannot record step {} done: {}", id, step, e.getMessage());
    }
  }

  private Instant now() {
    return clock.instant();
  }

  /**
   * Records a step of a run planned from another revision of the project than this worker serves,
   * as failed: running it would build another version of the asset than the run planned.
   */
  private long recordOtherProject(StepQueue.Request request) {
    RunStore store = workspace.runStore();
    Instant now = clock.instant();
    long stepId = store.steps().startStep(request.runId(), request.step(), StepKind.MODEL, now);
    String message =
        "worker "
            + id
            + " serves another revision of the project than run "
            + request.runId()
            + " was planned from (project digest "
            + abbreviated(projectDigest)
            + " at "
            + workspace.project().root()
            + ", the run's "
            + abbreviated(request.projectDigest())
            + "): deploy the same project files to every worker (a worker serves the files"
            + " it finds once its running steps finish, within its --interval of the change),"
            + " then 'sluice run --resume "
            + request.runId()
            + "'";
    LOG.warn("Step {}: {}", request.step(), message);
    store.steps().finishStep(stepId, StepStatus.FAILED, now, StepMetrics.empty(), message);
    return stepId;
  }

  private static String abbreviated(String digest) {
    return digest.length() > 12 ? digest.substring(0, 12) : digest;
  }

  /** Records a step whose asset this worker's project does not have, as failed. */
  private long recordMissing(StepQueue.Request request) {
    RunStore store = workspace.runStore();
    Instant now = clock.instant();
    long stepId = store.steps().startStep(request.runId(), request.step(), StepKind.MODEL, now);
    store
        .steps()
        .finishStep(
            stepId,
            StepStatus.FAILED,
            now,
            StepMetrics.empty(),
            "worker "
                + id
                + " has no asset "
                + request.step().asset()
                + " (or not these partitions) in its project "
                + workspace.project().root()
                + ": every worker must serve the same version of the project");
    return stepId;
  }

  /** Marks the step record of a claim whose worker was lost as interrupted, if still running. */
  private void interruptLostAttempt(StepQueue.Claim claim) {
    String message =
        "interrupted: worker "
            + claim.previousWorker()
            + " stopped renewing its lease (killed or cut off); worker "
            + id
            + " runs the step again (attempt "
            + claim.attempt()
            + "); nothing it wrote was published";
    LOG.warn("Step {} of run {}: {}", claim.request().step(), claim.request().runId(), message);
    try {
      workspace
          .runStore()
          .steps()
          .finishStep(
              claim.previousStepId(),
              StepStatus.FAILED,
              clock.instant(),
              StepMetrics.empty(),
              message);
    } catch (IllegalStateException alreadyFinished) {
      LOG.debug("The lost attempt had finished: {}", alreadyFinished.getMessage());
    }
  }

  /** Records that the worker is alive, renews its leases, and stops steps of cancelled runs. */
  private void heartbeat() {
    Instant now = clock.instant();
    try {
      RunStore store = workspace.runStore();
      store.workers().heartbeat(id, now);
      List<Long> held =
          running.entrySet().stream()
              .filter(claim -> !claim.getValue().abandoned().get())
              .map(Map.Entry::getKey)
              .toList();
      store.stepQueue().renew(id, held, options.lease(), now);
      lastRenewed = now;
      for (Running step : running.values()) {
        if (!step.control().cancelled() && store.runs().isCancelRequested(step.runId())) {
          LOG.warn("Run {} was asked to stop: cancelling step {}", step.runId(), step.step());
          step.control().cancel();
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("Worker {}: cannot record its heartbeat: {}", id, e.getMessage());
    }
  }

  /**
   * Stops the running steps once the leases were not renewed for nearly a lease (the state database
   * refuses connections, or does not answer at all): another worker is about to claim them again,
   * and two attempts of one step must never write at once. Nothing the stopped steps wrote is
   * published. Runs on its own thread, every half heartbeat, whatever the heartbeat is waiting for.
   */
  private void watchLeases() {
    Instant renewed = lastRenewed;
    Instant now = clock.instant();
    List<Running> givenUp =
        running.values().stream()
            .filter(
                step -> {
                  Instant held = step.claimed().isAfter(renewed) ? step.claimed() : renewed;
                  return now.isAfter(held.plus(options.lease()).minus(options.heartbeat()));
                })
            .filter(step -> !step.abandoned().getAndSet(true))
            .toList();
    if (givenUp.isEmpty()) {
      return;
    }
    listener.message(
        "Worker "
            + id
            + " could not renew its leases since "
            + renewed
            + " (the state database cannot be reached): stopping its "
            + givenUp.size()
            + " running step(s), which other workers take over");
    givenUp.forEach(step -> step.control().cancel());
  }

  /** Takes a free slot, waiting for one at most the idle poll; whether one was taken. */
  private boolean awaitFreeSlot() {
    try {
      return freeSlots.tryAcquire(options.idlePoll().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop();
      return false;
    }
  }

  /**
   * Waits until the queue changes after {@code seen} (a step queued, done or withdrawn anywhere),
   * at most the idle poll.
   */
  private void idleUntilChange(long seen) {
    try {
      workspace.runStore().stepQueue().changes().await(seen, options.idlePoll());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop();
    }
  }

  private void idle() {
    try {
      Thread.sleep(options.idlePoll().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop();
    }
  }

  /**
   * Does {@code action} on the state database, and while the database cannot be reached (a
   * connection failure, SQLState class 08, or a refused connection) says so and tries again after a
   * delay that doubles (with jitter) up to {@code maxBackoff}, until it succeeds or {@code stopped}
   * says to give up. Any other failure is thrown at once.
   */
  public static <T> T untilReachable(
      Supplier<T> action,
      String what,
      Duration maxBackoff,
      Listener listener,
      java.util.function.BooleanSupplier stopped) {
    Duration base = Duration.ofMillis(Math.min(1000, Math.max(1, maxBackoff.toMillis() / 2)));
    RetryPolicy<T> retry =
        RetryPolicy.<T>builder()
            .handleIf(Worker::unreachable)
            .withMaxRetries(-1)
            .withBackoff(base, maxBackoff.compareTo(base) > 0 ? maxBackoff : base.multipliedBy(2))
            .withJitter(0.1)
            .abortIf((result, failure) -> stopped.getAsBoolean())
            .onRetryScheduled(
                event ->
                    listener.message(
                        "Cannot "
                            + what
                            + ": the state database cannot be reached ("
                            + event.getLastException().getMessage()
                            + "); trying again in "
                            + StepAttempts.describe(event.getDelay())
                            + " (attempt "
                            + (event.getAttemptCount() + 1)
                            + ")"))
            .build();
    try {
      return Failsafe.with(retry).get(action::get);
    } catch (FailsafeException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new SluiceException(cause.getMessage(), cause);
    }
  }

  /** Whether a failure says that the database could not be reached (rather than refused work). */
  static boolean unreachable(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof SQLException sql
          && sql.getSQLState() != null
          && sql.getSQLState().startsWith("08")) {
        return true;
      }
      if (cause instanceof java.net.ConnectException) {
        return true;
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return false;
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }
}
