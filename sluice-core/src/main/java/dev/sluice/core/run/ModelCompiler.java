package dev.sluice.core.run;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import dev.sluice.api.ProjectException;
import dev.sluice.api.ProjectException.Problem;
import dev.sluice.api.QueryException;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.Engine;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.core.SluiceVersion;
import dev.sluice.core.project.Asset;
import dev.sluice.core.project.Materialization;
import dev.sluice.core.project.ModelDef;
import dev.sluice.core.project.Project;
import dev.sluice.core.project.SourceRef;
import dev.sluice.core.project.SqlRenderer;
import dev.sluice.core.query.SqlSandbox;
import dev.sluice.core.state.DerivedCache;
import dev.sluice.lake.Lake;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SchemaParser;
import org.apache.iceberg.Table;
import org.apache.iceberg.view.View;

/**
 * Compiles every model without running it, for {@code sluice validate}: in dependency order, each
 * model's SQL is checked by the sandbox ({@link SqlSandbox}) and described by the engine against
 * empty relations with its inputs' schemas, so that syntax and binder errors (an unknown column, a
 * type mismatch) are reported with the file and line before a run. A source or seed that was never
 * loaded has no schema yet; the models that read it are only checked, not bound.
 *
 * <p>With a cache ({@link DerivedCache.Kind#COMPILED_MODEL}), a model whose key is the one kept
 * from an earlier compile is not checked or described again: the key hashes everything the verdict
 * and the output schema depend on (the model's table and rendered SQL, full and incremental, the
 * tables it may read, each input's schema, the engine and its version, Sluice's version), so a
 * changed model gets a new key, and so does every model downstream whose input's schema changed
 * (its input's schema is in its key). Only models that compiled are kept: an error is found again.
 */
public final class ModelCompiler {
  private static final Pattern ENGINE_LINE = Pattern.compile("LINE (\\d+):");

  private final Project project;
  private final Lake lake;
  private final SqlRenderer renderer = new SqlRenderer();
  private final Map<TableName, Schema> compiled = new HashMap<>();

  /** The schemas of the inputs that are not the project's models, as the lake holds them. */
  private final Map<TableName, Optional<Schema>> inLake = new HashMap<>();

  /**
   * The relations registered in each engine's session, by engine, with the schema registered: an
   * input read by many models (a fan-out's root read by 3,000) is registered once, not once per
   * reader (each a {@code CREATE VIEW} round trip, a quarter of {@code validate}'s samples on
   * 10,000 models; docs/benchmarks.md).
   */
  private final Map<String, Map<TableName, Schema>> registered = new HashMap<>();

  /** What an earlier compile kept, by model; empty without a cache. */
  private final Map<String, DerivedCache.Entry> kept;

  /** What this compile found and the cache did not hold, by model. */
  private final Map<String, DerivedCache.Entry> found = new HashMap<>();

  /** How many models' kept schemas were used instead of compiling them. */
  private int reused;

  /**
   * What compiling found.
   *
   * @param compiled how many models were bound against their inputs' schemas
   * @param notBound models checked but not bound, with the input that has no schema yet
   * @param reused of those, how many were not compiled again: their kept schema's key matched
   */
  public record Result(int compiled, Map<String, TableName> notBound, int reused) {
    public Result {
      notBound = Map.copyOf(notBound);
    }
  }

  private ModelCompiler(Project project, Lake lake, Map<String, DerivedCache.Entry> kept) {
    this.project = requireNonNull(project, "project is null");
    this.lake = requireNonNull(lake, "lake is null");
    this.kept = requireNonNull(kept, "kept is null");
  }

  /**
   * Compiles every model of the project.
   *
   * @throws ProjectException listing each model that does not compile, with its file and line
   */
  public static Result compile(Project project, Lake lake, Engine engine) {
    return compile(project, lake, name -> engine);
  }

  /**
   * Compiles every model of the project, each on its engine ({@code engine:} on a model, null for
   * the project's), so that a function one engine does not have is found before a run.
   *
   * @param engines the engine of a name, null for the project's
   * @throws ProjectException listing each model that does not compile, with its file and line
   */
  public static Result compile(Project project, Lake lake, Function<String, Engine> engines) {
    return new ModelCompiler(project, lake, Map.of()).compileAll(engines);
  }

  /**
   * Compiles every model of the project as {@link #compile(Project, Lake, Function)} does, reusing
   * what an earlier compile kept in {@code cache} for a model whose inputs did not change, and
   * keeping what this one found ({@code sluice validate}; docs/benchmarks.md).
   *
   * @throws ProjectException listing each model that does not compile, with its file and line
   */
  public static Result compile(
      Project project,
      Lake lake,
      Function<String, Engine> engines,
      DerivedCache cache,
      Instant now) {
    Map<String, DerivedCache.Entry> kept = cache.all(DerivedCache.Kind.COMPILED_MODEL);
    ModelCompiler compiler = new ModelCompiler(project, lake, kept);
    try {
      return compiler.compileAll(engines);
    } finally {
      // what compiled is kept even when another model failed: the next validate skips it
      List<String> gone =
          kept.keySet().stream().filter(name -> !project.models().containsKey(name)).toList();
      cache.put(DerivedCache.Kind.COMPILED_MODEL, compiler.found, gone, now);
    }
  }

  private Result compileAll(Function<String, Engine> engines) {
    List<Problem> problems = new ArrayList<>();
    Map<String, TableName> notBound = new HashMap<>();
    Map<String, EngineSession> sessions = new java.util.TreeMap<>();
    int bound = 0;
    try {
      for (String asset : project.graph().topologicalOrder()) {
        if (!(project.asset(asset) instanceof Asset.Model modelAsset)) {
          continue;
        }
        ModelDef model = modelAsset.definition();
        if (!model.materialization().built()) {
          continue; // compiled inlined in the models that read it
        }
        Engine engine = engines.apply(model.execution().engine());
        // opened when a model is not reused: a validate of an unchanged project opens none
        Supplier<EngineSession> session =
            () -> sessions.computeIfAbsent(engine.name(), unused -> engine.openSession());
        try {
          Optional<TableName> missing = compile(session, engine, model);
          if (missing.isPresent()) {
            notBound.put(model.name(), missing.get());
          } else {
            bound++;
          }
        } catch (ProjectException e) {
          problems.addAll(e.problems());
        }
      }
    } finally {
      sessions.values().forEach(EngineSession::close);
    }
    if (!problems.isEmpty()) {
      throw new ProjectException(problems);
    }
    return new Result(bound, notBound, reused);
  }

  /** Compiles one model; returns the first input without a schema, when there is one. */
  private Optional<TableName> compile(
      Supplier<EngineSession> sessions, Engine engine, ModelDef model) {
    Set<TableName> inputs = new LinkedHashSet<>();
    for (String ref : project.tableRefs(model)) {
      project.refTable(ref).ifPresent(inputs::add);
    }
    for (SourceRef source : project.sourcesRead(model)) {
      project.sourceTableName(source.source(), source.table()).ifPresent(inputs::add);
    }
    Set<TableName> readable = new LinkedHashSet<>(inputs);
    readable.add(model.tableName());
    if (project.dbt() == null) {
      Optional<String> key = key(engine, model, inputs, readable);
      DerivedCache.Entry entry = key.isPresent() ? kept.get(model.name()) : null;
      if (entry != null && entry.key().equals(key.get())) {
        compiled.put(model.tableName(), SchemaParser.fromJson(entry.value()));
        reused++;
        return Optional.empty();
      }
      Optional<TableName> missing = compile(sessions.get(), engine.name(), model, inputs, readable);
      if (missing.isEmpty() && key.isPresent()) {
        found.put(
            model.name(),
            new DerivedCache.Entry(
                key.get(), SchemaParser.toJson(compiled.get(model.tableName()))));
      }
      return missing;
    }
    // a dbt model's SQL is rendered with the probe of a session, and may read tables' rows
    return compile(sessions.get(), engine.name(), model, inputs, readable);
  }

  /**
   * The key of a model's compile: a hash of all its verdict and output schema depend on, or empty
   * when an input has no schema yet (the model is checked but not bound, and not kept).
   */
  private Optional<String> key(
      Engine engine, ModelDef model, Set<TableName> inputs, Set<TableName> readable) {
    DerivedCache.KeyHash digest =
        new DerivedCache.KeyHash(KEY_FORMAT)
            .add(SluiceVersion.current())
            .add(engine.name())
            .add(engine.version())
            .add(model.tableName().toString())
            .add(project.renderedForFullBuild(model))
            .add(
                model.materialization() == Materialization.INCREMENTAL
                    ? renderer.render(model, context(model, true, null))
                    : "");
    readable.stream().map(TableName::toString).sorted().forEach(digest::add);
    for (TableName input : inputs) {
      Optional<Schema> schema = schemaOf(input);
      if (schema.isEmpty()) {
        return Optional.empty();
      }
      digest.add(input.toString()).add(SchemaParser.toJson(schema.get()));
    }
    return Optional.of(digest.hex());
  }

  /** Changes when what a key hashes, or how, changes: every kept schema is then compiled again. */
  private static final String KEY_FORMAT = "compiled-model/1";

  /** Compiles one model on the engine; returns the first input without a schema, if any. */
  private Optional<TableName> compile(
      EngineSession session,
      String engine,
      ModelDef model,
      Set<TableName> inputs,
      Set<TableName> readable) {
    String file = model.sqlFileName();
    IntrospectionProbe probe = project.dbt() == null ? null : new IntrospectionProbe(session);
    String full;
    try {
      // loading's rendering for a full build when it is one (a dbt model's renders here, with
      // the probe for its introspective Jinja)
      full =
          probe == null
              ? project.renderedForFullBuild(model)
              : renderer.render(model, context(model, false, probe));
      SqlSandbox.checkModel(session, file, full, readable);
    } catch (ProjectException e) {
      if (probe != null && probe.missing != null) {
        // a dbt model's SQL built from a table not built yet (get_column_values, star): it is
        // compiled when that table exists, as dbt's compile needs it too
        return Optional.of(probe.missing);
      }
      throw e;
    }
    for (TableName input : inputs) {
      Optional<Schema> schema = schemaOf(input);
      if (schema.isEmpty()) {
        return Optional.of(input);
      }
      register(session, engine, input, schema.get());
    }
    Schema result = describe(session, engine, model, full);
    compiled.put(model.tableName(), result);
    if (model.materialization() == Materialization.INCREMENTAL) {
      // the incremental variant reads {{ this }}: the table the full build would make
      String incremental = renderer.render(model, context(model, true, probe));
      SqlSandbox.checkModel(session, file, incremental, readable);
      register(session, engine, model.tableName(), result);
      describe(session, engine, model, incremental);
    }
    return Optional.empty();
  }

  /** Registers an empty relation of {@code schema} unless the session has it so already. */
  private void register(EngineSession session, String engine, TableName table, Schema schema) {
    Map<TableName, Schema> relations =
        registered.computeIfAbsent(engine, unused -> new HashMap<>());
    Schema known = relations.get(table);
    if (known != null && known.sameSchema(schema)) {
      return;
    }
    session.registerTable(table, schema, List.of());
    relations.put(table, schema);
  }

  private SqlRenderer.RenderContext context(
      ModelDef model, boolean incremental, IntrospectionProbe probe) {
    SqlRenderer.RenderContext context = SqlRenderer.RenderContext.of(project, model, incremental);
    return probe == null ? context : context.withQueries(probe);
  }

  /**
   * The queries of a dbt model's introspective Jinja while it is compiled: on the lake's tables as
   * they are, noting the first one that is not built yet.
   */
  private final class IntrospectionProbe implements dev.sluice.core.project.TemplateQueries {
    private final LakeTemplateQueries queries;
    private TableName missing;

    IntrospectionProbe(EngineSession session) {
      this.queries =
          new LakeTemplateQueries(project, lake, session, dev.sluice.lake.ReadPoint.main());
    }

    @Override
    public dev.sluice.api.engine.QueryResult query(String sql) {
      Set<TableName> tables = dev.sluice.core.run.Relations.referencedTables(sql);
      if (tables != null) {
        tables.stream().filter(table -> !exists(table)).findFirst().ifPresent(this::noteMissing);
      }
      return queries.query(sql);
    }

    @Override
    public boolean exists(TableName table) {
      boolean exists = queries.exists(table);
      if (!exists) {
        noteMissing(table);
      }
      return exists;
    }

    private void noteMissing(TableName table) {
      if (missing == null) {
        missing = table;
      }
    }
  }

  private Optional<Schema> schemaOf(TableName input) {
    Schema known = compiled.get(input);
    if (known != null) {
      return Optional.of(known);
    }
    // a source's table is looked up once, not once for its key and again for its compile
    return inLake.computeIfAbsent(
        input,
        name -> {
          Optional<Table> table = lake.findTable(name);
          if (table.isPresent()) {
            return Optional.of(table.get().schema());
          }
          return lake.findView(name).map(View::schema);
        });
  }

  private static Schema describe(EngineSession session, String engine, ModelDef model, String sql) {
    try {
      return session.describe(sql);
    } catch (QueryException e) {
      String message = e.getMessage().strip();
      Matcher line = ENGINE_LINE.matcher(message);
      int lineNumber = line.find() ? Integer.parseInt(line.group(1)) : 0;
      int context = message.indexOf("\n\nLINE ");
      String what = context > 0 ? message.substring(0, context).strip() : message;
      throw new ProjectException(
          new Location(model.sqlFileName(), lineNumber),
          "The model's SQL does not compile on engine " + engine + ": " + what,
          "fix the SQL; 'sluice validate' compiles every model against its inputs' columns");
    }
  }
}
