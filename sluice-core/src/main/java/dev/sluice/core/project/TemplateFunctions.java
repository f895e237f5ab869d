package dev.sluice.core.project;

import com.hubspot.jinjava.el.ext.NamedParameter;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import dev.sluice.api.SluiceException;
import dev.sluice.api.TableName;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The functions models call in their templates. Jinjava calls them statically; each finds its
 * {@link TemplateSession} in the rendering's context. They never throw: a problem is recorded with
 * its template line and the call renders as an empty string, so that one rendering reports every
 * problem.
 */
final class TemplateFunctions {
  /** The context key of the session, a name no template has a reason to use. */
  static final String SESSION_KEY = "__sluice_session__";

  private TemplateFunctions() {}

  /**
   * {@code ref('name')}: the quoted table of a model or seed; dbt's {@code ref('package', 'name')}
   * names it in the project's own package, the only one a project has.
   */
  public static Object ref(Object... arguments) {
    TemplateSession session = session();
    int line = line();
    Arguments args = Arguments.of(arguments);
    // dbt's versioned refs: ref('m', v=2), ref('m', version=2)
    Object version = args.named.remove("v");
    Object versionArgument = args.named.remove("version");
    if (version == null) {
      version = versionArgument;
    }
    if (!args.textsOnly(1, 1) && !args.textsOnly(2, 2)) {
      return problem(
          session,
          line,
          "ref() takes the name of one model or seed",
          "write e.g. {{ ref('orders') }}");
    }
    String name = args.positional.get(args.positional.size() - 1).toString();
    if (version != null || session.versions().versioned(name)) {
      String asked = DbtVersions.normalize(version);
      if (!session.versions().versioned(name)) {
        return problem(
            session,
            line,
            "ref('" + name + "', v=" + asked + "): '" + name + "' is not a versioned model",
            "give it versions: in its properties, or leave out v=");
      }
      java.util.Optional<String> model = session.versions().model(name, asked);
      if (model.isEmpty()) {
        return problem(
            session,
            line,
            "Model '" + name + "' has no version " + asked,
            "its versions are " + session.versions().versionsOf(name));
      }
      return refOf(session, line, model.get());
    }
    return refOf(session, line, name);
  }

  private static Object refOf(TemplateSession session, int line, String name) {
    session.recordRef(name, line);
    if (session.isEphemeral(name)) {
      session.recordEphemeralRef(name);
      return EphemeralModels.cteName(name);
    }
    TableName table =
        resolve(session, line, "ref('" + name + "')", () -> session.refResolver().apply(name));
    if (table == null) {
      return "";
    }
    if (!session.dbt()) {
      return table.quoted();
    }
    return new DbtRelation(
        session.targetDatabase(),
        table.zone(),
        table.name(),
        null,
        session.readOf(table.quoted(), table.name(), session.microbatch().refEventTime(name)));
  }

  /**
   * {@code metric('name')}, as an exposure's {@code depends_on} names a metric: recorded, renders
   * as nothing (dbt's metric() is for properties files, not for SQL).
   */
  public static String metric(Object... arguments) {
    TemplateSession session = session();
    Arguments args = Arguments.of(arguments);
    if (!args.textsOnly(1, 1)) {
      return problem(
          session, line(), "metric() takes the name of one metric", "write e.g. metric('revenue')");
    }
    session.recordMetric(args.positional.get(0).toString());
    return "";
  }

  /** {@code source('source', 'table')}: the quoted raw table of a source table. */
  public static Object source(Object... arguments) {
    TemplateSession session = session();
    int line = line();
    Arguments args = Arguments.of(arguments);
    if (!args.textsOnly(2, 2)) {
      return problem(
          session,
          line,
          "source() takes a source name and a table name",
          "write e.g. {{ source('shop', 'orders') }}");
    }
    String source = args.positional.get(0).toString();
    String table = args.positional.get(1).toString();
    session.recordSource(new SourceRef(source, table), line);
    TableName resolved =
        resolve(
            session,
            line,
            "source('" + source + "', '" + table + "')",
            () -> session.sourceResolver().apply(source, table));
    if (resolved == null) {
      return "";
    }
    if (session.dbt() && session.isSourceRelation(new SourceRef(source, table))) {
      return DbtRelation.of(session.targetDatabase(), resolved, null);
    }
    if (session.dbt()) {
      // dbt-duckdb reads an external source's file itself: no columns of Sluice's load
      return new DbtRelation(
          session.targetDatabase(),
          resolved.zone(),
          resolved.name(),
          "table",
          session.readOf(
              "(select * exclude (_source_file, _loaded_at) from " + resolved.quoted() + ")",
              table, // dbt names the filtered subquery by the source table
              session.microbatch().sourceEventTime(source, table)));
    }
    return resolved.quoted();
  }

  /** {@code var('name')} or {@code var('name', default)}: a value of {@code vars}. */
  public static Object var(Object... arguments) {
    TemplateSession session = session();
    int line = line();
    Arguments args = Arguments.of(arguments);
    if (!args.textsOnly(1, 2)) {
      return problem(
          session,
          line,
          "var() takes a variable name and optionally a default",
          "write e.g. {{ var('currency') }} or {{ var('currency', 'EUR') }}");
    }
    String name = args.positional.get(0).toString();
    if (session.vars().containsKey(name)) {
      return session.vars().get(name);
    }
    if (args.positional.size() == 2) {
      return args.positional.get(1);
    }
    String suggestion = Suggestions.closest(name, session.vars().keySet()).orElse(null);
    return problem(
        session,
        line,
        "Unknown var '" + name + "'",
        suggestion != null
            ? "did you mean '" + suggestion + "'?"
            : "set it under 'vars:' in sluice.yaml, or give a default: var('" + name + "', ...)");
  }

  /**
   * dbt's {@code env_var('NAME')} or {@code env_var('NAME', default)}: an environment variable of
   * the process. dbt's secret variables ({@code DBT_ENV_SECRET_*}) are refused, as dbt refuses them
   * in models: a model's SQL is logged and stored.
   */
  public static Object envVar(Object... arguments) {
    TemplateSession session = session();
    int line = line();
    Arguments args = Arguments.of(arguments);
    if (!args.textsOnly(1, 2)) {
      return problem(
          session,
          line,
          "env_var() takes a variable name and optionally a default",
          "write e.g. {{ env_var('REGION') }} or {{ env_var('REGION', 'eu') }}");
    }
    String name = args.positional.get(0).toString();
    if (name.startsWith("DBT_ENV_SECRET")) {
      return problem(
          session,
          line,
          "env_var('" + name + "') reads a secret, which a model's SQL may not",
          "secrets belong in profiles.yml or a source's connection (${env:NAME})");
    }
    String value = session.environment().apply(name);
    if (value != null) {
      return value;
    }
    if (args.positional.size() == 2) {
      return args.positional.get(1);
    }
    return problem(
        session,
        line,
        "Environment variable '" + name + "' is required but not set",
        "set it, or give a default: env_var('" + name + "', '...')");
  }

  /**
   * dbt's {@code doc('name')} (or {@code doc('package', 'name')}) in a description: the contents of
   * the project's {@code {% docs name %}} block. A doc the project does not have is a problem, as
   * dbt stops there.
   */
  public static String doc(Object... arguments) {
    TemplateSession session = session();
    int line = line();
    Arguments args = Arguments.of(arguments);
    if (!args.textsOnly(1, 2)) {
      return problem(
          session, line, "doc() takes the name of a docs block", "write e.g. {{ doc('orders') }}");
    }
    DbtDocs docs = session.docs();
    if (docs == null) {
      return problem(
          session,
          line,
          "doc() can only be used in a description of a properties file",
          "describe the model in its properties file: description: \"{{ doc('name') }}\"");
    }
    String name = args.positional.get(args.positional.size() - 1).toString();
    String packageName = args.positional.size() == 2 ? args.positional.get(0).toString() : null;
    DbtDocs.Block block = docs.find(packageName, name);
    if (block != null) {
      return block.contents();
    }
    return problem(
        session,
        line,
        "Documentation for '"
            + session.documentedNode()
            + "' depends on doc '"
            + name
            + "'"
            + (packageName == null ? "" : " in package '" + packageName + "'")
            + " which was not found",
        Suggestions.closest(name, docs.names())
            .map(closest -> "did you mean '" + closest + "'?")
            .orElse(
                "write it in a .md file of the model paths: {% docs "
                    + name
                    + " %} ... {% enddocs %}"));
  }

  /** {@code config(materialized='incremental', ...)}: sets model properties; renders nothing. */
  public static String config(Object... arguments) {
    TemplateSession session = session();
    int line = line();
    Arguments args = Arguments.of(arguments);
    if (!session.configAllowed()) {
      return problem(session, line, "config() can only be used in a model's SQL file", "");
    }
    if (!args.positional.isEmpty()) {
      session.problem(
          line,
          "config() takes named values only",
          "write e.g. {{ config(materialized='incremental', unique_key='id') }}");
    }
    for (Map.Entry<String, Object> entry : args.named.entrySet()) {
      if (session.configKeyAllowed(entry.getKey())) {
        session.recordConfig(entry.getKey(), entry.getValue(), line);
      } else {
        session.problem(
            line,
            "Unknown config() key '" + entry.getKey() + "'",
            Suggestions.hint(entry.getKey(), TemplateSession.CONFIG_KEYS, "config() keys"));
      }
    }
    return "";
  }

  /** {@code is_incremental()}: whether this run adds to the model's existing table. */
  public static boolean isIncremental() {
    return session().incremental();
  }

  private interface Resolution {
    TableName resolve();
  }

  /** The table of a call, or null after reporting a problem. */
  private static TableName resolve(
      TemplateSession session, int line, String call, Resolution resolution) {
    try {
      TableName table = resolution.resolve();
      if (table == null) {
        problem(session, line, "Cannot resolve " + call + ": no such table", "");
      }
      return table;
    } catch (SluiceException e) {
      problem(session, line, "Cannot resolve " + call + ": " + e.getMessage(), "");
      return null;
    }
  }

  /** Reports a problem with a call at {@code line}; the call renders as nothing. */
  private static String problem(TemplateSession session, int line, String message, String fix) {
    session.problem(line, message, fix);
    return "";
  }

  static TemplateSession session() {
    return (TemplateSession) JinjavaInterpreter.getCurrent().getContext().get(SESSION_KEY);
  }

  static int line() {
    return JinjavaInterpreter.getCurrent().getLineNumber();
  }

  private static boolean isText(Object value) {
    return value instanceof String;
  }

  /** The arguments of a call, split into positional ones and Jinja's named ones. */
  static final class Arguments {
    final List<Object> positional = new ArrayList<>();
    final Map<String, Object> named = new LinkedHashMap<>();

    /**
     * Whether the call has {@code texts} to {@code most} positional arguments and no named ones,
     * the first {@code texts} of them text (a default after them may be any value).
     */
    boolean textsOnly(int texts, int most) {
      return positional.size() >= texts
          && positional.size() <= most
          && named.isEmpty()
          && positional.subList(0, texts).stream().allMatch(TemplateFunctions::isText);
    }

    static Arguments of(Object[] arguments) {
      Arguments result = new Arguments();
      if (arguments != null) {
        for (Object argument : arguments) {
          if (argument instanceof NamedParameter parameter) {
            result.named.put(parameter.getName(), parameter.getValue());
          } else {
            result.positional.add(argument);
          }
        }
      }
      return result;
    }
  }
}
