package dev.sluice.alerts;

import static java.util.Objects.requireNonNull;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import dev.sluice.api.TableName;
import dev.sluice.core.Workspace;
import dev.sluice.core.cost.BudgetEvent;
import dev.sluice.core.project.AlertsConfig;
import dev.sluice.core.project.Selector;
import dev.sluice.core.quality.Durations;
import dev.sluice.core.quality.FreshnessSlos;
import dev.sluice.core.quality.FreshnessTimeline;
import dev.sluice.core.run.CheckOutcome;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunObserver;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.StepResult;
import dev.sluice.core.state.AuditAction;
import dev.sluice.core.state.RunStatus;
import dev.sluice.core.state.StepKey;
import dev.sluice.core.state.StepStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the alerts of {@code alerts:} in sluice.yaml. Each rule watches its selected assets (every
 * asset without {@code select}); an incident (a rule and a subject: a step, a step's check, an
 * asset's freshness) opens at its first failure, which sends one FIRING alert, and ends at the
 * first success after it, which sends one RESOLVED alert; failures in between send nothing. Open
 * incidents live in the state database, so that a CLI run and the scheduler (or two schedulers)
 * send each message once. Alerts are delivered by a thread of their own, retried twice on a
 * failure, and every delivery and failure is in the audit log (action {@code alert}); a channel
 * that cannot be reached never fails a run.
 */
final class AlertObserver implements RunObserver {
  private static final Logger LOG = LoggerFactory.getLogger(AlertObserver.class);
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(60);

  private final Workspace workspace;
  private final Map<String, AlertChannel> channels;
  private final Clock clock;
  private final Map<AlertsConfig.Rule, Set<String>> watched = new LinkedHashMap<>();
  private final ExecutorService sender;
  private final RetryPolicy<Object> retries;

  AlertObserver(
      Workspace workspace,
      Map<String, AlertChannel> channels,
      Clock clock,
      RetryPolicy<Object> retries) {
    this.workspace = requireNonNull(workspace, "workspace is null");
    this.channels = Map.copyOf(channels);
    this.clock = requireNonNull(clock, "clock is null");
    this.retries = requireNonNull(retries, "retries is null");
    for (AlertsConfig.Rule rule : workspace.project().config().alerts().rules()) {
      watched.put(rule, assets(rule));
    }
    this.sender =
        Executors.newSingleThreadExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "sluice-alerts");
              thread.setDaemon(true);
              return thread;
            });
  }

  /** The retries of a delivery: twice more, after 200 ms and then up to 2 s. */
  static RetryPolicy<Object> defaultRetries() {
    return RetryPolicy.builder()
        .handle(AlertDeliveryException.class)
        .withBackoff(Duration.ofMillis(200), Duration.ofSeconds(2))
        .withMaxRetries(2)
        .build();
  }

  private Set<String> assets(AlertsConfig.Rule rule) {
    if (rule.select().isEmpty()) {
      return workspace.project().graph().assets();
    }
    try {
      return new LinkedHashSet<>(
          new Selector(workspace.project()).select(rule.select(), List.of()));
    } catch (RuntimeException e) {
      LOG.error(
          "Alert rule '{}' ({}): its select {} selects nothing: {}",
          rule.name(),
          rule.location(),
          rule.select(),
          e.getMessage());
      return Set.of();
    }
  }

  @Override
  public RunListener runStarted(String runId, String command, Instant startedAt) {
    return new RunAlerts(runId);
  }

  /** The alerts of one run's steps, checks and end. */
  private final class RunAlerts implements RunListener {
    private final String runId;

    RunAlerts(String runId) {
      this.runId = runId;
    }

    @Override
    public void stepFinished(StepResult step) {
      String asset = StepKey.parse(step.asset()).asset();
      watched.forEach(
          (rule, assets) -> {
            if (!assets.contains(asset)) {
              return;
            }
            switch (rule.on()) {
              case RUN_FAILED -> stepOutcome(rule, step);
              case CHECK_FAILED -> checkOutcomes(rule, step);
              case FRESHNESS -> {
                if (step.status() == StepStatus.SUCCEEDED) {
                  freshness(rule, asset, clock.instant(), runId);
                }
              }
              case BUDGET -> {
                // budget events come through budget(), not with steps
              }
              case SLO_BREACH -> {
                if (step.status() == StepStatus.SUCCEEDED) {
                  sloBreach(rule, asset, clock.instant(), runId);
                }
              }
            }
          });
    }

    private void stepOutcome(AlertsConfig.Rule rule, StepResult step) {
      if (step.status() == StepStatus.FAILED) {
        fire(
            rule,
            step.asset(),
            "step " + step.asset() + " failed (" + step.table() + ")",
            step.error() == null ? "The step failed." : step.error(),
            runId);
      } else if (step.status() == StepStatus.SUCCEEDED) {
        resolve(
            rule,
            step.asset(),
            "step " + step.asset() + " succeeded again (" + step.table() + ")",
            "The step succeeded" + (step.detail() == null ? "." : ": " + step.detail()),
            runId);
      }
    }

    private void checkOutcomes(AlertsConfig.Rule rule, StepResult step) {
      for (CheckOutcome check : step.checks()) {
        String subject = step.asset() + ": " + check.check().name();
        String what = "check " + check.check().name() + " on " + step.table();
        if (check.passed()) {
          resolve(rule, subject, what + " passes again", "The check passed.", runId);
          continue;
        }
        String detail =
            check.error() != null
                ? "The check could not run: " + check.error()
                : check.failingRows()
                    + " row(s) failed it (severity "
                    + check.check().severity().name().toLowerCase(java.util.Locale.ROOT)
                    + (check.blocks() ? ": the new data was not published" : ": published anyway")
                    + ").";
        fire(rule, subject, what + " failed", detail, runId);
      }
    }

    @Override
    public void runFinished(RunResult result) {
      if (!result.steps().isEmpty()) {
        return;
      }
      // the run failed as a whole (e.g. its state could not be written): the rules of every asset
      watched.keySet().stream()
          .filter(rule -> rule.on() == AlertsConfig.Trigger.RUN_FAILED && rule.select().isEmpty())
          .forEach(
              rule -> {
                if (result.status() == RunStatus.FAILED) {
                  fire(rule, "run", "run " + result.runId() + " failed", "The run failed.", runId);
                } else if (result.status() == RunStatus.SUCCEEDED) {
                  resolve(rule, "run", "runs succeed again", "A run succeeded.", runId);
                }
              });
    }
  }

  /**
   * Sends a budget event to the rules with {@code on: budget}: one incident per subject, kind and
   * month (a budget warned about in December is warned about again in January).
   */
  @Override
  public void budget(BudgetEvent event) {
    watched.keySet().stream()
        .filter(rule -> rule.on() == AlertsConfig.Trigger.BUDGET)
        .forEach(
            rule -> fire(rule, event.incident(), event.summary(), event.detail(), event.runId()));
  }

  @Override
  public void tick(Instant now) {
    watched.forEach(
        (rule, assets) -> {
          if (rule.on() == AlertsConfig.Trigger.FRESHNESS) {
            for (String asset : assets) {
              freshness(rule, asset, now, null);
            }
          }
          if (rule.on() == AlertsConfig.Trigger.SLO_BREACH) {
            for (String asset : assets) {
              sloBreach(rule, asset, now, null);
            }
          }
        });
  }

  /** Opens or resolves the freshness incident of {@code asset}, by its newest snapshot's age. */
  private void freshness(AlertsConfig.Rule rule, String asset, Instant now, String runId) {
    TableName table = workspace.project().asset(asset).tableName();
    Optional<Instant> built =
        workspace
            .lake()
            .findTable(table)
            .map(Table::currentSnapshot)
            .map(Snapshot::timestampMillis)
            .map(Instant::ofEpochMilli);
    if (built.isPresent() && Duration.between(built.get(), now).compareTo(rule.maxAge()) <= 0) {
      resolve(
          rule,
          asset,
          table + " is fresh again",
          "Its newest data is from " + built.get() + " (max_age " + describe(rule.maxAge()) + ").",
          runId);
      return;
    }
    fire(
        rule,
        asset,
        table + " is stale",
        built.isEmpty()
            ? "It was never built."
            : "Its newest data is from "
                + built.get()
                + ", "
                + describe(Duration.between(built.get(), now))
                + " old: more than max_age "
                + describe(rule.maxAge())
                + ".",
        runId);
  }

  /**
   * Opens or resolves the SLO incident of {@code asset}: open while it is older than its {@code
   * error_after} or its SLO's error budget is spent. An asset without {@code freshness:} has none.
   */
  private void sloBreach(AlertsConfig.Rule rule, String asset, Instant now, String runId) {
    Optional<FreshnessSlos.AssetFreshness> evaluated;
    try {
      evaluated = new FreshnessSlos(workspace.project(), workspace.runStore()).evaluate(asset, now);
    } catch (RuntimeException e) {
      LOG.error(
          "Alert rule '{}': the freshness of {} cannot be judged: {}",
          rule.name(),
          asset,
          e.getMessage());
      return;
    }
    if (evaluated.isEmpty()) {
      return;
    }
    FreshnessSlos.AssetFreshness freshness = evaluated.get();
    FreshnessTimeline.Result result = freshness.result();
    String subject = asset + ": freshness slo";
    if (!freshness.breached()) {
      resolve(
          rule,
          subject,
          asset + " meets its freshness again",
          "It is "
              + result.state().label()
              + (result.age() == null
                  ? "."
                  : ", its data " + Durations.describe(result.age()) + " old."),
          runId);
      return;
    }
    StringBuilder detail = new StringBuilder();
    if (result.state() == FreshnessTimeline.State.ERROR) {
      detail
          .append("Its data is ")
          .append(Durations.describe(result.age()))
          .append(" old: more than error_after ")
          .append(Durations.describe(freshness.freshness().errorAfter()))
          .append(". ");
    }
    if (result.budgetSpent()) {
      detail
          .append("Its SLO's error budget is spent: stale for ")
          .append(Durations.describe(result.stale()))
          .append(" of the ")
          .append(Durations.describe(result.budget()))
          .append(" allowed in ")
          .append(Durations.describe(freshness.freshness().slo().window()))
          .append(".");
    }
    fire(rule, subject, asset + " breaches its freshness slo", detail.toString().strip(), runId);
  }

  private static String describe(Duration duration) {
    long minutes = duration.toMinutes();
    if (minutes < 120) {
      return minutes + "m";
    }
    long hours = duration.toHours();
    return hours < 48 ? hours + "h" : duration.toDays() + "d";
  }

  private void fire(
      AlertsConfig.Rule rule, String subject, String summary, String detail, String runId) {
    Instant at = clock.instant();
    if (workspace.runStore().alertIncidents().open(rule.name(), subject, summary, at)) {
      dispatch(rule, subject, Alert.Status.FIRING, summary, detail, runId, at);
    }
  }

  private void resolve(
      AlertsConfig.Rule rule, String subject, String summary, String detail, String runId) {
    if (workspace.runStore().alertIncidents().resolve(rule.name(), subject)) {
      dispatch(rule, subject, Alert.Status.RESOLVED, summary, detail, runId, clock.instant());
    }
  }

  private void dispatch(
      AlertsConfig.Rule rule,
      String subject,
      Alert.Status status,
      String summary,
      String detail,
      String runId,
      Instant at) {
    Alert alert =
        new Alert(
            workspace.project().config().name(),
            rule.name(),
            rule.on(),
            subject,
            status,
            summary,
            detail,
            runId,
            at);
    for (String name : rule.channels()) {
      AlertChannel channel = channels.get(name);
      if (channel != null) {
        sender.execute(() -> deliver(alert, channel));
      }
    }
  }

  private void deliver(Alert alert, AlertChannel channel) {
    String error = null;
    try {
      Failsafe.with(retries).run(() -> channel.send(alert));
    } catch (FailsafeException | AlertDeliveryException e) {
      Throwable cause = e instanceof FailsafeException && e.getCause() != null ? e.getCause() : e;
      error = cause.getMessage();
      LOG.warn("Alert '{}' ({}) was not delivered: {}", alert.title(), alert.rule(), error);
    }
    var entry =
        workspace
            .audit()
            .entry(AuditAction.ALERT)
            .detail("rule", alert.rule())
            .detail("trigger", alert.trigger().label())
            .detail("subject", alert.subject())
            .detail("status", alert.status().label())
            .detail("summary", alert.summary())
            .detail("channel", channel.name())
            .detail("delivered", error == null);
    if (alert.runId() != null) {
      entry.detail("run", alert.runId());
    }
    if (error != null) {
      entry.detail("error", error);
    }
    workspace.audit().record(entry.build());
  }

  /** Waits for the alerts being delivered (at most a minute), then stops the sending thread. */
  @Override
  public void close() {
    sender.shutdown();
    try {
      if (!sender.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("Alerts still being delivered after {}: giving up on them", CLOSE_WAIT);
        sender.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      sender.shutdownNow();
    }
  }

  @Override
  public String toString() {
    return "alerts(" + String.join(", ", channels.keySet()) + ")";
  }
}
