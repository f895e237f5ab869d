package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import dev.sluice.api.TableName;
import dev.sluice.core.project.DbtConfigTree.Setting;
import dev.sluice.lineage.SqlParsing;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import net.sf.jsqlparser.JSQLParserException;
import net.sf.jsqlparser.parser.CCJSqlParserTokenManager;
import net.sf.jsqlparser.parser.SimpleCharStream;
import net.sf.jsqlparser.parser.StringProvider;
import net.sf.jsqlparser.parser.Token;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.Statements;
import net.sf.jsqlparser.statement.insert.Insert;
import net.sf.jsqlparser.statement.select.Select;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * A dbt project's hooks: the {@code pre-hook}s and {@code post-hook}s of its models, snapshots and
 * seeds (from the config trees of dbt_project.yml, the properties' {@code config:} and the SQL's
 * {@code config()}, all of them, in dbt's order), and its {@code on-run-start} and {@code
 * on-run-end} hooks (the installed packages' first, then the project's).
 *
 * <p>Sluice's tables are written only by their own step, as one Iceberg commit, and its engine's
 * settings are locked (docs/security.md): a hook that would write, grant or change a setting cannot
 * do what it does in dbt. {@link #judge} tells such a hook apart, with the SQL parser (JSqlParser),
 * so that loading stops at its line; a hook that reads ({@code select}) runs, one that renders to
 * nothing (a {@code log()}) only renders, and {@code analyze} is skipped (Iceberg keeps the
 * statistics). At run time the engine's own parser checks again that what runs is one SELECT of the
 * tables the hook may read.
 */
public final class DbtHooks {
  /** No hooks at all. */
  public static final DbtHooks NONE = new DbtHooks(Map.of(), Map.of(), List.of(), List.of());

  /** The config keys of hooks, as dbt spells them, by the name Sluice keeps them under. */
  static final Map<String, String> KEYS =
      Map.of(
          "pre-hook",
          "pre-hook",
          "pre_hook",
          "pre-hook",
          "post-hook",
          "post-hook",
          "post_hook",
          "post-hook");

  /** How long JSqlParser may take to read one hook. */
  private static final long PARSE_TIMEOUT_MILLIS = 5_000;

  /**
   * One hook: its SQL template and where it is written.
   *
   * @param template the SQL, a Jinja template rendered with the context of the model (or of the
   *     run, for on-run hooks)
   * @param location the line that gives it
   */
  public record Hook(String template, Location location) {
    public Hook {
      requireNonNull(template, "template is null");
      requireNonNull(location, "location is null");
    }
  }

  /** What Sluice does with a rendered hook. */
  public enum Action {
    /** It rendered to nothing (only comments or whitespace): there is nothing to run. */
    NOTHING,
    /** It reads: run it. */
    RUN,
    /**
     * {@code insert into {{ this }} ...} of a table model's post-hook: its rows are added to the
     * model's new version before its data tests audit it (dbt-project-evaluator's {@code stg_*}
     * models).
     */
    INSERT_THIS,
    /** Statistics or maintenance Sluice's Iceberg tables keep themselves: skipped. */
    SKIP,
    /** It would write, grant or change a setting: refused. */
    REFUSE
  }

  /**
   * The judgement of a rendered hook.
   *
   * @param action what Sluice does with it
   * @param why for a refused hook, what it would do; else null
   * @param hint for a refused hook, what to do instead; else null
   */
  public record Verdict(Action action, String why, String hint) {
    static Verdict of(Action action) {
      return new Verdict(action, null, null);
    }

    static Verdict refused(String why, String hint) {
      return new Verdict(Action.REFUSE, why, hint);
    }
  }

  private final Map<String, List<Hook>> pre;
  private final Map<String, List<Hook>> post;
  private final List<Hook> onRunStart;
  private final List<Hook> onRunEnd;

  DbtHooks(
      Map<String, List<Hook>> pre,
      Map<String, List<Hook>> post,
      List<Hook> onRunStart,
      List<Hook> onRunEnd) {
    this.pre = Copies.orderedMap(pre);
    this.post = Copies.orderedMap(post);
    this.onRunStart = List.copyOf(onRunStart);
    this.onRunEnd = List.copyOf(onRunEnd);
  }

  /** The pre-hooks of a model, snapshot or seed, in the order dbt runs them. */
  public List<Hook> pre(String asset) {
    return pre.getOrDefault(asset, List.of());
  }

  /** The post-hooks of a model, snapshot or seed, in the order dbt runs them. */
  public List<Hook> post(String asset) {
    return post.getOrDefault(asset, List.of());
  }

  /** The on-run-start hooks: the installed packages', then the project's. */
  public List<Hook> onRunStart() {
    return onRunStart;
  }

  /** The on-run-end hooks: the installed packages', then the project's. */
  public List<Hook> onRunEnd() {
    return onRunEnd;
  }

  /**
   * What an on-run-end hook sees besides the project's context: dbt's {@code results} (one per node
   * run), {@code schemas} and {@code database_schemas} (the schemas built into).
   *
   * @param results each node's result as dbt gives it: {@code status}, {@code node} ({@code name},
   *     {@code unique_id}, {@code resource_type}, {@code schema}, {@code alias}, ...), {@code
   *     message}, {@code execution_time}, {@code failures}
   * @param databaseSchemas each schema built into, with its database: {@code [database, schema]}
   */
  public static Map<String, Object> runEndContext(
      List<Map<String, Object>> results, List<List<String>> databaseSchemas) {
    Map<String, Object> context = new LinkedHashMap<>();
    context.put("results", List.copyOf(results));
    context.put("schemas", databaseSchemas.stream().map(pair -> pair.get(1)).distinct().toList());
    context.put("database_schemas", List.copyOf(databaseSchemas));
    return context;
  }

  /** The hooks a config value gives: a string, a list of strings, or {@code {sql: ...}} maps. */
  static List<Hook> of(Object value, Location location) {
    List<Hook> hooks = new ArrayList<>();
    for (Object item : DbtConfigTree.asList(value)) {
      Object sql = item instanceof Map<?, ?> map ? map.get("sql") : item;
      if (sql != null && !String.valueOf(sql).isBlank()) {
        hooks.add(new Hook(String.valueOf(sql), location));
      }
    }
    return hooks;
  }

  /** The hooks of a YAML value, each item of a list at its own line. */
  static List<Hook> of(String file, Node value) {
    if (!(value instanceof SequenceNode items)) {
      return of(YamlFiles.toJava(value), YamlFiles.location(file, value));
    }
    List<Hook> hooks = new ArrayList<>();
    for (Node item : items.getValue()) {
      hooks.addAll(of(YamlFiles.toJava(item), YamlFiles.location(file, item)));
    }
    return hooks;
  }

  /**
   * The {@code on-run-start} or {@code on-run-end} hooks of a dbt_project.yml (the project's or an
   * installed package's).
   */
  static List<Hook> runHooks(String file, Node project, String key) {
    if (project instanceof MappingNode mapping) {
      for (NodeTuple tuple : mapping.getValue()) {
        if (tuple.getKeyNode() instanceof ScalarNode name && name.getValue().equals(key)) {
          return of(file, tuple.getValueNode());
        }
      }
    }
    return List.of();
  }

  /**
   * Adds a hook setting to configs that already hold some: dbt runs them all, those of outer levels
   * (and of dbt_project.yml) first, never one instead of another.
   */
  static void append(Map<String, Setting> configs, String key, Setting setting) {
    String name = KEYS.get(key);
    List<Hook> hooks = new ArrayList<>(hooksOf(configs.get(name)));
    hooks.addAll(
        setting.value() instanceof HookList list
            ? list.hooks()
            : of(setting.value(), setting.location()));
    configs.remove(key);
    configs.put(name, new Setting(new HookList(hooks), setting.location()));
  }

  /** The hooks of a setting added by {@link #append}. */
  static List<Hook> hooksOf(Setting setting) {
    if (setting == null) {
      return List.of();
    }
    return setting.value() instanceof HookList list
        ? list.hooks()
        : of(setting.value(), setting.location());
  }

  /** The value of a hook setting: the hooks gathered along the config's levels. */
  record HookList(List<Hook> hooks) {
    HookList {
      hooks = List.copyOf(hooks);
    }
  }

  /**
   * Judges a rendered hook by its statement, read with JSqlParser: a SELECT runs, {@code analyze}
   * is skipped, and what would write, grant or change a setting is refused with what to do instead.
   * A statement JSqlParser cannot read is judged by its first keyword; at run time DuckDB's parser
   * has the last word (only one SELECT runs).
   */
  public static Verdict judge(String sql) {
    return judge(sql, null);
  }

  /**
   * As {@link #judge(String)}; an {@code INSERT INTO} whose target is {@code thisTable} (the
   * model's own relation, {@code {{ this }}}), of {@code VALUES} or a query, with or without its
   * columns, is {@link Action#INSERT_THIS}. Any other insert is refused as before.
   */
  public static Verdict judge(String sql, TableName thisTable) {
    if (thisTable != null && insertInto(parsed(sql), thisTable) != null) {
      return Verdict.of(Action.INSERT_THIS);
    }
    return judgeText(sql);
  }

  /**
   * The insert of {@code sql} whose target is {@code thisTable}, with its target replaced by {@code
   * staged} (the model's new rows, before they are written), as SQL; null when {@code sql} is not
   * such an insert.
   */
  public static String retargeted(String sql, TableName thisTable, String staged) {
    Insert insert = insertInto(parsed(sql), thisTable);
    if (insert == null) {
      return null;
    }
    StringBuilder retargeted = new StringBuilder("INSERT INTO ").append(staged);
    if (insert.getColumns() != null && !insert.getColumns().isEmpty()) {
      retargeted.append(" (");
      for (int i = 0; i < insert.getColumns().size(); i++) {
        retargeted.append(i == 0 ? "" : ", ").append(insert.getColumns().get(i).getColumnName());
      }
      retargeted.append(')');
    }
    return retargeted.append(' ').append(insert.getSelect()).toString();
  }

  /** The SELECT or VALUES whose rows an insert into {@code thisTable} adds, as SQL; else null. */
  public static String insertedRows(String sql, TableName thisTable) {
    Insert insert = insertInto(parsed(sql), thisTable);
    return insert == null ? null : insert.getSelect().toString();
  }

  private static Insert insertInto(Statement statement, TableName thisTable) {
    if (!(statement instanceof Insert insert)
        || insert.getSelect() == null
        || insert.getTable() == null
        || insert.getSetUpdateSets() != null
        || insert.getDuplicateUpdateSets() != null
        || insert.getConflictAction() != null
        || insert.getReturningClause() != null) {
      return null;
    }
    Table target = insert.getTable();
    String schema = target.getSchemaName() == null ? null : unquoted(target.getSchemaName());
    String name = unquoted(target.getName());
    return schema != null
            && schema.equalsIgnoreCase(thisTable.zone())
            && name.equalsIgnoreCase(thisTable.name())
        ? insert
        : null;
  }

  private static String unquoted(String identifier) {
    String text = identifier.strip();
    return text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"")
        ? text.substring(1, text.length() - 1).replace("\"\"", "\"")
        : text;
  }

  /** The one statement of a rendered hook, or null when it is not one that JSqlParser reads. */
  private static Statement parsed(String sql) {
    String text = SqlRenderer.withoutTrailingSemicolon(sql).strip();
    if (text.isEmpty() || firstKeyword(text).isEmpty()) {
      return null;
    }
    try {
      Statements statements = SqlParsing.parseStatements(text, PARSE_TIMEOUT_MILLIS);
      return statements.size() == 1 ? statements.get(0) : null;
    } catch (JSQLParserException e) {
      return null;
    }
  }

  private static Verdict judgeText(String sql) {
    String text = SqlRenderer.withoutTrailingSemicolon(sql).strip();
    if (text.isEmpty() || firstKeyword(text).isEmpty()) {
      return Verdict.of(Action.NOTHING);
    }
    Statements statements;
    try {
      statements = SqlParsing.parseStatements(text, PARSE_TIMEOUT_MILLIS);
    } catch (JSQLParserException e) {
      return byKeyword(firstKeyword(text));
    }
    if (statements.size() > 1) {
      return Verdict.refused(
          "it holds " + statements.size() + " statements",
          "write one statement per hook: give a list of hooks, e.g. post-hook: [\"select ...\","
              + " \"select ...\"]");
    }
    Statement statement = statements.isEmpty() ? null : statements.get(0);
    if (statement == null) {
      return Verdict.of(Action.NOTHING);
    }
    // a statement JSqlParser does not know (DuckDB's FROM-first select, grant) by its keyword
    return statement instanceof Select ? Verdict.of(Action.RUN) : byKeyword(firstKeyword(text));
  }

  private static final Set<String> READS = Set.of("select", "with", "from", "values", "table");
  private static final Set<String> WRITES =
      Set.of(
          "insert",
          "update",
          "delete",
          "merge",
          "upsert",
          "replace",
          "truncate",
          "create",
          "drop",
          "alter",
          "comment");

  private static Verdict byKeyword(String keyword) {
    if (READS.contains(keyword)) {
      return Verdict.of(Action.RUN);
    }
    if (keyword.equals("analyze") || keyword.equals("vacuum") || keyword.equals("checkpoint")) {
      return Verdict.of(Action.SKIP);
    }
    if (keyword.equals("grant") || keyword.equals("revoke")) {
      return Verdict.refused(
          "it would " + keyword + " privileges, which Sluice's tables do not take from SQL",
          "declare who may read the table in policies.yaml beside dbt_project.yml (grants, masks,"
              + " row filters; docs/governance.md) and remove the hook");
    }
    if (WRITES.contains(keyword)) {
      return Verdict.refused(
          "it writes ("
              + keyword
              + "), and Sluice's relations are read-only views of Iceberg tables, which only their"
              + " own model writes",
          "write those rows as a model of their own (an incremental model that selects them, e.g."
              + " an audit log of runs), or check them with a data test; then remove the hook");
    }
    if (keyword.equals("set") || keyword.equals("reset") || keyword.equals("pragma")) {
      return Verdict.refused(
          "it would change a setting of DuckDB, which Sluice locks for every session"
              + " (docs/security.md)",
          "remove the hook: the run's threads come from --threads or the profile's threads, the"
              + " engine's memory from Sluice's settings");
    }
    if (keyword.equals("copy") || keyword.equals("export")) {
      return Verdict.refused(
          "it would write files, which Sluice's engine does not do for a model",
          "readers read the Iceberg table itself (any Iceberg engine, or sluice serve's"
              + " endpoints); remove the hook");
    }
    if (keyword.equals("?")) {
      return Verdict.refused("Sluice cannot read its SQL", "make the hook a select, or remove it");
    }
    return Verdict.refused(
        "'"
            + keyword
            + "' statements do not run in Sluice's engine, which reads only the tables it"
            + " registers (docs/security.md)",
        "remove the hook, or make it a select");
  }

  /** The first keyword of SQL, read with JSqlParser's tokenizer (comments are skipped). */
  private static String firstKeyword(String sql) {
    try {
      Token token =
          new CCJSqlParserTokenManager(new SimpleCharStream(new StringProvider(sql)))
              .getNextToken();
      return token == null || token.image == null ? "" : token.image.toLowerCase(Locale.ROOT);
    } catch (RuntimeException e) {
      return "?"; // not even a token: judged as a statement that does not run
    }
  }

  /** Hooks by asset, gathered while a project is loaded. */
  static final class Builder {
    private final Map<String, List<Hook>> pre = new LinkedHashMap<>();
    private final Map<String, List<Hook>> post = new LinkedHashMap<>();
    private final List<Hook> onRunStart = new ArrayList<>();
    private final List<Hook> onRunEnd = new ArrayList<>();

    /** Takes the hooks of an asset's configs. */
    void asset(String asset, Map<String, Setting> configs) {
      List<Hook> before = hooksOf(configs.get("pre-hook"));
      List<Hook> after = hooksOf(configs.get("post-hook"));
      if (!before.isEmpty()) {
        pre.put(asset, before);
      }
      if (!after.isEmpty()) {
        post.put(asset, after);
      }
    }

    void onRun(List<Hook> start, List<Hook> end) {
      onRunStart.addAll(start);
      onRunEnd.addAll(end);
    }

    DbtHooks build() {
      return new DbtHooks(pre, post, onRunStart, onRunEnd);
    }
  }
}
