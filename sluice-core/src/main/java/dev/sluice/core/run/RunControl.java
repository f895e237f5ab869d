package dev.sluice.core.run;

import dev.sluice.api.SluiceException;
import dev.sluice.api.engine.EngineSession;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/** One run's stop switch: the sessions its steps are using, and whether it was cancelled. */
final class RunControl {
  private final AtomicBoolean cancelled = new AtomicBoolean();
  private final Set<EngineSession> active = ConcurrentHashMap.newKeySet();
  private final java.util.concurrent.atomic.AtomicReference<String> stoppedBy =
      new java.util.concurrent.atomic.AtomicReference<>();

  boolean cancelled() {
    return cancelled.get();
  }

  /** Stops the run: cancels every running statement; later steps are skipped. */
  void cancel() {
    if (cancelled.compareAndSet(false, true)) {
      active.forEach(EngineSession::cancel);
    }
  }

  /**
   * Stops a run that fails fast ({@code --fail-fast}) at its first failed step: the steps not
   * started yet are skipped; the running ones finish, as their commits are atomic.
   */
  void failed(String step) {
    stoppedBy.compareAndSet(null, step);
  }

  /** The failed step that stopped a run failing fast, or null. */
  String stoppedBy() {
    return stoppedBy.get();
  }

  void started(EngineSession session) {
    active.add(session);
    if (cancelled.get()) {
      session.cancel();
    }
  }

  void finished(EngineSession session) {
    active.remove(session);
  }

  /** The failure of a step stopped by a cancellation. */
  static final class RunCancelledException extends SluiceException {
    private static final long serialVersionUID = 1L;

    RunCancelledException(Throwable cause) {
      super("cancelled on request; nothing it wrote was published", cause);
    }
  }
}
