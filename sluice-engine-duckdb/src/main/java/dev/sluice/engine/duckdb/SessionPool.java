package dev.sluice.engine.duckdb;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.SluiceException;
import java.sql.SQLException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Attaches sessions' catalogs ahead of use and detaches them after, on a background thread.
 *
 * <p>Attaching a session's in-memory catalog and detaching it again cost about 0.7 ms each, more
 * than the scheduler's own work on a no-op step (the orchestration benchmark's scheduling overhead
 * target is 2 ms an asset). Neither has to happen while a step waits: a few sessions are kept
 * ready, and a closed session is dropped behind the caller's back. Every session is still used
 * once, so no state carries over from one step to the next.
 */
final class SessionPool implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SessionPool.class);

  /** Sessions kept attached and ready: one for the next step of each of two workers. */
  private static final int READY = 2;

  private static final AtomicInteger THREADS = new AtomicInteger();

  private final DuckDBConnection root;
  private final SelectParsers parsers;
  private final AtomicInteger sessions = new AtomicInteger();
  private final BlockingQueue<DuckDbSession> ready = new LinkedBlockingQueue<>();
  private final AtomicInteger preparing = new AtomicInteger();
  private final ExecutorService background =
      Executors.newSingleThreadExecutor(
          task -> {
            Thread thread = new Thread(task, "duckdb-sessions-" + THREADS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
          });

  SessionPool(DuckDBConnection root) {
    this.root = requireNonNull(root, "root is null");
    this.parsers = new SelectParsers(root);
  }

  /** A fresh session: an attached one if one is ready, else one attached now. */
  DuckDbSession take() {
    DuckDbSession session = ready.poll();
    if (session == null) {
      session = attach();
    }
    refill();
    return session;
  }

  /** Detaches a session that its user closed, off the user's thread. */
  void release(DuckDbSession session) {
    try {
      background.execute(() -> detach(session));
    } catch (RejectedExecutionException closing) {
      detach(session);
    }
  }

  private void refill() {
    if (ready.size() + preparing.get() >= READY) {
      return;
    }
    preparing.incrementAndGet();
    try {
      background.execute(
          () -> {
            try {
              DuckDbSession session = attach();
              try {
                session.createZoneSchemas();
              } catch (SluiceException e) {
                detach(session);
                throw e;
              }
              ready.add(session);
            } catch (SluiceException e) {
              LOG.debug("Cannot attach a DuckDB session ahead of use: {}", e.getMessage());
            } finally {
              preparing.decrementAndGet();
            }
          });
    } catch (RejectedExecutionException closing) {
      preparing.decrementAndGet();
    }
  }

  private DuckDbSession attach() {
    try {
      return new DuckDbSession(
          root.duplicate(), "session_" + sessions.incrementAndGet(), parsers, this::release);
    } catch (SQLException e) {
      throw new SluiceException("Cannot open a DuckDB session: " + e.getMessage(), e);
    }
  }

  private static void detach(DuckDbSession session) {
    try {
      session.detach();
    } catch (SluiceException e) {
      LOG.warn("{}", e.getMessage());
    }
  }

  /**
   * Waits for the sessions being detached, then detaches the ready ones and closes the SQL check's
   * statements.
   */
  @Override
  public void close() {
    background.shutdown();
    try {
      if (!background.awaitTermination(1, TimeUnit.MINUTES)) {
        LOG.warn("DuckDB sessions were still being detached after a minute; closing anyway");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (DuckDbSession session = ready.poll(); session != null; session = ready.poll()) {
      detach(session);
    }
    parsers.close();
  }
}
