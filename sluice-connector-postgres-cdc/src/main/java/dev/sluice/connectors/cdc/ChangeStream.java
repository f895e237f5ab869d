package dev.sluice.connectors.cdc;

import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debezium's embedded engine, run on a thread of its own, handing its change records over in
 * batches to the thread that stages them. The engine thread never touches the engine session:
 * batches wait in a small queue until {@link #poll} takes them, and once the load has read enough
 * ({@link #close}) the engine stops and no further batch is taken.
 */
final class ChangeStream implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ChangeStream.class);

  /** Why the engine stopped by itself, when it failed. */
  record Failure(String message, Throwable cause) {}

  private final BlockingQueue<List<SourceRecord>> batches = new ArrayBlockingQueue<>(4);
  private final AtomicBoolean closing = new AtomicBoolean();
  private final AtomicReference<Failure> failure = new AtomicReference<>();
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
  private final ExecutorService executor;

  ChangeStream(Properties properties, String threadName) {
    this.engine =
        DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
            .using(properties)
            .using(ChangeStream.class.getClassLoader())
            .notifying(this::handleBatch)
            .using(this::completed)
            .build();
    this.executor =
        Executors.newSingleThreadExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, threadName);
              thread.setDaemon(true);
              return thread;
            });
    executor.execute(engine);
  }

  private void handleBatch(
      List<RecordChangeEvent<SourceRecord>> events,
      DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
      throws InterruptedException {
    List<SourceRecord> records = new ArrayList<>(events.size());
    for (RecordChangeEvent<SourceRecord> event : events) {
      records.add(event.record());
    }
    // offsets are not marked processed: the position is committed with the lake's data instead
    while (!closing.get()) {
      if (batches.offer(records, 100, TimeUnit.MILLISECONDS)) {
        return;
      }
    }
  }

  private void completed(boolean success, String message, Throwable error) {
    if (!success && !closing.get()) {
      failure.set(new Failure(message, error));
    }
    stopped.set(true);
  }

  /**
   * The next batch of records, or an empty list when none came within {@code wait}.
   *
   * @throws EngineFailedException when the engine stopped because of an error
   */
  List<SourceRecord> poll(Duration wait) throws InterruptedException {
    List<SourceRecord> batch = batches.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    if (batch != null) {
      return batch;
    }
    Failure failed = failure.get();
    if (failed != null) {
      throw new EngineFailedException(failed);
    }
    if (stopped.get()) {
      throw new EngineFailedException(new Failure("the change stream stopped", null));
    }
    return List.of();
  }

  /** Stops the engine and drops the batches not taken. */
  @Override
  public void close() {
    closing.set(true);
    batches.clear();
    try {
      engine.close();
    } catch (IOException | RuntimeException e) {
      LOG.warn("Cannot stop the change stream cleanly", e);
    }
    executor.shutdown();
    try {
      if (!executor.awaitTermination(1, TimeUnit.MINUTES)) {
        LOG.warn("The change stream did not stop within a minute");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    batches.clear();
  }

  /** The engine stopped because of an error. */
  static final class EngineFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Failure failure;

    EngineFailedException(Failure failure) {
      super(failure.message(), null, false, false);
      this.failure = failure;
    }

    Failure failure() {
      return failure;
    }
  }
}
