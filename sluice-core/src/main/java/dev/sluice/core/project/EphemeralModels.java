package dev.sluice.core.project;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * dbt's ephemeral models: never built, each is inlined into the SQL of what reads it with {@code
 * ref()} as a common table expression named {@code __dbt__cte__<name>}, as dbt-core's compiler
 * does. The CTEs come first in the order the SQL reads them, each preceded by the ephemeral models
 * it reads itself (once each), and go into the SQL's own {@code with} when it starts with one.
 */
final class EphemeralModels {
  /** The prefix of an ephemeral model's CTE (dbt's {@code BaseRelation.add_ephemeral_prefix}). */
  static final String PREFIX = "__dbt__cte__";

  private EphemeralModels() {}

  /** The name of the CTE that stands for an ephemeral model. */
  static String cteName(String model) {
    return PREFIX + model;
  }

  /**
   * The CTEs for the ephemeral models a rendering read, in dbt's order: for each model read, the
   * CTEs of the ephemeral models it reads, then its own.
   *
   * @param read the ephemeral models the SQL read, in the order it read them
   * @param render renders an ephemeral model: its SQL and the ephemeral models that SQL read
   * @return each CTE's text ({@code __dbt__cte__x as (\n...\n)}), by model
   */
  static Map<String, String> ctes(List<String> read, Function<String, Rendered> render) {
    Map<String, String> ctes = new LinkedHashMap<>();
    for (String model : read) {
      Rendered rendered = render.apply(model);
      ctes(rendered.ephemeralRefs(), render).forEach(ctes::put);
      ctes.put(model, " " + cteName(model) + " as (\n" + rendered.sql() + "\n)");
    }
    return ctes;
  }

  /** An ephemeral model's SQL as rendered, and the ephemeral models it reads. */
  record Rendered(String sql, List<String> ephemeralRefs) {
    Rendered {
      ephemeralRefs = List.copyOf(ephemeralRefs);
    }
  }

  /**
   * The SQL with the CTEs put in front, as dbt's {@code inject_ctes_into_sql}: after its leading
   * {@code with} (or {@code with recursive}) followed by a comma, else in a {@code with} of their
   * own.
   */
  static String inject(String sql, List<String> ctes) {
    if (ctes.isEmpty()) {
      return sql;
    }
    String joined = String.join(", ", ctes);
    int start = skipBlank(sql, 0);
    int afterWith = keywordEnd(sql, start, "with");
    if (afterWith < 0) {
      return sql.substring(0, start) + "with" + joined + " " + sql.substring(start);
    }
    int next = skipBlank(sql, afterWith);
    int afterRecursive = keywordEnd(sql, next, "recursive");
    int at = afterRecursive < 0 ? afterWith : afterRecursive;
    return sql.substring(0, at) + joined + ", " + sql.substring(at);
  }

  /** The index of the first character at or after {@code from} that is no blank or comment. */
  private static int skipBlank(String sql, int from) {
    int at = from;
    while (at < sql.length()) {
      if (Character.isWhitespace(sql.charAt(at))) {
        at++;
      } else if (sql.startsWith("--", at)) {
        int end = sql.indexOf('\n', at);
        at = end < 0 ? sql.length() : end + 1;
      } else if (sql.startsWith("/*", at)) {
        int end = sql.indexOf("*/", at + 2);
        at = end < 0 ? sql.length() : end + 2;
      } else {
        break;
      }
    }
    return at;
  }

  /** Where {@code keyword} ends when it is the word at {@code at}; else -1. */
  private static int keywordEnd(String sql, int at, String keyword) {
    int end = at + keyword.length();
    if (end > sql.length()
        || !sql.substring(at, end).toLowerCase(Locale.ROOT).equals(keyword)
        || (end < sql.length()
            && (Character.isLetterOrDigit(sql.charAt(end)) || sql.charAt(end) == '_'))) {
      return -1;
    }
    return end;
  }

  /** The models among {@code names} whose materialization is ephemeral, by name. */
  static Map<String, ModelDef> of(Map<String, ModelDef> models) {
    Map<String, ModelDef> ephemeral = new LinkedHashMap<>();
    models.forEach(
        (name, model) -> {
          if (model.materialization() == Materialization.EPHEMERAL) {
            ephemeral.put(name, model);
          }
        });
    return ephemeral;
  }

  /**
   * The refs a model's SQL reads from tables once its ephemeral models are inlined: its refs, with
   * each ephemeral model replaced by the refs it reads (recursively).
   */
  static List<String> tableRefs(ModelDef model, Map<String, ModelDef> models) {
    List<String> refs = new ArrayList<>();
    collect(model, models, refs, new ArrayList<>(), new java.util.HashSet<>());
    return refs;
  }

  /** The sources a model's SQL reads, its ephemeral models' included (recursively). */
  static List<SourceRef> sources(ModelDef model, Map<String, ModelDef> models) {
    List<SourceRef> sources = new ArrayList<>();
    collect(model, models, new ArrayList<>(), sources, new java.util.HashSet<>());
    return sources;
  }

  private static void collect(
      ModelDef model,
      Map<String, ModelDef> models,
      List<String> refs,
      List<SourceRef> sources,
      java.util.Set<String> seen) {
    model.sources().stream().filter(source -> !sources.contains(source)).forEach(sources::add);
    for (String ref : model.refs()) {
      ModelDef read = models.get(ref);
      if (read != null && read.materialization() == Materialization.EPHEMERAL) {
        if (seen.add(ref)) {
          collect(read, models, refs, sources, seen);
        }
      } else if (!refs.contains(ref)) {
        refs.add(ref);
      }
    }
  }
}
