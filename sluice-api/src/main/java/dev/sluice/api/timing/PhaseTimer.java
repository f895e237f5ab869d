package dev.sluice.api.timing;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The wall time of one step by {@link StepPhase}, measured on the thread that runs the step: code
 * marks the phase it enters ({@link #time}), and the time until it leaves counts for that phase,
 * less the phases marked inside it. Time not inside any mark counts as {@link StepPhase#OTHER}.
 * Marks on a thread without a timer (no step running, or a library's worker thread) cost a
 * thread-local look-up and measure nothing: the step's thread then counts its waiting for them in
 * the phase it is in.
 *
 * <p>Not thread-safe: a timer belongs to the thread it was {@link #bind bound} to.
 */
public final class PhaseTimer {
  private static final ThreadLocal<PhaseTimer> CURRENT = new ThreadLocal<>();
  private static final Mark NONE = () -> {};

  private final Map<StepPhase, long[]> nanos = new EnumMap<>(StepPhase.class);
  private final List<Entry> stack = new ArrayList<>();
  private StepPhase current = StepPhase.OTHER;
  private long since;

  private PhaseTimer() {
    for (StepPhase phase : StepPhase.values()) {
      nanos.put(phase, new long[1]);
    }
    since = System.nanoTime();
  }

  /** A phase entered and not yet left; closing it leaves it (it never throws). */
  @FunctionalInterface
  public interface Mark extends AutoCloseable {
    @Override
    void close();
  }

  /** One entered phase: the phase it interrupted, to return to. */
  private static final class Entry {
    private StepPhase previous;

    Entry(StepPhase previous) {
      this.previous = previous;
    }

    void replacePrevious(StepPhase phase) {
      previous = phase;
    }
  }

  /**
   * Starts a timer on this thread; its clock runs until {@link Binding#close}, which unbinds it. A
   * timer already bound to the thread is kept and given back instead (a step inside a step's timing
   * adds to it).
   */
  public static Binding bind() {
    PhaseTimer outer = CURRENT.get();
    if (outer != null) {
      return new Binding(outer, false);
    }
    PhaseTimer timer = new PhaseTimer();
    CURRENT.set(timer);
    return new Binding(timer, true);
  }

  /** The timer of a step on this thread, from {@link #bind} until its binding closes. */
  public static final class Binding implements AutoCloseable {
    private final PhaseTimer timer;
    private final boolean owner;

    private Binding(PhaseTimer timer, boolean owner) {
      this.timer = timer;
      this.owner = owner;
    }

    /** The time by phase so far. */
    public Map<StepPhase, Duration> totals() {
      return timer.totals();
    }

    @Override
    public void close() {
      if (owner) {
        timer.charge();
        CURRENT.remove();
      }
    }
  }

  /**
   * Enters {@code phase} on this thread's timer, until the returned mark is closed. Marks close in
   * the reverse order of entering; one closed out of order only ends its own phase.
   */
  public static Mark enter(StepPhase phase) {
    requireNonNull(phase, "phase is null");
    PhaseTimer timer = CURRENT.get();
    return timer == null ? NONE : timer.push(phase);
  }

  /** Runs {@code work} in {@code phase} and returns its result. */
  public static <T> T time(StepPhase phase, Supplier<T> work) {
    Mark mark = enter(phase);
    try {
      return work.get();
    } finally {
      mark.close();
    }
  }

  /** Runs {@code work} in {@code phase}. */
  public static void run(StepPhase phase, Runnable work) {
    Mark mark = enter(phase);
    try {
      work.run();
    } finally {
      mark.close();
    }
  }

  private Mark push(StepPhase phase) {
    charge();
    Entry entry = new Entry(current);
    stack.add(entry);
    current = phase;
    Thread owner = Thread.currentThread();
    // a mark closed on another thread (a stream handed over) ends nothing: the timer is not shared
    return () -> {
      if (Thread.currentThread() == owner) {
        pop(entry);
      }
    };
  }

  private void pop(Entry entry) {
    int at = stack.lastIndexOf(entry);
    if (at < 0) {
      return;
    }
    charge();
    if (at == stack.size() - 1) {
      current = entry.previous;
      stack.remove(at);
    } else {
      // closed out of order: the mark above it now returns to where this one would have
      stack.get(at + 1).replacePrevious(entry.previous);
      stack.remove(at);
    }
  }

  /** Counts the time since the last change of phase for the phase in force. */
  private void charge() {
    long now = System.nanoTime();
    nanos.get(current)[0] += now - since;
    since = now;
  }

  private Map<StepPhase, Duration> totals() {
    charge();
    Map<StepPhase, Duration> totals = new EnumMap<>(StepPhase.class);
    for (StepPhase phase : StepPhase.values()) {
      totals.put(phase, Duration.ofNanos(nanos.get(phase)[0]));
    }
    return Collections.unmodifiableMap(totals);
  }
}
