package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * What a dbt project's templates see besides Sluice's functions, when they are rendered for a run
 * as when the project is loaded: its macros (and dbt's own that it may call) and dbt's globals
 * ({@code target}), its docs blocks; and where its artifacts go ({@code target-path}) and the
 * target they name. A {@code source()} of a dbt project renders its table without the columns the
 * load adds ({@code _source_file}, {@code _loaded_at}), since dbt-duckdb reads the file itself.
 */
public final class DbtTemplates {
  /** The keys of dbt's {@code graph}. */
  static final java.util.List<String> GRAPH_KEYS =
      java.util.List.of(
          "nodes",
          "sources",
          "exposures",
          "metrics",
          "groups",
          "semantic_models",
          "saved_queries",
          "unit_tests");

  /** dbt's {@code graph} while the project is loaded (dbt's parse): empty. */
  static final Map<String, Object> EMPTY_GRAPH = emptyGraph();

  private final DbtMacros macros;
  private java.util.function.Supplier<Map<String, Object>> graphSource = () -> EMPTY_GRAPH;
  private Map<String, Object> graph;
  private final Map<String, Object> globals;
  private final DbtDocs docs;
  private final String targetPath;
  private final String targetSchema;
  private final String targetDatabase;
  // Set only by the withers, on a fresh copy, before the copy is handed out.
  private Map<String, ModelDef> ephemeralModels = Map.of();
  private DbtHooks hooks = DbtHooks.NONE;
  private Map<SourceRef, dev.sluice.api.TableName> sourceRelations = Map.of();
  private Map<String, Object> macroOverrides = Map.of();
  private Map<String, String> environmentOverrides = Map.of();
  private DbtResources resources = new DbtResources();
  private DbtMicrobatch microbatch = DbtMicrobatch.NONE;
  private DbtPackageNodes packageNodes = DbtPackageNodes.NONE;
  private DbtVersions versions = DbtVersions.NONE;

  DbtTemplates(
      DbtMacros macros,
      Map<String, Object> globals,
      DbtDocs docs,
      String targetPath,
      String targetSchema,
      String targetDatabase) {
    this.macros = requireNonNull(macros, "macros is null");
    this.globals = Copies.orderedMap(globals);
    this.docs = requireNonNull(docs, "docs is null");
    this.targetPath = requireNonNull(targetPath, "targetPath is null");
    this.targetSchema = requireNonNull(targetSchema, "targetSchema is null");
    this.targetDatabase = requireNonNull(targetDatabase, "targetDatabase is null");
  }

  /**
   * A copy of {@code from} for a wither to change one field of: everything but the {@code graph},
   * which each copy makes from its own source ({@link #describedBy}).
   */
  private DbtTemplates(DbtTemplates from) {
    this(
        from.macros,
        from.globals,
        from.docs,
        from.targetPath,
        from.targetSchema,
        from.targetDatabase);
    this.ephemeralModels = from.ephemeralModels;
    this.hooks = from.hooks;
    this.sourceRelations = from.sourceRelations;
    this.macroOverrides = from.macroOverrides;
    this.environmentOverrides = from.environmentOverrides;
    this.resources = from.resources;
    this.microbatch = from.microbatch;
    this.packageNodes = from.packageNodes;
    this.versions = from.versions;
  }

  /**
   * These templates, where {@code ref()} of one of {@code models} (the project's ephemeral models)
   * renders as dbt's CTE of it, {@code __dbt__cte__<name>}, which the rendering prepends.
   */
  DbtTemplates withEphemeralModels(Map<String, ModelDef> models) {
    DbtTemplates copy = new DbtTemplates(this);
    copy.ephemeralModels = Copies.orderedMap(models);
    return copy;
  }

  /** The project's ephemeral models, by name: each is inlined where it is read. */
  public Map<String, ModelDef> ephemeralModels() {
    return ephemeralModels;
  }

  /** These templates, with the project's hooks. */
  DbtTemplates withHooks(DbtHooks hooks) {
    DbtTemplates copy = new DbtTemplates(this);
    copy.hooks = requireNonNull(hooks, "hooks is null");
    return copy;
  }

  /** These templates, where each of {@code relations} is read from the warehouse's relation. */
  DbtTemplates withSourceRelations(Map<SourceRef, dev.sluice.api.TableName> relations) {
    DbtTemplates copy = new DbtTemplates(this);
    copy.sourceRelations = Map.copyOf(relations);
    return copy;
  }

  /**
   * These templates as a unit test renders its model (dbt's unit test context): each macro of
   * {@code macros} gives the value the test sets ({@code dbt_utils.x} overrides a package's macro;
   * dbt's own, such as {@code current_timestamp}, both as {@code x()} and {@code dbt.x()}), and
   * {@code env_var()} of a name in {@code environment} gives the test's value.
   */
  public DbtTemplates withUnitTestOverrides(
      Map<String, Object> macros, Map<String, String> environment) {
    DbtTemplates copy = new DbtTemplates(this);
    copy.macroOverrides = Copies.orderedMap(macros);
    copy.environmentOverrides = Copies.orderedMap(environment);
    return copy;
  }

  /**
   * The warehouse's relation a source table without a location stands for ({@code
   * <schema>.<identifier>}, as dbt reads it), if the table is one.
   */
  public java.util.Optional<dev.sluice.api.TableName> sourceRelation(String source, String table) {
    return java.util.Optional.ofNullable(sourceRelations.get(new SourceRef(source, table)));
  }

  /** These templates, with the project's exposures, groups, semantic models, ... */
  DbtTemplates withResources(DbtResources projectResources) {
    this.resources = requireNonNull(projectResources, "projectResources is null");
    return this;
  }

  /**
   * The project's exposures, groups, semantic models, metrics and saved queries, and what its
   * properties declare of columns and access.
   */
  public DbtResources resources() {
    return resources;
  }

  /** These templates, with the project's microbatch models and its inputs' event times. */
  DbtTemplates withMicrobatch(DbtMicrobatch microbatch) {
    DbtTemplates copy = new DbtTemplates(this);
    copy.microbatch = requireNonNull(microbatch, "microbatch is null");
    return copy;
  }

  /** These templates, with the models and seeds of the installed packages. */
  DbtTemplates withPackageNodes(DbtPackageNodes nodes) {
    DbtTemplates copy = new DbtTemplates(this);
    copy.packageNodes = requireNonNull(nodes, "nodes is null");
    return copy;
  }

  /** These templates, with the project's versioned models. */
  DbtTemplates withVersions(DbtVersions versions) {
    DbtTemplates copy = new DbtTemplates(this);
    copy.versions = requireNonNull(versions, "versions is null");
    return copy;
  }

  /** The project's versioned models. */
  DbtVersions versions() {
    return versions;
  }

  /** The models and seeds of the installed packages: their packages and files. */
  DbtPackageNodes packageNodes() {
    return packageNodes;
  }

  /** The project's microbatch models, and the event times of the models, seeds and sources. */
  public DbtMicrobatch microbatch() {
    return microbatch;
  }

  /** The project's hooks: pre- and post-hooks, on-run-start and on-run-end. */
  public DbtHooks hooks() {
    return hooks;
  }

  /** dbt_project.yml's {@code target-path}, relative to the project: {@code target} by default. */
  public String targetPath() {
    return targetPath;
  }

  /** The target's schema ({@code main} without a profile). */
  String targetSchema() {
    return targetSchema;
  }

  /** The target's database as dbt-duckdb names it ({@code memory} without a path). */
  public String targetDatabase() {
    return targetDatabase;
  }

  /** The project's docs blocks, which descriptions read with {@code doc()}. */
  public DbtDocs docs() {
    return docs;
  }

  DbtMacros macros() {
    return macros;
  }

  Map<String, Object> globals() {
    return globals;
  }

  /** Makes the project's macros and globals known in a session, and its {@code graph}. */
  TemplateSession applyTo(TemplateSession session) {
    return session
        .withDbt(macros, globals)
        .withOverrides(macroOverrides, environmentOverrides)
        .withEphemeralModels(ephemeralModels.keySet())
        .withSourceRelations(sourceRelations.keySet())
        .withMicrobatch(microbatch)
        .withVersions(versions)
        .withGraph(this::graph);
  }

  /** Where dbt's {@code graph} comes from: the loaded project's manifest. */
  synchronized void describedBy(java.util.function.Supplier<Map<String, Object>> source) {
    graphSource = requireNonNull(source, "source is null");
    graph = null;
  }

  /** dbt's {@code graph}, made once from the loaded project. */
  synchronized Map<String, Object> graph() {
    if (graph == null) {
      graph = graphSource.get();
    }
    return graph;
  }

  private static Map<String, Object> emptyGraph() {
    Map<String, Object> empty = new java.util.LinkedHashMap<>();
    GRAPH_KEYS.forEach(key -> empty.put(key, Map.of()));
    return java.util.Collections.unmodifiableMap(empty);
  }
}
