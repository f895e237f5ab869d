package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * dbt's {@code adapter} in templates: {@code adapter.dispatch(name, namespace)} finds the macro
 * that implements {@code name} for DuckDB ({@code duckdb__name}, else {@code default__name}) in the
 * packages the project's {@code dispatch} config lists for that namespace (else the namespace
 * itself, or the project then dbt's own without one), as dbt-core searches them; and {@code
 * adapter.quote(name)}; and the introspective {@code execute}, {@code get_columns_in_relation} and
 * {@code get_relation} ({@link DbtIntrospection}).
 */
public final class DbtDispatch {
  /** The context key of each package's macros by name, set when the macros are defined. */
  static final String NAMESPACES_KEY = "__sluice_macro_namespaces__";

  /** The adapter's prefixes, in dbt's order: dbt-duckdb's own, then the default. */
  private static final List<String> PREFIXES = List.of("duckdb", "default");

  private final String rootPackage;
  private final Map<String, List<String>> searchOrders;
  private final String database;

  /**
   * @param rootPackage the project's name
   * @param searchOrders the {@code dispatch} config: for a macro namespace, the packages to search
   */
  DbtDispatch(String rootPackage, Map<String, List<String>> searchOrders, String database) {
    this.rootPackage = requireNonNull(rootPackage, "rootPackage is null");
    this.searchOrders = Copies.orderedMap(searchOrders);
    this.database = database;
  }

  /**
   * {@code adapter.execute(sql, fetch=False)}: {@code [response, table]} ({@link
   * DbtIntrospection}).
   */
  public List<Object> execute(Object... arguments) {
    return DbtIntrospection.execute(arguments);
  }

  /** {@code adapter.get_columns_in_relation(relation)} ({@link DbtIntrospection#columnsIn}). */
  public List<DbtIntrospection.DbtColumn> get_columns_in_relation(Object relation) {
    return DbtIntrospection.columnsIn(relation);
  }

  /** {@code adapter.get_relation(database, schema, identifier)}: the relation, or none. */
  public DbtRelation get_relation(Object... arguments) {
    return DbtIntrospection.relation(database, arguments);
  }

  /**
   * {@code adapter.dispatch(name, macro_namespace=None)}: the macro to call. An unknown one is a
   * problem at the template's line, naming the macros searched; the call then renders nothing.
   */
  public Object dispatch(Object... arguments) {
    JinjavaInterpreter interpreter = JinjavaInterpreter.getCurrent();
    TemplateFunctions.Arguments args = TemplateFunctions.Arguments.of(arguments);
    Object name = args.positional.isEmpty() ? args.named.get("macro_name") : args.positional.get(0);
    Object namespaceArgument =
        args.positional.size() > 1 ? args.positional.get(1) : args.named.get("macro_namespace");
    String macroName = String.valueOf(name);
    String namespace = namespaceArgument == null ? null : namespaceArgument.toString();
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> namespaces =
        (Map<String, Map<String, Object>>) interpreter.getContext().get(NAMESPACES_KEY);
    List<String> packages = searchPackages(namespace);
    List<String> searched = new ArrayList<>();
    for (String packageName : packages) {
      Map<String, Object> macros = namespaces == null ? null : namespaces.get(packageName);
      for (String prefix : PREFIXES) {
        String candidate = prefix + "__" + macroName;
        searched.add(packageName + "." + candidate);
        if (macros != null && macros.get(candidate) != null) {
          return macros.get(candidate);
        }
      }
    }
    TemplateSession session = TemplateFunctions.session();
    if (session != null) {
      session
          .problems()
          .add(
              session.currentLocation(interpreter.getLineNumber()),
              "adapter.dispatch('"
                  + macroName
                  + "'"
                  + (namespace == null ? "" : ", '" + namespace + "'")
                  + ") finds no macro: searched "
                  + String.join(", ", searched),
              "define one of them, or list the package that has it in dispatch: of"
                  + " dbt_project.yml");
    }
    return NOTHING;
  }

  /** {@code adapter.quote(name)}: the identifier quoted as DuckDB quotes it. */
  public String quote(Object identifier) {
    return "\"" + String.valueOf(identifier).replace("\"", "\"\"") + "\"";
  }

  private List<String> searchPackages(String namespace) {
    if (namespace == null) {
      return List.of(rootPackage, DbtMacros.DBT_PACKAGE);
    }
    List<String> order = searchOrders.get(namespace);
    if (order != null) {
      return order;
    }
    return List.of(namespace);
  }

  /** What a failed dispatch gives: a macro that renders nothing, so that the call goes on. */
  private static final NoMacro NOTHING = new NoMacro();

  /** A callable that renders nothing. */
  public static final class NoMacro {
    public String evaluate(Object... arguments) {
      return "";
    }

    @Override
    public String toString() {
      return "";
    }
  }

  /**
   * Rewrites dbt's {@code adapter.dispatch(...)(arguments)}, a call of a call's result that
   * Jinjava's expression grammar does not parse, as {@code
   * adapter.dispatch(...).evaluate(arguments)}, which calls the macro found the same way. Lines and
   * the rest of the text are unchanged; a quoted {@code adapter.dispatch(} is left as it is.
   */
  static String rewriteCalls(String template) {
    String marker = "adapter.dispatch(";
    int at = template.indexOf(marker);
    if (at < 0) {
      return template;
    }
    StringBuilder out = new StringBuilder(template.length() + 32);
    int copied = 0;
    while (at >= 0) {
      int close = closingParenthesis(template, at + marker.length() - 1);
      if (close < 0) {
        break;
      }
      int next = close + 1;
      while (next < template.length() && template.charAt(next) == ' ') {
        next++;
      }
      if (next < template.length() && template.charAt(next) == '(') {
        out.append(template, copied, close + 1).append(".evaluate");
        copied = close + 1;
      }
      at = template.indexOf(marker, close);
    }
    out.append(template, copied, template.length());
    return out.toString();
  }

  /** The index of the parenthesis that closes the one at {@code open}, skipping strings. */
  private static int closingParenthesis(String text, int open) {
    int depth = 0;
    char quote = 0;
    for (int i = open; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quote != 0) {
        if (c == '\\') {
          i++;
        } else if (c == quote) {
          quote = 0;
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '(') {
        depth++;
      } else if (c == ')' && --depth == 0) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public String toString() {
    return "adapter";
  }
}
