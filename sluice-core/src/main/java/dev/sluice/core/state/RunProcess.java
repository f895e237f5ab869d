package dev.sluice.core.state;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.Optional;

/**
 * The process that runs a run: the host it runs on and its process id. With them a run whose
 * process is gone can be told at once on the same host; other hosts go by its heartbeat.
 *
 * @param host the host name, as {@link InetAddress#getLocalHost()} gives it
 * @param pid the operating system's process id
 */
public record RunProcess(String host, long pid) {
  private static final RunProcess CURRENT =
      new RunProcess(localHostName(), ProcessHandle.current().pid());

  public RunProcess {
    requireNonNull(host, "host is null");
  }

  /** This process. */
  public static RunProcess current() {
    return CURRENT;
  }

  /** Whether this process runs on this host. */
  public boolean onThisHost() {
    return host.equals(CURRENT.host);
  }

  /**
   * Whether this process, on this host, has ended: no process has its id, or the one that has it
   * started after {@code runStartedAt} (the id was reused). Only meaningful {@link #onThisHost()}.
   */
  public boolean endedSince(Instant runStartedAt) {
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    if (handle.isEmpty() || !handle.get().isAlive()) {
      return true;
    }
    // the start time has a resolution of a clock tick (10 ms): a second's margin
    return handle
        .get()
        .info()
        .startInstant()
        .map(start -> start.isAfter(runStartedAt.plusSeconds(1)))
        .orElse(false);
  }

  @Override
  public String toString() {
    return "pid " + pid + " on " + host;
  }

  private static String localHostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
