package dev.sluice.core.ci;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.ProjectException;
import dev.sluice.api.SluiceException;
import dev.sluice.core.Workspace;
import dev.sluice.core.env.ChangeCategory;
import dev.sluice.core.env.ChangePlanner;
import dev.sluice.core.env.DataDiff;
import dev.sluice.core.env.EnvironmentName;
import dev.sluice.core.env.Environments;
import dev.sluice.core.env.ModelChange;
import dev.sluice.core.env.ProjectRevision;
import dev.sluice.core.project.ModelDef;
import dev.sluice.core.project.Project;
import dev.sluice.core.quality.UnitTests;
import dev.sluice.core.run.CheckOutcome;
import dev.sluice.core.run.ModelCompiler;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.StepResult;
import dev.sluice.core.state.StepStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

/**
 * {@code sluice ci}: what a pull request's pipeline runs on a project (docs/ci.md). It validates
 * the project, compiles every model against its inputs' columns without running it, classifies each
 * change against production ({@link ChangePlanner}), builds the changed models and their affected
 * downstream into an ephemeral environment ({@link Environments}), compares each table it built
 * with production ({@link DataDiff}) and drops the environment again.
 */
public final class ContinuousIntegration {
  private final Workspace workspace;

  public ContinuousIntegration(Workspace workspace) {
    this.workspace = requireNonNull(workspace, "workspace is null");
  }

  /**
   * What to run.
   *
   * @param base the git ref the change is compared with for its changed files, or null
   * @param allowBreaking whether breaking changes pass
   * @param keepEnvironment whether the ephemeral environment stays after the run
   * @param environment the environment to build into, or null for {@code ci-<short commit>}
   */
  public record Options(
      String base, boolean allowBreaking, boolean keepEnvironment, String environment) {}

  /** How a CI run ended; each has its own exit code (docs/ci.md). */
  public enum Status {
    /** Every step passed; breaking changes, if any, were allowed. */
    PASSED,
    /** The change breaks what is built from a model, and breaking changes were not allowed. */
    BREAKING,
    /** A step failed: the project does not load or compile, or a build or blocking check failed. */
    FAILED;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The outcome of one step of a CI run. */
  public enum Outcome {
    PASSED,
    FAILED,
    SKIPPED;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One step of a CI run.
   *
   * @param name e.g. {@code compile}
   * @param detail what it did or why it failed or was skipped, one line
   */
  public record Step(String name, Outcome outcome, String detail) {}

  /**
   * The data diff of one table the environment built.
   *
   * @param keys the key columns rows were compared by, empty for whole rows
   * @param diff the comparison, or null when it could not be made ({@code error} says why)
   */
  public record TableDiff(
      String model, String reason, List<String> keys, DataDiff.Result diff, String error) {}

  /**
   * What a CI run found.
   *
   * @param target the target of sluice.yaml the run used, or null
   * @param commit the git commit checked out, or null outside a git repository
   * @param git the files changed since {@code --base}, or null without it
   * @param problems what failed validation or compilation, each with its file and line
   * @param warnings what does not fail the run (a secret that is not set)
   * @param changes every model that differs from what production was built from
   * @param failures what failed in the environment's build: a step's error or a blocking check
   * @param environment the environment built into
   * @param runId the run that built it, or null when nothing was built
   */
  public record Result(
      String project,
      String target,
      String commit,
      GitChanges git,
      List<Step> steps,
      List<String> problems,
      List<String> warnings,
      List<ModelChange> changes,
      String environment,
      String runId,
      List<String> failures,
      List<TableDiff> diffs,
      boolean environmentKept,
      Status status) {

    public List<ModelChange> breaking() {
      return changes.stream()
          .filter(change -> change.category() == ChangeCategory.BREAKING)
          .toList();
    }
  }

  /**
   * Runs every step. A step that fails is recorded and the steps that need it are skipped; the
   * environment is dropped in any case unless {@link Options#keepEnvironment()}, or it existed
   * before the run (it is then rebuilt, not dropped).
   *
   * @throws dev.sluice.api.InvalidInputException when {@code base} is not a git commit of the
   *     project's repository, or the environment's name is invalid
   */
  public Result run(Options options, RunListener listener) {
    requireNonNull(options, "options is null");
    Project project = workspace.project();
    GitChanges git =
        options.base() == null ? null : GitChanges.since(project.root(), options.base());
    String commit = ProjectRevision.of(project.root()).map(ProjectRevision::commit).orElse(null);
    String environment =
        options.environment() != null
            ? options.environment()
            : "ci-"
                + (commit == null ? "local" : commit.substring(0, Math.min(8, commit.length())));
    EnvironmentName.check(environment);
    List<Step> steps = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    List<String> warnings = new ArrayList<>();

    try {
      project.checkSecrets(project.environment());
    } catch (ProjectException e) {
      e.problems().forEach(problem -> warnings.add(problem.toString()));
    }
    int sourceTables = project.sources().values().stream().mapToInt(s -> s.tables().size()).sum();
    steps.add(
        new Step(
            "validate",
            Outcome.PASSED,
            sourceTables
                + " source tables, "
                + project.seeds().size()
                + " seeds, "
                + project.models().size()
                + " models"
                + (warnings.isEmpty() ? "" : "; " + warnings.size() + " warnings")));

    boolean compiled;
    try {
      ModelCompiler.Result result =
          ModelCompiler.compile(project, workspace.lake(), workspace.engine());
      steps.add(
          new Step(
              "compile",
              Outcome.PASSED,
              result.compiled()
                  + " models compiled against their inputs' columns"
                  + (result.notBound().isEmpty()
                      ? ""
                      : "; not bound (an input not built yet): "
                          + String.join(", ", new TreeMap<>(result.notBound()).keySet()))));
      compiled = true;
    } catch (ProjectException e) {
      e.problems().forEach(problem -> problems.add(problem.toString()));
      steps.add(
          new Step(
              "compile",
              Outcome.FAILED,
              e.problems().size()
                  + (e.problems().size() == 1 ? " model" : " models")
                  + " do not compile"));
      compiled = false;
    }

    List<String> unitFailures = new ArrayList<>();
    if (!compiled) {
      steps.add(new Step("unit tests", Outcome.SKIPPED, "the models do not compile"));
    } else {
      steps.add(unitTests(project, problems, unitFailures));
    }

    // planned once: the build below reuses this comparison (and its catalog lookups) instead of
    // comparing the project with production again
    ChangePlanner.Comparison comparison = new ChangePlanner(workspace).compareWithProduction();
    List<ModelChange> changes = comparison.changes();
    long breaking =
        changes.stream().filter(change -> change.category() == ChangeCategory.BREAKING).count();
    steps.add(
        new Step(
            "plan",
            Outcome.PASSED,
            changes.size()
                + (changes.size() == 1 ? " model differs" : " models differ")
                + " from production; "
                + breaking
                + " breaking"));

    String runId = null;
    List<String> failures = new ArrayList<>(unitFailures);
    List<TableDiff> diffs = new ArrayList<>();
    boolean built = false;
    Environments environments = new Environments(workspace);
    // an environment that existed before (someone's, or one an earlier run kept) is never dropped
    boolean existed =
        environments.list().stream().anyMatch(each -> each.name().equals(environment));
    if (!compiled) {
      steps.add(new Step("build", Outcome.SKIPPED, "the models do not compile"));
    } else {
      try {
        Environments.Build build =
            environments.build(
                environment,
                new RunOptions(List.of(), List.of(), false),
                listener,
                false,
                comparison);
        built = true;
        if (build.run() == null) {
          steps.add(new Step("build", Outcome.PASSED, "nothing to build: no model's data changes"));
        } else {
          runId = build.run().runId();
          for (StepResult step : build.run().steps()) {
            failures.addAll(failures(step));
          }
          steps.add(
              new Step(
                  "build",
                  build.run().succeeded() ? Outcome.PASSED : Outcome.FAILED,
                  build.changes().size()
                      + (build.changes().size() == 1 ? " table" : " tables")
                      + " built into environment "
                      + environment
                      + " (run "
                      + runId
                      + ")"));
          for (Environments.Change change : build.changes()) {
            diffs.add(diff(project, change, environment));
          }
          steps.add(
              new Step(
                  "diff",
                  diffs.stream().anyMatch(each -> each.diff() == null)
                      ? Outcome.FAILED
                      : Outcome.PASSED,
                  diffs.size() + (diffs.size() == 1 ? " table" : " tables") + " compared"));
        }
      } catch (SluiceException e) {
        // e.g. a changed view, which an environment cannot hold yet: the change cannot be checked
        failures.add(e.getMessage());
        steps.add(new Step("build", Outcome.FAILED, e.getMessage()));
      }
    }
    boolean kept = options.keepEnvironment() || existed;
    if (built && !kept) {
      environments.drop(environment);
    }

    boolean failed = steps.stream().anyMatch(step -> step.outcome() == Outcome.FAILED);
    Status status =
        failed
            ? Status.FAILED
            : breaking > 0 && !options.allowBreaking() ? Status.BREAKING : Status.PASSED;
    return new Result(
        project.config().name(),
        project.config().target().name(),
        commit,
        git,
        steps,
        problems,
        warnings,
        changes,
        environment,
        runId,
        failures,
        diffs,
        built && kept,
        status);
  }

  /**
   * Runs every unit test of the project ({@code sluice test --unit}) on given rows in an in-memory
   * DuckDB; each failed test is added to {@code failures}, each bad test file to {@code problems}.
   */
  private static Step unitTests(Project project, List<String> problems, List<String> failures) {
    UnitTests.Report report;
    try {
      report = UnitTests.run(project, List.of(), List.of());
    } catch (ProjectException e) {
      e.problems().forEach(problem -> problems.add(problem.toString()));
      return new Step("unit tests", Outcome.FAILED, "the unit tests cannot run");
    }
    if (report.results().isEmpty()) {
      return new Step("unit tests", Outcome.PASSED, "the project has no unit tests");
    }
    for (UnitTests.Result result : report.results()) {
      if (result.passed()) {
        continue;
      }
      failures.add(
          result.test().location()
              + ": unit test "
              + result.test().name()
              + " of model "
              + result.test().model()
              + (result.status() == UnitTests.Status.ERROR
                  ? " failed: " + result.error()
                  : " failed: "
                      + result.missing().size()
                      + " expected rows missing, "
                      + result.unexpected().size()
                      + " unexpected rows"));
    }
    return new Step(
        "unit tests",
        report.failed() == 0 ? Outcome.PASSED : Outcome.FAILED,
        report.passed() + " passed, " + report.failed() + " failed");
  }

  /** What failed in one step of the build: its error, or each blocking check that failed. */
  private static List<String> failures(StepResult step) {
    List<String> failures = new ArrayList<>();
    if (step.status() == StepStatus.FAILED && step.error() != null) {
      failures.add(step.asset() + ": " + step.error());
    }
    for (CheckOutcome check : step.checks()) {
      if (!check.passed() && check.check().blocking()) {
        failures.add(
            step.asset()
                + ": check "
                + check.check().name()
                + " failed"
                + (check.error() != null
                    ? ": " + check.error()
                    : " (" + check.failingRows() + " failing rows)"));
      }
    }
    if (failures.isEmpty() && step.status() == StepStatus.FAILED) {
      failures.add(step.asset() + ": failed");
    }
    return failures;
  }

  private TableDiff diff(Project project, Environments.Change change, String environment) {
    ModelDef model = project.models().get(change.model());
    List<String> keys = model == null ? List.of() : model.uniqueKey();
    try {
      return new TableDiff(
          change.model(),
          change.reason(),
          keys,
          new DataDiff(workspace).diff(change.table(), environment, keys),
          null);
    } catch (SluiceException e) {
      return new TableDiff(change.model(), change.reason(), keys, null, e.getMessage());
    }
  }
}
