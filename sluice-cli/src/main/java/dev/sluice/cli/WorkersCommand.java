package dev.sluice.cli;

import dev.sluice.core.run.Worker;
import dev.sluice.core.state.RunStore;
import dev.sluice.core.state.Workers;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
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

  /** {@code running}, {@code idle}, {@code stopped} or {@code gone} (no heartbeat for 30 s). */
  static String status(Workers.Worker worker, Instant now) {
    if (worker.stoppedAt() != null) {
      return "stopped";
    }
    if (!worker.alive(now, Worker.ALIVE_TIMEOUT)) {
      return "gone";
    }
    return worker.step() == null ? "idle" : "running";
  }

  static Map<String, Object> toJson(Workers.Worker worker, Instant now) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("id", worker.id());
    json.put("status", status(worker, now));
    json.put("host", worker.process().host());
    json.put("pid", worker.process().pid());
    json.put("version", worker.version());
    json.put("slots", worker.slots());
    json.put("started_at", worker.startedAt().toString());
    json.put("heartbeat_at", worker.heartbeatAt().toString());
    json.put("stopped_at", worker.stoppedAt() == null ? null : worker.stoppedAt().toString());
    json.put("run", worker.runId());
    json.put("step", worker.step());
    json.put(
        "step_started_at",
        worker.stepStartedAt() == null ? null : worker.stepStartedAt().toString());
    return json;
  }
}
