package dev.sluice.core.state;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes whoever waits on the {@link StepQueue} when it changes, through PostgreSQL's {@code
 * LISTEN}/{@code NOTIFY}: a worker waiting for a step, and a run's process waiting for its step to
 * be done. The queue's writes that matter to them (a step queued, done or withdrawn) send a
 * notification on the channel {@value #CHANNEL} in their transaction, so it arrives when they
 * commit; one thread per store listens on a connection of its own and counts them.
 *
 * <p>A notification only shortens a wait: a waiter still looks at the queue at the end of its
 * longest wait, so nothing depends on a notification arriving (a listening connection that failed
 * is opened again, and meanwhile every wait runs to its end). Waiters read the {@linkplain
 * #generation() count} before they look at the queue and wait for it to change, so a notification
 * that arrives between the two is not missed. On SQLite, which has no workers, a wait is a sleep.
 */
public final class QueueSignals implements AutoCloseable {
  /** The notification channel of the step queue. */
  static final String CHANNEL = "sluice_step_queue";

  private static final Logger LOG = LoggerFactory.getLogger(QueueSignals.class);

  /** How long one listen waits for notifications before it checks whether the store closed. */
  private static final int LISTEN_MILLIS = 500;

  /** How long the first {@link #generation()} waits for the database to listen. */
  private static final Duration FIRST_LISTEN = Duration.ofSeconds(5);

  /** How long a listening connection that failed waits before it is opened again. */
  private static final Duration REOPEN_AFTER = Duration.ofSeconds(1);

  private final StateDatabase database;
  private final boolean listens;
  private final Object monitor = new Object();
  private final CountDownLatch firstListen = new CountDownLatch(1);
  private long generation;
  private Thread listener;
  private volatile boolean closed;

  QueueSignals(StateDatabase database) {
    this.database = database;
    this.listens = database.vendor() == StateDatabase.Vendor.POSTGRESQL;
  }

  /**
   * How many changes were signalled so far: read it before looking at the queue. The first call
   * starts listening, and returns once the database listens (or the first attempt failed, at most
   * {@link #FIRST_LISTEN}), so that a change committed after it is signalled.
   */
  public long generation() {
    startListening();
    synchronized (monitor) {
      return generation;
    }
  }

  /**
   * Waits until a change after {@code seen} (a {@link #generation()} read before looking at the
   * queue) is signalled, at most {@code longest}.
   *
   * @throws InterruptedException if the waiting thread is interrupted
   */
  public void await(long seen, Duration longest) throws InterruptedException {
    long deadline = System.nanoTime() + longest.toNanos();
    startListening();
    synchronized (monitor) {
      while (generation == seen && !closed) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        TimeUnit.NANOSECONDS.timedWait(monitor, left);
      }
    }
  }

  private void startListening() {
    synchronized (monitor) {
      if (!listens || listener != null || closed) {
        return;
      }
      listener = new Thread(this::listen, "sluice-step-queue-listener");
      listener.setDaemon(true);
      listener.start();
    }
    try {
      if (!firstListen.await(FIRST_LISTEN.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.debug("Not listening for step queue changes yet on {}", database.describe());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void listen() {
    while (!closed) {
      try (Connection connection = database.getConnection();
          Statement statement = connection.createStatement()) {
        statement.execute("LISTEN " + CHANNEL);
        firstListen.countDown();
        PGConnection postgres = connection.unwrap(PGConnection.class);
        LOG.debug("Listening for step queue changes on {}", database.describe());
        while (!closed) {
          PGNotification[] notifications = postgres.getNotifications(LISTEN_MILLIS);
          if (notifications != null && notifications.length > 0) {
            signal();
          }
        }
      } catch (SQLException | RuntimeException e) {
        firstListen.countDown();
        if (closed) {
          return;
        }
        LOG.debug(
            "Not listening for step queue changes on {} (waits run to their end): {}",
            database.describe(),
            database.redact(String.valueOf(e.getMessage())));
        signal();
        try {
          Thread.sleep(REOPEN_AFTER.toMillis());
        } catch (InterruptedException interrupted) {
          return;
        }
      }
    }
  }

  private void signal() {
    synchronized (monitor) {
      generation++;
      monitor.notifyAll();
    }
  }

  @Override
  public void close() {
    closed = true;
    synchronized (monitor) {
      monitor.notifyAll();
    }
  }
}
