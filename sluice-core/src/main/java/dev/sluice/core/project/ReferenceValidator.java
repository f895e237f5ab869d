package dev.sluice.core.project;

import dev.sluice.api.Location;
import dev.sluice.api.TableName;
import dev.sluice.core.project.ModelParser.ParsedModel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks what the project's files refer to: ref() and source() calls, relationships checks and the
 * queries of sql checks; and that models form no cycle and no two assets share a table.
 */
final class ReferenceValidator {
  private final Map<String, SourceDef> sources;
  private final Map<String, SeedDef> seeds;
  private final Map<String, ModelDef> models;
  private final Map<String, Object> vars;
  private final Problems problems;
  private final DbtTemplates dbt;
  private final Set<String> refNames = new LinkedHashSet<>();

  /**
   * @param dbt a dbt project's macros and globals, which its tests' queries see; null for a Sluice
   *     project
   */
  ReferenceValidator(
      Map<String, SourceDef> sources,
      Map<String, SeedDef> seeds,
      Map<String, ModelDef> models,
      Map<String, Object> vars,
      DbtTemplates dbt,
      Problems problems) {
    this.dbt = dbt;
    this.sources = sources;
    this.seeds = seeds;
    this.models = models;
    this.vars = vars;
    this.problems = problems;
    refNames.addAll(models.keySet());
    refNames.addAll(seeds.keySet());
  }

  void validate(Collection<ParsedModel> parsedModels) {
    Map<String, ParsedModel> byName = new TreeMap<>();
    for (ParsedModel parsed : parsedModels) {
      String file = parsed.model().sqlFileName();
      parsed.refLines().forEach((name, line) -> checkRef(name, new Location(file, line)));
      parsed.sourceLines().forEach((source, line) -> checkSource(source, new Location(file, line)));
      byName.put(parsed.model().name(), parsed);
    }
    for (SourceDef source : sources.values()) {
      for (SourceTableDef table : source.tables()) {
        checkChecks(table.tableName(), table.checks(), table.columns());
      }
    }
    for (SeedDef seed : seeds.values()) {
      checkChecks(seed.tableName(), seed.checks(), seed.columns());
    }
    for (ModelDef model : models.values()) {
      checkChecks(model.tableName(), model.checks(), model.columns());
    }
    checkCycles(byName);
    checkTables();
  }

  private void checkRef(String name, Location location) {
    if (refNames.contains(name)) {
      return;
    }
    problems.add(
        location,
        "Unknown model or seed '" + name + "' in ref('" + name + "')",
        Suggestions.closest(name, refNames)
            .map(closest -> "did you mean '" + closest + "'?")
            .orElse(
                "no model (models/**/"
                    + name
                    + ".sql) or seed (seeds/"
                    + name
                    + ".csv) has this name"));
  }

  private void checkSource(SourceRef ref, Location location) {
    SourceDef source = sources.get(ref.source());
    String call = "source('" + ref.source() + "', '" + ref.table() + "')";
    if (source == null) {
      problems.add(
          location,
          "Unknown source '" + ref.source() + "' in " + call,
          Suggestions.closest(ref.source(), sources.keySet())
              .map(closest -> "did you mean '" + closest + "'?")
              .orElse("sources are declared in sources/<name>.yaml"));
      return;
    }
    if (source.table(ref.table()).isEmpty()) {
      List<String> tables = source.tables().stream().map(SourceTableDef::name).toList();
      problems.add(
          location,
          "Source '" + ref.source() + "' has no table '" + ref.table() + "' (in " + call + ")",
          Suggestions.hint(ref.table(), tables, "its tables"));
    }
  }

  private void checkChecks(TableName table, List<CheckDef> tableChecks, List<ColumnDef> columns) {
    List<CheckDef> checks = new ArrayList<>(tableChecks);
    columns.forEach(column -> checks.addAll(column.checks()));
    for (CheckDef check : checks) {
      if (check.type().equals("relationships")
          && check.arguments().get("to") instanceof String to) {
        checkRelationshipTarget(to, check.location());
      }
      if (check.type().equals("sql") && check.arguments().get("query") instanceof String query) {
        checkQuery(
            query,
            table,
            check.location(),
            check.arguments().containsKey(DbtSingularTests.SINGULAR_TEST)
                || check.arguments().containsKey(DbtTests.GENERIC_TEST));
      }
    }
  }

  private void checkRelationshipTarget(String to, Location location) {
    int dot = to.indexOf('.');
    if (dot > 0) {
      checkSource(new SourceRef(to.substring(0, dot), to.substring(dot + 1)), location);
    } else if (!refNames.contains(to)) {
      problems.add(
          location,
          "Unknown model or seed '" + to + "' in 'to:' of a relationships check",
          Suggestions.closest(to, refNames)
              .map(closest -> "did you mean '" + closest + "'?")
              .orElse("'to:' names a model or seed, or a source table as source.table"));
    }
  }

  /**
   * @param configAllowed whether the query may call {@code config()}: a dbt singular test's, read
   *     when the project was loaded
   */
  private void checkQuery(String query, TableName table, Location location, boolean configAllowed) {
    TemplateSession session =
        new TemplateSession(
            location,
            false,
            false,
            configAllowed,
            vars,
            name -> name.isEmpty() ? null : new TableName("curated", name),
            (source, sourceTable) ->
                source.isEmpty() || sourceTable.isEmpty()
                    ? null
                    : new TableName("raw", source + "_" + sourceTable),
            problems);
    if (configAllowed) {
      session.allowAnyConfigKey();
      if (dbt != null) {
        dbt.applyTo(session); // a dbt test's query may call the project's macros
      }
    }
    SqlRenderer.render(query, session, table);
    session.refs().keySet().forEach(name -> checkRef(name, location));
    session.sources().keySet().forEach(source -> checkSource(source, location));
  }

  /**
   * Reports a cycle among the assets, at the place that adds its first edge: a ref() or source()
   * call, or a check that reads another asset.
   */
  private void checkCycles(Map<String, ParsedModel> parsed) {
    // a dbt test on several nodes not all upstream of its asset runs after them: it adds no edge
    Set<CheckDef> afterParents = new java.util.HashSet<>();
    if (dbt != null) {
      TestAfterParents.of(sources, seeds, models).forEach(test -> afterParents.add(test.check()));
    }
    Map<String, Map<String, Location>> edges = new HashMap<>();
    for (ParsedModel model : parsed.values()) {
      Map<String, Location> modelEdges = new LinkedHashMap<>();
      String file = model.model().sqlFileName();
      model.refLines().forEach((name, line) -> modelEdges.put(name, new Location(file, line)));
      model
          .sourceLines()
          .forEach((source, line) -> modelEdges.put(source.assetName(), new Location(file, line)));
      addCheckEdges(
          model.model().name(),
          model.model().checks(),
          model.model().columns(),
          modelEdges,
          afterParents);
      edges.put(model.model().name(), modelEdges);
    }
    for (SeedDef seed : seeds.values()) {
      Map<String, Location> seedEdges = new LinkedHashMap<>();
      addCheckEdges(seed.name(), seed.checks(), seed.columns(), seedEdges, afterParents);
      edges.put(seed.name(), seedEdges);
    }
    for (SourceDef source : sources.values()) {
      for (SourceTableDef table : source.tables()) {
        Map<String, Location> tableEdges = new LinkedHashMap<>();
        addCheckEdges(table.assetName(), table.checks(), table.columns(), tableEdges, afterParents);
        edges.put(table.assetName(), tableEdges);
      }
    }
    Map<String, Set<String>> upstream = new HashMap<>();
    edges.forEach((asset, targets) -> upstream.put(asset, targets.keySet()));
    List<String> cycle = AssetGraph.findCycle(upstream);
    if (cycle.isEmpty()) {
      return;
    }
    Location location = edges.get(cycle.get(0)).get(cycle.get(1));
    String path = String.join(" → ", cycle);
    if (cycle.size() == 2) {
      problems.add(
          location,
          "Model '" + cycle.get(0) + "' refers to itself: " + path,
          "a model cannot ref() itself; an incremental model reads its own table with {{ this }}");
      return;
    }
    boolean onlyModels = cycle.stream().allMatch(models::containsKey);
    problems.add(
        location,
        (onlyModels ? "Models" : "Assets") + " form a cycle: " + path,
        "an asset cannot depend on itself, directly or through others; remove one of these"
            + " ref() calls (a relationships or sql check also makes the table it reads upstream)");
  }

  private static void addCheckEdges(
      String asset,
      List<CheckDef> tableChecks,
      List<ColumnDef> columns,
      Map<String, Location> edges,
      Set<CheckDef> afterParents) {
    List<CheckDef> checks = new ArrayList<>(tableChecks);
    columns.forEach(column -> checks.addAll(column.checks()));
    checks.removeAll(afterParents);
    for (CheckDef check : checks) {
      for (String target : CheckTargets.of(check)) {
        if (!target.equals(asset)) {
          edges.putIfAbsent(target, check.location());
        }
      }
    }
  }

  /** Reports two assets that would write the same table, e.g. sources a_b.c and a.b_c. */
  private void checkTables() {
    Map<TableName, String> owners = new HashMap<>();
    for (SourceDef source : sources.values()) {
      for (SourceTableDef table : source.tables()) {
        claim(owners, table.tableName(), "source table " + table.assetName(), table.location());
      }
    }
    for (SeedDef seed : seeds.values()) {
      claim(owners, seed.tableName(), "seed " + seed.name(), seed.location());
    }
    for (ModelDef model : models.values()) {
      if (!seeds.containsKey(model.name())) {
        claim(owners, model.tableName(), "model " + model.name(), model.location());
      }
    }
  }

  private void claim(
      Map<TableName, String> owners, TableName table, String owner, Location location) {
    String previous = owners.putIfAbsent(table, owner);
    if (previous != null) {
      problems.add(
          location,
          "Table " + table + " would be written by both " + previous + " and " + owner,
          "rename one of them");
    }
  }
}
