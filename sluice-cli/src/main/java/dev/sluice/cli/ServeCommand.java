package dev.sluice.cli;

import dev.sluice.api.SluiceException;
import dev.sluice.core.Workspace;
import dev.sluice.core.maintain.RetentionOutcome;
import dev.sluice.core.project.AlertsConfig;
import dev.sluice.core.project.Project;
import dev.sluice.core.project.ProjectFiles;
import dev.sluice.core.project.ServerSettings;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.StepResult;
import dev.sluice.core.run.Worker;
import dev.sluice.core.schedule.Scheduler;
import dev.sluice.core.state.RunProcess;
import dev.sluice.core.state.StepKind;
import dev.sluice.flight.FlightOptions;
import dev.sluice.flight.SluiceFlightServer;
import dev.sluice.server.ServerOptions;
import dev.sluice.server.SluiceServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "serve",
    description =
        "Run the scheduler and the HTTP server: start the project's cron schedules when they are"
            + " due and its sensors when they fire, and answer the HTTP API (docs/server.md) on"
            + " 127.0.0.1 unless told otherwise. Several processes may serve one project; one of"
            + " them (the lease holder) schedules. Edits to the project are picked up without a"
            + " restart; SIGTERM (or Ctrl-C) stops both cleanly.")
final class ServeCommand extends BaseCommand {
  /** How long a stop (SIGTERM) waits for the running run to stop before the process exits. */
  static final Duration STOP_GRACE = Duration.ofSeconds(30);

  @Option(
      names = "--interval",
      defaultValue = "15",
      description = "Seconds between evaluations (default: ${DEFAULT-VALUE}).")
  int intervalSeconds;

  @Option(
      names = "--once",
      description = "Evaluate the schedules once, run what is due, and exit (no HTTP server).")
  boolean once;

  @Option(
      names = "--host",
      description =
          "Address the HTTP server binds (default: server.host of sluice.yaml, else 127.0.0.1)."
              + " Another address needs an API token or a password to exist.")
  String host;

  @Option(
      names = "--port",
      description =
          "Port of the HTTP server (default: server.port of sluice.yaml, else 8270; 0 picks a"
              + " free one).")
  Integer port;

  @Option(
      names = "--flight-port",
      description =
          "Port of the Arrow Flight SQL endpoint for BI tools, on the HTTP server's host (default:"
              + " server.flight_port of sluice.yaml, else none; 0 picks a free one;"
              + " docs/bi-tools.md).")
  Integer flightPort;

  @Option(
      names = "--dev",
      description =
          "Development mode: no sign-in, every request acts as the project's owner; loopback"
              + " addresses only, and every response says so.")
  boolean dev;

  @Option(
      names = "--worker",
      description =
          "Also run steps as a worker: claim the steps that runs queue in the shared (PostgreSQL)"
              + " state database, run and record them; no HTTP server. Start several, on one or"
              + " more hosts; one of them (the lease holder) schedules, handing its runs to all"
              + " (docs/deployment.md).")
  boolean worker;

  @Option(
      names = "--slots",
      description =
          "With --worker: how many steps this worker runs at once (default: threads of"
              + " sluice.yaml).")
  Integer slots;

  /** Set once a stop was asked for (SIGTERM, Ctrl-C); wakes the loop from its wait. */
  private final CountDownLatch stopRequested = new CountDownLatch(1);

  /** Counted down when the loop has released the lease and closed the project. */
  private final CountDownLatch stopped = new CountDownLatch(1);

  /** The run the scheduler is running now, if any, to cancel on a stop. */
  private final AtomicReference<String> currentRun = new AtomicReference<>();

  private volatile Workspace workspace;

  /** With {@code --worker}: the worker claiming steps for the project served now. */
  private Worker stepWorker;

  /** What this process did, printed as one JSON document at exit with {@code --json}. */
  private final ServeReport report = new ServeReport();

  /**
   * The runs and maintenance a serve started or resumed, and whether it held the lease: {@code
   * --json}'s output.
   */
  static final class ServeReport {
    public String scheduler;
    public String worker;
    public int schedules;
    public int sensors;
    public boolean leader;
    public boolean stopped;
    public String url;
    public String flight;
    public final List<Map<String, String>> runs = new java.util.ArrayList<>();
    public final List<Map<String, String>> maintenance = new java.util.ArrayList<>();
  }

  @Override
  public Integer call() throws InterruptedException {
    Path root = projectDirectory();
    String owner = RunProcess.current().pid() + "@" + RunProcess.current().host();
    Duration interval = Duration.ofSeconds(Math.max(1, intervalSeconds));
    Map<String, String> files = ProjectFiles.snapshot(root);
    Thread stopHook = new Thread(this::stopOnSignal, "sluice-serve-stop");
    Runtime.getRuntime().addShutdownHook(stopHook);
    Scheduler scheduler = null;
    SluiceServer server = null;
    SluiceFlightServer flight = null;
    try {
      if (worker && once) {
        throw new dev.sluice.api.InvalidInputException(
            "--worker takes no --once: a worker serves until it is stopped");
      }
      if (!worker && slots != null) {
        throw new dev.sluice.api.InvalidInputException("--slots needs --worker");
      }
      workspace =
          worker
              ? Worker.untilReachable(
                  () -> withRunStore(openWorkspace()),
                  "open the project",
                  WORKER_MAX_BACKOFF,
                  text -> output().message(text),
                  () -> stopRequested.getCount() == 0)
              : openWorkspace();
      report.scheduler = owner;
      report.schedules = workspace.project().config().schedules().size();
      report.sensors = workspace.project().config().sensors().size();
      boolean scheduled = hasTriggers(workspace.project());
      if (!scheduled) {
        output()
            .message(
                "No schedules or sensors in sluice.yaml: add 'schedules:' or 'sensors:' (see"
                    + " docs/concepts.md)"
                    + (once ? "." : "; the scheduler is idle."));
        if (once) {
          return ExitCodes.OK;
        }
      }
      if (worker) {
        stepWorker = startWorker(workspace);
      } else if (!once) {
        server = SluiceServer.start(serverOptions(workspace.project()), () -> workspace, clock());
        report.url = server.url();
        output().message("Serving " + server.url() + " (HTTP API at /api/v1; docs/server.md)");
        if (dev) {
          output()
              .message(
                  "Development mode: no sign-in, every request acts as the project's owner."
                      + " Never expose this server.");
        }
        flight = startFlight(workspace.project(), server);
      }
      if (scheduled) {
        scheduler = new Scheduler(workspace, owner, clock(), interval.multipliedBy(4));
        output().message("Scheduler " + owner + ": " + describe(workspace.project(), interval));
      }
      boolean wasLeader = false;
      while (stopRequested.getCount() > 0) {
        if (scheduler != null) {
          recoverAbandonedRuns(scheduler);
          List<Scheduler.Trigger> triggers = scheduler.evaluate();
          boolean leader = scheduler.holdsLease();
          report.leader |= leader;
          if (leader != wasLeader) {
            output()
                .message(
                    leader
                        ? "Holding the scheduler lease: acting."
                        : "Another scheduler holds the lease: standing by.");
            wasLeader = leader;
          }
          for (Scheduler.Trigger trigger : triggers) {
            if (stopRequested.getCount() == 0) {
              break;
            }
            if (trigger.kind() == Scheduler.Kind.MAINTENANCE) {
              maintain(scheduler, trigger);
            } else {
              fire(scheduler, trigger);
            }
          }
        }
        if (once || stopRequested.await(interval.toMillis(), TimeUnit.MILLISECONDS)) {
          break;
        }
        Map<String, String> now = ProjectFiles.snapshot(root);
        if (!now.equals(files)) {
          files = now;
          if (worker ? reloadWorker(root, interval) : reload(root, interval)) {
            Scheduler next =
                hasTriggers(workspace.project())
                    ? new Scheduler(workspace, owner, clock(), interval.multipliedBy(4))
                    : null;
            if (scheduler != null && next == null) {
              scheduler.releaseLease();
              wasLeader = false;
            }
            scheduler = next;
          }
        }
      }
      if (stopRequested.getCount() == 0) {
        report.stopped = true;
        output()
            .message(
                worker
                    ? "Stopping: the worker finishes its running steps (at most "
                        + STOP_GRACE.toSeconds()
                        + " s)"
                        + (scheduler == null ? "." : "; the scheduler lease is released.")
                    : scheduler == null
                        ? "Stopping: the HTTP server stops."
                        : "Stopping: the scheduler lease is released.");
      }
      return ExitCodes.OK;
    } finally {
      if (json() && report.scheduler != null) {
        output().json(report);
      }
      try {
        if (stepWorker != null) {
          stepWorker.close(STOP_GRACE);
        }
        if (flight != null) {
          flight.close();
        }
        if (server != null) {
          server.close();
        }
        if (scheduler != null) {
          scheduler.releaseLease();
        }
      } finally {
        Workspace open = workspace;
        if (open != null) {
          open.close();
        }
        stopped.countDown();
        try {
          Runtime.getRuntime().removeShutdownHook(stopHook);
        } catch (IllegalStateException shuttingDown) {
          // the hook is running: it waits for stopped
        }
      }
    }
  }

  /**
   * Registers this process as a worker (waiting, with backoff, while the state database cannot be
   * reached) and starts claiming steps in a thread of its own.
   */
  private Worker startWorker(dev.sluice.core.Workspace open) {
    int chosen = slots != null ? slots : open.project().config().threads();
    if (chosen < 1) {
      throw new dev.sluice.api.InvalidInputException("--slots must be at least 1, got " + chosen);
    }
    Worker started =
        Worker.untilReachable(
            () ->
                Worker.start(
                    open, Worker.Options.defaults(chosen), clock(), text -> output().message(text)),
            "register the worker",
            WORKER_MAX_BACKOFF,
            text -> output().message(text),
            () -> stopRequested.getCount() == 0);
    report.worker = started.id();
    Thread loop = new Thread(started::run, "sluice-worker");
    loop.setDaemon(true);
    loop.start();
    return started;
  }

  /** The longest wait between attempts to reach an unreachable state database. */
  static final Duration WORKER_MAX_BACKOFF = Duration.ofSeconds(30);

  /**
   * The shutdown hook (SIGTERM, SIGINT): stops evaluating, cancels the run in progress (nothing it
   * did not publish is kept; 'sluice run --resume' finishes it), and waits for the loop to release
   * the lease and close the project.
   */
  private void stopOnSignal() {
    output().message("Asked to stop (SIGTERM): finishing up.");
    stopRequested.countDown();
    String runId = currentRun.get();
    Workspace open = workspace;
    if (runId != null && open != null) {
      try {
        open.runStore().runs().requestCancel(runId, clock().instant());
        output()
            .message(
                "Cancelling run "
                    + runId
                    + " (nothing unpublished is kept; 'sluice run --resume "
                    + runId
                    + "' finishes it).");
      } catch (RuntimeException e) {
        output().message("Cannot cancel run " + runId + ": " + e.getMessage());
      }
    }
    try {
      if (!stopped.await(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        output()
            .message(
                "Did not stop within "
                    + STOP_GRACE.toSeconds()
                    + " s: exiting; the lease expires by itself.");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Adds a run this process started or resumed to the {@code --json} report, after what caused it
   * ({@code cause}), and returns its status as the report gives it.
   */
  private String reportRun(Map<String, String> cause, RunResult result) {
    String status = result.status().name().toLowerCase(java.util.Locale.ROOT);
    Map<String, String> run = new LinkedHashMap<>(cause);
    run.put("run", result.runId());
    run.put("status", status);
    report.runs.add(run);
    return status;
  }

  /**
   * What {@code step} of a reload makes, or null after saying that the last good version keeps
   * serving because {@code problem}.
   */
  private <T> T orKeepServing(Supplier<T> step, String problem) {
    try {
      return step.get();
    } catch (RuntimeException e) {
      output()
          .message(
              "Project changed, but "
                  + problem
                  + "; still serving the last good version: "
                  + e.getMessage());
      return null;
    }
  }

  private void fire(Scheduler scheduler, Scheduler.Trigger trigger) {
    output().message("Schedule " + trigger.schedule() + " (tick " + trigger.tick() + "): running");
    RunListener progress = tracking(new ProgressPrinter(output(), ProgressPrinter.onTerminal()));
    try {
      RunResult result = scheduler.fire(trigger, progress);
      Map<String, String> cause = new LinkedHashMap<>();
      cause.put("trigger", trigger.schedule());
      cause.put("tick", trigger.tick().toString());
      String status = reportRun(cause, result);
      output().message("Schedule " + trigger.schedule() + ": run " + result.runId() + " " + status);
    } finally {
      currentRun.set(null);
    }
  }

  /**
   * Runs a due maintenance schedule; a failure is reported and the server goes on (the tables stay
   * readable: each operation commits at once or not at all).
   */
  private void maintain(Scheduler scheduler, Scheduler.Trigger trigger) {
    output()
        .message(
            "Maintenance (tick "
                + trigger.tick()
                + ") of "
                + String.join(", ", trigger.select())
                + ": running");
    Map<String, String> entry = new LinkedHashMap<>();
    entry.put("trigger", trigger.schedule());
    entry.put("tick", trigger.tick().toString());
    entry.put("tables", String.join(",", trigger.select()));
    try {
      Scheduler.ScheduledMaintenance done = scheduler.maintain(trigger);
      long rows = done.retention().stream().mapToLong(RetentionOutcome::rowsDeleted).sum();
      long rewrites = done.tables().stream().mapToLong(report -> report.rewrites().size()).sum();
      long expired =
          done.tables().stream()
              .filter(report -> report.expiry() != null)
              .mapToLong(report -> report.expiry().snapshotsExpired())
              .sum();
      entry.put("status", "succeeded");
      output()
          .message(
              "Maintenance: "
                  + rows
                  + " expired row(s) deleted, "
                  + rewrites
                  + " file group(s) rewritten, "
                  + expired
                  + " snapshot(s) expired (audit log: sluice audit --action maintenance)");
    } catch (SluiceException e) {
      entry.put("status", "failed");
      output().message("Maintenance failed: " + e.getMessage());
    }
    report.maintenance.add(entry);
  }

  /**
   * Loads the edited project and swaps it in; a project that does not load leaves the last good one
   * serving.
   *
   * @return whether the edited project is served now
   */
  private boolean reload(Path root, Duration interval) {
    Project project = orKeepServing(() -> Project.load(root, target()), "it does not load");
    if (project == null) {
      return false;
    }
    Workspace reloaded = orKeepServing(() -> Workspace.open(project), "it cannot be opened");
    if (reloaded == null) {
      return false;
    }
    Workspace previous = workspace;
    workspace = reloaded;
    previous.close();
    output().message("Project changed: reloaded. " + describe(project, interval));
    return true;
  }

  /**
   * The workspace once its run store is open (a worker needs the state database at once), else
   * closed again with the failure.
   */
  private static Workspace withRunStore(Workspace opened) {
    try {
      opened.runStore();
      return opened;
    } catch (RuntimeException e) {
      opened.close();
      throw e;
    }
  }

  /**
   * A worker's reload: loads the edited project (a project that does not load leaves the last good
   * one serving), lets the running steps finish on the version they were planned from while
   * claiming nothing new, then registers again and claims steps of the edited project.
   *
   * @return whether the edited project is served now (false also when a stop came first)
   */
  private boolean reloadWorker(Path root, Duration interval) {
    Workspace reloaded =
        orKeepServing(
            () -> withRunStore(Workspace.open(Project.load(root, target()))), "it does not load");
    if (reloaded == null) {
      return false;
    }
    output()
        .message(
            "Project changed: the worker claims no new steps until its running ones finish"
                + " (they were planned from the version it served), then serves the edited"
                + " project.");
    if (!stepWorker.drain(() -> stopRequested.getCount() > 0)) {
      reloaded.close();
      return false;
    }
    stepWorker.close(Duration.ZERO);
    stepWorker = null;
    Workspace previous = workspace;
    workspace = reloaded;
    previous.close();
    stepWorker = startWorker(reloaded);
    output()
        .message(
            "Project changed: reloaded; worker "
                + stepWorker.id()
                + " serves it. "
                + describe(reloaded.project(), interval));
    return true;
  }

  /**
   * Where and how to serve: {@code --host}, {@code --port} and {@code --dev} over the {@code
   * server:} block of sluice.yaml over the defaults (127.0.0.1, port 8270).
   */
  private ServerOptions serverOptions(Project project) {
    ServerSettings settings = project.config().server();
    String chosenHost =
        host != null
            ? host
            : settings.host() != null ? settings.host() : ServerOptions.DEFAULT_HOST;
    int chosenPort =
        port != null
            ? port
            : settings.port() != null ? settings.port() : ServerOptions.DEFAULT_PORT;
    if (chosenPort < 0 || chosenPort > 65535) {
      throw new dev.sluice.api.InvalidInputException(
          "--port must be between 0 and 65535, got " + chosenPort);
    }
    ServerOptions options = ServerOptions.plain(chosenHost, chosenPort);
    if (settings.keyStore() != null && settings.keyStorePassword() != null) {
      options = options.withTls(settings.keyStore(), settings.keyStorePassword());
    }
    return dev ? options.inDevMode() : options;
  }

  /**
   * Starts the Flight SQL endpoint on the HTTP server's host when {@code --flight-port} or {@code
   * server.flight_port} asks for one, or returns null.
   */
  private SluiceFlightServer startFlight(Project project, SluiceServer server) {
    Integer port = flightPort != null ? flightPort : project.config().server().flightPort();
    if (port == null) {
      return null;
    }
    if (port < 0 || port > 65535) {
      throw new dev.sluice.api.InvalidInputException(
          "--flight-port must be between 0 and 65535, got " + port);
    }
    SluiceFlightServer flight =
        SluiceFlightServer.start(
            new FlightOptions(server.options().host(), port, dev), () -> workspace, clock());
    report.flight = flight.url();
    output().message("Serving Flight SQL on " + flight.url() + " (BI tools; docs/bi-tools.md)");
    return flight;
  }

  /**
   * Whether the scheduler has something to evaluate: schedules, sensors, or freshness alert rules
   * (which only the scheduler's evaluations notice).
   */
  private static boolean hasTriggers(Project project) {
    return !project.config().schedules().isEmpty()
        || !project.config().sensors().isEmpty()
        || Scheduler.hasMaintenanceSchedule(project)
        || project.config().alerts().rules().stream()
            .anyMatch(
                rule ->
                    rule.on() == AlertsConfig.Trigger.FRESHNESS
                        || rule.on() == AlertsConfig.Trigger.SLO_BREACH);
  }

  private static String describe(Project project, Duration interval) {
    return project.config().schedules().size()
        + " schedule(s), "
        + project.config().sensors().size()
        + " sensor(s)"
        + (Scheduler.hasMaintenanceSchedule(project) ? ", scheduled maintenance" : "")
        + "; checking every "
        + interval.toSeconds()
        + " s";
  }

  /** A listener that notes the run in progress (to cancel it on a stop), then tells {@code to}. */
  private RunListener tracking(RunListener to) {
    return new RunListener() {
      @Override
      public void runStarted(String runId, int steps) {
        currentRun.set(runId);
        if (stopRequested.getCount() == 0) {
          workspace.runStore().runs().requestCancel(runId, clock().instant());
        }
        to.runStarted(runId, steps);
      }

      @Override
      public void stepStarted(String asset, StepKind kind) {
        to.stepStarted(asset, kind);
      }

      @Override
      public void stepRetrying(String asset, int attempt, Duration delay, String error) {
        to.stepRetrying(asset, attempt, delay, error);
      }

      @Override
      public void stepFinished(StepResult result) {
        to.stepFinished(result);
      }
    };
  }

  /** Finishes the runs whose process died (killed, crashed), when this server holds the lease. */
  private void recoverAbandonedRuns(Scheduler scheduler) {
    for (String runId : scheduler.abandonedRuns()) {
      if (stopRequested.getCount() == 0) {
        return;
      }
      output().message("Run " + runId + " was interrupted (its process is gone): resuming it");
      try {
        RunResult result = scheduler.recover(runId, tracking(new ProgressPrinter(output(), false)));
        String status = reportRun(Map.of("resumed", runId), result);
        output().message("Resumed run " + runId + " as run " + result.runId() + ": " + status);
      } catch (SluiceException e) {
        output().message("Cannot resume run " + runId + ": " + e.getMessage());
      } finally {
        currentRun.set(null);
      }
    }
  }
}
