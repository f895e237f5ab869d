package dev.sluice.server.api;

import static dev.sluice.server.api.AssetStateEndpoints.choice;
import static dev.sluice.server.api.AssetStateEndpoints.lower;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.api.InvalidInputException;
import dev.sluice.core.Workspace;
import dev.sluice.core.run.Backfills;
import dev.sluice.core.run.PartitionSelection;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.Runner;
import dev.sluice.core.state.RunDetail;
import dev.sluice.core.state.RunEvent;
import dev.sluice.core.state.RunSummary;
import dev.sluice.core.state.StepDetail;
import dev.sluice.core.state.StepKey;
import dev.sluice.core.state.StepStatus;
import dev.sluice.governance.Principal;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Runs beyond starting and cancelling them: a rerun from failure, and backfills of partitioned
 * models with their progress, as {@code sluice rerun --from-failure} and {@code sluice backfill} do
 * on the command line.
 */
public final class RunControlEndpoints {
  private static final String BACKFILL_EXAMPLE =
      "{\"select\": [\"daily_revenue\"], \"from\": \"2024-01-01\", \"to\": \"2024-02-01\","
          + " \"mode\": \"missing\"}";

  /** How many recent runs the list of backfills looks through. */
  static final int RECENT_RUNS = 1000;

  private final Supplier<Workspace> workspace;
  private final RunLauncher launcher;
  private final Clock clock;

  public RunControlEndpoints(Supplier<Workspace> workspace, RunLauncher launcher, Clock clock) {
    this.workspace = requireNonNull(workspace, "workspace is null");
    this.launcher = requireNonNull(launcher, "launcher is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  public void register(Routes routes) {
    routes.post(
        "/api/v1/runs/{id}/rerun",
        Access.ADMIN,
        "Run again the failed, skipped and interrupted steps of a run",
        this::rerun);
    routes.get(
        "/api/v1/runs/{id}/events",
        Access.AUTHENTICATED,
        "A run's timeline: queued, started, retries, checks, commits, the end",
        this::events);
    routes.get(
        "/api/v1/backfills", Access.AUTHENTICATED, "Backfills, the newest first", this::backfills);
    routes.post(
        "/api/v1/backfills",
        Access.ADMIN,
        "Start a backfill of partitions of the selected partitioned models",
        this::launch);
    routes.get(
        "/api/v1/backfills/{id}",
        Access.AUTHENTICATED,
        "A backfill's progress, step by step",
        this::progress);
  }

  private void events(Context ctx, Principal principal) {
    Page page = Page.of(ctx);
    String id = ctx.pathParam("id");
    Workspace open = workspace.get();
    RunDetail detail =
        open.runStore()
            .runs()
            .findRun(id)
            .orElseThrow(
                () -> ApiException.notFound("No run '" + id + "': GET /api/v1/runs lists them"));
    List<Map<String, Object>> items = new ArrayList<>();
    for (RunEvent event : open.runStore().events().events(detail.summary().id())) {
      Map<String, Object> each = new LinkedHashMap<>();
      each.put("at", event.at());
      each.put("asset", event.asset());
      each.put("kind", event.kind());
      each.put("message", event.message());
      items.add(each);
    }
    ctx.json(page.slice(items));
  }

  private void rerun(Context ctx, Principal principal) throws InterruptedException {
    String runId = launcher.rerun(ctx.pathParam("id"));
    ctx.status(202)
        .json(Map.of("id", runId, "rerunOf", ctx.pathParam("id"), "run", "/api/v1/runs/" + runId));
  }

  private void launch(Context ctx, Principal principal) throws InterruptedException {
    JsonNode body = Json.object(ctx.body(), BACKFILL_EXAMPLE);
    List<String> select = texts(body, "select");
    if (select.isEmpty()) {
      throw new InvalidInputException(
          "Say what to backfill with 'select': send e.g. " + BACKFILL_EXAMPLE);
    }
    PartitionSelection.Mode mode =
        Json.optionalText(body, "mode", BACKFILL_EXAMPLE)
            .map(
                text ->
                    choice(
                        text,
                        new PartitionSelection.Mode[] {
                          PartitionSelection.Mode.ALL,
                          PartitionSelection.Mode.MISSING,
                          PartitionSelection.Mode.FAILED
                        },
                        "mode"))
            .orElse(PartitionSelection.Mode.ALL);
    LocalDate from = date(body, "from");
    LocalDate to = date(body, "to");
    int batchSize = number(body, "batchSize", 1, 1);
    int concurrency = number(body, "concurrency", 0, 0);
    RunOptions options =
        new RunOptions(
            select,
            texts(body, "exclude"),
            false,
            PartitionSelection.days(mode, from, to, texts(body, "partitions"), batchSize),
            concurrency);
    Workspace open = workspace.get();
    List<String> models = Backfills.partitionedModels(open, new Runner(open, clock), options);
    String runId =
        launcher.launch(
            options,
            "api backfill by "
                + principal.name()
                + " "
                + String.join(" ", select)
                + (from == null ? "" : " --from " + from)
                + (to == null ? "" : " --to " + to));
    ctx.status(202)
        .json(Map.of("id", runId, "models", models, "progress", "/api/v1/backfills/" + runId));
  }

  private void backfills(Context ctx, Principal principal) {
    Page page = Page.of(ctx);
    List<Map<String, Object>> items = new ArrayList<>();
    for (RunSummary run : workspace.get().runStore().runs().listRuns(RECENT_RUNS)) {
      if (backfill(run.command())) {
        Map<String, Object> each = new LinkedHashMap<>();
        each.put("id", run.id());
        each.put("command", run.command());
        each.put("status", lower(run.status().name()));
        each.put("startedAt", run.startedAt());
        each.put("finishedAt", run.finishedAt());
        each.put("progress", "/api/v1/backfills/" + run.id());
        items.add(each);
      }
    }
    ctx.json(page.slice(items));
  }

  private static boolean backfill(String command) {
    return command != null
        && (command.startsWith("backfill ")
            || command.startsWith("api backfill ")
            || command.startsWith("ui backfill "));
  }

  private void progress(Context ctx, Principal principal) {
    Page page = Page.of(ctx);
    String id = ctx.pathParam("id");
    Workspace open = workspace.get();
    RunDetail detail =
        open.runStore()
            .runs()
            .findRun(id)
            .orElseThrow(
                () ->
                    ApiException.notFound(
                        "No run '" + id + "': GET /api/v1/backfills lists the backfills"));
    String runId = detail.summary().id();
    Map<StepKey, StepDetail> recorded = new LinkedHashMap<>();
    for (StepDetail step : detail.steps()) {
      recorded.put(step.key(), step);
    }
    List<StepKey> planned =
        open.runStore().plans().plan(runId).orElse(List.copyOf(recorded.keySet()));
    Map<StepStatus, Integer> counts = new EnumMap<>(StepStatus.class);
    int pending = 0;
    List<Map<String, Object>> steps = new ArrayList<>();
    for (StepKey key : planned) {
      StepDetail step = recorded.get(key);
      if (step == null) {
        pending++;
      } else {
        counts.merge(step.status(), 1, Integer::sum);
      }
      Map<String, Object> each = new LinkedHashMap<>();
      each.put("asset", key.asset());
      each.put("partition", key.partition());
      each.put("status", step == null ? "pending" : lower(step.status().name()));
      each.put("startedAt", step == null ? null : step.startedAt());
      each.put("finishedAt", step == null ? null : step.finishedAt());
      each.put("error", step == null ? null : step.error());
      steps.add(each);
    }
    int succeeded = counts.getOrDefault(StepStatus.SUCCEEDED, 0);
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("id", runId);
    answer.put("command", detail.summary().command());
    answer.put("status", lower(detail.summary().status().name()));
    answer.put("startedAt", detail.summary().startedAt());
    answer.put("finishedAt", detail.summary().finishedAt());
    answer.put("planned", planned.size());
    answer.put("succeeded", succeeded);
    answer.put("failed", counts.getOrDefault(StepStatus.FAILED, 0));
    answer.put("skipped", counts.getOrDefault(StepStatus.SKIPPED, 0));
    answer.put("running", counts.getOrDefault(StepStatus.RUNNING, 0));
    answer.put("pending", pending);
    answer.put(
        "percentDone", planned.isEmpty() ? 100 : Math.round(100.0 * succeeded / planned.size()));
    answer.put("steps", page.slice(steps));
    ctx.json(answer);
  }

  private static List<String> texts(JsonNode body, String field) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (!node.isArray()) {
      throw new InvalidInputException(
          "'" + field + "' must be a list of names: send e.g. " + BACKFILL_EXAMPLE);
    }
    List<String> items = new ArrayList<>();
    for (JsonNode item : node) {
      if (!item.isTextual() || item.asText().isBlank()) {
        throw new InvalidInputException(
            "Each item of '" + field + "' must be a non-empty text: send e.g. " + BACKFILL_EXAMPLE);
      }
      items.add(item.asText().strip());
    }
    return items;
  }

  private static LocalDate date(JsonNode body, String field) {
    Optional<String> text = Json.optionalText(body, field, BACKFILL_EXAMPLE);
    if (text.isEmpty()) {
      return null;
    }
    try {
      return LocalDate.parse(text.get().strip());
    } catch (DateTimeParseException e) {
      throw new InvalidInputException(
          "'" + field + "' must be a date like 2024-03-01, got '" + text.get() + "'");
    }
  }

  private static int number(JsonNode body, String field, int defaultValue, int min) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return defaultValue;
    }
    if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < min) {
      throw new InvalidInputException(
          "'" + field + "' must be a whole number of at least " + min + ", got " + node);
    }
    return node.asInt();
  }
}
