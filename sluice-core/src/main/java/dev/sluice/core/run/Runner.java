package dev.sluice.core.run;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.api.InvalidInputException;
import dev.sluice.api.SluiceException;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.engine.QueryResult;
import dev.sluice.api.timing.PhaseTimer;
import dev.sluice.api.timing.StepPhase;
import dev.sluice.core.Workspace;
import dev.sluice.core.cost.BudgetEvent;
import dev.sluice.core.cost.Budgets;
import dev.sluice.core.cost.CostJumps;
import dev.sluice.core.cost.ResourceMeter;
import dev.sluice.core.project.Asset;
import dev.sluice.core.project.Execution;
import dev.sluice.core.project.ModelDef;
import dev.sluice.core.project.ModelMetadata;
import dev.sluice.core.project.Project;
import dev.sluice.core.project.SourceTableDef;
import dev.sluice.core.project.SqlRenderer;
import dev.sluice.core.project.TestAfterParents;
import dev.sluice.core.state.AbandonedRuns;
import dev.sluice.core.state.BuiltModel;
import dev.sluice.core.state.CheckRecord;
import dev.sluice.core.state.RunDetail;
import dev.sluice.core.state.RunOwner;
import dev.sluice.core.state.RunStatus;
import dev.sluice.core.state.RunStore;
import dev.sluice.core.state.RunTakenOverException;
import dev.sluice.core.state.StepDetail;
import dev.sluice.core.state.StepKey;
import dev.sluice.core.state.StepKind;
import dev.sluice.core.state.StepMetrics;
import dev.sluice.core.state.StepStatus;
import dev.sluice.core.state.StepUsage;
import dev.sluice.core.state.TableProfile;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a project's assets in dependency order: independent assets in parallel (at most {@code
 * threads} at once), each in its own engine session. A failed asset skips everything downstream of
 * it. Every step is recorded in the run store.
 */
public final class Runner {
  private static final Logger LOG = LoggerFactory.getLogger(Runner.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Workspace workspace;
  private final SqlRenderer renderer = new SqlRenderer();

  private final StepAttempts attempts;
  private final Clock clock;
  private final Map<String, java.util.concurrent.Semaphore> pools = new HashMap<>();
  // null: steps run in this process; else they are handed to the workers
  private final WorkerDispatch dispatch;

  /** A runner on the system clock (UTC). */
  public Runner(Workspace workspace) {
    this(workspace, Clock.systemUTC());
  }

  /**
   * A runner that reads the time (run and step timestamps, heartbeats, locks) from {@code clock}.
   */
  public Runner(Workspace workspace, Clock clock) {
    this(workspace, Duration.ofSeconds(1), Duration.ofMinutes(1), clock);
  }

  /**
   * A runner on the system clock whose retries wait {@code retryBaseDelay}, doubling (with jitter)
   * up to {@code retryMaxDelay}.
   */
  public Runner(Workspace workspace, Duration retryBaseDelay, Duration retryMaxDelay) {
    this(workspace, retryBaseDelay, retryMaxDelay, Clock.systemUTC());
  }

  /**
   * A runner whose retries wait {@code retryBaseDelay}, doubling (with jitter) up to {@code
   * retryMaxDelay}, and which reads the time from {@code clock}.
   */
  public Runner(Workspace workspace, Duration retryBaseDelay, Duration retryMaxDelay, Clock clock) {
    this.workspace = requireNonNull(workspace, "workspace is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.attempts =
        new StepAttempts(
            workspace::engine, WATCHDOG, retryBaseDelay, retryMaxDelay, workspace.lake()::explain);
    workspace
        .project()
        .config()
        .pools()
        .forEach((name, slots) -> pools.put(name, new java.util.concurrent.Semaphore(slots, true)));
    this.dispatch = null;
  }

  private Runner(Runner runner, WorkerDispatch dispatch) {
    this.workspace = runner.workspace;
    this.clock = runner.clock;
    this.attempts = runner.attempts;
    this.pools.putAll(runner.pools);
    this.dispatch = dispatch;
  }

  /**
   * A runner like this one that hands its steps to the workers ({@code sluice serve --worker})
   * sharing the state database, and waits for them: it plans the run, queues each step once its
   * upstream steps succeeded (at most {@code threads} at once), and records the run; the workers
   * run and record the steps. Pools are limits across all workers.
   *
   * @throws InvalidInputException when the state database cannot be shared (SQLite), or a live
   *     worker runs another Sluice version
   */
  public Runner onWorkers() {
    return new Runner(this, WorkerDispatch.start(workspace, clock));
  }

  private static final Duration CANCEL_POLL = Duration.ofMillis(500);
  private static final Duration LOCK_TTL = Duration.ofSeconds(60);

  /** How often a running run records that its process is alive. */
  static final Duration HEARTBEAT = Duration.ofSeconds(10);

  private static final java.util.concurrent.ScheduledExecutorService WATCHDOG =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "sluice-step-timeouts");
            thread.setDaemon(true);
            return thread;
          });

  /** The assets a run with these options would build, in dependency order. */
  public List<String> plan(RunOptions options) {
    return new dev.sluice.core.project.Selector(workspace.project())
        .select(options.select(), options.exclude());
  }

  public RunResult run(RunOptions options, RunListener listener) {
    return run(options, listener, "run");
  }

  /**
   * Runs again what a run left undone: its steps that failed, were skipped, were interrupted or
   * never started. Committed steps are not redone. A run still marked as running whose process is
   * gone (killed, crashed) is first marked as interrupted and its locks released.
   *
   * @throws InvalidInputException when the run is unknown, still running in a live process, or
   *     nothing is left to do
   */
  public RunResult resume(String runIdOrPrefix, RunListener listener) {
    RunStore store = workspace.runStore();
    RunDetail previous =
        store
            .runs()
            .findRun(runIdOrPrefix)
            .orElseThrow(
                () ->
                    new InvalidInputException(
                        "No run " + runIdOrPrefix + ": 'sluice runs' lists them"));
    String previousId = previous.summary().id();
    Optional<String> environment = store.environments().environmentOf(previousId);
    if (environment.isPresent()) {
      throw new InvalidInputException(
          "Run "
              + previousId
              + " built environment "
              + environment.get()
              + ", which is not resumed: run 'sluice run --env "
              + environment.get()
              + "' again, it rebuilds what differs from production");
    }
    if (previous.summary().status() == RunStatus.RUNNING
        && new AbandonedRuns(store, clock).interruptIfGone(previousId).isEmpty()) {
      Optional<RunOwner> owner = store.runs().runOwner(previousId);
      if (owner.isPresent() && owner.get().status() == RunStatus.RUNNING) {
        throw new InvalidInputException(
            "Run "
                + previousId
                + " is still running"
                + (owner.get().process() == null ? "" : " (" + owner.get().process() + ")")
                + ": wait for it to finish, or stop it with 'sluice runs cancel "
                + previousId
                + "' and resume it then");
      }
      // it finished meanwhile: read what it did
      previous = store.runs().findRun(previousId).orElseThrow();
    } else if (previous.summary().status() == RunStatus.RUNNING) {
      previous = store.runs().findRun(previousId).orElseThrow();
    }
    Set<StepKey> done = new HashSet<>();
    for (StepDetail step : previous.steps()) {
      if (step.status() == StepStatus.SUCCEEDED) {
        done.add(step.key());
      }
    }
    Optional<List<StepKey>> plan = store.plans().plan(previousId);
    List<Work> remaining = new ArrayList<>();
    if (plan.isPresent()) {
      WorkPlanner planner = new WorkPlanner(workspace, clock.instant());
      for (StepKey step : plan.get()) {
        if (!done.contains(step)) {
          planner.fromKey(step).ifPresent(remaining::add);
        }
      }
    } else {
      for (String asset :
          new dev.sluice.core.project.Selector(workspace.project())
              .select(previous.selection(), List.of())) {
        if (!done.contains(StepKey.of(asset))) {
          remaining.add(Work.whole(asset));
        }
      }
    }
    if (remaining.isEmpty()) {
      throw new InvalidInputException(
          "Nothing to resume: every step of run " + previousId + " succeeded");
    }
    removeBranchesLeftBy(previousId, remaining);
    return execute(
        remaining,
        new RunOptions(previous.selection(), false),
        listener,
        "resume " + previousId,
        false);
  }

  /**
   * Removes the audit and merge branches a killed run's steps left on the tables the resume builds
   * again (the resumed run writes under its own id); a branch that cannot be removed now is left to
   * maintenance.
   */
  private void removeBranchesLeftBy(String previousId, List<Work> remaining) {
    Set<TableName> tables = new HashSet<>();
    for (Work work : remaining) {
      workspace.project().findAsset(work.key().name()).ifPresent(a -> tables.add(a.tableName()));
    }
    try {
      int removed = AuditBranches.removeRunBranches(workspace.lake(), tables, previousId);
      if (removed > 0) {
        LOG.info("Removed {} branches left by run {}", removed, previousId);
      }
    } catch (RuntimeException e) {
      LOG.warn(
          "Could not remove the branches left by run {} (sluice maintain --branches will): {}",
          previousId,
          e.getMessage());
    }
  }

  /** Runs, recording {@code command} as what started the run (e.g. {@code schedule hourly}). */
  public RunResult run(RunOptions options, RunListener listener, String command) {
    boolean unitTests = false;
    if (workspace.project().dbt() != null) {
      // dbt's --exclude test_type:unit leaves out unit tests, not the models they test
      dev.sluice.core.quality.UnitTestSelection selection =
          dev.sluice.core.quality.UnitTestSelection.of(options.select(), options.exclude());
      options =
          new RunOptions(
              options.select(),
              selection.exclude(),
              options.fullRefresh(),
              options.partitions(),
              options.threads(),
              options.replay(),
              options.environment(),
              options.failFast());
      // dbt build runs each model's unit tests before building it; dbt run does not
      unitTests =
          selection.unitTests()
              && "build".equals(workspace.project().invocation().flags().get("WHICH"));
    }
    List<Work> works = new WorkPlanner(workspace, clock.instant()).plan(plan(options), options);
    // a run that would take a hard budget past its amount is refused before it starts
    new Budgets(workspace).checkRun(works.stream().map(Work::asset).toList(), clock.instant());
    return execute(works, options, listener, command, unitTests);
  }

  /** The steps a run with these options would take: assets, or partitions of them. */
  public List<String> steps(RunOptions options) {
    return new WorkPlanner(workspace, clock.instant())
        .plan(plan(options), options).stream().map(Work::id).toList();
  }

  private RunResult execute(
      List<Work> works,
      RunOptions options,
      RunListener runListener,
      String command,
      boolean unitTests) {
    Project project = workspace.project();
    UnitTestGate gate =
        unitTests
            ? UnitTestGate.of(
                project,
                workspace.lake(),
                works.stream().map(Work::asset).collect(java.util.stream.Collectors.toSet()))
            : UnitTestGate.none(project);
    List<StepKey> steps = works.stream().map(Work::key).toList();
    List<String> order = steps.stream().map(StepKey::name).toList();
    Instant started = clock.instant();
    RunStore store = workspace.runStore();
    String runId = store.runs().startRun(command, options.select(), started);
    workspace.audit().runStarted(runId, command, options.select());
    workspace.audit().policyFile(project.root().resolve("policies.yaml"));
    store.plans().recordPlan(runId, steps);
    RunListener listener = workspace.observers().runStarted(runId, command, started, runListener);
    listener.runStarted(runId, order.size());
    event(
        runId,
        null,
        "queued",
        order.size()
            + " steps: "
            + String.join(", ", order.size() > 20 ? order.subList(0, 20) : order)
            + (order.size() > 20 ? ", ..." : ""));
    RunControl control = new RunControl();
    store.runs().heartbeat(runId, started);
    Instant[] lastHeartbeat = {started};
    RunTakenOverException[] takenOver = {null};
    java.util.concurrent.ScheduledFuture<?> cancelPoll =
        WATCHDOG.scheduleWithFixedDelay(
            () -> {
              try {
                // steps' CPU time and peak memory are read between their start and end too
                ResourceMeter.process().sample();
                Instant now = clock.instant();
                if (now.isAfter(lastHeartbeat[0].plus(HEARTBEAT))) {
                  store.runs().heartbeat(runId, now);
                  lastHeartbeat[0] = now;
                }
                if (!control.cancelled() && store.runs().isCancelRequested(runId)) {
                  LOG.warn("Run {} was asked to stop: cancelling its steps", runId);
                  control.cancel();
                }
              } catch (RunTakenOverException e) {
                // this process was paused past its heartbeat and the run resumed elsewhere
                takenOver[0] = e;
                control.cancel();
              } catch (RuntimeException e) {
                LOG.warn("Cannot read whether run {} was cancelled: {}", runId, e.getMessage());
              }
            },
            CANCEL_POLL.toMillis(),
            CANCEL_POLL.toMillis(),
            java.util.concurrent.TimeUnit.MILLISECONDS);
    Map<String, List<Work>> worksByAsset = new LinkedHashMap<>();
    works.forEach(
        work -> worksByAsset.computeIfAbsent(work.asset(), ignored -> new ArrayList<>()).add(work));
    Map<StepKey, CompletableFuture<StepResult>> futures = new HashMap<>();
    int threads =
        Math.max(1, options.threads() > 0 ? options.threads() : project.config().threads());
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    TestsAfterParents afterParents =
        new TestsAfterParents(
            project, works, project.dbt() == null ? Set.of() : Set.copyOf(plan(options)));
    try {
      onRunHooks(project, true, List.of()); // a dbt project's on-run-start, before the first step
      // the tests of ephemeral models that read nothing the run builds
      runTestsAfterParents(afterParents.first(), afterParents, Map.of(), runId, started, options);
      for (Work work : works) {
        List<CompletableFuture<StepResult>> upstream = new ArrayList<>();
        Set<StepKey> waitsFor = new java.util.LinkedHashSet<>();
        for (Work dependency : dependencies(work, worksByAsset)) {
          waitsFor.add(dependency.key());
        }
        // and the tests on several nodes that gate it, which ran after their last parent's step
        waitsFor.addAll(afterParents.gatingHosts(work));
        waitsFor.forEach(key -> upstream.add(futures.get(key)));
        CompletableFuture<StepResult> future =
            CompletableFuture.allOf(upstream.toArray(CompletableFuture[]::new))
                .thenApplyAsync(
                    ignored -> {
                      StepResult result =
                          runStep(
                              work,
                              upstream,
                              runId,
                              started,
                              options,
                              control,
                              listener,
                              gate,
                              afterParents);
                      if (options.failFast() && result.status() == StepStatus.FAILED) {
                        control.failed(result.asset());
                      }
                      return result;
                    },
                    pool);
        List<TestAfterParents> hosted = afterParents.hostedBy(work);
        if (!hosted.isEmpty()) {
          CompletableFuture<StepResult> built = future;
          // the steps of the tests' parents, this one as built (before its tests)
          Map<StepKey, CompletableFuture<StepResult>> parents = new HashMap<>();
          for (TestAfterParents test : hosted) {
            for (Work parent : afterParents.parentWorks(test)) {
              parents.put(parent.key(), futures.get(parent.key()));
            }
          }
          parents.put(work.key(), built);
          future =
              CompletableFuture.allOf(parents.values().toArray(CompletableFuture[]::new))
                  .thenApplyAsync(
                      ignored -> {
                        runTestsAfterParents(
                            hosted, afterParents, parents, runId, started, options);
                        return built.join();
                      },
                      pool);
        }
        futures.put(work.key(), future);
      }
      List<StepResult> results = new ArrayList<>();
      for (Work work : works) {
        results.add(futures.get(work.key()).join());
      }
      results = afterParents.withOutcomes(results);
      if (takenOver[0] != null) {
        throw takenOver[0];
      }
      // a dbt project's on-run-end, after the last step, whatever the steps' outcome (as dbt)
      recordUnitTests(runId, gate.results());
      String hookFailure = onRunHooks(project, false, results, false, gate.results());
      boolean failed =
          hookFailure != null
              || afterParents.failed() > 0
              || results.stream().anyMatch(r -> r.status() != StepStatus.SUCCEEDED);
      long failures = results.stream().filter(r -> r.status() == StepStatus.FAILED).count();
      long unitFailures = gate.notPassed();
      String stepsFailed =
          failures
              + " step(s) failed"
              + (afterParents.failed() > 0 ? ", " + afterParents.failed() + " test(s) failed" : "")
              + (unitFailures > 0 ? ", " + unitFailures + " unit test(s) did not pass" : "");
      RunStatus status =
          control.cancelled()
              ? RunStatus.CANCELLED
              : failed ? RunStatus.FAILED : RunStatus.SUCCEEDED;
      Instant finished = clock.instant();
      event(runId, null, "finished", status.name().toLowerCase(java.util.Locale.ROOT));
      String error =
          control.cancelled()
              ? "cancelled on request"
              : hookFailure != null
                  ? (failures > 0 || unitFailures > 0 || afterParents.failed() > 0
                          ? stepsFailed + "; "
                          : "")
                      + hookFailure
                  : failed ? stepsFailed : null;
      announceSpending(runId, finished);
      store.runs().finishRun(runId, status, finished, error);
      workspace.audit().runFinished(runId, status, error);
      RunResult result =
          new RunResult(
              runId, status, Duration.between(started, finished), results, gate.results());
      listener.runFinished(result);
      return result;
    } catch (RuntimeException e) {
      RunTakenOverException fenced = takenOver(e);
      if (fenced != null) {
        LOG.debug("Run {} was taken over", runId, e);
        throw fenced;
      }
      Instant failed = clock.instant();
      store.runs().finishRun(runId, RunStatus.FAILED, failed, e.getMessage());
      workspace.audit().runFinished(runId, RunStatus.FAILED, e.getMessage());
      listener.runFinished(
          new RunResult(runId, RunStatus.FAILED, Duration.between(started, failed), List.of()));
      throw e;
    } finally {
      cancelPoll.cancel(false);
      pool.shutdownNow();
      gate.close();
    }
  }

  /**
   * Runs a dbt project's on-run-start hooks (which stop the run when one fails: no step runs) or
   * its on-run-end hooks, with the steps' results, in an engine session of their own.
   *
   * @return for on-run-end, the failure of a hook, or null
   * @throws SluiceException when an on-run-start hook fails
   */
  private String onRunHooks(Project project, boolean start, List<StepResult> results) {
    return onRunHooks(project, start, results, false, List.of());
  }

  /**
   * As {@link #onRunHooks(Project, boolean, List)}; {@code testsOnly} for dbt test's results, with
   * the unit tests' results, which on-run-end's {@code results} have too.
   */
  private String onRunHooks(
      Project project,
      boolean start,
      List<StepResult> results,
      boolean testsOnly,
      List<dev.sluice.core.quality.UnitTests.Result> unitTests) {
    if (project.dbt() == null) {
      return null;
    }
    List<dev.sluice.core.project.DbtHooks.Hook> hooks =
        start ? project.dbt().hooks().onRunStart() : project.dbt().hooks().onRunEnd();
    if (hooks.isEmpty()) {
      return null;
    }
    try (EngineSession session = workspace.engine().openSession()) {
      DbtHookRunner.onRun(
          project,
          session,
          renderer,
          hooks,
          start ? "on-run-start hook" : "on-run-end hook",
          start ? Map.of() : DbtHookRunner.runEndContext(project, results, testsOnly, unitTests));
      return null;
    } catch (SluiceException e) {
      if (start) {
        throw e;
      }
      LOG.error("{}", e.getMessage());
      return e.getMessage();
    }
  }

  /**
   * Flags the steps whose cost jumped far above their history (in the run's timeline and to the
   * observers) and tells the observers of the budgets the run took past their warning share, when
   * sluice.yaml declares budgets or an alert rule on budgets. A failure is logged: spending is
   * reported, never a reason to fail a run.
   */
  private void announceSpending(String runId, Instant now) {
    dev.sluice.core.project.ProjectConfig config = workspace.project().config();
    boolean watched =
        !config.budgets().isEmpty()
            || config.alerts().rules().stream()
                .anyMatch(rule -> rule.on() == dev.sluice.core.project.AlertsConfig.Trigger.BUDGET);
    if (!watched) {
      // nobody listens: no reading of the month's history after every run
      return;
    }
    try {
      for (BudgetEvent jump : new CostJumps(workspace.runStore()).inRun(runId, now)) {
        LOG.warn("Run {}: {}", runId, jump.detail());
        event(runId, jump.subject(), "cost_jump", jump.detail());
        workspace.observers().budget(jump);
      }
      new Budgets(workspace).announce(now, runId);
    } catch (RuntimeException e) {
      LOG.warn("Cannot tell the spending of run {}: {}", runId, e.toString());
    }
  }

  /** The fencing failure behind a failure, if it is one: the run was taken over. */
  private static RunTakenOverException takenOver(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof RunTakenOverException fenced) {
        return fenced;
      }
    }
    return null;
  }

  /**
   * The steps a step waits for: the steps of its upstream assets in the run; for two models
   * partitioned alike, only the upstream steps that build the same partitions.
   */
  private List<Work> dependencies(Work work, Map<String, List<Work>> worksByAsset) {
    List<Work> dependencies = new ArrayList<>();
    Project project = workspace.project();
    ModelDef model = project.models().get(work.asset());
    for (String upstream : builtUpstream(project, work.asset())) {
      List<Work> upstreamWorks = worksByAsset.getOrDefault(upstream, List.of());
      ModelDef upstreamModel = project.models().get(upstream);
      boolean alike =
          work.partitioned()
              && !work.replaceAll()
              && model != null
              && upstreamModel != null
              && upstreamModel.partitioned()
              && upstreamModel.partitions().equals(model.partitions());
      for (Work candidate : upstreamWorks) {
        if (!alike
            || candidate.replaceAll()
            || !java.util.Collections.disjoint(candidate.keys(), work.keys())) {
          dependencies.add(candidate);
        }
      }
    }
    return dependencies;
  }

  /**
   * The assets directly upstream of one that are built: an ephemeral model, inlined in what reads
   * it, stands for what it reads.
   */
  private static Set<String> builtUpstream(Project project, String asset) {
    Set<String> upstream = new java.util.LinkedHashSet<>();
    for (String direct : project.graph().upstream(asset)) {
      ModelDef model = project.models().get(direct);
      if (model != null && !model.materialization().built()) {
        upstream.addAll(builtUpstream(project, direct));
      } else {
        upstream.add(direct);
      }
    }
    return upstream;
  }

  /**
   * Runs the checks of the selected assets against their published data, without building anything;
   * in a dbt project, first the unit tests of the selected models, as {@code dbt test} runs both
   * ({@code --select test_type:unit} runs only those, {@code --exclude test_type:unit} none).
   */
  public RunResult test(RunOptions options, RunListener listener) {
    Project project = workspace.project();
    List<dev.sluice.core.quality.UnitTests.Result> unitResults = new ArrayList<>();
    List<String> order;
    if (project.dbt() != null) {
      dev.sluice.core.quality.UnitTestSelection selection =
          dev.sluice.core.quality.UnitTestSelection.of(options.select(), options.exclude());
      RunOptions assets =
          new RunOptions(
              options.select(),
              selection.exclude(),
              options.fullRefresh(),
              options.partitions(),
              options.threads(),
              options.replay(),
              options.environment(),
              options.failFast());
      order = selection.onlyUnitTests() ? List.of() : plan(assets);
      if (selection.unitTests()) {
        List<dev.sluice.core.project.UnitTestDef> tests =
            dev.sluice.core.quality.UnitTests.select(
                project, options.select(), selection.exclude());
        if (!tests.isEmpty()) {
          try (dev.sluice.core.quality.UnitTests.InMemoryEngine engine =
              dev.sluice.core.quality.UnitTests.InMemoryEngine.start()) {
            for (dev.sluice.core.project.UnitTestDef test : tests) {
              unitResults.add(
                  dev.sluice.core.quality.UnitTests.runOne(
                      project, test, engine.engine(), UnitTestGate.relations(workspace.lake())));
            }
          }
        }
      }
    } else {
      order = plan(options);
    }
    Instant started = clock.instant();
    RunStore store = workspace.runStore();
    String runId = store.runs().startRun("test", options.select(), started);
    workspace.audit().runStarted(runId, "test", options.select());
    try {
      // dbt test runs the project's on-run-start hooks first, as dbt run does
      onRunHooks(project, true, List.of());
    } catch (RuntimeException e) {
      store.runs().finishRun(runId, RunStatus.FAILED, clock.instant(), e.getMessage());
      workspace.audit().runFinished(runId, RunStatus.FAILED, e.getMessage());
      throw e;
    }
    listener.runStarted(runId, order.size());
    List<StepResult> results = new ArrayList<>();
    for (String asset : order) {
      Asset definition = project.asset(asset);
      StepKind kind = definition.stepKind();
      dev.sluice.api.TableName table = definition.tableName();
      Instant stepStarted = clock.instant();
      long stepId = store.steps().startStep(runId, asset, kind, stepStarted);
      listener.stepStarted(asset, kind);
      StepResult result;
      Execution execution = definition.execution(project.config());
      try (EngineSession session = workspace.engine(execution).openSession()) {
        StepContext context =
            stepContext(project, session, runId, started, options, new StepTally());
        String failedBefore =
            options.failFast()
                ? results.stream()
                    .filter(r -> r.status() == StepStatus.FAILED)
                    .map(StepResult::asset)
                    .findFirst()
                    .orElse(null)
                : null;
        if (failedBefore != null) {
          result =
              StepResult.skipped(
                  asset,
                  kind,
                  table.toString(),
                  "skipped: --fail-fast, after " + failedBefore + " failed");
        } else if (!context.relations().tryRegister(table)) {
          result =
              StepResult.skipped(
                  asset, kind, table.toString(), "not built yet: run 'sluice run' first");
        } else {
          List<CheckOutcome> outcomes =
              context
                  .checkRunner(table)
                  .leavingOut(check -> false) // the tests on several nodes too: all are built
                  .run(session, table, definition.allChecks());
          boolean blocked = outcomes.stream().anyMatch(CheckOutcome::blocks);
          result =
              StepResult.builder(asset, kind, table.toString())
                  .status(blocked ? StepStatus.FAILED : StepStatus.SUCCEEDED)
                  .duration(Duration.between(stepStarted, clock.instant()))
                  .checks(outcomes)
                  .detail("tested")
                  .error(
                      blocked
                          ? Steps.blockedMessage(table, outcomes).replace("not published: ", "")
                          : null)
                  .build();
        }
      } catch (SluiceException e) {
        result = failed(asset, kind, table.toString(), stepStarted, e.getMessage(), e);
      }
      store
          .steps()
          .finishStep(
              stepId, result.status(), clock.instant(), StepMetrics.empty(), result.error());
      for (CheckOutcome check : result.checks()) {
        store.steps().recordCheck(stepId, checkRecord(asset, check));
      }
      listener.stepFinished(result);
      results.add(result);
    }
    boolean checksFailed = results.stream().anyMatch(r -> r.status() == StepStatus.FAILED);
    long unitFailures = unitResults.stream().filter(r -> !r.passed()).count();
    // and its on-run-end hooks last, with the tests' results, whatever they are
    recordUnitTests(runId, unitResults);
    String hookFailure = onRunHooks(project, false, results, true, unitResults);
    boolean failed = checksFailed || unitFailures > 0 || hookFailure != null;
    List<String> failures = new ArrayList<>();
    if (checksFailed) {
      failures.add("checks failed");
    }
    if (unitFailures > 0) {
      failures.add(unitFailures + " unit test(s) did not pass");
    }
    if (hookFailure != null) {
      failures.add(hookFailure);
    }
    String error = failures.isEmpty() ? null : String.join("; ", failures);
    Instant finished = clock.instant();
    store.runs().finishRun(runId, failed ? RunStatus.FAILED : RunStatus.SUCCEEDED, finished, error);
    workspace.audit().runFinished(runId, failed ? RunStatus.FAILED : RunStatus.SUCCEEDED, error);
    return new RunResult(
        runId,
        failed ? RunStatus.FAILED : RunStatus.SUCCEEDED,
        Duration.between(started, finished),
        results,
        unitResults);
  }

  /**
   * Runs tests on several nodes once all of their parents' steps have ended, against the published
   * tables, as dbt runs them; a test one of whose parents did not succeed is skipped, as in dbt.
   * Each outcome is recorded among the checks of its asset's step.
   *
   * @param futures the ended steps of the tests' parents
   */
  private void runTestsAfterParents(
      List<TestAfterParents> tests,
      TestsAfterParents afterParents,
      Map<StepKey, CompletableFuture<StepResult>> futures,
      String runId,
      Instant runStarted,
      RunOptions options) {
    Project project = workspace.project();
    for (TestAfterParents test : tests) {
      String notBuilt = null;
      for (Work parent : afterParents.parentWorks(test)) {
        StepResult result = futures.get(parent.key()).join();
        if (result.status() != StepStatus.SUCCEEDED) {
          notBuilt = result.asset();
        }
      }
      if (notBuilt != null) {
        LOG.info(
            "Test {} of {} skipped: {} was not built", test.check().name(), test.asset(), notBuilt);
        continue;
      }
      Asset asset = project.asset(test.asset());
      dev.sluice.api.TableName table = asset.tableName();
      ModelDef ephemeral = project.models().get(test.asset());
      if (ephemeral != null && ephemeral.materialization().built()) {
        ephemeral = null;
      }
      CheckOutcome outcome;
      try (EngineSession session =
          workspace.engine(asset.execution(project.config())).openSession()) {
        StepContext context =
            stepContext(project, session, runId, runStarted, options, new StepTally());
        if (ephemeral != null) {
          // dbt inlines an ephemeral model into its test's query as a CTE; here the test reads it
          // as a view of the session, of the same SQL (its own ephemeral models inlined)
          ModelStep.registerInputs(context, ephemeral, false);
          session.registerView(table, ModelStep.render(context, ephemeral, false, Map.of()));
        } else {
          context.relations().tryRegister(table);
        }
        outcome =
            context
                .checkRunner(table)
                .leavingOut(check -> false)
                .run(session, table, List.of(test.check()))
                .get(0);
      } catch (RuntimeException e) {
        outcome = new CheckOutcome(test.check(), 0, null, e.getMessage());
      }
      afterParents.ran(test, outcome);
      LOG.info(
          "Test {} of {} (after {}): {}",
          test.check().name(),
          test.asset(),
          String.join(", ", new java.util.TreeSet<>(test.parents())),
          outcome.status().name().toLowerCase(java.util.Locale.ROOT));
      recordOnStepOf(runId, test.asset(), outcome);
    }
  }

  /**
   * Records each unit test's outcome among the checks of its model's step in the run (a unit test
   * whose model has no step, in {@code sluice test --select test_type:unit}, is in run_results.json
   * alone): {@code sluice runs show} lists it as {@code unit_test <name>}, a failure with dbt's
   * diff.
   */
  private void recordUnitTests(
      String runId, List<dev.sluice.core.quality.UnitTests.Result> unitTests) {
    if (unitTests.isEmpty()) {
      return;
    }
    RunStore store = workspace.runStore();
    List<dev.sluice.core.state.StepDetail> steps =
        store.runs().findRun(runId).map(RunDetail::steps).orElse(List.of());
    for (dev.sluice.core.quality.UnitTests.Result unitTest : unitTests) {
      String model = unitTest.test().model();
      steps.stream()
          .filter(step -> StepKey.parse(step.asset()).asset().equals(model))
          .reduce((first, second) -> second)
          .ifPresent(
              step ->
                  store
                      .steps()
                      .recordCheck(
                          step.id(),
                          new CheckRecord(
                              model,
                              "unit_test " + unitTest.test().name(),
                              null,
                              dev.sluice.core.project.Severity.ERROR,
                              switch (unitTest.status()) {
                                case PASSED -> dev.sluice.core.state.CheckStatus.PASSED;
                                case FAILED -> dev.sluice.core.state.CheckStatus.FAILED;
                                case ERROR -> dev.sluice.core.state.CheckStatus.ERROR;
                              },
                              unitTest.missing().size() + unitTest.unexpected().size(),
                              null,
                              unitTest.passed() ? null : unitTest.message())));
    }
  }

  /** Records a check's outcome among those of the last step of its asset in the run. */
  private void recordOnStepOf(String runId, String asset, CheckOutcome outcome) {
    RunStore store = workspace.runStore();
    store
        .runs()
        .findRun(runId)
        .flatMap(
            run ->
                run.steps().stream()
                    .filter(step -> StepKey.parse(step.asset()).asset().equals(asset))
                    .reduce((first, second) -> second))
        .ifPresent(step -> store.steps().recordCheck(step.id(), checkRecord(asset, outcome)));
  }

  private StepResult runStep(
      Work work,
      List<CompletableFuture<StepResult>> upstream,
      String runId,
      Instant runStarted,
      RunOptions options,
      RunControl control,
      RunListener listener,
      UnitTestGate gate,
      TestsAfterParents afterParents) {
    Project project = workspace.project();
    Asset asset = project.asset(work.asset());
    String step = work.id();
    StepKind kind = asset.stepKind();
    String table = asset.tableName().toString();
    for (CompletableFuture<StepResult> dependency : upstream) {
      StepResult result = dependency.join();
      if (result.status() != StepStatus.SUCCEEDED) {
        StepResult skipped =
            StepResult.skipped(
                step,
                kind,
                table,
                "skipped: upstream "
                    + result.asset()
                    + " "
                    + result.status().name().toLowerCase(java.util.Locale.ROOT));
        return recordSkipped(runId, work, kind, skipped, listener);
      }
    }
    if (control.cancelled()) {
      StepResult skipped = StepResult.skipped(step, kind, table, "skipped: the run was cancelled");
      return recordSkipped(runId, work, kind, skipped, listener);
    }
    if (control.stoppedBy() != null) {
      StepResult skipped =
          StepResult.skipped(
              step, kind, table, "skipped: --fail-fast, after " + control.stoppedBy() + " failed");
      return recordSkipped(runId, work, kind, skipped, listener);
    }
    // a failing test on several nodes skips what reads all of them, as in dbt
    String testFailure = afterParents.skipReason(asset.name());
    if (testFailure != null) {
      StepResult skipped = StepResult.skipped(step, kind, table, testFailure);
      return recordSkipped(runId, work, kind, skipped, listener);
    }
    // dbt build: a model whose unit test does not pass is skipped, and so is what reads it
    String unitTestFailure = kind == StepKind.MODEL ? gate.check(asset.name()) : null;
    if (unitTestFailure != null) {
      StepResult skipped = StepResult.skipped(step, kind, table, unitTestFailure);
      return recordSkipped(runId, work, kind, skipped, listener);
    }
    if (dispatch != null) {
      return dispatch.run(work, runId, runStarted, options, control, listener);
    }
    dev.sluice.core.project.Execution execution = asset.execution(project.config());
    java.util.concurrent.Semaphore slot =
        execution.pool() == null ? null : pools.get(execution.pool());
    if (slot != null) {
      slot.acquireUninterruptibly();
    }
    try {
      return runHere(work, runId, runStarted, options, control, listener, stepId -> {});
    } finally {
      if (slot != null) {
        slot.release();
      }
    }
  }

  /**
   * Runs one step in this process and records it: in a fresh engine session per attempt, retried as
   * its asset says, holding the lock on its table.
   *
   * @param recorded hears the id of the step's record as soon as it is started, in the transaction
   *     that starts it
   */
  StepResult runHere(
      Work work,
      String runId,
      Instant runStarted,
      RunOptions options,
      RunControl control,
      RunListener listener,
      java.util.function.LongConsumer recorded) {
    Project project = workspace.project();
    Asset asset = project.asset(work.asset());
    RunStore store = workspace.runStore();
    PhaseTimer.Binding phases = PhaseTimer.bind();
    try {
      StepResult result =
          runHere(
              work,
              runId,
              runStarted,
              options,
              control,
              listener,
              recorded,
              project,
              asset,
              store,
              phases);
      return result.withPhases(phases.totals());
    } finally {
      phases.close();
    }
  }

  private StepResult runHere(
      Work work,
      String runId,
      Instant runStarted,
      RunOptions options,
      RunControl control,
      RunListener listener,
      java.util.function.LongConsumer recorded,
      Project project,
      Asset asset,
      RunStore store,
      PhaseTimer.Binding phases) {
    String step = work.id();
    StepKind kind = asset.stepKind();
    String table = asset.tableName().toString();
    dev.sluice.core.project.Execution execution = asset.execution(project.config());
    Instant started = clock.instant();
    StepTally tally = new StepTally();
    ResourceMeter.Measurement usage = ResourceMeter.process().start();
    long stepId =
        PhaseTimer.time(
            StepPhase.RUN_STORE,
            () ->
                store.inOneTransaction(
                    "start step " + step,
                    () -> {
                      long id = store.steps().startStep(runId, work.key(), kind, started);
                      event(runId, step, "started", kind.label() + " -> " + table);
                      // in the same transaction: a worker's claim names the record it started, so
                      // that a worker killed at any moment leaves no record that the next claimer
                      // cannot find
                      recorded.accept(id);
                      return id;
                    }));
    listener.stepStarted(step, kind);
    Map<String, Long> rowsByPartition = new java.util.concurrent.ConcurrentHashMap<>();
    Map<String, Long> inputsRead = new java.util.concurrent.ConcurrentHashMap<>();
    StepResult result;
    try {
      result =
          attempts.run(
              execution,
              control,
              session ->
                  whileLocked(
                      work.partitioned() ? table + "[" + work.partitionLabel() + "]" : table,
                      runId,
                      () ->
                          execute(
                              stepContext(project, session, runId, runStarted, options, tally),
                              asset,
                              work,
                              rowsByPartition,
                              inputsRead)),
              (attempt, delay, failure) -> {
                // the listener shows the retry (one line); the log file keeps it too
                LOG.info(
                    "Retrying {} (attempt {}) in {} after: {}",
                    step,
                    attempt,
                    delay,
                    failure.getMessage());
                event(
                    runId,
                    step,
                    "retrying",
                    "attempt "
                        + attempt
                        + " in "
                        + delay.toMillis()
                        + " ms after: "
                        + failure.getMessage());
                listener.stepRetrying(step, attempt, delay, failure.getMessage());
              });
    } catch (SluiceException e) {
      result = failed(step, kind, table, started, e.getMessage(), e);
    } catch (RuntimeException e) {
      LOG.error("Step {} failed unexpectedly", step, e);
      result = failed(step, kind, table, started, "unexpected error: " + e, e);
    }
    usage.stop();
    StepResult finished = work.partitioned() ? result.withAsset(step) : result;
    return record(
        runId,
        asset.name(),
        stepId,
        finished,
        phases,
        listener,
        () -> {
          // production's partition states; an environment's partitions live in its branch only
          if (work.partitioned() && options.environment() == null) {
            recordPartitions(runId, work, finished, rowsByPartition, inputsRead);
          }
          store
              .costs()
              .recordStep(
                  stepId,
                  new StepUsage(
                      runId,
                      asset.name(),
                      table,
                      clock.instant(),
                      Math.max(0, Duration.between(started, clock.instant()).toMillis()),
                      usage.cpuMillis(),
                      usage.peakMemoryBytes(),
                      finished.rowsIn(),
                      finished.rowsOut(),
                      tally.filesRead(),
                      finished.bytesIn() + tally.bytesRead(),
                      tally.filesWritten(),
                      finished.bytesOut()));
        });
  }

  /** Records a step that did not run, in one transaction, and tells the listener. */
  StepResult recordSkipped(
      String runId, Work work, StepKind kind, StepResult skipped, RunListener listener) {
    RunStore store = workspace.runStore();
    store.inOneTransaction(
        "skip step " + work.id(),
        () -> {
          Instant now = clock.instant();
          long stepId = store.steps().startStep(runId, work.key(), kind, now);
          store
              .steps()
              .finishStep(stepId, StepStatus.SKIPPED, now, StepMetrics.empty(), skipped.error());
          stepEvents(runId, skipped);
          return null;
        });
    listener.stepFinished(skipped);
    return skipped;
  }

  /**
   * Records a step's end, its checks, timeline events and whatever {@code alsoRecord} records, in
   * one transaction, then tells the listener.
   */
  private StepResult record(
      String runId,
      String asset,
      long stepId,
      StepResult result,
      PhaseTimer.Binding phases,
      RunListener listener,
      Runnable alsoRecord) {
    RunStore store = workspace.runStore();
    BuiltModel built = builtModel(result);
    PhaseTimer.Mark recording = PhaseTimer.enter(StepPhase.RUN_STORE);
    try {
      recordInOneTransaction(runId, asset, stepId, result, built, alsoRecord, store, phases);
    } finally {
      recording.close();
    }
    listener.stepFinished(result);
    return result;
  }

  private void recordInOneTransaction(
      String runId,
      String asset,
      long stepId,
      StepResult result,
      BuiltModel built,
      Runnable alsoRecord,
      RunStore store,
      PhaseTimer.Binding phases) {
    store.inOneTransaction(
        "finish step " + result.asset(),
        () -> {
          alsoRecord.run();
          if (built != null) {
            store.builtModels().record(built);
          }
          for (CheckOutcome check : result.checks()) {
            store.steps().recordCheck(stepId, checkRecord(asset, check));
          }
          Instant recorded = clock.instant();
          for (TableProfile profile : result.profiles()) {
            store.metrics().record(stepId, asset, profile, recorded);
          }
          stepEvents(runId, result);
          // the step's last statement: its phases so far, all but this update and the commit
          store
              .steps()
              .finishStep(
                  stepId,
                  result.status(),
                  clock.instant(),
                  new StepMetrics(
                      result.rowsIn(),
                      result.rowsOut(),
                      result.bytesIn(),
                      result.bytesOut(),
                      result.rejectedRows(),
                      result.snapshotId(),
                      result.detail(),
                      phases.totals()),
                  result.error());
          return null;
        });
  }

  /**
   * What a model step that succeeded built its table from (its SQL and metadata), kept by
   * fingerprint so that a later plan can classify changes against it; null for any other step.
   */
  private BuiltModel builtModel(StepResult result) {
    if (result.status() != StepStatus.SUCCEEDED || result.kind() != StepKind.MODEL) {
      return null;
    }
    Project project = workspace.project();
    ModelDef model = project.models().get(result.asset());
    if (model == null) {
      return null;
    }
    String sql = project.renderedForFullBuild(model);
    return new BuiltModel(
        Planner.fingerprint(project, model),
        model.name(),
        model.tableName().toString(),
        sql,
        ModelMetadata.of(model),
        clock.instant());
  }

  private <T> T whileLocked(String table, String runId, java.util.function.Supplier<T> work) {
    return new TableLocks(workspace.runStore(), WATCHDOG, LOCK_TTL, clock)
        .whileLocked(table, runId, work);
  }

  private void event(String runId, String asset, String kind, String message) {
    RunTimeline.record(workspace.runStore(), clock, runId, asset, kind, message);
  }

  private void stepEvents(String runId, StepResult result) {
    RunTimeline.recordStep(workspace.runStore(), clock, runId, result);
  }

  private StepResult failed(
      String asset,
      StepKind kind,
      String table,
      Instant started,
      String message,
      Throwable failure) {
    return StepResult.builder(asset, kind, table)
        .status(StepStatus.FAILED)
        .duration(Duration.between(started, clock.instant()))
        .error(message)
        .failure(failure)
        .build();
  }

  private void recordPartitions(
      String runId,
      Work work,
      StepResult result,
      Map<String, Long> rowsByPartition,
      Map<String, Long> inputsRead) {
    boolean succeeded = result.status() == StepStatus.SUCCEEDED;
    Instant now = clock.instant();
    RunStore store = workspace.runStore();
    if (!succeeded) {
      store
          .partitions()
          .recordFailed(
              work.asset(),
              work.keys().stream().map(Object::toString).toList(),
              runId,
              now,
              result.error());
      return;
    }
    for (var key : work.keys()) {
      store
          .partitions()
          .recordMaterialized(
              work.asset(),
              List.of(key.toString()),
              runId,
              now,
              rowsByPartition.getOrDefault(key.toString(), 0L),
              result.snapshotId(),
              inputsRead);
    }
  }

  private static StepResult execute(
      StepContext context,
      Asset asset,
      Work work,
      Map<String, Long> rowsByPartition,
      Map<String, Long> inputsRead) {
    return asset.map(
        model ->
            work.partitioned()
                // a dbt model's hooks run around each step's partitions, as dbt's around a
                // microbatch model's batches: pre-hooks before the first, post-hooks after the last
                ? ModelStep.withHooks(
                    context,
                    model,
                    postHooks ->
                        PartitionStep.run(context, model, work, rowsByPartition, inputsRead))
                : ModelStep.run(context, model),
        seed -> SeedStep.run(context, seed),
        table -> SourceStep.run(context, table));
  }

  private SourceTableDef sourceTable(String asset) {
    if (workspace.project().asset(asset) instanceof Asset.SourceTable table) {
      return table.definition();
    }
    throw new IllegalArgumentException(asset + " is not a source table");
  }

  /**
   * Whether a source table's connector has data that its last load did not read (e.g. new or
   * changed files), without loading anything.
   *
   * @throws UnsupportedOperationException when the connector cannot tell
   */
  public boolean hasNewData(String sourceAsset) {
    Project project = workspace.project();
    SourceTableDef table = sourceTable(sourceAsset);
    dev.sluice.api.connector.SourceConnector connector =
        SourceStep.connector(project.sources().get(table.source()).connector());
    try (EngineSession session = workspace.engine().openSession()) {
      StepContext context =
          stepContext(
              project, session, "sensor", clock.instant(), RunOptions.all(), new StepTally());
      return connector.hasNewData(
          SourceStep.spec(context, table, true), SourceStep.loadState(context, table.tableName()));
    }
  }

  /** The context of one step of a run: this runner's lake, renderer, clock, policy and metrics. */
  private StepContext stepContext(
      Project project,
      EngineSession session,
      String runId,
      Instant started,
      RunOptions options,
      StepTally tally) {
    return new StepContext(
        project,
        workspace.lake(),
        session,
        renderer,
        runId,
        started,
        options,
        clock,
        policy(),
        workspace.runStore().metrics(),
        tally);
  }

  /** The project's access policy: which columns are classified, which masks apply. */
  private dev.sluice.governance.AccessPolicy policy() {
    return new dev.sluice.governance.AccessPolicy(
        workspace.project().policies(), workspace.classification());
  }

  private static CheckRecord checkRecord(String asset, CheckOutcome outcome) {
    return new CheckRecord(
        asset,
        outcome.check().name(),
        outcome.check().column(),
        outcome.check().severity(),
        outcome.status(),
        outcome.failingRows(),
        outcome.sample() == null ? null : sampleJson(outcome.sample()),
        outcome.error() != null ? outcome.error() : outcome.note());
  }

  static String sampleJson(QueryResult sample) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (List<Object> row : sample.rows()) {
      Map<String, Object> values = new LinkedHashMap<>();
      for (int i = 0; i < sample.columns().size(); i++) {
        Object value = row.get(i);
        values.put(
            sample.columns().get(i),
            value == null || value instanceof Number || value instanceof Boolean
                ? value
                : value.toString());
      }
      rows.add(values);
    }
    try {
      return JSON.writeValueAsString(rows);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
