package dev.sluice.core.run;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.core.project.ColumnDef;
import dev.sluice.core.project.ModelDef;
import dev.sluice.core.project.Project;
import dev.sluice.core.project.SeedDef;
import dev.sluice.core.project.SqlRenderer;
import dev.sluice.core.state.MetricHistory;
import dev.sluice.governance.AccessPolicy;
import dev.sluice.lake.Lake;
import dev.sluice.lake.ReadPoint;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * What a step needs: the project, the lake, its own engine session, the run's settings, the clock
 * it reads the time from, the access policy (the classification of the project's columns, which the
 * data profile keeps no raw values of, and the masks that the samples of failing rows take) and the
 * tally of the files it reads and writes.
 */
record StepContext(
    Project project,
    Lake lake,
    EngineSession session,
    SqlRenderer renderer,
    String runId,
    Instant runStartedAt,
    RunOptions options,
    Clock clock,
    AccessPolicy policy,
    MetricHistory metrics,
    StepTally tally) {
  StepContext {
    requireNonNull(tally, "tally is null");
    requireNonNull(project, "project is null");
    requireNonNull(lake, "lake is null");
    requireNonNull(session, "session is null");
    // an engine that reads object storage itself reads and writes the warehouse's files there
    lake = lake.readBy(session);
    requireNonNull(renderer, "renderer is null");
    requireNonNull(runId, "runId is null");
    requireNonNull(runStartedAt, "runStartedAt is null");
    requireNonNull(options, "options is null");
    requireNonNull(clock, "clock is null");
    requireNonNull(policy, "policy is null");
    requireNonNull(metrics, "metrics is null");
  }

  /** Profiles what a step writes, keeping no raw value of a classified column. */
  DataProfiler profiler() {
    return new DataProfiler(policy.classification());
  }

  /** Now, by the run's clock. */
  Instant now() {
    return clock.instant();
  }

  Relations relations() {
    return new Relations(lake, session, readPoint(), tally::read);
  }

  /**
   * What a dbt project's introspective Jinja queries in this step ({@code run_query}, ...); null in
   * a Sluice project, whose templates do not query.
   */
  dev.sluice.core.project.TemplateQueries templateQueries() {
    return project.dbt() == null
        ? null
        : new LakeTemplateQueries(project, lake, relations(), session, readPoint());
  }

  /** What this run reads: main, or in an environment its branches where they exist. */
  ReadPoint readPoint() {
    return options.environment() == null
        ? ReadPoint.main()
        : ReadPoint.environment(options.environment());
  }

  /** The branch this run's writes publish to: main, or its environment's. */
  String targetBranch() {
    return options.environment() == null ? "main" : options.environment();
  }

  /** The audit branch of this run for one table. */
  String auditBranch() {
    return AuditBranches.of(runId);
  }

  TableName resolveRef(String name) {
    ModelDef model = project.models().get(name);
    if (model != null) {
      return model.tableName();
    }
    SeedDef seed = project.seeds().get(name);
    if (seed != null) {
      return seed.tableName();
    }
    throw new InvalidInputException("Unknown model or seed '" + name + "'");
  }

  TableName resolveSource(String source, String table) {
    return project
        .sourceTableName(source, table)
        .orElseThrow(
            () -> new InvalidInputException("Unknown source table " + source + "." + table));
  }

  /** A check's {@code to:}: a model or seed name, or {@code source.table}. */
  TableName resolveCheckTarget(String target) {
    int dot = target.indexOf('.');
    if (dot > 0 && !project.models().containsKey(target)) {
      return resolveSource(target.substring(0, dot), target.substring(dot + 1));
    }
    return resolveRef(target);
  }

  CheckRunner checkRunner(TableName thisTable) {
    // what a test's query reads with ref() and source() is made readable as it is rendered: a test
    // run after all of its parents reads another model built in the same run (dbt-expectations'
    // compare_model), which the step of the asset it tests did not register
    Relations testReads = relations();
    Function<String, TableName> refs =
        name -> readableBesides(thisTable, testReads, resolveRef(name));
    BiFunction<String, String, TableName> sources =
        (source, table) -> readableBesides(thisTable, testReads, resolveSource(source, table));
    return new CheckRunner(
            new SampleMasking(policy),
            new AnomalyJudge(AnomalyJudge.of(metrics), now()),
            target -> {
              TableName resolved = resolveCheckTarget(target);
              relations().tryRegister(resolved);
              return resolved;
            },
            check ->
                renderer.renderCheckQuery(
                    String.valueOf(check.arguments().get("query")),
                    thisTable,
                    refs,
                    sources,
                    project.config().vars(),
                    check.location(),
                    project.dbt(),
                    project.dbt() == null
                        ? null
                        : new LakeTemplateQueries(project, lake, relations(), session, readPoint())
                            .readingFromSession(thisTable)))
        .withSchemas(project.schemas())
        .storingFailuresWith(this::storeFailures)
        .leavingOut(project.graph()::runsAfterParents);
  }

  /**
   * A table a test reads, registered in the step's session unless it is the table under test (which
   * the step registered as the rows it audits).
   */
  private static TableName readableBesides(TableName tested, Relations relations, TableName table) {
    if (!table.equals(tested)) {
      relations.tryRegister(table);
    }
    return table;
  }

  /**
   * dbt's {@code store_failures}: a test's failing rows replace the rows of its table, in one
   * commit, published to the run's branch whatever the test's outcome.
   */
  private void storeFailures(TableName table, String failingRowsSql) {
    new AuditedWrite(
            lake,
            session,
            new CheckRunner(
                target -> {
                  throw new IllegalStateException("a failures table has no checks");
                },
                check -> {
                  throw new IllegalStateException("a failures table has no checks");
                }))
        .publishingTo(targetBranch())
        .countingInto(tally)
        .write(
            table,
            failingRowsSql,
            dev.sluice.lake.SchemaChange.REPLACE,
            dev.sluice.lake.WriteOperation.replaceAll(),
            Map.of(),
            Map.of(),
            Map.of("sluice.run-id", runId),
            List.of(),
            auditBranch());
  }

  static Map<String, String> columnDocs(List<ColumnDef> columns) {
    Map<String, String> docs = new LinkedHashMap<>();
    for (ColumnDef column : columns) {
      if (column.description() != null && !column.description().isBlank()) {
        docs.put(column.name(), column.description());
      }
    }
    return docs;
  }

  /**
   * How the data files of {@code asset}'s table are compressed: its own {@code parquet:}, else the
   * project's.
   */
  dev.sluice.api.engine.ParquetCompression compression(
      dev.sluice.core.project.AssetDefinition asset) {
    return asset.parquet() != null ? asset.parquet() : project.config().parquet();
  }

  /**
   * The properties of the table {@code asset} writes: {@link #tableProperties} and its Parquet
   * compression ({@link #compression}), which the write sets on the table when it differs.
   */
  Map<String, String> writtenTableProperties(
      dev.sluice.core.project.AssetDefinition asset,
      String description,
      String owner,
      List<String> tags) {
    Map<String, String> properties = tableProperties(description, owner, tags);
    properties.putAll(compression(asset).tableProperties());
    return properties;
  }

  static Map<String, String> tableProperties(String description, String owner, List<String> tags) {
    Map<String, String> properties = new LinkedHashMap<>();
    if (description != null && !description.isBlank()) {
      properties.put("comment", description);
    }
    if (owner != null && !owner.isBlank()) {
      properties.put("sluice.owner", owner);
    }
    if (tags != null && !tags.isEmpty()) {
      properties.put("sluice.tags", String.join(",", tags));
    }
    return properties;
  }
}
