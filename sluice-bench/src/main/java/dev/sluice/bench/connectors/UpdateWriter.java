package dev.sluice.bench.connectors;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The steady update load of the CDC lag measurement: a thread that updates one random row at a
 * time, autocommitted, at a fixed rate (updates are scheduled on a fixed grid, so that a slow one
 * is followed by the next at once rather than shifting all later ones), and records each change:
 * the row, its new version and the time the server stamped on it.
 */
final class UpdateWriter extends Thread {
  private final BenchPostgres postgres;
  private final String table;
  private final int keys;
  private final int updatesPerSecond;
  private final Duration duration;
  private final List<Change> changes = new ArrayList<>();
  private volatile double sustainedRate;
  private volatile RuntimeException failure;

  UpdateWriter(
      BenchPostgres postgres, String table, int keys, int updatesPerSecond, Duration duration) {
    super("cdc-bench-writer");
    setDaemon(true);
    this.postgres = postgres;
    this.table = table;
    this.keys = keys;
    this.updatesPerSecond = updatesPerSecond;
    this.duration = duration;
  }

  /**
   * One committed update.
   *
   * @param id the row's key
   * @param version the row's version after the update
   * @param changedAtMicros the server's clock when it ran the update, in microseconds since the
   *     epoch
   */
  record Change(int id, long version, long changedAtMicros) {}

  @Override
  public void run() {
    SplittableRandom random = new SplittableRandom(42);
    long period = TimeUnit.SECONDS.toNanos(1) / updatesPerSecond;
    try (Connection connection = postgres.connect();
        PreparedStatement update =
            connection.prepareStatement(
                "UPDATE "
                    + table
                    + " SET version = version + 1, changed_at = clock_timestamp()"
                    + " WHERE id = ? RETURNING version, changed_at")) {
      long started = System.nanoTime();
      long end = started + duration.toNanos();
      long next = started;
      int count = 0;
      while (next < end) {
        long wait = next - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        int id = random.nextInt(1, keys + 1);
        update.setInt(1, id);
        try (ResultSet row = update.executeQuery()) {
          row.next();
          Instant changedAt = row.getObject(2, OffsetDateTime.class).toInstant();
          long micros = changedAt.getEpochSecond() * 1_000_000 + changedAt.getNano() / 1000;
          record(new Change(id, row.getLong(1), micros));
        }
        count++;
        next += period;
      }
      sustainedRate = count / ((System.nanoTime() - started) / 1e9);
    } catch (SQLException | RuntimeException e) {
      failure = new IllegalStateException("The CDC benchmark's update writer failed: " + e, e);
    }
  }

  private synchronized void record(Change change) {
    changes.add(change);
  }

  /** The changes committed so far. */
  synchronized List<Change> changes() {
    return List.copyOf(changes);
  }

  /** Updates per second from the first to the last, once the writer has ended. */
  double sustainedRate() {
    return sustainedRate;
  }

  /** Whether {@code version} holds the last change of every row this writer changed. */
  synchronized boolean allVisibleIn(CdcLag.LakeVersion version) {
    return changes.stream().allMatch(version::holds);
  }

  /** Throws what ended the writer early, if anything did. */
  void rethrowFailure() {
    try {
      join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for the update writer", e);
    }
    if (failure != null) {
      throw failure;
    }
  }
}
