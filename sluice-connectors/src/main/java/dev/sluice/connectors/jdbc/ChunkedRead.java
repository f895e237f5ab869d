package dev.sluice.connectors.jdbc;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the chunks of a table concurrently, each worker on its own connection, and hands their rows
 * to one consumer on the calling thread (the engine's row writer is not thread-safe). Rows travel
 * in small batches through a bounded queue, so however large the table, the heap holds at most a
 * few batches per worker besides what each driver fetches at a time: readers wait when the writer
 * falls behind.
 *
 * <p>The first failure of a worker or of the consumer stops the read: the other workers' queries
 * are aborted (their connections closed without reading what is left of their results) and the
 * failure is thrown.
 */
final class ChunkedRead {
  /** Rows per batch handed from a worker to the writer. */
  static final int BATCH_ROWS = 1_024;

  private static final Logger LOG = LoggerFactory.getLogger(ChunkedRead.class);
  private static final List<Object[]> END = List.of();

  /** Opens a connection for a worker, with its transaction begun. */
  interface Connections {
    Connection open() throws SQLException;
  }

  /** Reads one chunk on a connection, handing each row to the sink. */
  interface ChunkReader {
    void read(Connection connection, KeyRange chunk, Consumer<Object[]> sink) throws SQLException;
  }

  private final Connections connections;
  private final ChunkReader reader;
  private final int workers;
  private final String what;

  ChunkedRead(Connections connections, ChunkReader reader, int workers, String what) {
    this.connections = requireNonNull(connections, "connections is null");
    this.reader = requireNonNull(reader, "reader is null");
    this.workers = workers;
    this.what = requireNonNull(what, "what is null");
  }

  /**
   * Reads every chunk and hands each row to {@code sink} on this thread.
   *
   * @throws SQLException the first failure of a worker's connection or query
   */
  void run(List<KeyRange> chunks, Consumer<Object[]> sink) throws SQLException {
    Queue<KeyRange> pending = new ConcurrentLinkedQueue<>(chunks);
    int threads = Math.max(1, Math.min(workers, chunks.size()));
    BlockingQueue<List<Object[]>> batches = new ArrayBlockingQueue<>(threads * 4);
    AtomicBoolean stopped = new AtomicBoolean();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    List<Connection> open = new CopyOnWriteArrayList<>();
    AtomicInteger names = new AtomicInteger();
    ExecutorService executor =
        Executors.newFixedThreadPool(
            threads,
            runnable -> {
              Thread thread = new Thread(runnable, "sluice-chunk-" + names.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    try {
      for (int i = 0; i < threads; i++) {
        executor.execute(() -> work(pending, batches, stopped, failures, open));
      }
      int finished = 0;
      while (finished < threads && failures.isEmpty()) {
        List<Object[]> batch = batches.take();
        if (batch == END) {
          finished++;
        } else if (failures.isEmpty()) {
          for (Object[] row : batch) {
            sink.accept(row);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failures.add(new IllegalStateException("Reading " + what + " was interrupted", e));
    } catch (RuntimeException e) {
      failures.add(e);
    } finally {
      if (stopped.compareAndSet(false, true) && !failures.isEmpty()) {
        // stop the other workers now instead of letting them read the rest of their chunks
        open.forEach(ChunkedRead::abort);
      }
      executor.shutdownNow();
      awaitTermination(executor);
    }
    if (!failures.isEmpty()) {
      Throwable first = failures.get(0);
      if (first instanceof SQLException sql) {
        throw sql;
      }
      if (first instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException("Reading " + what + " failed", first);
    }
  }

  private void work(
      Queue<KeyRange> pending,
      BlockingQueue<List<Object[]>> batches,
      AtomicBoolean stopped,
      List<Throwable> failures,
      List<Connection> open) {
    Connection connection = null;
    try {
      connection = connections.open();
      open.add(connection);
      for (KeyRange chunk = pending.poll(); chunk != null; chunk = pending.poll()) {
        if (stopped.get()) {
          break;
        }
        Batcher batcher = new Batcher(batches, stopped);
        reader.read(connection, chunk, batcher);
        batcher.flush();
        LOG.debug("Read chunk {} of {}", chunk, what);
      }
    } catch (StoppedException e) {
      // another worker or the writer failed; that failure is the one reported
    } catch (SQLException | RuntimeException e) {
      if (!stopped.get()) {
        failures.add(e);
      }
      if (connection != null) {
        abort(connection);
      }
    } finally {
      if (connection != null) {
        try {
          connection.close();
        } catch (SQLException e) {
          LOG.debug("Cannot close a connection of {}", what, e);
        }
      }
      if (stopped.get()) {
        batches.offer(END);
      } else {
        try {
          batches.put(END);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /** Gathers a worker's rows into batches and queues each full one. */
  private static final class Batcher implements Consumer<Object[]> {
    private final BlockingQueue<List<Object[]>> batches;
    private final AtomicBoolean stopped;
    private List<Object[]> batch = new ArrayList<>(BATCH_ROWS);

    Batcher(BlockingQueue<List<Object[]>> batches, AtomicBoolean stopped) {
      this.batches = batches;
      this.stopped = stopped;
    }

    @Override
    public void accept(Object[] row) {
      batch.add(row);
      if (batch.size() == BATCH_ROWS) {
        flush();
      }
    }

    void flush() {
      if (!batch.isEmpty()) {
        put(batches, batch, stopped);
        batch = new ArrayList<>(BATCH_ROWS);
      }
    }
  }

  private static void put(
      BlockingQueue<List<Object[]>> batches, List<Object[]> batch, AtomicBoolean stopped) {
    if (stopped.get()) {
      throw new StoppedException(null);
    }
    try {
      batches.put(batch);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoppedException(e);
    }
  }

  private static void abort(Connection connection) {
    try {
      connection.abort(Runnable::run);
    } catch (SQLException | RuntimeException e) {
      LOG.debug("Cannot abort a connection", e);
    }
  }

  private void awaitTermination(ExecutorService executor) {
    try {
      if (!executor.awaitTermination(1, TimeUnit.MINUTES)) {
        LOG.warn("Readers of {} did not stop within a minute", what);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Ends a worker whose read was stopped by another's failure. */
  private static final class StoppedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StoppedException(Throwable cause) {
      super("stopped", cause, false, false);
    }
  }
}
