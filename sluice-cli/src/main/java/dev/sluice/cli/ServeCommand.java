package dev.sluice.cli;

import dev.sluice.core.Workspace;
import dev.sluice.core.project.ScheduleDef;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.schedule.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "serve",
    description =
        "Run the scheduler: start the project's cron schedules when they are due. Several"
            + " processes may serve one project; one of them (the lease holder) acts.")
final class ServeCommand extends BaseCommand {
  @Option(
      names = "--interval",
      defaultValue = "15",
      description = "Seconds between evaluations (default: ${DEFAULT-VALUE}).")
  int intervalSeconds;

  @Option(names = "--once", description = "Evaluate the schedules once, run what is due, and exit.")
  boolean once;

  @Override
  public Integer call() throws InterruptedException {
    try (Workspace workspace = Workspace.open(projectDirectory())) {
      List<ScheduleDef> schedules = workspace.project().config().schedules();
      String owner = ProcessHandle.current().pid() + "@" + hostName();
      Duration interval = Duration.ofSeconds(Math.max(1, intervalSeconds));
      Scheduler scheduler =
          new Scheduler(workspace, owner, Clock.systemUTC(), interval.multipliedBy(4));
      recoverAbandonedRuns(scheduler);
      if (schedules.isEmpty()) {
        output().message("No schedules in sluice.yaml: add 'schedules:' (see docs/concepts.md).");
        return ExitCodes.OK;
      }
      output()
          .message(
              "Scheduler "
                  + owner
                  + ": "
                  + schedules.size()
                  + " schedule(s); checking every "
                  + interval.toSeconds()
                  + " s");
      boolean wasLeader = false;
      while (true) {
        recoverAbandonedRuns(scheduler);
        List<Scheduler.Trigger> triggers = scheduler.evaluate();
        boolean leader =
            workspace
                .runStore()
                .lockHolder("scheduler")
                .map(lock -> lock.owner().equals(owner))
                .orElse(false);
        if (leader != wasLeader) {
          output()
              .message(
                  leader
                      ? "Holding the scheduler lease: acting."
                      : "Another scheduler holds the lease: standing by.");
          wasLeader = leader;
        }
        for (Scheduler.Trigger trigger : triggers) {
          output()
              .message(
                  "Schedule " + trigger.schedule() + " (tick " + trigger.tick() + "): running");
          RunResult result =
              scheduler.fire(trigger, new ProgressPrinter(output(), System.console() != null));
          output()
              .message(
                  "Schedule "
                      + trigger.schedule()
                      + ": run "
                      + result.runId()
                      + " "
                      + result.status().name().toLowerCase(java.util.Locale.ROOT));
        }
        if (once) {
          return ExitCodes.OK;
        }
        Thread.sleep(interval.toMillis());
      }
    }
  }

  /** Finishes the runs whose process died (killed, crashed), when this server holds the lease. */
  private void recoverAbandonedRuns(Scheduler scheduler) {
    for (String runId : scheduler.abandonedRuns()) {
      output().message("Run " + runId + " was interrupted (its process is gone): resuming it");
      try {
        RunResult result =
            scheduler.recover(runId, new ProgressPrinter(output(), System.console() != null));
        output()
            .message(
                "Resumed run "
                    + runId
                    + " as run "
                    + result.runId()
                    + ": "
                    + result.status().name().toLowerCase(java.util.Locale.ROOT));
      } catch (dev.sluice.api.SluiceException e) {
        output().message("Cannot resume run " + runId + ": " + e.getMessage());
      }
    }
  }

  private static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "localhost";
    }
  }
}
