package dev.sluice.core.run;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TransientException;
import dev.sluice.api.timing.PhaseTimer;
import dev.sluice.api.timing.StepPhase;
import dev.sluice.core.state.AbandonedRuns;
import dev.sluice.core.state.LockHolder;
import dev.sluice.core.state.RunOwner;
import dev.sluice.core.state.RunStatus;
import dev.sluice.core.state.RunStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Per-table locks in the state database, held (and renewed) while a step builds a table. */
final class TableLocks {
  private static final Logger LOG = LoggerFactory.getLogger(TableLocks.class);

  private final RunStore store;
  private final ScheduledExecutorService scheduler;
  private final Duration ttl;
  private final Clock clock;

  TableLocks(RunStore store, ScheduledExecutorService scheduler, Duration ttl, Clock clock) {
    this.store = requireNonNull(store, "store is null");
    this.scheduler = requireNonNull(scheduler, "scheduler is null");
    this.ttl = requireNonNull(ttl, "ttl is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  /**
   * Runs work while holding the lock on a table, so that no two runs (in any process) build the
   * same table at once. The lock is renewed while the work runs. A lock whose run's process is gone
   * (or whose run has finished) is taken over at once, the run marked interrupted; otherwise a
   * holder that died silently loses it when it expires.
   *
   * @throws TransientException when another live run holds the lock (retried if the asset allows)
   */
  <T> T whileLocked(String table, String runId, Supplier<T> work) {
    String resource = "table:" + table;
    PhaseTimer.run(StepPhase.RUN_STORE, () -> lock(table, resource, runId));
    ScheduledFuture<?> renewal =
        scheduler.scheduleWithFixedDelay(
            () -> renew(table, resource, runId),
            ttl.toMillis() / 3,
            ttl.toMillis() / 3,
            TimeUnit.MILLISECONDS);
    try {
      return work.get();
    } finally {
      renewal.cancel(false);
      PhaseTimer.run(StepPhase.RUN_STORE, () -> store.locks().unlock(resource, runId));
    }
  }

  private void renew(String table, String resource, String runId) {
    try {
      if (!store.locks().renewLock(resource, runId, ttl, clock.instant())) {
        LOG.warn("Lost the lock on {}: run {} was taken over by another process", table, runId);
      }
    } catch (RuntimeException e) {
      LOG.warn("Cannot renew the lock on {}: {}", table, e.getMessage());
    }
  }

  /**
   * Takes the lock on a table, taking it over from a gone holder.
   *
   * @throws TransientException when another live run holds it
   */
  private void lock(String table, String resource, String runId) {
    if (!store.locks().tryLock(resource, runId, ttl, clock.instant())) {
      Optional<LockHolder> holder = store.locks().lockHolder(resource);
      if (holder.isEmpty()
          || !freeFromGoneHolder(table, holder.get())
          || !store.locks().tryLock(resource, runId, ttl, clock.instant())) {
        String holderName =
            store
                .locks()
                .lockHolder(resource)
                .map(lock -> "run " + lock.owner() + " (since " + lock.acquiredAt() + ")")
                .orElse("another run");
        throw new TransientException(
            table
                + " is being built by "
                + holderName
                + "; run it again when that run has finished, or give the asset retries");
      }
    }
  }

  /**
   * Frees a lock whose holder is a run that has finished, or whose process is gone (marking the run
   * interrupted, which releases all its locks).
   *
   * @return whether the lock may be free now
   */
  private boolean freeFromGoneHolder(String table, LockHolder holder) {
    Optional<RunOwner> run = store.runs().runOwner(holder.owner());
    if (run.isEmpty()) {
      return false;
    }
    if (run.get().status() != RunStatus.RUNNING) {
      LOG.info("Releasing the lock on {} left by finished run {}", table, holder.owner());
      store.locks().unlock(holder.resource(), holder.owner());
      return true;
    }
    Optional<AbandonedRuns.Interrupted> interrupted =
        new AbandonedRuns(store, clock).interruptIfGone(holder.owner());
    interrupted.ifPresent(
        gone ->
            LOG.warn(
                "Run {}, which held the lock on {}, is {}", gone.runId(), table, gone.message()));
    return interrupted.isPresent();
  }
}
