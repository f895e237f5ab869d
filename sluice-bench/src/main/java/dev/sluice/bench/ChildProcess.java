package dev.sluice.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command as a child process, timing it from start to exit and sampling its peak resident
 * set size (VmHWM from /proc, read every few milliseconds while it runs).
 */
public final class ChildProcess {
  private ChildProcess() {}

  /**
   * What a finished child did.
   *
   * @param exitCode its exit code
   * @param millis wall time from start to exit
   * @param peakRssBytes the last VmHWM read before it exited, -1 if none could be read
   * @param output what it printed (stdout and stderr together)
   */
  public record Outcome(int exitCode, double millis, long peakRssBytes, String output) {}

  /**
   * Runs {@code command} in {@code directory} and waits at most {@code timeoutSeconds}.
   *
   * @throws IllegalStateException when the child cannot start or does not finish in time
   */
  public static Outcome run(List<String> command, Path directory, long timeoutSeconds) {
    Path log;
    try {
      log = Files.createTempFile("sluice-bench-child", ".log");
    } catch (IOException e) {
      throw new IllegalStateException("Cannot create a log file for " + command, e);
    }
    try {
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(directory.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      // options given to the benchmark's JVM (a profiler, say) are not the measured process's
      builder.environment().remove("JAVA_OPTS");
      long started = System.nanoTime();
      Process process = builder.start();
      long peak = -1;
      long deadline = started + TimeUnit.SECONDS.toNanos(timeoutSeconds);
      while (!process.waitFor(5, TimeUnit.MILLISECONDS)) {
        peak = Math.max(peak, Machine.peakRss(process.pid()));
        if (System.nanoTime() > deadline) {
          process.destroyForcibly();
          throw new IllegalStateException(
              "Timed out after " + timeoutSeconds + " s: " + String.join(" ", command));
        }
      }
      double millis = (System.nanoTime() - started) / 1e6;
      return new Outcome(process.exitValue(), millis, peak, Files.readString(log));
    } catch (IOException e) {
      throw new IllegalStateException("Cannot run " + command + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while running " + command, e);
    } finally {
      try {
        Files.deleteIfExists(log);
      } catch (IOException e) {
        // a leftover temporary log file is harmless
      }
    }
  }

  /** The java launcher of this JVM. */
  public static String javaExecutable() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
