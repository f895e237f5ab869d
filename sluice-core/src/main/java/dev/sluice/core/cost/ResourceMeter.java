package dev.sluice.core.cost;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Measures what pieces of work (steps, queries) consume of the process: its CPU time, apportioned
 * among the pieces that run at the same time, and its peak resident memory while each runs.
 *
 * <p>The process's CPU time is read from the JVM ({@code com.sun.management.OperatingSystemMXBean},
 * which counts every thread of the process, DuckDB's native threads included). Whenever a piece
 * starts or stops, and at every {@link #sample()}, the CPU time used since the last reading is
 * split evenly among the pieces running: an estimate, since the process cannot tell which piece a
 * DuckDB thread worked for. Memory is the process's resident set ({@code VmRSS} of {@code
 * /proc/self/status}) where the system has one, else the JVM's heap and non-heap in use.
 *
 * <p>Safe for use by many threads.
 */
public final class ResourceMeter {
  private static final ResourceMeter PROCESS =
      new ResourceMeter(ResourceMeter::processCpuNanos, ResourceMeter::residentBytes);

  private final LongSupplier cpuNanos;
  private final LongSupplier memoryBytes;
  private final Set<Measurement> running = new LinkedHashSet<>();
  private long lastCpuNanos;

  /**
   * A meter reading CPU time and memory from the given sources.
   *
   * @param cpuNanos the CPU time used so far, in nanoseconds, never decreasing
   * @param memoryBytes the memory in use now
   */
  ResourceMeter(LongSupplier cpuNanos, LongSupplier memoryBytes) {
    this.cpuNanos = requireNonNull(cpuNanos, "cpuNanos is null");
    this.memoryBytes = requireNonNull(memoryBytes, "memoryBytes is null");
    this.lastCpuNanos = cpuNanos.getAsLong();
  }

  /** The meter of this process. */
  public static ResourceMeter process() {
    return PROCESS;
  }

  /** Starts measuring a piece of work; stop it with {@link Measurement#stop()}. */
  public synchronized Measurement start() {
    apportion();
    Measurement measurement = new Measurement();
    measurement.peakBytes = memoryBytes.getAsLong();
    running.add(measurement);
    return measurement;
  }

  /**
   * Reads the CPU time and memory now, so that a long piece of work is measured by more than its
   * start and end (the runner calls it every half second).
   */
  public synchronized void sample() {
    if (!running.isEmpty()) {
      apportion();
      long memory = memoryBytes.getAsLong();
      running.forEach(
          measurement -> measurement.peakBytes = Math.max(measurement.peakBytes, memory));
    }
  }

  /** Splits the CPU time used since the last reading among the pieces running. */
  private void apportion() {
    long now = cpuNanos.getAsLong();
    long used = Math.max(0, now - lastCpuNanos);
    lastCpuNanos = now;
    if (running.isEmpty() || used == 0) {
      return;
    }
    long share = used / running.size();
    long rest = used - share * running.size();
    boolean first = true;
    for (Measurement measurement : running) {
      measurement.cpuNanos += share + (first ? rest : 0);
      first = false;
    }
  }

  private synchronized void stop(Measurement measurement) {
    if (running.contains(measurement)) {
      apportion();
      measurement.peakBytes = Math.max(measurement.peakBytes, memoryBytes.getAsLong());
      running.remove(measurement);
    }
  }

  /** What one piece of work consumed, until it stops. */
  public final class Measurement {
    private long cpuNanos;
    private long peakBytes;

    private Measurement() {}

    /** Stops measuring; stopping twice does nothing. */
    public Measurement stop() {
      ResourceMeter.this.stop(this);
      return this;
    }

    /** The CPU time apportioned to this piece so far, in milliseconds. */
    public long cpuMillis() {
      synchronized (ResourceMeter.this) {
        return cpuNanos / 1_000_000;
      }
    }

    /** The CPU time apportioned to this piece so far, in nanoseconds. */
    public long cpuNanos() {
      synchronized (ResourceMeter.this) {
        return cpuNanos;
      }
    }

    /** The peak memory of the process seen while this piece ran. */
    public long peakMemoryBytes() {
      synchronized (ResourceMeter.this) {
        return peakBytes;
      }
    }
  }

  /** The CPU time of the whole process, every thread, or 0 where the JVM does not tell it. */
  static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean system) {
      long nanos = system.getProcessCpuTime();
      if (nanos >= 0) {
        return nanos;
      }
    }
    return 0;
  }

  private static final Path STATUS = Path.of("/proc/self/status");
  private static final java.util.regex.Pattern RESIDENT =
      java.util.regex.Pattern.compile("VmRSS:\\s*(\\d+)\\s*kB.*");

  /** The resident memory of the process, or the JVM's memory in use where /proc is missing. */
  static long residentBytes() {
    if (Files.isReadable(STATUS)) {
      try {
        for (String line : Files.readAllLines(STATUS, StandardCharsets.UTF_8)) {
          java.util.regex.Matcher kilobytes = RESIDENT.matcher(line);
          if (kilobytes.matches()) {
            return Long.parseLong(kilobytes.group(1)) * 1024;
          }
        }
      } catch (IOException | RuntimeException e) {
        // fall back to the JVM's own figures
      }
    }
    var memory = ManagementFactory.getMemoryMXBean();
    return memory.getHeapMemoryUsage().getUsed() + memory.getNonHeapMemoryUsage().getUsed();
  }
}
