package dev.sluice.cli;

import dev.sluice.core.run.Worker;
import dev.sluice.core.state.RunStore;
import dev.sluice.core.state.Workers;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "workers",
    description =
        "List the workers ('sluice serve --worker') sharing the project's state database: their"
            + " Sluice version, last heartbeat and the step each is running (docs/deployment.md).")
final class WorkersCommand extends BaseCommand {
  @Option(names = "--all", description = "Also list the workers that stopped or are gone.")
  boolean all;

  @Override
  public Integer call() {
    try (RunStore store = RunsCommand.openStore(loadProject())) {
      Instant now = clock().instant();
      List<Workers.Worker> workers =
          store.workers().all().stream()
              .filter(worker -> all || worker.alive(now, Worker.ALIVE_TIMEOUT))
              .toList();
      return printList(
          workers,
          worker -> toJson(worker, now),
          all
              ? "No workers have used this state database: start one with 'sluice serve --worker'."
              : "No live workers: start one with 'sluice serve --worker' ('--all' lists the"
                  + " stopped ones).",
          List.of("worker", "status", "version", "slots", "heartbeat", "run", "step", "for"),
          worker ->
              List.of(
                  worker.id(),
                  status(worker, now),
                  worker.version(),
                  Integer.toString(worker.slots()),
                  formatDuration(Duration.between(worker.heartbeatAt(), now)) + " ago",
                  worker.runId() == null ? "" : worker.runId(),
                  worker.step() == null ? "" : worker.step(),
                  worker.stepStartedAt() == null
                      ? ""
                      : formatDuration(Duration.between(worker.stepStartedAt(), now))));
    }
  }

  private static String status(Workers.Worker worker, Instant now) {
    return worker.status(now, Worker.ALIVE_TIMEOUT);
  }

  private static Map<String, Object> toJson(Workers.Worker worker, Instant now) {
    return worker.toJson(now, Worker.ALIVE_TIMEOUT);
  }
}
