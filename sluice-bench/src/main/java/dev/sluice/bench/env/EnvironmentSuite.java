package dev.sluice.bench.env;

import dev.sluice.api.TableName;
import dev.sluice.api.io.Directories;
import dev.sluice.bench.BenchSettings;
import dev.sluice.bench.orchestrate.SyntheticProject;
import dev.sluice.bench.report.Measurement;
import dev.sluice.bench.report.SuiteResult;
import dev.sluice.core.Workspace;
import dev.sluice.core.env.DataDiff;
import dev.sluice.core.env.Environments;
import dev.sluice.core.env.Promotions;
import dev.sluice.core.project.Project;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.Runner;
import dev.sluice.core.run.StepResult;
import dev.sluice.lake.ReadPoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Environments and change management (issue 17, item 7), measured in this process against a real
 * warehouse (Iceberg on SQLite, DuckDB), one workspace opened per measurement as a command would:
 *
 * <ul>
 *   <li>creating an environment for one changed model of a 1,000-model project ({@code sluice run
 *       --env}: loading the project, comparing every model with production, building the one model
 *       into a branch, recording the environment), against the model's own build step;
 *   <li>promoting an environment of 100 changed tables ({@code sluice promote}: the checks, the
 *       promotion record, 100 fast-forwards, removing the branches);
 *   <li>a keyed data diff of two 10-million-row versions of a table that differ in 100 rows,
 *       against a plain count of the table.
 * </ul>
 *
 * {@code --scale} scales the three sizes (1: 1,000 models, 100 tables, 10 million rows).
 */
public final class EnvironmentSuite {
  public static final String NAME = "environments";
  static final int MODELS = 1_000;
  static final int PROMOTED_TABLES = 100;
  static final long DIFF_ROWS = 10_000_000;
  static final int CHANGED_ROWS = 100;

  /** The leaf of SyntheticProject's fan-out: a model nothing reads, changed alone. */
  private static final String CHANGED_MODEL = "f_0";

  private static final String ENVIRONMENT = "bench";

  private final BenchSettings settings;

  public EnvironmentSuite(BenchSettings settings) {
    this.settings = settings;
  }

  int models() {
    return Math.max(10, (int) Math.round(MODELS * settings.scale()));
  }

  int promotedTables() {
    return Math.max(2, (int) Math.round(PROMOTED_TABLES * settings.scale()));
  }

  long diffRows() {
    return Math.max(CHANGED_ROWS * 100L, Math.round(DIFF_ROWS * settings.scale()));
  }

  public SuiteResult run() {
    Path root = settings.workDirectory().resolve(NAME);
    if (Files.exists(root)) {
      Directories.deleteRecursively(root);
    }
    SuiteResult result = new SuiteResult(NAME);
    createEnvironment(root.resolve("create"), result);
    promote(root.resolve("promote"), result);
    diff(root.resolve("diff"), result);
    return result;
  }

  private void createEnvironment(Path project, SuiteResult result) {
    int models = SyntheticProject.write(project, models(), "table");
    build(project);
    List<Double> totals = new ArrayList<>();
    List<Double> ownBuilds = new ArrayList<>();
    List<Double> overheads = new ArrayList<>();
    for (int run = 0; run < settings.runs(); run++) {
      write(
          project.resolve("models/curated/" + CHANGED_MODEL + ".sql"),
          "{{ config(materialized='table') }}\nselect x * "
              + (run + 2)
              + " as x from {{ ref('f_root') }}\n");
      long started = System.nanoTime();
      Environments.Build build;
      try (Workspace workspace = Workspace.open(Project.load(project))) {
        build = new Environments(workspace).build(ENVIRONMENT, RunOptions.all(), RunListener.NONE);
      }
      double total = (System.nanoTime() - started) / 1e6;
      if (!build.succeeded() || build.changes().size() != 1) {
        throw new IllegalStateException(
            "The environment should build exactly " + CHANGED_MODEL + ": " + build.changes());
      }
      double own =
          build.run().steps().stream()
                  .filter(step -> step.asset().equals(CHANGED_MODEL))
                  .map(StepResult::duration)
                  .findFirst()
                  .orElseThrow()
                  .toNanos()
              / 1e6;
      try (Workspace workspace = Workspace.open(Project.load(project))) {
        new Environments(workspace).drop(ENVIRONMENT);
      }
      if (!settings.isWarmup(run)) {
        totals.add(total);
        ownBuilds.add(own);
        overheads.add(total - own);
      }
    }
    Measurement total =
        result.add(
            "create an environment (1 changed model of " + models + ")",
            "sluice",
            totals,
            Map.of("models", models));
    Measurement own =
        result.add("the changed model's own build step", "sluice", ownBuilds, Map.of());
    Measurement overhead =
        result.add("environment overhead (total - own build)", "sluice", overheads, Map.of());
    result.target(
        "creating an environment for one changed model in a "
            + models
            + "-model project under 1 s plus the model's own build",
        String.format(
            Locale.ROOT,
            "%.2f s + %.2f s own build (total %.2f s)",
            overhead.medianMillis() / 1000,
            own.medianMillis() / 1000,
            total.medianMillis() / 1000),
        overhead.medianMillis() < 1000);
  }

  private void promote(Path project, SuiteResult result) {
    int tables = promotedTables();
    try {
      Files.createDirectories(project.resolve("models/curated"));
      for (int table = 0; table < tables; table++) {
        write(
            project.resolve("models/curated/t_" + table + ".sql"),
            "select {{ var('version') }} as version, " + table + " as id\n");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    writeVersion(project, 0);
    build(project);
    List<Double> samples = new ArrayList<>();
    for (int run = 0; run < settings.runs(); run++) {
      writeVersion(project, run + 1);
      try (Workspace workspace = Workspace.open(Project.load(project))) {
        Environments.Build build =
            new Environments(workspace).build(ENVIRONMENT, RunOptions.all(), RunListener.NONE);
        if (!build.succeeded() || build.changes().size() != tables) {
          throw new IllegalStateException("The environment should build " + tables + " tables");
        }
      }
      long started = System.nanoTime();
      Promotions.Outcome outcome;
      try (Workspace workspace = Workspace.open(Project.load(project))) {
        outcome = new Promotions(workspace).promote(ENVIRONMENT, RunListener.NONE);
      }
      double millis = (System.nanoTime() - started) / 1e6;
      if (!outcome.succeeded() || outcome.promotion().tables().size() != tables) {
        throw new IllegalStateException("The promotion of " + tables + " tables did not finish");
      }
      if (!settings.isWarmup(run)) {
        samples.add(millis);
      }
    }
    Measurement promotion =
        result.add("promote " + tables + " tables", "sluice", samples, Map.of("tables", tables));
    result.note(
        String.format(
            Locale.ROOT,
            "Promoting %d tables took %.2f s (median): %.0f ms per table, the environment's"
                + " checks (none declared) and the promotion record included.",
            tables,
            promotion.medianMillis() / 1000,
            promotion.medianMillis() / tables));
  }

  private void diff(Path project, SuiteResult result) {
    long rows = diffRows();
    long every = rows / CHANGED_ROWS;
    TableName table = new TableName("curated", "big");
    write(project.resolve("sluice.yaml"), "name: diff_bench\n");
    bigModel(project, rows, "v");
    build(project);
    bigModel(project, rows, "case when id % " + every + " = 0 then v + 1 else v end");
    try (Workspace workspace = Workspace.open(Project.load(project))) {
      if (!new Environments(workspace)
          .build(ENVIRONMENT, RunOptions.all(), RunListener.NONE)
          .succeeded()) {
        throw new IllegalStateException("The environment of the diff did not build");
      }
    }
    List<Double> diffs = new ArrayList<>();
    List<Double> counts = new ArrayList<>();
    List<Double> scans = new ArrayList<>();
    for (int run = 0; run < settings.runs(); run++) {
      try (Workspace workspace = Workspace.open(Project.load(project))) {
        QueryService queries = new QueryService(workspace);
        long started = System.nanoTime();
        long counted =
            ((Number)
                    queries
                        .query("select count(*) from curated.big", ReadPoint.main(), 1)
                        .rows()
                        .get(0)
                        .get(0))
                .longValue();
        double count = (System.nanoTime() - started) / 1e6;
        started = System.nanoTime();
        queries.query(
            "select count(*), sum(v), count(distinct id) from curated.big", ReadPoint.main(), 1);
        double scan = (System.nanoTime() - started) / 1e6;
        started = System.nanoTime();
        DataDiff.Result diff = new DataDiff(workspace).diff(table, ENVIRONMENT, List.of("id"));
        double millis = (System.nanoTime() - started) / 1e6;
        if (counted != rows || diff.changed() != CHANGED_ROWS) {
          throw new IllegalStateException(
              "Expected " + rows + " rows and " + CHANGED_ROWS + " changed: " + diff);
        }
        if (!settings.isWarmup(run)) {
          diffs.add(millis);
          counts.add(count);
          scans.add(scan);
        }
      }
    }
    String name = "diff of two " + rows + "-row versions, " + CHANGED_ROWS + " rows changed";
    Measurement diff = result.add(name, "sluice", diffs, Map.of("rows", rows));
    Measurement count = result.add("select count(*) of the table", "sluice", counts, Map.of());
    Measurement scan =
        result.add(
            "select count(*), sum(v), count(distinct id) of the table", "sluice", scans, Map.of());
    double ratio = diff.medianMillis() / count.medianMillis();
    result.target(
        "a keyed diff of two versions with "
            + CHANGED_ROWS
            + " changed rows under 3 × a plain count",
        String.format(
            Locale.ROOT,
            "%.2f × (%.2f s vs %.3f s; %.2f × a full scan with count(distinct id))",
            ratio,
            diff.medianMillis() / 1000,
            count.medianMillis() / 1000,
            diff.medianMillis() / scan.medianMillis()),
        ratio < 3);
  }

  private static void bigModel(Path project, long rows, String value) {
    write(
        project.resolve("models/curated/big.sql"),
        "select id, "
            + value
            + " as v from (select range::bigint as id, (range % 1000)::bigint as v from range("
            + rows
            + "))\n");
  }

  private static void writeVersion(Path project, int version) {
    write(
        project.resolve("sluice.yaml"), "name: promote_bench\nvars: {version: " + version + "}\n");
  }

  private static void build(Path project) {
    try (Workspace workspace = Workspace.open(Project.load(project))) {
      RunResult run = new Runner(workspace).run(RunOptions.all(), RunListener.NONE);
      if (!run.succeeded()) {
        throw new IllegalStateException("Production of " + project + " did not build: " + run);
      }
    }
  }

  private static void write(Path file, String content) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
