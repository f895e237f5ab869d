package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import dev.sluice.api.TableName;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The state of one template rendering, seen by the template functions: what they resolve against,
 * and what they found (refs, sources, config values, problems with their lines).
 */
final class TemplateSession {
  /** The keys {@code config()} accepts. */
  static final Set<String> CONFIG_KEYS =
      Set.of(
          "materialized",
          "unique_key",
          "on_schema_change",
          "zone",
          "description",
          "owner",
          "tier",
          "tags",
          "retries",
          "timeout",
          "pool",
          "engine",
          "memory_limit",
          ParquetParser.KEY,
          "strategy",
          "updated_at",
          "check_cols",
          "hard_deletes",
          "invalidate_hard_deletes",
          "snapshot_meta_column_names");

  private final Location origin;
  private final boolean templateLines;
  private final boolean incremental;
  private final boolean configAllowed;
  private final Map<String, Object> vars;
  private final Function<String, TableName> refResolver;
  private final BiFunction<String, String, TableName> sourceResolver;
  private final Problems problems;
  private final Map<String, Integer> refs = new LinkedHashMap<>();
  private final Map<SourceRef, Integer> sources = new LinkedHashMap<>();
  private final List<String> metrics = new java.util.ArrayList<>();
  private final Map<String, Object> config = new LinkedHashMap<>();
  private final Map<String, Integer> configLines = new LinkedHashMap<>();
  private boolean anyConfigKey;
  private DbtMacros macros = DbtMacros.NONE;
  private Map<String, Object> dbtGlobals = Map.of();
  private Map<String, Object> macroOverrides = Map.of();
  private Map<String, String> environmentOverrides = Map.of();
  private boolean execute;
  private TemplateQueries queries;
  private java.util.function.Supplier<Map<String, Object>> graph = () -> DbtTemplates.EMPTY_GRAPH;
  private final Map<String, Object> statementResults = new LinkedHashMap<>();
  private DbtDocs docs;
  private String documentedNode;
  private Set<String> ephemeralModels = Set.of();
  private DbtVersions versions = DbtVersions.NONE;
  private Set<SourceRef> sourceRelations = Set.of();
  private DbtMicrobatch microbatch = DbtMicrobatch.NONE;
  private DbtMicrobatch.Window batchWindow;
  private final Set<String> ephemeralRefs = new java.util.LinkedHashSet<>();

  /** The macro calls being rendered, innermost first. */
  private final java.util.Deque<DbtMacroFunction.Frame> frames = new java.util.ArrayDeque<>();

  /** The macro call in which each of Jinjava's errors happened, innermost call. */
  private final java.util.IdentityHashMap<Object, DbtMacroFunction.Frame> errorFrames =
      new java.util.IdentityHashMap<>();

  private long nodesRendered;
  private int lastNodeLine;
  private int callLine;
  private boolean stopped;
  private int errorsAtStop = -1;

  /**
   * @param origin where the template is: a model's SQL file, or a check in a YAML file
   * @param templateLines whether the template's lines are the file's lines (true for SQL files);
   *     otherwise every problem is reported at the origin
   */
  TemplateSession(
      Location origin,
      boolean templateLines,
      boolean incremental,
      boolean configAllowed,
      Map<String, Object> vars,
      Function<String, TableName> refResolver,
      BiFunction<String, String, TableName> sourceResolver,
      Problems problems) {
    this.origin = requireNonNull(origin, "origin is null");
    this.templateLines = templateLines;
    this.incremental = incremental;
    this.configAllowed = configAllowed;
    this.vars = requireNonNull(vars, "vars is null");
    this.refResolver = requireNonNull(refResolver, "refResolver is null");
    this.sourceResolver = requireNonNull(sourceResolver, "sourceResolver is null");
    this.problems = requireNonNull(problems, "problems is null");
  }

  /** The file location of a template line. */
  Location location(int templateLine) {
    return templateLines && templateLine > 0 ? new Location(origin.file(), templateLine) : origin;
  }

  void problem(int templateLine, String message, String hint) {
    problems.add(location(templateLine), message, hint);
  }

  boolean incremental() {
    return incremental;
  }

  boolean configAllowed() {
    return configAllowed;
  }

  /**
   * Lets {@code config()} take any key: in a dbt project's models, whose configs dbt's adapters
   * read, and when rendering for a run, the keys having been checked when the project was loaded.
   */
  TemplateSession allowAnyConfigKey() {
    anyConfigKey = true;
    return this;
  }

  /**
   * Makes a dbt project's macros callable and its globals ({@code target}, ...) known in the
   * templates rendered in this session.
   */
  TemplateSession withDbt(DbtMacros macros, Map<String, Object> globals) {
    this.macros = requireNonNull(macros, "macros is null");
    this.dbtGlobals = Copies.orderedMap(globals);
    return this;
  }

  /**
   * Makes the named macros give these values, and {@code env_var()} of these names these values, as
   * a dbt unit test's {@code overrides} do.
   */
  TemplateSession withOverrides(Map<String, Object> macros, Map<String, String> environment) {
    this.macroOverrides = Copies.orderedMap(macros);
    this.environmentOverrides = Copies.orderedMap(environment);
    return this;
  }

  /** The values of the macros a unit test overrides, by name ({@code package.name} too). */
  Map<String, Object> macroOverrides() {
    return macroOverrides;
  }

  /** Makes {@code ref()} of one of these ephemeral models render as its CTE's name. */
  TemplateSession withEphemeralModels(Set<String> names) {
    this.ephemeralModels = Set.copyOf(names);
    return this;
  }

  /** Makes {@code source()} of one of these read the warehouse's relation as it is. */
  TemplateSession withSourceRelations(Set<SourceRef> sources) {
    this.sourceRelations = Set.copyOf(sources);
    return this;
  }

  /** Whether a source table is the warehouse's relation, not a table Sluice loads. */
  boolean isSourceRelation(SourceRef source) {
    return sourceRelations.contains(source);
  }

  /** Makes the event times of a dbt project's inputs known, which a batch's reads filter on. */
  TemplateSession withMicrobatch(DbtMicrobatch microbatch) {
    this.microbatch = requireNonNull(microbatch, "microbatch is null");
    return this;
  }

  /** Makes {@code ref()} of a versioned model read the version asked for, or its latest. */
  TemplateSession withVersions(DbtVersions versions) {
    this.versions = requireNonNull(versions, "versions is null");
    return this;
  }

  /** The project's versioned models. */
  DbtVersions versions() {
    return versions;
  }

  /**
   * Makes this the rendering of one batch of a microbatch model: each {@code ref()} or {@code
   * source()} of an input with an event time reads only the window.
   */
  TemplateSession inBatch(DbtMicrobatch.Window window) {
    this.batchWindow = requireNonNull(window, "window is null");
    return this;
  }

  /**
   * What an input renders as in this session: filtered to the batch's window on its event time
   * while a batch is rendered, else {@code rendered} as it is.
   */
  String readOf(String rendered, String identifier, Optional<String> eventTime) {
    if (batchWindow == null || eventTime.isEmpty()) {
      return rendered;
    }
    return DbtMicrobatch.filtered(rendered, identifier, eventTime.get(), batchWindow);
  }

  DbtMicrobatch microbatch() {
    return microbatch;
  }

  boolean isEphemeral(String model) {
    return ephemeralModels.contains(model);
  }

  /** The ephemeral models the template read with {@code ref()}, in the order of first reading. */
  List<String> ephemeralRefs() {
    return List.copyOf(ephemeralRefs);
  }

  void recordEphemeralRef(String model) {
    ephemeralRefs.add(model);
  }

  /**
   * Makes {@code doc('name')} give the project's docs blocks, in the description of {@code node}
   * (dbt's unique id, which a missing doc's message names).
   */
  TemplateSession withDocs(DbtDocs docs, String node) {
    this.docs = requireNonNull(docs, "docs is null");
    this.documentedNode = requireNonNull(node, "node is null");
    return this;
  }

  /** The docs blocks {@code doc()} reads, or null outside a description. */
  DbtDocs docs() {
    return docs;
  }

  /** The unique id of the node whose description is rendered, or null. */
  String documentedNode() {
    return documentedNode;
  }

  DbtMacros macros() {
    return macros;
  }

  /**
   * Marks the rendering as dbt's execution phase ({@code execute} is true): a run or a compile, not
   * the loading of the project, which is dbt's parsing phase.
   */
  TemplateSession executing() {
    execute = true;
    return this;
  }

  /** dbt's {@code execute}: whether this rendering is for a run or a compile, not for loading. */
  boolean execute() {
    return execute;
  }

  /**
   * Lets the templates query the project's tables ({@code run_query}, {@code statement}, {@code
   * adapter.get_columns_in_relation}): a rendering for a run or a compile, which is then dbt's
   * execution phase ({@code execute} is true).
   */
  TemplateSession querying(TemplateQueries queries) {
    this.queries = requireNonNull(queries, "queries is null");
    return executing();
  }

  /** What the templates query, or null when they cannot (then {@code execute} is false). */
  TemplateQueries queries() {
    return execute ? queries : null;
  }

  /** Where dbt's {@code graph} comes from, when the rendering executes. */
  TemplateSession withGraph(java.util.function.Supplier<Map<String, Object>> source) {
    this.graph = requireNonNull(source, "source is null");
    return this;
  }

  /**
   * dbt's {@code graph}: the project's nodes, sources, ... while the rendering executes; empty
   * while the project is loaded, as in dbt's parse.
   */
  Map<String, Object> graph() {
    return queries() == null ? DbtTemplates.EMPTY_GRAPH : graph.get();
  }

  /** dbt's {@code load_result(name)}s of this rendering, by the statements' names. */
  Map<String, Object> statementResults() {
    return statementResults;
  }

  /**
   * Where a call made in a dbt built-in macro comes from ({@code statement}'s query): the line of
   * the innermost call from the project's own macros or template, in that file.
   */
  Location callerLocation(int line, java.util.Set<String> builtInFiles) {
    int at = line;
    for (DbtMacroFunction.Frame frame : frames) {
      if (!builtInFiles.contains(frame.file())) {
        return new Location(frame.file(), Math.max(at, 1));
      }
      at = frame.callerLine();
    }
    return location(at);
  }

  /** Where the template is: its file when it is a file, else what declares it. */
  Location origin() {
    return origin;
  }

  java.util.Deque<DbtMacroFunction.Frame> frames() {
    return frames;
  }

  /** The innermost macro call being rendered, or null in the template itself. */
  DbtMacroFunction.Frame frame() {
    return frames.peek();
  }

  /** Records in which macro call an error of Jinjava's happened, unless an inner call has. */
  void attribute(Object error, DbtMacroFunction.Frame frame) {
    errorFrames.putIfAbsent(error, frame);
  }

  /**
   * The macro call in which an error happened, or null for the template itself: an error Jinjava
   * recorded, or one made of an exception that ended the rendering ({@link #attribute}d by the
   * exception).
   */
  DbtMacroFunction.Frame frameOf(com.hubspot.jinjava.interpret.TemplateError error) {
    DbtMacroFunction.Frame frame = errorFrames.get(error);
    Throwable cause = attributedCause(error);
    return frame != null || cause == null ? frame : errorFrames.get(cause);
  }

  /** The exception in an error's causes that was {@link #attribute}d to a macro call, or null. */
  Throwable attributedCause(com.hubspot.jinjava.interpret.TemplateError error) {
    for (Throwable cause = error.getException(); cause != null; cause = cause.getCause()) {
      if (errorFrames.containsKey(cause)) {
        return cause;
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return null;
  }

  /** Notes the line of the template node about to be rendered (in its own file). */
  void nodeAt(int line) {
    lastNodeLine = line;
  }

  /** Notes the line of a {@code {% call %}} tag, for the macro it calls ({@link DbtCallTag}). */
  void callAt(int line) {
    callLine = line;
  }

  /**
   * The line of the node that calls a macro now: a {@code {% call %}} tag's, once, else the last
   * node's; 0 when unknown.
   */
  int takeCallLine() {
    int line = callLine > 0 ? callLine : lastNodeLine;
    callLine = 0;
    return line;
  }

  /** The line of the last template node rendered, or 0 before the first. */
  int lastNodeLine() {
    return lastNodeLine;
  }

  /** Counts a rendered template node; returns the count. */
  long countNode() {
    return ++nodesRendered;
  }

  /**
   * Stops the rendering: every template node rendered from now on fails at once, so that an error
   * ({@code exceptions.raise_compiler_error}) or a runaway loop ends it; Jinjava's errors from now
   * on are consequences, not reported.
   *
   * @param errorsSoFar how many errors Jinjava has recorded so far
   */
  void stop(int errorsSoFar) {
    if (!stopped) {
      stopped = true;
      errorsAtStop = errorsSoFar;
    }
  }

  boolean stopped() {
    return stopped;
  }

  /** How many of Jinjava's errors came before the rendering was stopped; -1 if it was not. */
  int errorsAtStop() {
    return errorsAtStop;
  }

  /**
   * The location of the current template line: the macro file's line inside a macro call, else the
   * template's.
   */
  Location currentLocation(int line) {
    DbtMacroFunction.Frame frame = frame();
    if (frame != null) {
      return new Location(frame.file(), Math.max(line, 1));
    }
    return location(line);
  }

  /** What is being rendered, for messages: "macro 'x' (called from ...)" or the origin. */
  String describeCurrent() {
    DbtMacroFunction.Frame frame = frame();
    return frame == null
        ? origin.file()
        : "macro '" + frame.macro() + "', rendering " + origin.file();
  }

  /** Whether the template is a dbt project's. */
  boolean dbt() {
    return macros != DbtMacros.NONE;
  }

  /** dbt's {@code target.database}, which relations name; null outside a dbt project. */
  String targetDatabase() {
    return dbtGlobals.get("target") instanceof Map<?, ?> target && target.get("database") != null
        ? target.get("database").toString()
        : null;
  }

  /** The names a dbt project's templates see besides the functions: {@code target}, ... */
  Map<String, Object> dbtGlobals() {
    return dbtGlobals;
  }

  /** What {@code env_var()} reads: the process environment, when loading and when running. */
  Function<String, String> environment() {
    if (environmentOverrides.isEmpty()) {
      return System::getenv;
    }
    return name ->
        environmentOverrides.containsKey(name)
            ? environmentOverrides.get(name)
            : System.getenv(name);
  }

  /** Whether {@code config()} takes a key. */
  boolean configKeyAllowed(String key) {
    return anyConfigKey || CONFIG_KEYS.contains(key);
  }

  Map<String, Object> vars() {
    return vars;
  }

  Function<String, TableName> refResolver() {
    return refResolver;
  }

  BiFunction<String, String, TableName> sourceResolver() {
    return sourceResolver;
  }

  Problems problems() {
    return problems;
  }

  void recordRef(String name, int line) {
    refs.putIfAbsent(name, line);
  }

  /** A {@code metric('name')} (an exposure's {@code depends_on}). */
  void recordMetric(String name) {
    metrics.add(name);
  }

  List<String> metrics() {
    return metrics;
  }

  void recordSource(SourceRef source, int line) {
    sources.putIfAbsent(source, line);
  }

  void recordConfig(String key, Object value, int line) {
    config.put(key, value);
    configLines.put(key, line);
  }

  /** The models and seeds referred to, each with the template line of its first use. */
  Map<String, Integer> refs() {
    return refs;
  }

  Map<SourceRef, Integer> sources() {
    return sources;
  }

  Map<String, Object> config() {
    return config;
  }

  Map<String, Integer> configLines() {
    return configLines;
  }
}
