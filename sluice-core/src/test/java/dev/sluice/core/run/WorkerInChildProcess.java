package dev.sluice.core.run;

import dev.sluice.core.Workspace;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * A worker in a child process for {@link WorkersTest}: serves the project's queued steps with short
 * heartbeats and leases (so that a killed worker's step is taken over within seconds), until it is
 * killed.
 */
public final class WorkerInChildProcess {
  private WorkerInChildProcess() {}

  public static void main(String[] args) {
    int slots = Integer.parseInt(args[1]);
    try (Workspace workspace = Workspace.open(Path.of(args[0]))) {
      Worker worker =
          Worker.start(
              workspace,
              new Worker.Options(
                  slots,
                  Duration.ofMillis(500),
                  Duration.ofSeconds(2),
                  Duration.ofMillis(50),
                  Duration.ofSeconds(1)),
              Clock.systemUTC(),
              text -> System.err.println(text));
      System.out.println("worker " + worker.id());
      System.out.flush();
      worker.run();
    }
  }
}
