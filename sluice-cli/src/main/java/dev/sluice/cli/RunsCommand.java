package dev.sluice.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.api.InvalidInputException;
import dev.sluice.api.timing.StepPhase;
import dev.sluice.core.project.Project;
import dev.sluice.core.state.AbandonedRuns;
import dev.sluice.core.state.CheckRecord;
import dev.sluice.core.state.CheckStatus;
import dev.sluice.core.state.RunDetail;
import dev.sluice.core.state.RunHistory;
import dev.sluice.core.state.RunStatus;
import dev.sluice.core.state.RunStore;
import dev.sluice.core.state.RunSummary;
import dev.sluice.core.state.StepDetail;
import dev.sluice.core.state.StepMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "runs",
    description = "List recent runs; 'runs show ID' shows one run step by step.",
    subcommands = {RunsCommand.Show.class, RunsCommand.Cancel.class, RunsCommand.Prune.class})
final class RunsCommand extends BaseCommand {
  /** Built on first use only: picocli creates this command for every invocation (startup). */
  private static final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }

  @Option(
      names = {"-n", "--limit"},
      defaultValue = "20",
      description = "How many runs (default: ${DEFAULT-VALUE}).")
  int limit;

  @Override
  public Integer call() {
    // the runs need only where the state database is: not the models, sources or policies
    try (RunStore store = openStore(loadConfig())) {
      interruptGoneRuns(store, clock(), output());
      return printList(
          store.runs().listRuns(limit),
          RunsCommand::toJson,
          "No runs yet: 'sluice run' starts one.",
          List.of("run", "command", "status", "started", "took", "steps", "failed"),
          run ->
              List.of(
                  run.id(),
                  run.command(),
                  run.status().name().toLowerCase(Locale.ROOT),
                  run.startedAt().toString(),
                  run.finishedAt() == null
                      ? ""
                      : formatDuration(Duration.between(run.startedAt(), run.finishedAt())),
                  Integer.toString(run.steps()),
                  Integer.toString(run.failedSteps())));
    }
  }

  /**
   * Marks the runs whose process is gone as interrupted (releasing their locks), saying so, so that
   * no run shows as running for ever.
   */
  static void interruptGoneRuns(RunStore store, java.time.Clock clock, Output output) {
    for (AbandonedRuns.Interrupted run : new AbandonedRuns(store, clock).interruptAll()) {
      output.message("Run " + run.runId() + " " + run.message());
    }
  }

  static RunStore openStore(java.nio.file.Path projectDirectory) {
    return openStore(Project.load(projectDirectory));
  }

  static RunStore openStore(Project project) {
    return openStore(project.config());
  }

  static RunStore openStore(dev.sluice.core.project.ProjectConfig config) {
    return RunStore.open(config.stateUrl(), config.stateProperties());
  }

  /** A subcommand about one run: its id, or a unique prefix of one, and the project's run store. */
  abstract static class OneRunCommand implements java.util.concurrent.Callable<Integer> {
    @picocli.CommandLine.ParentCommand RunsCommand runs;

    @Parameters(paramLabel = "ID", description = "A run id, or a unique prefix of one.")
    String id;

    @Override
    public Integer call() {
      try (RunStore store = openStore(runs.loadConfig())) {
        return call(store);
      }
    }

    abstract Integer call(RunStore store);
  }

  @Command(name = "show", description = "Show one run: its steps, rows, bytes, timings and checks.")
  static final class Show extends OneRunCommand {
    @Override
    Integer call(RunStore store) {
      interruptGoneRuns(store, runs.clock(), runs.output());
      RunDetail detail =
          store
              .runs()
              .findRun(id)
              .orElseThrow(
                  () -> new InvalidInputException("No run " + id + ": 'sluice runs' lists them"));
      Output output = runs.output();
      List<dev.sluice.core.state.RunEvent> events = store.events().events(detail.summary().id());
      if (runs.json()) {
        Map<String, Object> json = toJson(detail);
        List<Map<String, Object>> timeline = new ArrayList<>();
        for (dev.sluice.core.state.RunEvent event : events) {
          Map<String, Object> entry = new LinkedHashMap<>();
          entry.put("at", event.at().toString());
          entry.put("asset", event.asset());
          entry.put("event", event.kind());
          entry.put("message", event.message());
          timeline.add(entry);
        }
        json.put("events", timeline);
        output.json(json);
        return ExitCodes.OK;
      }
      RunSummary summary = detail.summary();
      output.line("run      " + summary.id() + " (" + summary.command() + ")");
      output.line(
          "status   "
              + summary.status().name().toLowerCase(Locale.ROOT)
              + (summary.error() == null ? "" : ": " + summary.error()));
      output.line("started  " + summary.startedAt());
      if (summary.finishedAt() != null) {
        output.line(
            "finished "
                + summary.finishedAt()
                + " ("
                + formatDuration(Duration.between(summary.startedAt(), summary.finishedAt()))
                + ")");
      }
      if (!detail.selection().isEmpty()) {
        output.line("selected " + String.join(" ", detail.selection()));
      }
      output.line("");
      List<List<String>> rows = new ArrayList<>();
      for (StepDetail step : detail.steps()) {
        rows.add(
            List.of(
                offset(summary.startedAt(), step.startedAt()),
                step.asset(),
                step.kind().label(),
                step.status().name().toLowerCase(Locale.ROOT),
                step.finishedAt() == null
                    ? ""
                    : formatDuration(Duration.between(step.startedAt(), step.finishedAt())),
                formatCount(step.metrics().rowsIn()),
                formatCount(step.metrics().rowsOut()),
                formatBytes(step.metrics().bytesOut()),
                step.metrics().snapshotId() == null ? "" : step.metrics().snapshotId().toString(),
                checksSummary(step.checks())));
      }
      output.table(
          List.of(
              "at",
              "asset",
              "kind",
              "status",
              "took",
              "rows in",
              "rows out",
              "bytes out",
              "snapshot",
              "checks"),
          rows);
      phasesTable(detail.steps(), output);
      if (!events.isEmpty()) {
        output.line("");
        output.line("timeline:");
        List<List<String>> timeline = new ArrayList<>();
        for (dev.sluice.core.state.RunEvent event : events) {
          timeline.add(
              java.util.Arrays.asList(
                  offset(summary.startedAt(), event.at()),
                  event.asset() == null ? "(run)" : event.asset(),
                  event.kind(),
                  event.message() == null ? "" : event.message().lines().findFirst().orElse("")));
        }
        output.table(List.of("at", "asset", "event", "details"), timeline);
      }
      for (StepDetail step : detail.steps()) {
        if (step.error() != null
            || step.metrics().detail() != null
            || step.checks().stream().anyMatch(c -> c.status() != CheckStatus.PASSED)) {
          output.line("");
          output.line(
              step.asset()
                  + ": "
                  + (step.metrics().detail() == null ? "" : step.metrics().detail()));
          if (step.error() != null) {
            output.line("  " + step.error());
          }
          for (CheckRecord check : step.checks()) {
            if (check.status() != CheckStatus.PASSED) {
              output.line(
                  "  check "
                      + check.name()
                      + " ["
                      + check.severity().label()
                      + "] "
                      + check.status().label()
                      + ": "
                      + check.failingRows()
                      + " failing rows"
                      + (check.message() == null ? "" : " (" + check.message() + ")"));
              if (check.sampleJson() != null) {
                output.line("    sample: " + check.sampleJson());
              }
            }
          }
        }
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "cancel",
      description =
          "Stop a running run: its running steps are cancelled (nothing partial is published)"
              + " and the rest are skipped.")
  static final class Cancel extends OneRunCommand {
    @Override
    Integer call(RunStore store) {
      java.util.Optional<RunDetail> run = store.runs().findRun(id);
      java.util.Optional<AbandonedRuns.Interrupted> gone =
          run.isPresent() && run.get().summary().status() == RunStatus.RUNNING
              ? new AbandonedRuns(store, runs.clock()).interruptIfGone(run.get().summary().id())
              : java.util.Optional.empty();
      if (gone.isPresent()) {
        if (runs.json()) {
          runs.output()
              .json(
                  Map.of(
                      "run",
                      gone.get().runId(),
                      "cancelRequested",
                      false,
                      "interrupted",
                      true,
                      "message",
                      gone.get().message()));
        }
        runs.output()
            .message(
                "Run "
                    + gone.get().runId()
                    + " was no longer running: "
                    + gone.get().message()
                    + ".");
        return ExitCodes.OK;
      }
      String runId = store.runs().requestCancel(id, runs.clock().instant());
      if (runs.json()) {
        runs.output().json(Map.of("run", runId, "cancelRequested", true));
      }
      runs.output().message("Asked run " + runId + " to stop; it stops within a second or two.");
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "prune",
      description =
          "Delete the runs that started before --older-than, with their steps, checks, timelines"
              + " and metrics; runs something still points at (in progress, the last build of an"
              + " asset or partition, an environment's build) are kept, and so is the audit log.")
  static final class Prune implements java.util.concurrent.Callable<Integer> {
    @picocli.CommandLine.ParentCommand RunsCommand runs;

    @Option(
        names = "--older-than",
        required = true,
        paramLabel = "AGE",
        description = "Prune the runs that started longer ago than this: 90d, 12w, 48h.")
    String olderThan;

    @Option(names = "--dry-run", description = "Only say what would be deleted.")
    boolean dryRun;

    @Override
    public Integer call() {
      Duration age = CostCommand.parsePeriod("--older-than", olderThan);
      try (RunStore store = openStore(runs.loadConfig())) {
        interruptGoneRuns(store, runs.clock(), runs.output());
        Instant before = runs.clock().instant().minus(age);
        RunHistory.Pruned pruned = store.history().prune(before, dryRun);
        if (runs.json()) {
          Map<String, Object> json = new LinkedHashMap<>();
          json.put("before", before.toString());
          json.put("dryRun", dryRun);
          json.put("runs", pruned.runs());
          json.put("steps", pruned.steps());
          json.put("events", pruned.events());
          json.put("checkResults", pruned.checkResults());
          runs.output().json(json);
        }
        runs.output()
            .message(
                (dryRun ? "Would prune " : "Pruned ")
                    + pruned.runs().size()
                    + " run(s) started before "
                    + before
                    + ": "
                    + pruned.steps()
                    + " step(s), "
                    + pruned.events()
                    + " timeline event(s), "
                    + pruned.checkResults()
                    + " check result(s)"
                    + (dryRun ? " (nothing deleted: --dry-run)." : "."));
        return ExitCodes.OK;
      }
    }
  }

  /**
   * Where each timed step's time went, one column per phase that any step spent time in (the JSON
   * has every phase of every step): the cost of a step at a glance, e.g. a commit's manifests
   * against the engine's query.
   */
  private static void phasesTable(List<StepDetail> steps, Output output) {
    List<StepPhase> shown = new ArrayList<>();
    for (StepPhase phase : StepPhase.values()) {
      if (steps.stream()
          .anyMatch(step -> !step.metrics().phases().getOrDefault(phase, Duration.ZERO).isZero())) {
        shown.add(phase);
      }
    }
    if (shown.isEmpty()) {
      return;
    }
    List<String> headers = new ArrayList<>();
    headers.add("asset");
    shown.forEach(phase -> headers.add(phase.label()));
    headers.add("total");
    List<List<String>> rows = new ArrayList<>();
    for (StepDetail step : steps) {
      Map<StepPhase, Duration> phases = step.metrics().phases();
      if (phases.isEmpty()) {
        continue;
      }
      List<String> row = new ArrayList<>();
      row.add(step.asset());
      Duration total = Duration.ZERO;
      for (StepPhase phase : shown) {
        Duration time = phases.getOrDefault(phase, Duration.ZERO);
        row.add(StepMetrics.formatMillis(time));
      }
      for (Duration time : phases.values()) {
        total = total.plus(time);
      }
      row.add(StepMetrics.formatMillis(total));
      rows.add(row);
    }
    output.line("");
    output.line("time by phase (ms):");
    output.table(headers, rows);
  }

  private static String offset(Instant start, Instant at) {
    return "+" + formatDuration(Duration.between(start, at));
  }

  private static String checksSummary(List<CheckRecord> checks) {
    if (checks.isEmpty()) {
      return "";
    }
    long passed = checks.stream().filter(c -> c.status() == CheckStatus.PASSED).count();
    return passed + "/" + checks.size();
  }

  static Map<String, Object> toJson(RunSummary run) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("id", run.id());
    json.put("command", run.command());
    putStatusAndTimes(json, run.status(), run.startedAt(), run.finishedAt());
    json.put("steps", run.steps());
    json.put("failedSteps", run.failedSteps());
    json.put("error", run.error());
    return json;
  }

  /** The status and times that runs and steps both have, as their JSON gives them. */
  private static void putStatusAndTimes(
      Map<String, Object> json, Enum<?> status, Instant startedAt, Instant finishedAt) {
    json.put("status", status.name().toLowerCase(Locale.ROOT));
    json.put("startedAt", startedAt.toString());
    json.put("finishedAt", finishedAt == null ? null : finishedAt.toString());
  }

  static Map<String, Object> toJson(RunDetail detail) {
    Map<String, Object> json = toJson(detail.summary());
    json.put("selection", detail.selection());
    List<Map<String, Object>> steps = new ArrayList<>();
    for (StepDetail step : detail.steps()) {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("asset", step.asset());
      s.put("kind", step.kind().label());
      putStatusAndTimes(s, step.status(), step.startedAt(), step.finishedAt());
      s.put("rowsIn", step.metrics().rowsIn());
      s.put("rowsOut", step.metrics().rowsOut());
      s.put("bytesIn", step.metrics().bytesIn());
      s.put("bytesOut", step.metrics().bytesOut());
      s.put("rejectedRows", step.metrics().rejectedRows());
      s.put("snapshotId", step.metrics().snapshotId());
      s.put("detail", step.metrics().detail());
      s.put("phases", step.metrics().phasesMillis());
      s.put("error", step.error());
      List<Map<String, Object>> checks = new ArrayList<>();
      for (CheckRecord check : step.checks()) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", check.name());
        c.put("column", check.column());
        c.put("severity", check.severity().label());
        c.put("status", check.status().label());
        c.put("failingRows", check.failingRows());
        c.put("sample", parseSample(check.sampleJson()));
        c.put("message", check.message());
        checks.add(c);
      }
      s.put("checks", checks);
      steps.add(s);
    }
    json.put("steps", steps);
    return json;
  }

  /** A sample of failing rows as JSON values, or its text when it is not JSON. */
  static Object parseSample(String sampleJson) {
    if (sampleJson == null) {
      return null;
    }
    try {
      return Json.MAPPER.readValue(sampleJson, Object.class);
    } catch (java.io.IOException e) {
      return sampleJson;
    }
  }
}
