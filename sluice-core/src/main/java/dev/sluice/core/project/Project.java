package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import dev.sluice.api.ProjectException;
import dev.sluice.api.ProjectException.Problem;
import dev.sluice.api.TableName;
import dev.sluice.governance.ColumnClassification;
import dev.sluice.governance.Policies;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A loaded and validated project: its settings, sources, models, seeds and their asset graph.
 *
 * @param root the project directory, absolute
 * @param sources the sources by name
 * @param models the models by name
 * @param seeds the seeds by name
 * @param policies who may read what ({@code policies.yaml}); {@link Policies#none()} without one
 * @param dbt a dbt project's macros and globals, which its templates see; null for a Sluice project
 * @param unitTests the unit tests of the models ({@code unit_tests:} of properties files), by name
 * @param invocation what the invocation that loaded the project asked of it (target, vars, dbt's
 *     flags, the state {@code state:} selectors compare with)
 * @param renderings each model's SQL as rendered for a full build, kept from loading where it can
 *     be ({@link #renderedForFullBuild})
 */
public record Project(
    Path root,
    ProjectConfig config,
    Map<String, SourceDef> sources,
    Map<String, ModelDef> models,
    Map<String, SeedDef> seeds,
    AssetGraph graph,
    Policies policies,
    DbtTemplates dbt,
    Map<String, UnitTestDef> unitTests,
    Invocation invocation,
    FullBuildRenderings renderings) {
  public Project {
    requireNonNull(root, "root is null");
    requireNonNull(config, "config is null");
    requireNonNull(sources, "sources is null");
    requireNonNull(models, "models is null");
    requireNonNull(seeds, "seeds is null");
    requireNonNull(graph, "graph is null");
    requireNonNull(policies, "policies is null");
    sources = Copies.orderedMap(sources);
    models = Copies.orderedMap(models);
    seeds = Copies.orderedMap(seeds);
    unitTests = Copies.orderedMap(requireNonNull(unitTests, "unitTests is null"));
    requireNonNull(invocation, "invocation is null");
    requireNonNull(renderings, "renderings is null");
    if (dbt != null) {
      // dbt's graph, which templates read while they execute, is this project's manifest
      Project project = this;
      dbt.describedBy(() -> new DbtArtifacts(project).graph());
    }
  }

  /** A Sluice project (no dbt templates) without unit tests. */
  public Project(
      Path root,
      ProjectConfig config,
      Map<String, SourceDef> sources,
      Map<String, ModelDef> models,
      Map<String, SeedDef> seeds,
      AssetGraph graph,
      Policies policies) {
    this(
        root,
        config,
        sources,
        models,
        seeds,
        graph,
        policies,
        null,
        Map.of(),
        Invocation.NONE,
        FullBuildRenderings.NONE);
  }

  /**
   * A model's SQL as rendered for a full build ({@link SqlRenderer.RenderContext#of(Project,
   * ModelDef, boolean)}): what its fingerprint hashes. Rendered once per loaded project, or taken
   * from loading's rendering when that rendered with the same names.
   *
   * @throws ProjectException as {@link SqlRenderer#render(ModelDef, SqlRenderer.RenderContext)}
   */
  public String renderedForFullBuild(ModelDef model) {
    requireNonNull(model, "model is null");
    return renderings.sql(this, model);
  }

  /**
   * Loads and validates the project in a directory. Secret references are resolved from the process
   * environment.
   *
   * @throws ProjectException listing every problem found, each with its file (relative to the root)
   *     and line, what is wrong and how to fix it
   */
  public static Project load(Path root) {
    return load(root, (String) null);
  }

  /**
   * As {@link #load(Path)}, with the settings of a target of sluice.yaml's {@code targets:}.
   *
   * @param target the target's name, or null for the one {@code SLUICE_TARGET} names, else {@code
   *     default_target:}
   * @throws ProjectException also for an unknown target, naming sluice.yaml's line and its targets
   */
  public static Project load(Path root, String target) {
    return load(root, Invocation.NONE.withTarget(target));
  }

  /**
   * As {@link #load(Path)}, as an invocation asks: with its target, its vars over the project's,
   * and dbt's flags its templates see.
   *
   * @throws ProjectException also for an unknown target, naming the file and line that declare the
   *     targets
   */
  public static Project load(Path root, Invocation invocation) {
    requireNonNull(root, "root is null");
    return new ProjectLoader(root, System::getenv, invocation).load();
  }

  /**
   * The settings of the project in a directory (its sluice.yaml, with a target's settings), without
   * loading its sources, models, seeds or policies: for what needs only where the project's state
   * and warehouse are. A dbt project is loaded whole.
   *
   * @param target as for {@link #load(Path, String)}
   * @throws ProjectException listing the problems of sluice.yaml
   */
  public static ProjectConfig loadConfig(Path root, String target) {
    requireNonNull(root, "root is null");
    return new ProjectLoader(root, System::getenv, Invocation.NONE.withTarget(target)).loadConfig();
  }

  /** As {@link #load(Path)}, with the environment variables that {@code ${env:NAME}} reads. */
  static Project load(Path root, Map<String, String> environment) {
    return load(root, environment, (String) null);
  }

  /** As {@link #load(Path, String)}, with the environment variables {@code ${env:NAME}} reads. */
  static Project load(Path root, Map<String, String> environment, String target) {
    requireNonNull(environment, "environment is null");
    return load(root, environment, Invocation.NONE.withTarget(target));
  }

  /**
   * As {@link #load(Path, Invocation)}, with the environment variables {@code ${env:NAME}} reads.
   */
  static Project load(Path root, Map<String, String> environment, Invocation invocation) {
    requireNonNull(environment, "environment is null");
    return new ProjectLoader(root, environment::get, invocation).load();
  }

  /**
   * What {@code ${env:NAME}} reads for this project: the selected target's secrets, else the
   * process environment.
   */
  public Function<String, String> environment() {
    return config.environment(System::getenv);
  }

  /**
   * Checks that every secret reference of the sources' options ({@code ${env:NAME}}, {@code
   * ${file:path}}) can be resolved now: the variable is set, the file exists. {@code sluice
   * validate} runs it, so that a missing secret is found before a run; loading a project does not,
   * since only runs need the secrets.
   *
   * @throws ProjectException naming, for each reference that cannot be resolved, its file, line,
   *     variable or file, and never a value
   */
  public void checkSecrets(Function<String, String> environment) {
    requireNonNull(environment, "environment is null");
    Map<Location, Problem> problems = new LinkedHashMap<>();
    for (SourceDef source : sources.values()) {
      for (SourceTableDef table : source.tables()) {
        try {
          table.resolveOptions(root, environment);
        } catch (ProjectException e) {
          // an option of the source is shared by its tables: report it once
          e.problems().forEach(problem -> problems.putIfAbsent(problem.location(), problem));
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new ProjectException(List.copyOf(problems.values()));
    }
  }

  /**
   * The asset named {@code name}: a model, a seed or a source table ({@code source.table}).
   *
   * @throws IllegalArgumentException when the project has no such asset
   */
  public Asset asset(String name) {
    return findAsset(name).orElseThrow(() -> new IllegalArgumentException("Unknown asset " + name));
  }

  /** The asset named {@code name}, if the project has one. */
  public Optional<Asset> findAsset(String name) {
    requireNonNull(name, "name is null");
    ModelDef model = models.get(name);
    if (model != null) {
      return Optional.of(new Asset.Model(model));
    }
    SeedDef seed = seeds.get(name);
    if (seed != null) {
      return Optional.of(new Asset.Seed(seed));
    }
    // a source table's asset is named source.table; source names hold no dot
    int dot = name.indexOf('.');
    return dot < 0
        ? Optional.empty()
        : sourceTable(name.substring(0, dot), name.substring(dot + 1)).map(Asset.SourceTable::new);
  }

  /**
   * The retention a table declares itself ({@code retention:} of a source table or a model), else
   * its zone's ({@code zones:} in sluice.yaml), which applies only to tables that have the zone's
   * column: {@link #zoneRetention} gives it for the caller to check against the table's schema.
   */
  public Optional<RetentionDef> ownRetention(TableName table) {
    requireNonNull(table, "table is null");
    for (ModelDef model : models.values()) {
      if (model.tableName().equals(table) && model.retention() != null) {
        return Optional.of(model.retention());
      }
    }
    for (SourceDef source : sources.values()) {
      for (SourceTableDef sourceTable : source.tables()) {
        if (sourceTable.tableName().equals(table) && sourceTable.retention() != null) {
          return Optional.of(sourceTable.retention());
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The maintenance settings of a table: its own {@code maintenance:} (of its source table or
   * model) over sluice.yaml's, over its zone's {@code keep_snapshots:}; empty when none is set.
   */
  public Optional<MaintenanceDef> maintenance(TableName table) {
    requireNonNull(table, "table is null");
    MaintenanceDef own = null;
    for (ModelDef model : models.values()) {
      if (model.tableName().equals(table) && model.maintenance() != null) {
        own = model.maintenance();
      }
    }
    for (SourceDef source : sources.values()) {
      for (SourceTableDef sourceTable : source.tables()) {
        if (sourceTable.tableName().equals(table) && sourceTable.maintenance() != null) {
          own = sourceTable.maintenance();
        }
      }
    }
    MaintenanceDef base = config.maintenance();
    ZoneSettings zone =
        dev.sluice.api.Zone.fromName(table.zone())
            .map(name -> config.zones().get(name))
            .orElse(null);
    if (zone != null && zone.keepSnapshots() != null) {
      MaintenanceDef zoneKeep =
          new MaintenanceDef(
              null, null, zone.keepSnapshots(), null, null, null, null, null, zone.location());
      base = base == null ? zoneKeep : zoneKeep.over(base);
    }
    if (own == null) {
      return Optional.ofNullable(base);
    }
    return Optional.of(own.over(base));
  }

  /**
   * Every {@code maintenance: schedule} of the project: sluice.yaml's and those of its source
   * tables and models.
   */
  public Stream<ScheduleDef> maintenanceSchedules() {
    Stream<MaintenanceDef> own =
        Stream.concat(
            models.values().stream().map(ModelDef::maintenance),
            sources.values().stream()
                .flatMap(source -> source.tables().stream())
                .map(SourceTableDef::maintenance));
    return Stream.concat(Stream.of(config.maintenance()), own)
        .filter(Objects::nonNull)
        .map(MaintenanceDef::schedule)
        .filter(Objects::nonNull);
  }

  /** The retention {@code zones:} in sluice.yaml sets for a table's zone, if any. */
  public Optional<RetentionDef> zoneRetention(TableName table) {
    return dev.sluice.api.Zone.fromName(table.zone())
        .map(zone -> config.zones().get(zone))
        .map(ZoneSettings::retention);
  }

  /**
   * The namespaces of the project's tables that are no zone's: a dbt project's schemas ({@code
   * main}, {@code main_staging}), in which queries and checks may name tables too.
   */
  public Set<String> schemas() {
    Set<String> schemas = new java.util.TreeSet<>();
    Stream.concat(models.values().stream(), seeds.values().stream())
        .map(asset -> asset.tableName().zone())
        .filter(zone -> dev.sluice.api.Zone.fromName(zone).isEmpty())
        .forEach(schemas::add);
    failureTables().stream()
        .map(TableName::zone)
        .filter(zone -> dev.sluice.api.Zone.fromName(zone).isEmpty())
        .forEach(schemas::add);
    return schemas;
  }

  /** The tables of the failing rows of dbt tests with {@code store_failures}. */
  public Set<TableName> failureTables() {
    Set<TableName> tables =
        new java.util.TreeSet<>(java.util.Comparator.comparing(TableName::toString));
    Stream<AssetDefinition> assets =
        Stream.concat(
            Stream.concat(models.values().stream(), seeds.values().stream()),
            sources.values().stream().flatMap(source -> source.tables().stream()));
    assets
        .flatMap(asset -> asset.allChecks().stream())
        .map(check -> check.testConfig().get(CheckDef.FAILURES_TABLE))
        .filter(String.class::isInstance)
        .forEach(table -> tables.add(TableName.parse((String) table)));
    return tables;
  }

  /** A table of a source, by source and table name. */
  public Optional<SourceTableDef> sourceTable(String source, String table) {
    SourceDef definition = sources.get(source);
    return definition == null ? Optional.empty() : definition.table(table);
  }

  /**
   * The table a {@code source()} reads: a source table's, or for a dbt source table without a
   * location, the warehouse's relation it names ({@code <schema>.<identifier>}).
   */
  public Optional<TableName> sourceTableName(String source, String table) {
    Optional<TableName> loaded = sourceTable(source, table).map(SourceTableDef::tableName);
    return loaded.isPresent() || dbt == null ? loaded : dbt.sourceRelation(source, table);
  }

  /**
   * Whether a warehouse table belongs to this project: a source table (or its {@code __rejected}
   * table), a seed or a model. A table that does not is an orphan, left by a deleted or renamed
   * source or model.
   */
  public boolean defines(TableName table) {
    requireNonNull(table, "table is null");
    for (SourceDef source : sources.values()) {
      for (SourceTableDef sourceTable : source.tables()) {
        TableName name = sourceTable.tableName();
        if (name.equals(table)
            || new TableName(name.zone(), name.name() + "__rejected").equals(table)) {
          return true;
        }
      }
    }
    return models.values().stream()
            .anyMatch(model -> model.materialization().built() && model.tableName().equals(table))
        || seeds.values().stream().anyMatch(seed -> seed.tableName().equals(table))
        || failureTables().contains(table);
  }

  /**
   * The models and seeds whose tables a model's SQL reads: its refs, with each ephemeral model's
   * own in its place (an ephemeral model is inlined, never built).
   */
  public List<String> tableRefs(ModelDef model) {
    return EphemeralModels.tableRefs(model, models);
  }

  /** The source tables a model's SQL reads, those of the ephemeral models it reads included. */
  public List<SourceRef> sourcesRead(ModelDef model) {
    return EphemeralModels.sources(model, models);
  }

  /** The table {@code ref(name)} stands for: a model's or a seed's. */
  public Optional<TableName> refTable(String name) {
    ModelDef model = models.get(name);
    if (model != null) {
      return Optional.of(model.tableName());
    }
    return Optional.ofNullable(seeds.get(name)).map(SeedDef::tableName);
  }

  /**
   * Reads policies from YAML text, e.g. policies.yaml as committed in git, and checks it against
   * this project's tables; key references resolve from the process environment and the project.
   *
   * @throws ProjectException listing the problems of the text
   */
  public Policies policiesFromText(String yaml) {
    requireNonNull(yaml, "yaml is null");
    Path directory = null;
    try {
      directory = java.nio.file.Files.createTempDirectory("sluice-policies");
      java.nio.file.Files.writeString(directory.resolve(Policies.FILE), yaml);
      Problems problems = new Problems();
      Policies policies =
          PoliciesParser.load(
              directory,
              tables(),
              classification(),
              new Secrets(root, environment(), problems),
              problems);
      problems.throwIfAny();
      return policies;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } finally {
      if (directory != null) {
        dev.sluice.api.io.Directories.deleteRecursively(directory);
      }
    }
  }

  /** Every table the project defines, with its declared columns (empty when not declared). */
  public Map<TableName, List<ColumnDef>> tables() {
    return tables(sources, models, seeds);
  }

  /**
   * The classification tags the project's files declare for its tables' columns (not those a column
   * inherits along lineage: {@code dev.sluice.core.lineage.ColumnTags} has both).
   */
  public ColumnClassification classification() {
    return classification(tables());
  }

  static Map<TableName, List<ColumnDef>> tables(
      Map<String, SourceDef> sources, Map<String, ModelDef> models, Map<String, SeedDef> seeds) {
    Map<TableName, List<ColumnDef>> tables = new LinkedHashMap<>();
    for (SourceDef source : sources.values()) {
      for (SourceTableDef table : source.tables()) {
        tables.put(table.tableName(), table.columns());
        TableName rejected =
            new TableName(table.tableName().zone(), table.tableName().name() + "__rejected");
        tables.put(rejected, List.of());
      }
    }
    models.values().forEach(model -> tables.put(model.tableName(), model.columns()));
    seeds.values().forEach(seed -> tables.put(seed.tableName(), seed.columns()));
    return tables;
  }

  static ColumnClassification classification(Map<TableName, List<ColumnDef>> tables) {
    Map<String, Set<String>> tags = new HashMap<>();
    tables.forEach(
        (table, columns) ->
            columns.forEach(
                column -> {
                  if (column.classification() != null
                      && !column.classification().tags().isEmpty()) {
                    tags.put(key(table, column.name()), Set.copyOf(column.classification().tags()));
                  }
                }));
    return (table, column) -> tags.getOrDefault(key(table, column), Set.of());
  }

  private static String key(TableName table, String column) {
    return (table + "." + column).toLowerCase(java.util.Locale.ROOT);
  }
}
