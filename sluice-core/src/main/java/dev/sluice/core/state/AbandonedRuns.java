package dev.sluice.core.state;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds the runs still marked as running whose process is gone, and takes them over: marks them
 * interrupted and releases their locks at once, so that they neither look alive forever nor block
 * the tables they were building.
 *
 * <p>A process is gone when, on this host, no process has its id any more (killed, crashed); on any
 * host, when it has given no sign of life (heartbeat) for {@link #HEARTBEAT_TIMEOUT}. A process
 * that was only paused and continues after that finds its run taken over and stops: every write of
 * its state is fenced ({@link RunTakenOverException}).
 */
public final class AbandonedRuns {
  /** A run whose process gave no sign of life for this long is taken as gone, on any host. */
  public static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(60);

  /**
   * A run taken over.
   *
   * @param reason why its process is taken as gone, e.g. "its process (pid 12 on h) is gone"
   * @param message what an operator reads: the reason and how to resume the run
   */
  public record Interrupted(String runId, String reason, String message) {}

  private final RunStore store;
  private final Clock clock;
  private final Duration heartbeatTimeout;

  public AbandonedRuns(RunStore store, Clock clock) {
    this(store, clock, HEARTBEAT_TIMEOUT);
  }

  public AbandonedRuns(RunStore store, Clock clock, Duration heartbeatTimeout) {
    this.store = requireNonNull(store, "store is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.heartbeatTimeout = requireNonNull(heartbeatTimeout, "heartbeatTimeout is null");
  }

  /** Why a run's process is gone, or empty when it has finished or may still be alive. */
  public Optional<String> whyGone(RunOwner run) {
    requireNonNull(run, "run is null");
    if (run.status() != RunStatus.RUNNING) {
      return Optional.empty();
    }
    RunProcess process = run.process();
    if (process != null
        && process.onThisHost()
        && process.pid() != RunProcess.current().pid()
        && process.endedSince(run.startedAt())) {
      return Optional.of("its process (" + process + ") is gone");
    }
    Instant now = clock.instant();
    if (run.lastSeenAt().isBefore(now.minus(heartbeatTimeout))) {
      return Optional.of(
          "its process ("
              + (process == null ? "unknown" : process.toString())
              + ") has given no sign of life since "
              + run.lastSeenAt()
              + " (more than "
              + heartbeatTimeout.toSeconds()
              + " s)");
    }
    return Optional.empty();
  }

  /** The running runs whose process is gone, without taking them over. */
  public List<RunOwner> find() {
    List<RunOwner> gone = new ArrayList<>();
    for (RunOwner run : store.runs().runningRuns()) {
      if (whyGone(run).isPresent()) {
        gone.add(run);
      }
    }
    return gone;
  }

  /** Takes over every running run whose process is gone. */
  public List<Interrupted> interruptAll() {
    List<Interrupted> interrupted = new ArrayList<>();
    for (RunOwner run : store.runs().runningRuns()) {
      interrupt(run).ifPresent(interrupted::add);
    }
    return interrupted;
  }

  /** Takes a run over if it is still marked as running and its process is gone. */
  public Optional<Interrupted> interruptIfGone(String runId) {
    return store.runs().runOwner(runId).flatMap(this::interrupt);
  }

  private Optional<Interrupted> interrupt(RunOwner run) {
    Optional<String> reason = whyGone(run);
    if (reason.isEmpty()) {
      return Optional.empty();
    }
    String message =
        "interrupted: "
            + reason.get()
            + "; its locks are released. "
            + resumeHint(run)
            + " runs what it left undone (what it committed is not redone)";
    if (!store.runs().interruptRun(run.runId(), run.generation(), clock.instant(), message)) {
      // finished or taken over by someone else meanwhile
      return Optional.empty();
    }
    return Optional.of(new Interrupted(run.runId(), reason.get(), message));
  }

  /** The command that resumes a run, quoted, e.g. {@code 'sluice run --resume 20261121-...'}. */
  public static String resumeHint(RunOwner run) {
    String command = run.command().startsWith("backfill") ? "backfill" : "run";
    return "'sluice " + command + " --resume " + run.runId() + "'";
  }
}
