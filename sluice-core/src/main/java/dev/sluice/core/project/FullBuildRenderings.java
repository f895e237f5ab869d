package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each model's SQL as rendered for a full build ({@code SqlRenderer.RenderContext.of(project,
 * model, false)}): what its fingerprint hashes and what {@code sluice plan} compares with the SQL a
 * table was built from. Rendered at most once per loaded project, and not at all when loading the
 * project already rendered it with the same names: loading renders every model for a full build to
 * find its refs, sources and {@code config()}, with the table each name would have by its
 * directory; when each of those is the table the name resolves to in the loaded project (the
 * model's own table, its refs', its sources'), with the same vars and partition variables, that
 * rendering is the one a full build renders. Comparing a 1,000-model project with production
 * rendered every model three times (twice to load it, once for its fingerprint; {@code sluice plan}
 * four times), the largest part of {@code sluice run --env}'s overhead for one changed model after
 * the table loads (bench suite environments, profiled with JFR).
 *
 * <p>A dbt project's models are always rendered again: their macros, globals and ephemeral models
 * are not part of what is compared here.
 */
public final class FullBuildRenderings {
  /**
   * A model's rendering for a full build while the project was loaded, and what it rendered with.
   *
   * @param template the SQL file's text
   * @param sql the rendered SQL, without a final ';' (as {@link SqlRenderer} returns it)
   * @param thisTable what {@code this} rendered as
   * @param refs the table each {@code ref()} name of the rendering resolved to
   * @param sources the table each {@code source()} of the rendering resolved to
   */
  record ParseRendering(
      String template,
      String sql,
      TableName thisTable,
      Map<String, TableName> refs,
      Map<SourceRef, TableName> sources,
      Map<String, Object> vars,
      Map<String, Object> partitionVariables) {
    ParseRendering {
      requireNonNull(template, "template is null");
      requireNonNull(sql, "sql is null");
      requireNonNull(thisTable, "thisTable is null");
      refs = Map.copyOf(refs);
      sources = Map.copyOf(sources);
      requireNonNull(vars, "vars is null");
      requireNonNull(partitionVariables, "partitionVariables is null");
    }
  }

  /** A rendering done for a model of the project, kept with the model it was done for. */
  private record Rendered(ModelDef model, String sql) {}

  static final FullBuildRenderings NONE = new FullBuildRenderings(Map.of());

  private final Map<String, ParseRendering> parsed;
  private final Map<String, Rendered> rendered = new ConcurrentHashMap<>();

  FullBuildRenderings(Map<String, ParseRendering> parsed) {
    this.parsed = Map.copyOf(parsed);
  }

  /** The model's SQL as rendered for a full build in {@code project}. */
  String sql(Project project, ModelDef model) {
    Rendered done = rendered.get(model.name());
    if (done != null && done.model().equals(model)) {
      return done.sql();
    }
    String sql =
        fromLoading(project, model)
            .orElseGet(
                () ->
                    new SqlRenderer()
                        .render(model, SqlRenderer.RenderContext.of(project, model, false)));
    rendered.put(model.name(), new Rendered(model, sql));
    return sql;
  }

  /** Whether the model's SQL for a full build is loading's rendering, not rendered again. */
  boolean keptFromLoading(Project project, ModelDef model) {
    return fromLoading(project, model).isPresent();
  }

  /** The rendering loading did, when it rendered with what a full build renders with. */
  private Optional<String> fromLoading(Project project, ModelDef model) {
    ParseRendering loaded = parsed.get(model.name());
    if (loaded == null
        || project.dbt() != null
        || !loaded.template().equals(model.sqlTemplate())
        || !loaded.thisTable().equals(model.tableName())
        || !loaded.vars().equals(project.config().vars())
        || !loaded
            .partitionVariables()
            .equals(
                model.partitioned()
                    ? PartitionVariables.placeholders(model.partitions())
                    : Map.of())) {
      return Optional.empty();
    }
    for (Map.Entry<String, TableName> ref : loaded.refs().entrySet()) {
      if (!project.refTable(ref.getKey()).map(ref.getValue()::equals).orElse(false)) {
        return Optional.empty();
      }
    }
    for (Map.Entry<SourceRef, TableName> source : loaded.sources().entrySet()) {
      if (!project
          .sourceTable(source.getKey().source(), source.getKey().table())
          .map(table -> table.tableName().equals(source.getValue()))
          .orElse(false)) {
        return Optional.empty();
      }
    }
    return Optional.of(loaded.sql());
  }
}
