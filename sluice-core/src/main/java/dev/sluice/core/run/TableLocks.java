package dev.sluice.core.run;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TransientException;
import dev.sluice.core.state.RunStore;
import java.time.Duration;
import java.time.Instant;
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

  TableLocks(RunStore store, ScheduledExecutorService scheduler, Duration ttl) {
    this.store = requireNonNull(store, "store is null");
    this.scheduler = requireNonNull(scheduler, "scheduler is null");
    this.ttl = requireNonNull(ttl, "ttl is null");
  }

  /**
   * Runs work while holding the lock on a table, so that no two runs (in any process) build the
   * same table at once. The lock is renewed while the work runs; a holder that died loses it when
   * it expires.
   *
   * @throws TransientException when another run holds the lock (retried if the asset allows)
   */
  <T> T whileLocked(String table, String runId, Supplier<T> work) {
    String resource = "table:" + table;
    if (!store.tryLock(resource, runId, ttl, Instant.now())) {
      String holder =
          store
              .lockHolder(resource)
              .map(lock -> "run " + lock.owner() + " (since " + lock.acquiredAt() + ")")
              .orElse("another run");
      throw new TransientException(
          table
              + " is being built by "
              + holder
              + "; run it again when that run has finished, or give the asset retries");
    }
    ScheduledFuture<?> renewal =
        scheduler.scheduleWithFixedDelay(
            () -> {
              try {
                store.tryLock(resource, runId, ttl, Instant.now());
              } catch (RuntimeException e) {
                LOG.warn("Cannot renew the lock on {}: {}", table, e.getMessage());
              }
            },
            ttl.toMillis() / 3,
            ttl.toMillis() / 3,
            TimeUnit.MILLISECONDS);
    try {
      return work.get();
    } finally {
      renewal.cancel(false);
      store.unlock(resource, runId);
    }
  }
}
