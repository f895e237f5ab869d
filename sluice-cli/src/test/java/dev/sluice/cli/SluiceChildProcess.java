package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.connector.testkit.ChildJava;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The {@code sluice} command in a child JVM (the test's class path), for what needs a real process:
 * signals (SIGTERM, SIGSTOP), kills, two processes on one project. Its stderr, where the CLI writes
 * its messages, is read line by line as it comes.
 */
final class SluiceChildProcess implements AutoCloseable {
  private static final String END = "\u0000end";

  private final Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final List<String> seen = new ArrayList<>();

  private SluiceChildProcess(Process process) {
    this.process = process;
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader err =
                  new BufferedReader(
                      new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line = err.readLine(); line != null; line = err.readLine()) {
                  lines.add(line);
                }
              } catch (IOException e) {
                lines.add("(cannot read the child's stderr: " + e + ")");
              } finally {
                lines.add(END);
              }
            },
            "sluice-child-stderr");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code sluice -p project args...}; its stdout is discarded. */
  static SluiceChildProcess start(Path project, String... args) throws IOException {
    List<String> command =
        new ArrayList<>(
            ChildJava.command(
                // as the jar's manifest says (Arrow's memory, for the Flight SQL endpoint)
                List.of("--add-opens=java.base/java.nio=ALL-UNNAMED"),
                SluiceCommand.class,
                "-p",
                project.toString()));
    command.addAll(List.of(args));
    return new SluiceChildProcess(
        new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
  }

  Process process() {
    return process;
  }

  /**
   * Waits for a line of stderr that matches, reading past the others.
   *
   * @return the line
   * @throws AssertionError if the process ends or {@code timeout} passes first
   */
  String awaitLine(Predicate<String> matches, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (line == null || line.equals(END)) {
        throw new AssertionError(
            (line == null ? "Timed out" : "The process ended")
                + " waiting for a line; it wrote:\n"
                + String.join("\n", seen));
      }
      seen.add(line);
      if (matches.test(line)) {
        return line;
      }
    }
  }

  /** Waits for the process to end and returns its exit code. */
  int awaitExit(Duration timeout) throws InterruptedException {
    assertThat(process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
        .as("the process ended")
        .isTrue();
    return process.exitValue();
  }

  /** Everything it wrote to stderr, once it has ended. */
  String stderr() throws InterruptedException {
    while (true) {
      String line = lines.poll(30, TimeUnit.SECONDS);
      if (line == null || line.equals(END)) {
        return String.join("\n", seen);
      }
      seen.add(line);
    }
  }

  /** Sends a signal, e.g. "STOP" or "CONT", with kill(1). */
  void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
    assertThat(kill.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).as("kill -" + name).isZero();
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
