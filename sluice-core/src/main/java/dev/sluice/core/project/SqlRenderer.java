package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.el.JinjavaProcessors;
import com.hubspot.jinjava.interpret.AutoCloseableSupplier;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.InterpretException;
import com.hubspot.jinjava.interpret.InvalidArgumentException;
import com.hubspot.jinjava.interpret.InvalidInputException;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.interpret.UnknownTokenException;
import com.hubspot.jinjava.interpret.errorcategory.BasicTemplateErrorCategory;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import dev.sluice.api.Location;
import dev.sluice.api.ProjectException;
import dev.sluice.api.TableName;
import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Renders model SQL and {@code sql} check queries, which are Jinja templates, with Jinjava.
 *
 * <p>Templates can use {@code ref('model')}, {@code source('source', 'table')}, {@code this},
 * {@code var('name')} / {@code var('name', default)}, {@code config(key=value, ...)} (models only;
 * renders nothing) and {@code is_incremental()}. Rendering keeps the template's lines: line N of
 * the output comes from line N of the file, so that an engine error can point at the file's line.
 *
 * <p>Instances are stateless and safe to share between threads.
 */
public final class SqlRenderer {
  private static final String TEMPLATE_HINT =
      "model templates can use ref(), source(), var(), env_var(), config(), is_incremental(), this,"
          + " and in partitioned models start, end, start_ts, end_ts and partition";

  /**
   * How deep a macro may call itself. A Jinja macro call is some ten Python frames in dbt, whose
   * stack ends at 1,000: about this depth.
   */
  static final int MAX_MACRO_DEPTH = 100;

  private static final Jinjava JINJAVA = createJinjava();

  /** Per thread, a copy of the global context with the built-in library: see renderForResult. */
  private static final ThreadLocal<Context> ROOT_CONTEXT =
      ThreadLocal.withInitial(JINJAVA::getGlobalContextCopy);

  /**
   * What a model's rendering for a run resolves against.
   *
   * @param incremental what {@code is_incremental()} returns: the model's table exists and the run
   *     is not a full refresh
   * @param vars the values of {@code var()}
   * @param refResolver the table of a model or seed name; null (or a {@code SluiceException}) for
   *     an unknown name
   * @param sourceResolver the table of a source table; null for an unknown one
   * @param thisTable what {@code this} renders as
   * @param partitionVariables {@code start}, {@code end} and {@code partition} of the partition
   *     being built (see {@link PartitionVariables}); empty for unpartitioned models
   * @param dbt a dbt project's macros and globals, or null for a Sluice project's model
   * @param queries what a dbt project's introspective Jinja queries ({@code run_query}, ...), or
   *     null where it may not query (then {@code execute} is false, as in dbt's parse)
   */
  public record RenderContext(
      boolean incremental,
      Map<String, Object> vars,
      Function<String, TableName> refResolver,
      BiFunction<String, String, TableName> sourceResolver,
      TableName thisTable,
      Map<String, Object> partitionVariables,
      DbtTemplates dbt,
      TemplateQueries queries) {
    public RenderContext(
        boolean incremental,
        Map<String, Object> vars,
        Function<String, TableName> refResolver,
        BiFunction<String, String, TableName> sourceResolver,
        TableName thisTable,
        Map<String, Object> partitionVariables,
        DbtTemplates dbt) {
      this(
          incremental, vars, refResolver, sourceResolver, thisTable, partitionVariables, dbt, null);
    }

    public RenderContext(
        boolean incremental,
        Map<String, Object> vars,
        Function<String, TableName> refResolver,
        BiFunction<String, String, TableName> sourceResolver,
        TableName thisTable) {
      this(incremental, vars, refResolver, sourceResolver, thisTable, Map.of());
    }

    public RenderContext(
        boolean incremental,
        Map<String, Object> vars,
        Function<String, TableName> refResolver,
        BiFunction<String, String, TableName> sourceResolver,
        TableName thisTable,
        Map<String, Object> partitionVariables) {
      this(incremental, vars, refResolver, sourceResolver, thisTable, partitionVariables, null);
    }

    /** This context, for a model of a dbt project ({@link Project#dbt()}; null for none). */
    public RenderContext withDbt(DbtTemplates dbt) {
      return new RenderContext(
          incremental,
          vars,
          refResolver,
          sourceResolver,
          thisTable,
          partitionVariables,
          dbt,
          queries);
    }

    /**
     * This context, for a rendering that may query the project's tables (a run's, a compile's):
     * dbt's execution phase.
     */
    public RenderContext withQueries(TemplateQueries queries) {
      return new RenderContext(
          incremental,
          vars,
          refResolver,
          sourceResolver,
          thisTable,
          partitionVariables,
          dbt,
          requireNonNull(queries, "queries is null"));
    }

    public RenderContext {
      requireNonNull(partitionVariables, "partitionVariables is null");
      partitionVariables = Copies.orderedMap(partitionVariables);
      requireNonNull(vars, "vars is null");
      requireNonNull(refResolver, "refResolver is null");
      requireNonNull(sourceResolver, "sourceResolver is null");
      requireNonNull(thisTable, "thisTable is null");
      vars = Copies.orderedMap(vars);
    }

    /**
     * The context that resolves names to the project's own tables, with the project's vars and the
     * model's table as {@code this}.
     */
    public static RenderContext of(Project project, ModelDef model, boolean incremental) {
      return new RenderContext(
          incremental,
          project.config().vars(),
          name -> project.refTable(name).orElse(null),
          (source, table) -> project.sourceTableName(source, table).orElse(null),
          model.tableName(),
          model.partitioned() ? PartitionVariables.placeholders(model.partitions()) : Map.of(),
          project.dbt());
    }
  }

  /**
   * Renders a model's SQL for a run. {@code config()} calls render as empty text on their line.
   *
   * @throws ProjectException naming the SQL file and line of every problem: template syntax errors,
   *     unknown vars without a default, names the resolvers do not know
   */
  public String render(ModelDef model, RenderContext context) {
    requireNonNull(model, "model is null");
    requireNonNull(context, "context is null");
    Problems problems = new Problems();
    TemplateSession session =
        new TemplateSession(
            Location.of(model.sqlFileName()),
            true,
            context.incremental(),
            true,
            context.vars(),
            context.refResolver(),
            context.sourceResolver(),
            problems);
    // the keys of config() were checked when the project was loaded
    session.allowAnyConfigKey();
    if (context.queries() != null) {
      session.querying(context.queries());
    }
    if (context.dbt() != null) {
      context.dbt().applyTo(session);
      if (context.dbt().microbatch().isMicrobatch(model.name())) {
        DbtMicrobatch.Window.of(context.partitionVariables()).ifPresent(session::inBatch);
      }
    }
    String sql =
        render(model.sqlTemplate(), session, context.thisTable(), context.partitionVariables());
    problems.throwIfAny();
    return withEphemeralModels(withoutTrailingSemicolon(sql), session, context);
  }

  /**
   * The SQL with the CTEs of the ephemeral models its rendering read ({@link EphemeralModels}),
   * each rendered in the same context, with {@code this} as its CTE's name.
   */
  private static String withEphemeralModels(
      String sql, TemplateSession session, RenderContext context) {
    if (session.ephemeralRefs().isEmpty()) {
      return sql;
    }
    Map<String, String> ctes =
        EphemeralModels.ctes(
            session.ephemeralRefs(),
            name -> {
              ModelDef ephemeral = context.dbt().ephemeralModels().get(name);
              Problems problems = new Problems();
              TemplateSession inner =
                  new TemplateSession(
                          Location.of(ephemeral.sqlFileName()),
                          true,
                          false,
                          true,
                          context.vars(),
                          context.refResolver(),
                          context.sourceResolver(),
                          problems)
                      .allowAnyConfigKey()
                      .executing();
              context.dbt().applyTo(inner);
              String rendered =
                  renderBound(
                      ephemeral.sqlTemplate(),
                      inner,
                      Map.of("this", EphemeralModels.cteName(name)));
              problems.throwIfAny();
              // Jinja (dbt's template engine) drops a template's last newline
              String code = withoutTrailingSemicolon(rendered);
              return new EphemeralModels.Rendered(
                  code.endsWith("\n") ? code.substring(0, code.length() - 1) : code,
                  inner.ephemeralRefs());
            });
    return EphemeralModels.inject(sql, List.copyOf(ctes.values()));
  }

  /**
   * Renders the query of a {@code sql} check, which can use {@code this}, {@code ref()}, {@code
   * source()} and {@code var()}.
   *
   * @throws ProjectException for template errors and unknown names
   */
  public String renderCheckQuery(
      String template,
      TableName thisTable,
      Function<String, TableName> refResolver,
      BiFunction<String, String, TableName> sourceResolver,
      Map<String, Object> vars) {
    return renderCheckQuery(
        template, thisTable, refResolver, sourceResolver, vars, Location.of("sql check query"));
  }

  /**
   * As {@link #renderCheckQuery(String, TableName, Function, BiFunction, Map)}, with where the
   * check is declared, which errors name.
   *
   * @throws ProjectException at the check's location, for template errors and unknown names
   */
  public String renderCheckQuery(
      String template,
      TableName thisTable,
      Function<String, TableName> refResolver,
      BiFunction<String, String, TableName> sourceResolver,
      Map<String, Object> vars,
      Location location) {
    return renderCheckQuery(template, thisTable, refResolver, sourceResolver, vars, location, null);
  }

  /**
   * As {@link #renderCheckQuery(String, TableName, Function, BiFunction, Map, Location)}, for a
   * check of a dbt project: its query (a singular test's, a generic test's call of its macro) sees
   * the project's macros and globals.
   *
   * @param dbt the project's macros and globals ({@link Project#dbt()}), or null for none
   * @throws ProjectException at the check's location, for template errors and unknown names
   */
  public String renderCheckQuery(
      String template,
      TableName thisTable,
      Function<String, TableName> refResolver,
      BiFunction<String, String, TableName> sourceResolver,
      Map<String, Object> vars,
      Location location,
      DbtTemplates dbt) {
    return renderCheckQuery(
        template, thisTable, refResolver, sourceResolver, vars, location, dbt, null);
  }

  /**
   * As {@link #renderCheckQuery(String, TableName, Function, BiFunction, Map, Location,
   * DbtTemplates)}, where a dbt test's introspective Jinja may query the project's tables.
   *
   * @param queries what {@code run_query}, {@code adapter.get_columns_in_relation}, ... query, or
   *     null where they may not ({@code execute} is then false)
   * @throws ProjectException at the check's location, for template errors and unknown names
   */
  public String renderCheckQuery(
      String template,
      TableName thisTable,
      Function<String, TableName> refResolver,
      BiFunction<String, String, TableName> sourceResolver,
      Map<String, Object> vars,
      Location location,
      DbtTemplates dbt,
      TemplateQueries queries) {
    requireNonNull(template, "template is null");
    requireNonNull(thisTable, "thisTable is null");
    requireNonNull(vars, "vars is null");
    requireNonNull(location, "location is null");
    Problems problems = new Problems();
    // config() is allowed and renders nothing: a dbt singular test's config(severity=...) was
    // read when the project was loaded
    TemplateSession session =
        new TemplateSession(
                location, false, false, true, vars, refResolver, sourceResolver, problems)
            .allowAnyConfigKey();
    if (queries != null) {
      session.querying(queries);
    }
    if (dbt != null) {
      dbt.applyTo(session);
    }
    String sql = render(template, session, thisTable);
    problems.throwIfAny();
    if (dbt == null) {
      return withoutTrailingSemicolon(sql);
    }
    return withEphemeralModels(
        withoutTrailingSemicolon(sql),
        session,
        new RenderContext(false, vars, refResolver, sourceResolver, thisTable).withDbt(dbt));
  }

  /**
   * Renders a dbt hook ({@link DbtHooks}): with the project's macros and globals, {@code this} (the
   * hook's model, seed or snapshot; none for on-run hooks) and the names of {@code bindings} (an
   * on-run-end hook's {@code results}, {@code schemas}, ...).
   *
   * @param hook the hook, whose location problems name
   * @param thisTable what {@code this} renders as, or null
   * @throws ProjectException at the hook's location, for template errors and unknown names
   */
  public String renderHook(
      DbtHooks.Hook hook,
      TableName thisTable,
      Map<String, Object> bindings,
      Function<String, TableName> refResolver,
      BiFunction<String, String, TableName> sourceResolver,
      Map<String, Object> vars,
      DbtTemplates dbt) {
    return renderHook(
        hook, thisTable, bindings, refResolver, sourceResolver, vars, dbt, refs -> {});
  }

  /**
   * As {@link #renderHook(DbtHooks.Hook, TableName, Map, Function, BiFunction, Map, DbtTemplates)},
   * telling {@code refsRead} the models and seeds the hook reads with {@code ref()}: in dbt, its
   * model depends on them.
   */
  public String renderHook(
      DbtHooks.Hook hook,
      TableName thisTable,
      Map<String, Object> bindings,
      Function<String, TableName> refResolver,
      BiFunction<String, String, TableName> sourceResolver,
      Map<String, Object> vars,
      DbtTemplates dbt,
      java.util.function.Consumer<java.util.Set<String>> refsRead) {
    requireNonNull(hook, "hook is null");
    requireNonNull(dbt, "dbt is null");
    Problems problems = new Problems();
    TemplateSession session =
        new TemplateSession(
                hook.location(), false, false, true, vars, refResolver, sourceResolver, problems)
            .allowAnyConfigKey()
            .executing();
    dbt.applyTo(session);
    Map<String, Object> all = new HashMap<>(bindings);
    if (thisTable != null) {
      // dbt's Relation: {{ this }}, this.name, this.schema, this.database, this.render(), ...
      all.put("this", DbtRelation.of(session.targetDatabase(), thisTable, null));
    }
    String sql = renderBound(hook.template(), session, all);
    problems.throwIfAny();
    refsRead.accept(session.refs().keySet());
    return withoutTrailingSemicolon(sql);
  }

  /**
   * Renders a template in a session; template errors are added to the session's problems. The
   * loader calls this to collect a model's refs, sources and config without a run.
   */
  static String render(String template, TemplateSession session, TableName thisTable) {
    return render(template, session, thisTable, Map.of());
  }

  /** As {@link #render(String, TemplateSession, TableName)}, with more variables bound. */
  static String render(
      String template, TemplateSession session, TableName thisTable, Map<String, Object> more) {
    Map<String, Object> bindings = new HashMap<>(more);
    bindings.put(
        "this",
        session.dbt()
            ? DbtRelation.of(session.targetDatabase(), thisTable, null)
            : thisTable.quoted());
    if (session.dbt()) {
      // dbt's model: the node being rendered, with its name (a model's, a singular test's, is its
      // file's), and model.batch, the batch being built (a placeholder while the project is loaded)
      Map<String, Object> model = new HashMap<>();
      model.put("batch", DbtMicrobatch.batch(more));
      String file = java.nio.file.Path.of(session.location(0).file()).getFileName().toString();
      if (file.endsWith(".sql")) {
        model.put("name", file.substring(0, file.length() - ".sql".length()));
      }
      model.put("config", nodeConfig(session, model.get("name")));
      bindings.putIfAbsent("model", model);
    }
    return renderBound(template, session, bindings);
  }

  /**
   * dbt's {@code model.config}: the config of the node being rendered, as the manifest has it (its
   * {@code graph} node's, found by its name), while the rendering executes; empty while the project
   * is loaded (its config is what the loading reads).
   */
  private static Map<String, Object> nodeConfig(TemplateSession session, Object name) {
    if (name == null
        || session.queries() == null
        || !(session.graph().get("nodes") instanceof Map<?, ?> nodes)) {
      return Map.of();
    }
    for (Object node : nodes.values()) {
      if (node instanceof Map<?, ?> fields
          && name.equals(fields.get("name"))
          && List.of("model", "snapshot").contains(fields.get("resource_type"))
          && fields.get("config") instanceof Map<?, ?> config) {
        Map<String, Object> copy = new java.util.LinkedHashMap<>();
        config.forEach((key, value) -> copy.put(String.valueOf(key), value));
        return copy;
      }
    }
    return Map.of();
  }

  /**
   * Renders a template in a session with the given names bound (and a dbt project's macros and
   * globals, when the session has them); template errors are added to the session's problems.
   */
  static String renderBound(
      String template, TemplateSession session, Map<String, Object> bindings) {
    Map<String, Object> all = new HashMap<>(session.dbtGlobals());
    if (session.dbt()) {
      all.put("execute", session.execute());
      all.put("graph", session.graph());
      template = DbtMacroSignatures.rewrite(DbtDispatch.rewriteCalls(template));
    }
    all.putAll(bindings);
    all.put(TemplateFunctions.SESSION_KEY, session);
    RenderResult result = renderForResult(template, all, session);
    for (TemplateError error : result.getErrors()) {
      if (isFatal(error)) {
        DbtMacroFunction.Frame frame = session.frameOf(error);
        if (frame == null) {
          session.problem(Math.max(error.getLineno(), 0), describe(error), TEMPLATE_HINT);
        } else {
          int line =
              session.attributedCause(error) instanceof InterpretException thrown
                  ? thrown.getLineNumber()
                  : error.getLineno();
          session
              .problems()
              .add(
                  new Location(frame.file(), Math.max(line, 1)),
                  describe(error)
                      + " (in macro '"
                      + frame.macro()
                      + "', rendering "
                      + session.origin().file()
                      + ")",
                  "fix the macro, or the arguments the template passes it");
        }
      }
    }
    return result.getOutput();
  }

  private static boolean isFatal(TemplateError error) {
    return error.getSeverity() == TemplateError.ErrorType.FATAL
        || error.getReason() == TemplateError.ErrorReason.SYNTAX_ERROR
        || error.getCategory() == BasicTemplateErrorCategory.CYCLE_DETECTED;
  }

  /**
   * The macros a file of macros defines, with their arguments' names, found by rendering it with
   * Jinjava; its errors are added to {@code problems} at its lines.
   */
  static Map<String, DbtMacros.Signature> macrosDefinedBy(
      DbtMacros.MacroFile file, Problems problems) {
    Context root = ROOT_CONTEXT.get();
    JinjavaConfig config = JINJAVA.getGlobalConfig();
    Map<String, Object> bindings = new HashMap<>();
    bindings.put(DbtMacroFunction.FILE_KEY, file.file());
    // Jinjava reads a signature's defaults when the file is read, where Jinja reads them at each
    // call: a default of the target's (dbt_utils' database=target.database) needs one here; at
    // a call the project's target is the one it reads
    bindings.put(
        "target",
        Map.of(
            "name",
            "",
            "schema",
            "",
            "database",
            "",
            "type",
            "duckdb",
            "profile_name",
            "",
            "threads",
            1));
    Context context = new Context(root, bindings, config.getDisabled());
    JinjavaInterpreter interpreter =
        config.getInterpreterFactory().newInstance(JINJAVA, context, config);
    try (AutoCloseableSupplier.AutoCloseableImpl<JinjavaInterpreter> current =
        JinjavaInterpreter.closeablePushCurrent(interpreter).get()) {
      current.value().render(file.text());
      for (TemplateError error : interpreter.getErrorsCopy()) {
        if (isFatal(error)) {
          problems.add(
              new Location(file.file(), Math.max(error.getLineno(), 1)),
              describe(error),
              "a file in the macro paths holds {% macro name(...) %} ... {% endmacro %} blocks"
                  + " (and {% test name(model, ...) %} ... {% endtest %} blocks)");
        }
      }
      Map<String, DbtMacros.Signature> macros = new java.util.LinkedHashMap<>();
      context
          .getGlobalMacros()
          .forEach(
              (name, macro) ->
                  macros.put(
                      name,
                      new DbtMacros.Signature(
                          macro.getArguments(),
                          macro instanceof DbtMacroFunction function
                              ? function.optionalArguments()
                              : java.util.Set.copyOf(macro.getArguments()))));
      return macros;
    } catch (RuntimeException e) {
      problems.add(new Location(file.file(), 1), "Template error: " + e.getMessage(), "");
      return Map.of();
    } finally {
      root.reset();
    }
  }

  /**
   * The {@code {% snapshot name %}} blocks of a template, found by parsing it with Jinjava: each
   * block's name and line.
   */
  static Map<String, Integer> snapshotBlocks(String template) {
    Context root = ROOT_CONTEXT.get();
    JinjavaConfig config = JINJAVA.getGlobalConfig();
    JinjavaInterpreter interpreter =
        config
            .getInterpreterFactory()
            .newInstance(JINJAVA, new Context(root, Map.of(), config.getDisabled()), config);
    Map<String, Integer> blocks = new java.util.LinkedHashMap<>();
    try {
      collectSnapshotBlocks(interpreter.parse(template), blocks);
    } finally {
      root.reset();
    }
    return blocks;
  }

  private static void collectSnapshotBlocks(
      com.hubspot.jinjava.tree.Node node, Map<String, Integer> blocks) {
    if (node instanceof com.hubspot.jinjava.tree.TagNode tag
        && tag.getTag() instanceof DbtSnapshotTag) {
      blocks.put(tag.getHelpers().strip(), tag.getLineNumber());
    }
    for (com.hubspot.jinjava.tree.Node child : node.getChildren()) {
      collectSnapshotBlocks(child, blocks);
    }
  }

  /**
   * The {@code {% docs name %}} blocks of a file, found by parsing it with Jinjava: each block's
   * name, line and contents, which are rendered without variables and stripped, as dbt renders
   * them. The file's template errors are added to {@code problems} at their lines.
   */
  static java.util.List<DbtDocs.Block> docsBlocks(String file, String text, Problems problems) {
    Context root = ROOT_CONTEXT.get();
    JinjavaConfig config = JINJAVA.getGlobalConfig();
    JinjavaInterpreter interpreter =
        config
            .getInterpreterFactory()
            .newInstance(JINJAVA, new Context(root, Map.of(), config.getDisabled()), config);
    java.util.List<DbtDocs.Block> blocks = new java.util.ArrayList<>();
    try (AutoCloseableSupplier.AutoCloseableImpl<JinjavaInterpreter> current =
        JinjavaInterpreter.closeablePushCurrent(interpreter).get()) {
      collectDocsBlocks(file, current.value().parse(text), current.value(), blocks);
      for (TemplateError error : interpreter.getErrorsCopy()) {
        if (isFatal(error)) {
          problems.add(
              new Location(file, Math.max(error.getLineno(), 1)),
              describe(error),
              "a docs block is {% docs name %} ... {% enddocs %}");
        }
      }
    } catch (RuntimeException e) {
      problems.add(new Location(file, 1), "Template error: " + e.getMessage(), "");
    } finally {
      root.reset();
    }
    return blocks;
  }

  private static void collectDocsBlocks(
      String file,
      com.hubspot.jinjava.tree.Node node,
      JinjavaInterpreter interpreter,
      java.util.List<DbtDocs.Block> blocks) {
    if (node instanceof com.hubspot.jinjava.tree.TagNode tag
        && tag.getTag() instanceof DbtDocsTag) {
      StringBuilder contents = new StringBuilder();
      for (com.hubspot.jinjava.tree.Node child : tag.getChildren()) {
        contents.append(child.render(interpreter).getValue());
      }
      blocks.add(
          new DbtDocs.Block(
              tag.getHelpers().strip(),
              contents.toString().strip(),
              new Location(file, tag.getLineNumber())));
      return;
    }
    for (com.hubspot.jinjava.tree.Node child : node.getChildren()) {
      collectDocsBlocks(file, child, interpreter, blocks);
    }
  }

  /**
   * What {@link Jinjava#renderForResult(String, Map)} does, without its cost: Jinjava copies its
   * global context for every render, which registers every built-in tag, filter and function again
   * (about 1 ms, most of loading a 10,000-model project). Here each thread copies it once; a
   * render's context is a child of that copy, whose bookkeeping of resolved names is reset after
   * each render. Copies are per thread because rendering writes that bookkeeping to the parent.
   */
  private static RenderResult renderForResult(
      String template, Map<String, Object> bindings, TemplateSession session) {
    Context root = ROOT_CONTEXT.get();
    JinjavaConfig config = JINJAVA.getGlobalConfig();
    Context context = new Context(root, bindings, config.getDisabled());
    JinjavaInterpreter interpreter =
        config.getInterpreterFactory().newInstance(JINJAVA, context, config);
    try (AutoCloseableSupplier.AutoCloseableImpl<JinjavaInterpreter> current =
        JinjavaInterpreter.closeablePushCurrent(interpreter).get()) {
      // the macros' own errors were reported when the project was loaded
      int macroErrors = defineMacros(current.value(), session);
      if (!session.macroOverrides().isEmpty()) {
        UnitTestMacroOverride.apply(current.value().getContext(), session.macroOverrides());
      }
      String output;
      try {
        output = current.value().render(template);
      } catch (RuntimeException e) {
        if (!session.stopped()) {
          throw e;
        }
        output = ""; // stopped (TemplateGuard.Ended): the problem that stopped it is recorded
      }
      List<TemplateError> errors = interpreter.getErrorsCopy();
      int end = session.stopped() ? Math.min(session.errorsAtStop(), errors.size()) : errors.size();
      return new RenderResult(
          output, interpreter.getContext(), errors.subList(Math.min(macroErrors, end), end));
    } catch (InterpretException e) {
      return failed(TemplateError.fromSyntaxError(e), interpreter);
    } catch (InvalidArgumentException e) {
      return failed(TemplateError.fromInvalidArgumentException(e), interpreter);
    } catch (InvalidInputException e) {
      return failed(TemplateError.fromInvalidInputException(e), interpreter);
    } catch (RuntimeException e) {
      return failed(TemplateError.fromException(e), interpreter);
    } finally {
      root.reset();
    }
  }

  /**
   * Defines a dbt project's macros in the interpreter, as dbt makes them callable from every
   * template; the files' output is dropped. Returns how many errors they gave, which were reported
   * when the project was loaded.
   */
  private static int defineMacros(JinjavaInterpreter interpreter, TemplateSession session) {
    if (session.macros().isEmpty()) {
      return 0;
    }
    Context context = interpreter.getContext();
    Map<String, Map<String, Object>> namespaces = new HashMap<>();
    for (DbtMacros.MacroFile file : session.macros().files()) {
      context.put(DbtMacroFunction.FILE_KEY, file.file());
      // parsed once per project load: parsing every macro file for every model's render was
      // most of a dbt model's rendering
      interpreter.render(session.macros().parsed(file, interpreter));
      Map<String, Object> namespace =
          namespaces.computeIfAbsent(file.packageName(), name -> new HashMap<>());
      for (String macro : session.macros().namesIn(file)) {
        Object function = context.getGlobalMacro(macro);
        if (function != null) {
          namespace.put(macro, function);
        }
      }
    }
    context.remove(DbtMacroFunction.FILE_KEY);
    // a package's macros by its name: dbt_utils.star(...), dbt.date_trunc(...)
    namespaces.forEach(
        (name, macros) -> {
          if (!name.equals(session.macros().rootPackage()) && !context.containsKey(name)) {
            context.put(name, macros);
          }
        });
    context.put(DbtDispatch.NAMESPACES_KEY, namespaces);
    return interpreter.getErrorsCopy().size();
  }

  private static RenderResult failed(TemplateError error, JinjavaInterpreter interpreter) {
    return new RenderResult(error, interpreter.getContext(), interpreter.getErrorsCopy());
  }

  private static String describe(TemplateError error) {
    for (Throwable cause = error.getException(); cause != null; cause = cause.getCause()) {
      if (cause instanceof UnknownTokenException unknown) {
        return "Unknown name '" + unknown.getToken() + "' in the template";
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    String message = error.getMessage() == null ? "" : error.getMessage();
    return message.startsWith("Template error") ? message : "Template error: " + message;
  }

  /** Removes a final ';': the SQL is embedded in larger statements. Lines stay as they were. */
  static String withoutTrailingSemicolon(String sql) {
    int end = sql.length();
    while (end > 0 && Character.isWhitespace(sql.charAt(end - 1))) {
      end--;
    }
    if (end > 0 && sql.charAt(end - 1) == ';') {
      return sql.substring(0, end - 1) + sql.substring(end);
    }
    return sql;
  }

  private static Jinjava createJinjava() {
    Jinjava jinjava =
        new DbtJinjava(
            JinjavaConfig.newBuilder()
                // DbtJinjava.Interpreter reports unknown names, and lets none be a value
                .withFailOnUnknownTokens(false)
                .withInterperterFactory(new DbtJinjava.Interpreters())
                .withElResolver(DbtJinjava.resolver())
                // dbt's macros may call themselves (Python's stack is the limit there)
                .withEnableRecursiveMacroCalls(true)
                .withMaxMacroRecursionDepth(MAX_MACRO_DEPTH)
                // Jinjava cuts range() at 1,000 items silently; TemplateGuard bounds the work
                .withRangeLimit(1_000_000)
                .withProcessors(
                    JinjavaProcessors.newBuilder()
                        .withNodePreProcessor(new TemplateGuard())
                        .build())
                .build());
    jinjava.getGlobalContext().registerTag(new DbtMacroTag());
    jinjava.getGlobalContext().registerTag(new DbtTestTag());
    jinjava.getGlobalContext().registerTag(new DbtSnapshotTag());
    jinjava.getGlobalContext().registerTag(new DbtDocsTag());
    jinjava.getGlobalContext().registerTag(new GuardedForTag());
    jinjava.getGlobalContext().registerTag(new DbtDoTag());
    jinjava.getGlobalContext().registerTag(new DbtIfTag());
    jinjava.getGlobalContext().registerTag(new DbtCallTag());
    jinjava.getGlobalContext().registerFilter(new DbtJinjava.StringFilter());
    jinjava.getGlobalContext().registerFilter(new DbtUndefined.Default());
    jinjava.getGlobalContext().registerExpTest(new DbtUndefined.Defined());
    jinjava.getGlobalContext().registerExpTest(new DbtUndefined.Undefined());
    register(jinjava, "ref", "ref", Object[].class);
    register(jinjava, "source", "source", Object[].class);
    register(jinjava, "var", "var", Object[].class);
    register(jinjava, "env_var", "envVar", Object[].class);
    register(jinjava, "config", "config", Object[].class);
    register(jinjava, "is_incremental", "isIncremental");
    register(jinjava, "doc", "doc", Object[].class);
    register(jinjava, "metric", "metric", Object[].class);
    registerDbt(jinjava, "return", "returnValue");
    registerDbt(jinjava, "log", "log");
    registerDbt(jinjava, "print", "print");
    registerDbt(jinjava, "tojson", "toJson");
    registerDbt(jinjava, "fromjson", "fromJson");
    registerDbt(jinjava, "toyaml", "toYaml");
    registerDbt(jinjava, "fromyaml", "fromYaml");
    registerDbt(jinjava, "local_md5", "localMd5");
    registerDbt(jinjava, "zip", "zip");
    registerDbt(jinjava, "set", "set");
    // dbt's set_strict(), which raises where set() gives none (unhashable items): Sluice's never
    // fails
    registerDbt(jinjava, "set_strict", "set");
    register(jinjava, DbtIntrospection.class, "run_query", "runQuery", Object[].class);
    register(jinjava, DbtIntrospection.class, "load_result", "loadResult", Object[].class);
    register(jinjava, DbtIntrospection.class, "store_result", "storeResult", Object[].class);
    return jinjava;
  }

  private static void registerDbt(Jinjava jinjava, String name, String methodName) {
    register(jinjava, DbtFunctions.class, name, methodName, Object[].class);
  }

  private static void register(
      Jinjava jinjava, String name, String methodName, Class<?>... parameterTypes) {
    register(jinjava, TemplateFunctions.class, name, methodName, parameterTypes);
  }

  private static void register(
      Jinjava jinjava, Class<?> owner, String name, String methodName, Class<?>... parameterTypes) {
    try {
      Method method = owner.getMethod(methodName, parameterTypes);
      // The class is package-private; the expression evaluator calls the method reflectively.
      method.setAccessible(true);
      jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", name, method));
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException("Missing template function " + methodName, e);
    }
  }
}
