package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import dev.sluice.api.TableName;
import dev.sluice.core.project.DbtConfigTree.Setting;
import dev.sluice.core.project.ModelParser.ModelFile;
import dev.sluice.core.project.ModelParser.ParsedModel;
import dev.sluice.core.project.PropertiesParser.ModelProperties;
import dev.sluice.core.project.PropertiesParser.SeedProperties;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dbt project read into Sluice's project model: where its models and seeds are, the configs
 * {@code dbt_project.yml} and its properties files give each of them (dbt's precedence: a model's
 * {@code config()} over its properties' {@code config:} over the project's config tree), and the
 * target its profile names. The models, seeds and checks are then Sluice's own, built, checked and
 * published as any other.
 *
 * <p>Where Sluice would build something other than dbt builds, loading stops with a problem at the
 * line that asks for it (a hook, an ephemeral model, a test config Sluice does not apply); configs
 * that do not change what is built (documentation, grants, {@code persist_docs}, ...) are accepted
 * and ignored, as dbt accepts settings its adapter does not use.
 */
final class DbtProject {
  private static final Logger LOG = LoggerFactory.getLogger(DbtProject.class);

  /** Model configs that would make the built tables differ from dbt's: not supported yet. */
  private static final Set<String> UNSUPPORTED_MODEL_CONFIGS = Set.of("sql_header");

  private static final Set<String> STRATEGIES =
      Set.of("append", "merge", "delete+insert", "microbatch");

  private static final Set<String> ACCESS = Set.of("private", "protected", "public");

  private final Path root;
  private final DbtProjectFile file;
  private final DbtProfile profile;
  private final DbtPackages packages;
  private final DbtMacros macros;
  private final Map<String, Object> globals;
  private final DbtNames names;
  private final DbtDocs docs;
  private final Invocation invocation;

  /** Each model's configs from the tree and its properties, with their lines. */
  private final Map<String, Map<String, Setting>> modelSettings = new LinkedHashMap<>();

  /** The sources of the properties files, by name. */
  private final Map<String, SourceDef> sources = new java.util.TreeMap<>();

  /** The source tables Sluice cannot read, which no model may read. */
  private final Map<SourceRef, DbtSources.Unreadable> unreadable = new LinkedHashMap<>();

  private final Map<SourceRef, TableName> sourceRelations = new LinkedHashMap<>();

  private final List<UnitTestDef> unitTests = new ArrayList<>();

  /** The snapshots: the names of the models read from the snapshot paths' snapshot blocks. */
  private final Set<String> snapshots = new java.util.LinkedHashSet<>();

  /** The snapshots defined in properties files ({@code relation:}, dbt 1.9). */
  private final Set<String> yamlSnapshots = new java.util.LinkedHashSet<>();

  /** Each seed's table. */
  private final Map<String, TableName> seedTables = new LinkedHashMap<>();

  /** How each seed's file is read. */
  private final Map<String, SeedDef.Format> seedFormats = new LinkedHashMap<>();

  /** The hooks of the models, snapshots and seeds, and the on-run hooks. */
  private final DbtHooks.Builder hooks = new DbtHooks.Builder();

  /** Exposures, groups, semantic models, metrics, saved queries; declared columns and access. */
  private final DbtResources resources = new DbtResources();

  /** Each model's {@code ref()} calls with their lines, for the access checks. */
  private final Map<String, Map<String, Location>> refLines = new LinkedHashMap<>();

  /** The microbatch models, and the event times of what they may read. */
  private final DbtMicrobatch.Builder microbatch = new DbtMicrobatch.Builder();

  /** The vars of dbt_project.yml and the packages', rendered; made once. */
  private Map<String, Object> renderedVars;

  /** The models and seeds of installed packages: their package and file, by name. */
  private final Map<String, DbtPackageNodes.Origin> packageNodes = new LinkedHashMap<>();

  private DbtVersions versions = DbtVersions.NONE;

  /** The installed package of each package node, by name. */
  private final Map<String, DbtPackages.Installed> nodePackages = new LinkedHashMap<>();

  private DbtProject(
      Path root,
      DbtProjectFile file,
      DbtProfile profile,
      Invocation invocation,
      Problems problems) {
    this.root = requireNonNull(root, "root is null");
    this.file = requireNonNull(file, "file is null");
    this.profile = requireNonNull(profile, "profile is null");
    this.invocation = requireNonNull(invocation, "invocation is null");
    this.packages = DbtPackages.read(root, file.packagesInstallPath(), problems);
    packages.reportMissing(file.packagesInstallPath(), problems);
    List<DbtMacros.PackageMacros> macroPackages = new ArrayList<>();
    for (DbtPackages.Installed installed : packages.installed()) {
      if (!installed.name().equals(file.name())) {
        macroPackages.add(
            new DbtMacros.PackageMacros(installed.name(), installed.macroDirectories()));
      }
    }
    macroPackages.add(new DbtMacros.PackageMacros(file.name(), macroDirectories()));
    this.macros = DbtMacros.read(root, macroPackages, problems);
    this.globals =
        DbtGlobals.of(file.name(), profile, file.dispatch(), invocation.flags(), Clock.systemUTC());
    this.names = new DbtNames(file.name(), profile, macros, config().vars(), globals);
    this.docs =
        DbtDocs.read(
                root,
                file.name(),
                file.docsPaths().isEmpty() ? propertyDirectories() : directories(file.docsPaths()),
                config().vars(),
                problems)
            .withPackages(root, packages.installed(), problems);
  }

  /**
   * Reads dbt_project.yml and the profile: the output the invocation's target names (else {@code
   * DBT_TARGET}, else {@code SLUICE_TARGET}, else the profile's {@code target:}).
   *
   * @throws dev.sluice.api.ProjectException when dbt_project.yml cannot be read
   */
  static DbtProject read(
      Path root, Function<String, String> environment, Invocation invocation, Problems problems) {
    Path path = root.resolve(DbtProjectFile.FILE);
    Optional<org.yaml.snakeyaml.nodes.Node> node = YamlFiles.read(root, path, problems);
    Optional<DbtProjectFile> file = node.flatMap(yaml -> DbtProjectFile.parse(yaml, problems));
    if (file.isEmpty()) {
      problems.throwIfAny();
      throw new IllegalStateException("dbt_project.yml was not read, and no problem says why");
    }
    String target = invocation.target();
    for (String variable : List.of("DBT_TARGET", TargetsParser.VARIABLE)) {
      if (target == null || target.isBlank()) {
        target = environment.apply(variable);
      }
    }
    DbtProfile profile =
        DbtProfile.read(
            root,
            file.get().profile(),
            file.get().name(),
            target == null || target.isBlank() ? null : target.strip(),
            environment,
            problems);
    LOG.debug(
        "dbt project {}: target {} (schema {}) from {}",
        file.get().name(),
        profile.name(),
        profile.schema(),
        profile.file() == null ? "Sluice's defaults" : profile.file());
    DbtProject project = new DbtProject(root, file.get(), profile, invocation, problems);
    project.runHooks(node.get(), problems);
    return project;
  }

  /**
   * The on-run-start and on-run-end hooks: those of the installed packages (in the order dbt loads
   * them), then the project's, as dbt runs them.
   */
  private void runHooks(org.yaml.snakeyaml.nodes.Node project, Problems problems) {
    for (DbtPackages.Installed installed : packages.installed()) {
      if (installed.name().equals(file.name())) {
        continue;
      }
      Path packageFile = installed.directory().resolve(DbtProjectFile.FILE);
      String name = YamlFiles.relative(root, packageFile);
      YamlFiles.read(root, packageFile, problems)
          .ifPresent(
              yaml ->
                  hooks.onRun(
                      DbtHooks.runHooks(name, yaml, "on-run-start"),
                      DbtHooks.runHooks(name, yaml, "on-run-end")));
    }
    hooks.onRun(
        DbtHooks.runHooks(DbtProjectFile.FILE, project, "on-run-start"),
        DbtHooks.runHooks(DbtProjectFile.FILE, project, "on-run-end"));
  }

  /**
   * The project's settings: Sluice's defaults, with dbt's vars (those of {@code --vars} over the
   * project's) and the target's threads.
   */
  ProjectConfig config() {
    Map<String, Object> vars = new LinkedHashMap<>();
    // a package's vars, for its models; the project's win (Sluice's vars are one map: a package's
    // var is seen by the project's models too, where dbt would not define it)
    vars.putAll(projectVars());
    vars.putAll(invocation.vars());
    return ConfigParser.defaults(
        root,
        file.name(),
        vars,
        profile.threads() == null ? ProjectConfig.DEFAULT_THREADS : profile.threads());
  }

  List<Path> modelDirectories() {
    return directories(file.modelPaths());
  }

  /**
   * The vars of dbt_project.yml and of the installed packages' (the project's winning), each value
   * that is a template rendered as dbt renders dbt_project.yml ({@code "{{ 500 if target.type ==
   * 'bigquery' else 10000 }}"}).
   */
  private Map<String, Object> projectVars() {
    if (renderedVars == null) {
      Map<String, Object> declared = new LinkedHashMap<>();
      for (DbtPackages.Installed installed : otherPackages()) {
        installed.file().vars().forEach(declared::putIfAbsent);
      }
      declared.putAll(file.vars());
      Map<String, Object> rendered = new LinkedHashMap<>();
      Problems ignored = new Problems();
      declared.forEach(
          (key, value) -> {
            if (value instanceof String text && text.contains("{{") && globals != null) {
              TemplateSession session =
                  new TemplateSession(
                          Location.of(DbtProjectFile.FILE),
                          false,
                          false,
                          false,
                          declared,
                          name -> null,
                          (source, table) -> null,
                          ignored)
                      .withDbt(macros, globals);
              rendered.put(key, nativeValue(SqlRenderer.renderBound(text, session, Map.of())));
            } else {
              rendered.put(key, value);
            }
          });
      if (globals == null) {
        return rendered; // while the globals are made: not kept
      }
      renderedVars = rendered;
    }
    return renderedVars;
  }

  /** The installed packages but the project itself: dbt loads their models and seeds too. */
  List<DbtPackages.Installed> otherPackages() {
    return packages.installed().stream()
        .filter(installed -> !installed.name().equals(file.name()))
        .toList();
  }

  /** The model directories of the installed packages, whose models join the project's. */
  List<Path> packageModelDirectories() {
    return otherPackages().stream().flatMap(p -> p.modelDirectories().stream()).toList();
  }

  /** The seed directories of the installed packages. */
  List<Path> packageSeedDirectories() {
    return otherPackages().stream().flatMap(p -> p.seedDirectories().stream()).toList();
  }

  /** The directories of the installed packages whose YAML files may hold properties. */
  List<Path> packagePropertyDirectories() {
    return otherPackages().stream().flatMap(p -> p.propertyDirectories().stream()).toList();
  }

  /**
   * Records which of the models and seeds are an installed package's (by the directory they were
   * read from): their fqn, unique id and config trees are their package's.
   */
  private void adoptPackageNodes(Map<String, ModelFile> modelFiles, Map<String, Path> seedFiles) {
    modelFiles.values().forEach(model -> adopt(model.name(), model.sqlFile(), false));
    seedFiles.forEach((name, path) -> adopt(name, path, true));
  }

  private void adopt(String name, Path relativeFile, boolean seed) {
    Path absolute = root.resolve(relativeFile).normalize();
    for (DbtPackages.Installed installed : otherPackages()) {
      List<Path> directories = seed ? installed.seedDirectories() : installed.modelDirectories();
      for (Path directory : directories) {
        if (absolute.startsWith(directory.normalize())) {
          List<String> fqn = path(relativeFile, directories, installed.name());
          String original =
              installed.directory().normalize().relativize(absolute).toString().replace('\\', '/');
          packageNodes.put(name, new DbtPackageNodes.Origin(installed.name(), original, fqn));
          nodePackages.put(name, installed);
          return;
        }
      }
    }
  }

  /**
   * Whether the config trees disable a seed file ({@code seeds: {pkg: {name: {+enabled: false}}}}):
   * its package's tree, then the project's, as {@link #treeSettings} reads them. A disabled seed is
   * no node, so that it does not clash with another of its name (dbt-project-evaluator's
   * integration project disables the package's {@code dbt_project_evaluator_exceptions} and has its
   * own).
   */
  boolean seedDisabledByTree(Path relativeFile) {
    Path absolute = root.resolve(relativeFile).normalize();
    Map<String, Setting> settings = null;
    for (DbtPackages.Installed installed : otherPackages()) {
      List<Path> directories = installed.seedDirectories();
      if (directories.stream().anyMatch(directory -> absolute.startsWith(directory.normalize()))) {
        List<String> path = path(relativeFile, directories, installed.name());
        settings = installed.file().seeds().configFor(path);
        merge(settings, file.seeds().configFor(path));
        break;
      }
    }
    if (settings == null) {
      settings = file.seeds().configFor(path(relativeFile, seedDirectories()));
    }
    // the problems of a template are reported when the seed's settings are read
    render(settings, new Problems());
    return disabled(settings);
  }

  /**
   * dbt's versioned models ({@link DbtVersions}): each version of a model whose properties list
   * {@code versions:} is the model of its file, {@code <name>_v<v>.sql} or its {@code defined_in},
   * with the model's properties; its relation is {@code <name>_v<v>}, as dbt names it. A version
   * without its file is a problem at its line.
   */
  private void versions(
      Map<String, DbtProperties.Entry> models,
      Map<String, ModelFile> modelFiles,
      Problems problems) {
    Map<String, DbtVersions.Versioned> versioned = new LinkedHashMap<>();
    for (DbtProperties.Entry entry : List.copyOf(models.values())) {
      if (entry.versions().isEmpty()) {
        continue;
      }
      models.remove(entry.name());
      Map<String, String> byVersion = new LinkedHashMap<>();
      for (DbtProperties.Version version : entry.versions()) {
        String relation = entry.name() + "_v" + version.version();
        String file = version.definedIn() != null ? version.definedIn() : relation;
        if (!modelFiles.containsKey(file)) {
          problems.add(
              version.location(),
              "Version "
                  + version.version()
                  + " of model '"
                  + entry.name()
                  + "' has no file "
                  + file
                  + ".sql",
              "write it in the model paths, or give the version its file with 'defined_in:'");
          continue;
        }
        byVersion.put(version.version(), file);
        DbtProperties.Entry properties = DbtProperties.asVersion(entry, file);
        if (!file.equals(relation) && !properties.config().containsKey("alias")) {
          Map<String, Setting> config = new LinkedHashMap<>(properties.config());
          config.put("alias", new Setting(relation, version.location()));
          properties =
              new DbtProperties.Entry(
                  file,
                  properties.description(),
                  properties.columns(),
                  properties.checks(),
                  config,
                  properties.location(),
                  properties.relation(),
                  properties.declared(),
                  null,
                  List.of());
        }
        models.put(file, properties);
      }
      String latest =
          entry.latestVersion() != null
              ? entry.latestVersion()
              : byVersion.keySet().stream()
                  .max(
                      java.util.Comparator.comparing(
                              (String v) ->
                                  v.matches("\\d{1,18}") ? Long.parseLong(v) : Long.MIN_VALUE)
                          .thenComparing(v -> v))
                  .orElse(null);
      if (latest == null) {
        continue;
      }
      if (!byVersion.containsKey(latest)) {
        problems.add(
            entry.location(),
            "The latest_version "
                + latest
                + " of model '"
                + entry.name()
                + "' is none of its"
                + " versions ("
                + String.join(", ", byVersion.keySet())
                + ")",
            "give latest_version one of the versions' v");
        continue;
      }
      versioned.put(entry.name(), new DbtVersions.Versioned(entry.name(), latest, byVersion));
    }
    this.versions = new DbtVersions(versioned);
  }

  /** A model's or seed's settings from the config trees: its package's, then the project's. */
  private Map<String, Setting> treeSettings(
      String name,
      List<String> path,
      java.util.function.Function<DbtProjectFile, DbtConfigTree> tree) {
    DbtPackages.Installed installed = nodePackages.get(name);
    if (installed == null) {
      return tree.apply(file).configFor(path);
    }
    // dbt: the package's own dbt_project.yml, then the root project's, which wins
    Map<String, Setting> settings = tree.apply(installed.file()).configFor(path);
    merge(settings, tree.apply(file).configFor(path));
    return settings;
  }

  List<Path> snapshotDirectories() {
    return directories(file.snapshotPaths());
  }

  /**
   * The snapshots of the snapshot paths: each {@code .sql} file's {@code {% snapshot name %}} block
   * is a model of that name materialized as a snapshot, whose query is the block's body.
   */
  Map<String, ModelFile> snapshotFiles(Problems problems) {
    Map<String, ModelFile> files = new java.util.TreeMap<>();
    for (Path directory : snapshotDirectories()) {
      List<Path> paths;
      try (java.util.stream.Stream<Path> stream = Files.walk(directory)) {
        paths =
            stream
                .filter(Files::isRegularFile)
                .filter(path -> path.toString().toLowerCase(Locale.ROOT).endsWith(".sql"))
                .sorted()
                .toList();
      } catch (java.io.IOException e) {
        problems.add(
            Location.of(YamlFiles.relative(root, directory)),
            "Cannot list the directory: " + e.getMessage());
        continue;
      }
      for (Path path : paths) {
        String name = YamlFiles.relative(root, path);
        String text;
        try {
          text = Files.readString(path, java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
          problems.add(Location.of(name), "Cannot read the file: " + e.getMessage());
          continue;
        }
        Map<String, Integer> blocks = SqlRenderer.snapshotBlocks(text);
        if (blocks.size() != 1) {
          problems.add(
              blocks.isEmpty()
                  ? Location.of(name)
                  : new Location(name, blocks.values().stream().skip(1).findFirst().orElse(1)),
              blocks.isEmpty()
                  ? "The snapshot file has no {% snapshot %} block"
                  : "The snapshot file holds more than one snapshot block",
              "write one block per file: {% snapshot name %} select ... {% endsnapshot %}");
          continue;
        }
        String snapshot = blocks.keySet().iterator().next();
        snapshots.add(snapshot);
        files.put(snapshot, new ModelFile(snapshot, root.relativize(path), text, Optional.empty()));
      }
    }
    return files;
  }

  List<Path> seedDirectories() {
    return directories(file.seedPaths());
  }

  /** The directories whose YAML files may hold properties. */
  List<Path> propertyDirectories() {
    return directories(file.propertyPaths());
  }

  DbtProfile profile() {
    return profile;
  }

  /** The packages installed and declared. */
  DbtPackages packages() {
    return packages;
  }

  /** The project's macros, and dbt's that its templates may call. */
  DbtMacros macros() {
    return macros;
  }

  /** The project's macros and globals, which its templates see. */
  /**
   * The source tables without a location that models read: each is the warehouse's relation {@code
   * <schema>.<identifier>}, as dbt reads it, whatever loads it (a seed of this project, another
   * project, another tool writing to the catalog).
   */
  Map<SourceRef, TableName> sourceRelations() {
    return Map.copyOf(sourceRelations);
  }

  /**
   * Makes each model that reads a source relation another asset of the project builds (a seed or
   * model of that table: dbt-labs' jaffle-shop seeds its sources into {@code raw}) depend on that
   * asset, so that it runs first, as in a dbt build.
   */
  void dependOnSourceRelations(Map<String, ModelDef> models, Map<String, SeedDef> seeds) {
    Map<TableName, String> producers = new java.util.HashMap<>();
    seeds.values().forEach(seed -> producers.put(seed.tableName(), seed.name()));
    models.values().stream()
        .filter(model -> model.materialization().built())
        .forEach(model -> producers.put(model.tableName(), model.name()));
    models.replaceAll(
        (name, model) -> {
          Set<String> refs = new java.util.LinkedHashSet<>(model.refs());
          for (SourceRef source : model.sources()) {
            TableName relation = sourceRelations.get(source);
            String producer = relation == null ? null : producers.get(relation);
            if (producer != null && !producer.equals(name)) {
              refs.add(producer);
            }
          }
          return refs.equals(model.refs()) ? model : model.withRefs(refs);
        });
  }

  DbtTemplates templates() {
    return new DbtTemplates(
            macros, globals, docs, file.targetPath(), profile.schema(), profile.database())
        .withHooks(hooks.build())
        .withResources(resources)
        .withMicrobatch(microbatch.build())
        .withPackageNodes(new DbtPackageNodes(packageNodes))
        .withVersions(versions);
  }

  /**
   * The directories of macros: the macro paths, and the test paths' {@code generic/} directories,
   * where dbt finds generic tests ({@code {% test %}} blocks) too.
   */
  private List<Path> macroDirectories() {
    List<String> paths = new ArrayList<>(file.macroPaths());
    file.testPaths().forEach(path -> paths.add(path + "/generic"));
    return directories(paths);
  }

  private List<Path> directories(List<String> paths) {
    return paths.stream().distinct().map(root::resolve).filter(Files::isDirectory).toList();
  }

  /**
   * Reads the properties files, applies the config tree of dbt_project.yml, and leaves out the
   * disabled models and seeds (from {@code modelFiles} and {@code seedFiles}, which it changes).
   */
  void properties(
      List<Path> propertyFiles,
      Map<String, ModelFile> modelFiles,
      Map<String, Path> seedFiles,
      Map<String, ModelProperties> modelProperties,
      Map<String, SeedProperties> seedProperties,
      Problems problems) {
    Map<String, DbtProperties.Entry> models = new LinkedHashMap<>();
    Map<String, DbtProperties.Entry> seeds = new LinkedHashMap<>();
    Map<String, DbtProperties.Entry> snapshotEntries = new LinkedHashMap<>();
    for (Path path : propertyFiles) {
      String name = YamlFiles.relative(root, path);
      YamlFiles.read(root, path, problems)
          .map(
              node ->
                  DbtProperties.parse(
                      root, file.testPaths(), name, node, testsOf(path), docs, resources, problems))
          .ifPresent(
              contents -> {
                collect(contents.models(), models, "model", problems);
                collect(contents.seeds(), seeds, "seed", problems);
                collect(contents.snapshots(), snapshotEntries, "snapshot", problems);
                contents.unreadable().forEach(table -> unreadable.put(table.table(), table));
                unitTests.addAll(contents.unitTests());
                contents
                    .sourceEventTimes()
                    .forEach(
                        (table, column) ->
                            microbatch.eventTime(table, new Setting(column, Location.of(name))));
                for (SourceDef source : contents.sources()) {
                  SourceDef previous = sources.putIfAbsent(source.name(), source);
                  if (previous != null) {
                    problems.add(
                        source.location(),
                        "Source '" + source.name() + "' is declared twice",
                        "also at " + previous.location() + "; merge its tables into one entry");
                  }
                }
              });
    }
    yamlSnapshots(snapshotEntries, modelFiles, problems);
    versions(models, modelFiles, problems);
    adoptPackageNodes(modelFiles, seedFiles);
    warnOfUnknown(models, modelFiles.keySet(), "model");
    warnOfUnknown(snapshotEntries, snapshots, "snapshot");
    warnOfUnknown(seeds, seedFiles.keySet(), "seed");
    for (ModelFile model : List.copyOf(modelFiles.values())) {
      boolean snapshot = snapshots.contains(model.name());
      DbtProperties.Entry entry = (snapshot ? snapshotEntries : models).get(model.name());
      Map<String, Setting> settings =
          treeSettings(
              model.name(),
              configPath(model.name(), model.sqlFile()),
              snapshot ? DbtProjectFile::snapshots : DbtProjectFile::models);
      if (entry != null) {
        merge(settings, entry.config());
      }
      render(settings, problems);
      if (disabled(settings)) {
        LOG.debug("Model {} is disabled", model.name());
        modelFiles.remove(model.name());
        continue;
      }
      modelSettings.put(model.name(), settings);
      if (entry != null) {
        resources.declare(
            docs.uniqueId(snapshot ? "snapshot" : "model", model.name()), entry.declared());
      }
      modelProperties.put(model.name(), modelProperties(model, entry, settings, problems));
    }
    for (Map.Entry<String, Path> seed : Map.copyOf(seedFiles).entrySet()) {
      DbtProperties.Entry entry = seeds.get(seed.getKey());
      Map<String, Setting> settings =
          treeSettings(
              seed.getKey(), seedPath(seed.getKey(), seed.getValue()), DbtProjectFile::seeds);
      if (entry != null) {
        merge(settings, entry.config());
      }
      render(settings, problems);
      if (disabled(settings)) {
        seedFiles.remove(seed.getKey());
        continue;
      }
      seedFormats.put(seed.getKey(), seedFormat(seed.getKey(), settings, problems));
      microbatch.eventTime(seed.getKey(), settings.get("event_time"));
      hooks.asset(seed.getKey(), settings);
      seedTables.put(
          seed.getKey(),
          names.table(
              "seed",
              seed.getKey(),
              seedPath(seed.getKey(), seed.getValue()),
              YamlFiles.relative(root, root.resolve(seed.getValue())),
              settings,
              problems));
      if (entry != null) {
        resources.declare(docs.uniqueId("seed", seed.getKey()), entry.declared());
        seedProperties.put(
            seed.getKey(),
            new SeedProperties(
                entry.name(),
                entry.description(),
                entry.columns(),
                entry.checks(),
                entry.location()));
      }
    }
  }

  /**
   * dbt 1.9's snapshots defined in properties files: an entry of {@code snapshots:} with a {@code
   * relation:} is a snapshot whose query is {@code select * from {{ <relation> }}}, as dbt compiles
   * it, with its {@code config:}.
   */
  private void yamlSnapshots(
      Map<String, DbtProperties.Entry> entries,
      Map<String, ModelFile> modelFiles,
      Problems problems) {
    for (DbtProperties.Entry entry : entries.values()) {
      Setting relation = entry.relation();
      if (relation == null) {
        continue;
      }
      String text = relation.value() == null ? "" : String.valueOf(relation.value()).strip();
      if (!(text.startsWith("ref(") || text.startsWith("source(")) || !text.endsWith(")")) {
        problems.add(
            relation.location(),
            "The relation of snapshot '" + entry.name() + "' must be a ref() or a source()",
            "write e.g. relation: ref('orders') or relation: source('shop', 'orders')");
        continue;
      }
      ModelFile existing = modelFiles.get(entry.name());
      if (existing != null) {
        problems.add(
            relation.location(),
            "Snapshot '"
                + entry.name()
                + "' has a relation and the name of "
                + (snapshots.contains(entry.name()) ? "the snapshot " : "the model ")
                + existing.fileName(),
            "rename one of them: dbt refuses two resources of one name too");
        continue;
      }
      snapshots.add(entry.name());
      yamlSnapshots.add(entry.name());
      modelFiles.put(
          entry.name(),
          new ModelFile(
              entry.name(),
              Path.of(entry.location().file()),
              "select * from {{ " + text + " }}",
              Optional.empty()));
    }
  }

  /**
   * A model's or snapshot's path in its config tree: the package, its file's directories and its
   * name (a YAML snapshot's: the directories of its properties file).
   */
  private List<String> configPath(String model, Path file) {
    DbtPackageNodes.Origin origin = packageNodes.get(model);
    if (origin != null) {
      return origin.fqn();
    }
    if (!yamlSnapshots.contains(model)) {
      return path(file, directoriesOf(model));
    }
    List<String> path = new ArrayList<>(path(file, propertyDirectories()));
    path.set(path.size() - 1, model);
    return path;
  }

  /**
   * Checks the configs a model's SQL gives with {@code config()}, over those of its properties and
   * the project, and names its table as dbt does; returns null when the SQL disables the model.
   */
  ParsedModel finish(ParsedModel parsed, Problems problems) {
    Map<String, Object> config = parsed.config();
    if (Boolean.FALSE.equals(config.get("enabled"))) {
      return null;
    }
    ModelDef model = parsed.model();
    Map<String, Setting> settings = new LinkedHashMap<>();
    config.forEach(
        (key, value) ->
            settings.put(
                key,
                new Setting(
                    value, new Location(model.sqlFileName(), parsed.configLines().get(key)))));
    checkModelSettings(model.name(), settings, problems);
    Map<String, Setting> all =
        new LinkedHashMap<>(modelSettings.getOrDefault(model.name(), Map.of()));
    merge(all, settings);
    hooks.asset(model.name(), all);
    Setting group = all.get("group");
    Setting access = all.get("access");
    resources.govern(
        model.name(),
        new DbtResources.Governance(
            group == null || group.value() == null ? null : String.valueOf(group.value()),
            group == null ? null : group.location(),
            access == null || access.value() == null ? null : String.valueOf(access.value()),
            access == null ? null : access.location(),
            all.get("contract") == null ? null : all.get("contract").value()));
    Map<String, Location> lines = new LinkedHashMap<>();
    parsed
        .refLines()
        .forEach((ref, line) -> lines.put(ref, new Location(model.sqlFileName(), line)));
    refLines.put(model.name(), lines);
    boolean snapshot = snapshots.contains(model.name());
    Setting targetSchema = all.get("target_schema");
    TableName table =
        snapshot && targetSchema != null && !all.containsKey("schema")
            ? legacySnapshotTable(model.name(), targetSchema, all.get("alias"), problems)
            : names.table(
                snapshot ? "snapshot" : "model",
                model.name(),
                configPath(model.name(), model.sqlFile()),
                model.sqlFileName(),
                all,
                problems);
    ContractDef contract =
        snapshot
            ? null
            : DbtContracts.contract(
                model.name(),
                model.materialization(),
                all,
                renderedTypes(
                    resources.declared(docs.uniqueId("model", model.name())),
                    model.columns(),
                    problems),
                model.columns(),
                problems);
    ModelDef built = microbatch(model, all, problems);
    if (!snapshot) {
      built = foreignKeys(built, all, problems);
    }
    if (appends(all)) {
      if (!built.uniqueKey().isEmpty()) {
        resources.appendUniqueKey(model.name(), built.uniqueKey());
      }
      built = built.withUniqueKey(List.of());
    }
    Map<SourceRef, Integer> sourceLines = new LinkedHashMap<>(parsed.sourceLines());
    for (Map.Entry<SourceRef, Integer> source : parsed.sourceLines().entrySet()) {
      DbtSources.Unreadable cannotRead = unreadable.get(source.getKey());
      if (cannotRead != null && cannotRead.relation() != null) {
        // read as dbt reads it: the warehouse's relation <schema>.<identifier>, whatever loads it
        sourceRelations.put(source.getKey(), cannotRead.relation());
        sourceLines.remove(source.getKey());
      } else if (cannotRead != null) {
        problems.add(
            new Location(model.sqlFileName(), source.getValue()),
            "Model '"
                + model.name()
                + "' reads "
                + cannotRead.reason()
                + " ("
                + cannotRead.location()
                + ")",
            "give the source table the file it is read from: meta: {external_location: '...'}"
                + " (docs/dbt.md)");
        sourceLines.remove(source.getKey());
      }
    }
    return new ParsedModel(
        built.withTable(table, contract),
        parsed.refLines(),
        sourceLines,
        parsed.config(),
        parsed.configLines());
  }

  /**
   * The model with the blocking checks of its enforced contract's {@code foreign_key} constraints,
   * reading (so built after) the models they reference, as dbt adds them to its refs.
   */
  private ModelDef foreignKeys(ModelDef model, Map<String, Setting> all, Problems problems) {
    List<DbtContracts.ForeignKey> keys =
        DbtContracts.foreignKeys(
            model.name(),
            model.materialization(),
            all,
            resources.declared(docs.uniqueId("model", model.name())),
            model.columns(),
            problems);
    if (keys.isEmpty()) {
      return model;
    }
    List<CheckDef> checks = new ArrayList<>(model.checks());
    Set<String> refs = new java.util.LinkedHashSet<>(model.refs());
    for (DbtContracts.ForeignKey key : keys) {
      checks.add(key.check());
      if (key.reference().kind().equals("ref")) {
        refs.add(key.reference().name());
        synchronized (foreignKeyRefs) {
          foreignKeyRefs.add(new ForeignKeyRef(model.name(), key.reference()));
        }
      }
    }
    return model.withChecks(checks).withRefs(refs);
  }

  /** A model's foreign key's {@code to: ref(...)}, checked once every model is known. */
  private record ForeignKeyRef(String model, DbtResources.Reference reference) {}

  private final List<ForeignKeyRef> foreignKeyRefs = new ArrayList<>();

  /**
   * A model with {@code incremental_strategy: microbatch}, built as Sluice's time partitions (each
   * batch one partition, replaced by one commit); others as they are. Records the model's event
   * time, which the batches of the models reading it filter on.
   */
  private ModelDef microbatch(ModelDef model, Map<String, Setting> all, Problems problems) {
    microbatch.eventTime(model.name(), all.get("event_time"));
    Setting strategy = all.get("incremental_strategy");
    if (strategy == null
        || !"microbatch".equalsIgnoreCase(String.valueOf(strategy.value()))
        || model.materialization() != Materialization.INCREMENTAL) {
      return model;
    }
    Optional<PartitionsDef> batches =
        DbtMicrobatch.partitions(model.name(), strategy, all, problems);
    if (batches.isEmpty()) {
      return model;
    }
    microbatch.model(model.name(), all.get("full_refresh"));
    return model.partitionedAs(Materialization.INCREMENTAL_BY_TIME_RANGE, batches.get());
  }

  /**
   * How the data tests of a properties file are read: with the project's generic tests, and the
   * configs the {@code data_tests:} tree gives the file's directory.
   */
  private DbtTests testsOf(Path propertiesFile) {
    Path absolute = propertiesFile.normalize();
    DbtPackages.Installed owner =
        otherPackages().stream()
            .filter(
                installed ->
                    installed.propertyDirectories().stream()
                        .anyMatch(directory -> absolute.startsWith(directory.normalize())))
            .findFirst()
            .orElse(null);
    Map<String, Setting> configs;
    if (owner == null) {
      List<String> path = path(propertiesFile, propertyDirectories());
      configs = file.tests().configFor(path.subList(0, path.size() - 1));
    } else {
      // a package's tests: its own data_tests: tree, then the project's, which wins
      List<String> path = path(propertiesFile, owner.propertyDirectories(), owner.name());
      configs = owner.file().tests().configFor(path.subList(0, path.size() - 1));
      merge(configs, file.tests().configFor(path.subList(0, path.size() - 1)));
    }
    return new DbtTests(
            macros, configs, profile.schema().toLowerCase(Locale.ROOT) + "_dbt_test__audit")
        .renderingConfigs(this::renderConfig)
        .renderingArguments(this::renderNative);
  }

  /** A seed's path in its config tree: its package, its file's directories and its name. */
  private List<String> seedPath(String seed, Path csvFile) {
    DbtPackageNodes.Origin origin = packageNodes.get(seed);
    return origin != null ? origin.fqn() : path(csvFile, seedDirectories());
  }

  /** The directories a model's or snapshot's file is under. */
  private List<Path> directoriesOf(String model) {
    return snapshots.contains(model) ? snapshotDirectories() : modelDirectories();
  }

  /**
   * A snapshot's table by its {@code target_schema} (dbt before 1.9): that schema as it is, not
   * through {@code generate_schema_name}, and its alias or name.
   */
  private static TableName legacySnapshotTable(
      String name, Setting targetSchema, Setting alias, Problems problems) {
    String schema = String.valueOf(targetSchema.value()).toLowerCase(Locale.ROOT);
    String table = (alias == null ? name : String.valueOf(alias.value())).toLowerCase(Locale.ROOT);
    if (!TableName.isIdentifier(schema)) {
      problems.add(
          targetSchema.location(),
          "target_schema '" + targetSchema.value() + "' of snapshot '" + name + "' is not a name",
          "use letters, digits and '_'");
      schema = "snapshots";
    }
    return new TableName(schema, table);
  }

  /** Adds the singular tests of the test paths to the models and seeds they read. */
  void singularTests(Map<String, ModelDef> models, Map<String, SeedDef> seeds, Problems problems) {
    DbtSingularTests.attach(
        root, directories(file.testPaths()), models, seeds, templates(), config().vars(), problems);
  }

  /**
   * Renders every hook as a run would (a model's, snapshot's or seed's with its {@code this}; the
   * on-run hooks with no results yet) and judges what it would do ({@link DbtHooks#judge}): a hook
   * that would write, grant or change a setting is a problem at its line, as Sluice cannot do it
   * the way dbt does.
   */
  void checkHooks(Map<String, ModelDef> models, Map<String, SeedDef> seeds, Problems problems) {
    DbtHooks all = templates().hooks();
    Map<String, TableName> tables = new LinkedHashMap<>();
    seeds.forEach((name, seed) -> tables.put(name, seed.tableName()));
    models.forEach((name, model) -> tables.put(name, model.tableName()));
    HookJudge judge = new HookJudge(tables, problems);
    tables.forEach(
        (name, table) -> {
          String what = (models.containsKey(name) ? "model" : "seed") + " '" + name + "'";
          Set<String> refs = new java.util.LinkedHashSet<>();
          all.pre(name)
              .forEach(hook -> judge.judge(hook, "pre-hook of " + what, table, refs, false));
          // a table model's post-hook may insert into {{ this }}: its rows join the new version
          boolean inserts =
              models.containsKey(name)
                  && models.get(name).materialization() == Materialization.TABLE;
          all.post(name)
              .forEach(hook -> judge.judge(hook, "post-hook of " + what, table, refs, inserts));
          // as in dbt, a model depends on what its hooks read with ref()
          refs.remove(name);
          ModelDef model = models.get(name);
          if (model != null && !model.refs().containsAll(refs)) {
            Set<String> dependencies = new java.util.LinkedHashSet<>(model.refs());
            dependencies.addAll(refs);
            models.put(name, model.withRefs(dependencies));
          }
        });
    all.onRunStart()
        .forEach(
            hook -> judge.judge(hook, "on-run-start hook", null, new java.util.HashSet<>(), false));
    all.onRunEnd()
        .forEach(
            hook -> judge.judge(hook, "on-run-end hook", null, new java.util.HashSet<>(), false));
  }

  /** Renders hooks against the project's tables and reports those Sluice cannot run. */
  private final class HookJudge {
    private final SqlRenderer renderer = new SqlRenderer();
    private final DbtTemplates templates = templates();
    private final Map<String, Object> vars = config().vars();
    private final Map<String, TableName> tables;
    private final Problems problems;

    HookJudge(Map<String, TableName> tables, Problems problems) {
      this.tables = tables;
      this.problems = problems;
    }

    void judge(
        DbtHooks.Hook hook,
        String what,
        TableName thisTable,
        Set<String> refs,
        boolean mayInsertIntoThis) {
      String sql;
      try {
        sql =
            renderer.renderHook(
                hook,
                thisTable,
                DbtHooks.runEndContext(List.of(), List.of()),
                tables::get,
                (source, table) ->
                    Optional.ofNullable(sources.get(source))
                        .flatMap(definition -> definition.table(table))
                        .map(SourceTableDef::tableName)
                        .orElse(sourceRelations.get(new SourceRef(source, table))),
                vars,
                templates,
                refs::addAll);
      } catch (dev.sluice.api.ProjectException e) {
        problems.addAll(e);
        return;
      }
      DbtHooks.Verdict verdict = DbtHooks.judge(sql, mayInsertIntoThis ? thisTable : null);
      if (verdict.action() == DbtHooks.Action.REFUSE) {
        problems.add(
            hook.location(),
            "The " + what + " cannot run in Sluice: " + verdict.why(),
            verdict.hint());
      }
    }
  }

  /**
   * Checks the groups and access of the models, with dbt's messages: a group a model names must be
   * declared, {@code access} is {@code private}, {@code protected} or {@code public} ({@code
   * private} needs a group; an ephemeral model cannot be {@code public}), and a private model may
   * be read with {@code ref()} only by models of its group. Then checks what the exposures,
   * semantic models, metrics and saved queries read ({@link DbtResources#validate}).
   */
  void checkResources(
      Map<String, ModelDef> models,
      Map<String, SeedDef> seeds,
      Map<String, SourceDef> projectSources,
      Problems problems) {
    Set<String> groups = resources.ofType("group").keySet();
    for (ModelDef model : models.values()) {
      DbtResources.Governance governance = resources.governance(model.name());
      if (governance == null) {
        continue;
      }
      String id = uniqueId(model);
      if (governance.group() != null && !groups.contains(governance.group())) {
        problems.add(
            governance.groupLine(),
            DbtResources.invalidGroup(governance.group(), groups),
            DbtResources.groupHint(governance.group(), groups));
      }
      String access = governance.access();
      if (access == null) {
        continue;
      }
      if (!ACCESS.contains(access)) {
        problems.add(
            governance.accessLine(),
            "Model '" + model.name() + "' has an invalid access '" + access + "'",
            "write access: private, protected or public");
      } else if (access.equals("private") && governance.group() == null) {
        problems.add(
            governance.accessLine(),
            "Model '" + model.name() + "' is private but in no group",
            "put it in a group (config: {group: finance}); private means: only its group reads it");
      } else if (access.equals("public") && !model.materialization().built()) {
        problems.add(
            governance.accessLine(),
            "Node "
                + id
                + " with 'ephemeral' materialization has an invalid value (public) for the access"
                + " field",
            "make it protected, or materialize it as a view");
      }
    }
    for (ForeignKeyRef key : foreignKeyRefs) {
      String name = key.reference().name();
      ModelDef referenced = models.get(name);
      if (referenced == null && !seeds.containsKey(name)) {
        Set<String> names = new java.util.TreeSet<>(models.keySet());
        names.addAll(seeds.keySet());
        problems.add(
            key.reference().location(),
            "The foreign_key constraint of model '"
                + key.model()
                + "' references '"
                + name
                + "' (to: ref('"
                + name
                + "')), which is no model or seed of the project",
            Suggestions.hint(name, names, "its models and seeds are"));
      } else if (referenced != null && !referenced.materialization().built()) {
        problems.add(
            key.reference().location(),
            "The foreign_key constraint of model '"
                + key.model()
                + "' references the ephemeral model '"
                + name
                + "', which is no relation",
            "reference a model that is built (a table, incremental model or view)");
      }
    }
    for (ModelDef model : models.values()) {
      DbtResources.Governance reader = resources.governance(model.name());
      String readerGroup = reader == null ? null : reader.group();
      refLines
          .getOrDefault(model.name(), Map.of())
          .forEach(
              (ref, location) -> {
                DbtResources.Governance target = resources.governance(ref);
                ModelDef referenced = models.get(ref);
                if (referenced != null
                    && target != null
                    && "private".equals(target.access())
                    && target.group() != null
                    && !target.group().equals(readerGroup)) {
                  problems.add(
                      location,
                      "Node "
                          + uniqueId(model)
                          + " attempted to reference node "
                          + uniqueId(referenced)
                          + ", which is not allowed because the referenced node is private to the '"
                          + target.group()
                          + "' group",
                      "put '"
                          + model.name()
                          + "' in group '"
                          + target.group()
                          + "', or make '"
                          + ref
                          + "' protected or public");
                }
              });
    }
    Map<String, String> nodes = new java.util.TreeMap<>();
    seeds.keySet().forEach(seed -> nodes.put(seed, docs.uniqueId("seed", seed)));
    models.values().forEach(model -> nodes.put(model.name(), uniqueId(model)));
    // a versioned model's name: its latest version
    models
        .keySet()
        .forEach(
            name ->
                versions
                    .of(name)
                    .filter(versioned -> name.equals(versioned.models().get(versioned.latest())))
                    .ifPresent(versioned -> nodes.put(versioned.name(), nodes.get(name))));
    Map<String, String> sourceTables = new java.util.TreeMap<>();
    // the sources Sluice loads, and those read as the warehouse's relations (no location)
    java.util.stream.Stream.concat(
            projectSources.values().stream(), resources.warehouseSources().values().stream())
        .forEach(
            source ->
                source
                    .tables()
                    .forEach(
                        table ->
                            sourceTables.put(
                                source.name() + "." + table.name(),
                                docs.uniqueId("source", source.name() + "." + table.name()))));
    resources.validate(file.name(), nodes, sourceTables, problems);
  }

  private String uniqueId(ModelDef model) {
    return docs.uniqueId(model.snapshot() != null ? "snapshot" : "model", model.name());
  }

  /** The sources of the properties files (read by {@link #properties}), by name. */
  Map<String, SourceDef> sources() {
    return sources;
  }

  /** The {@code unit_tests} of the properties files (dbt 1.8). */
  List<UnitTestDef> unitTests() {
    return unitTests;
  }

  /** The table of a seed, named as dbt names it. */
  TableName seedTable(String seed) {
    TableName table = seedTables.get(seed);
    if (table == null) {
      throw new IllegalArgumentException("Unknown seed " + seed);
    }
    return table;
  }

  /**
   * Two models or seeds that dbt would build as one table are a problem, as dbt refuses them: each
   * is reported with the other.
   */
  static void checkTables(
      Map<String, ModelDef> models, Map<String, SeedDef> seeds, Problems problems) {
    record Named(String name, TableName table, Location location) {}
    List<Named> all = new ArrayList<>();
    seeds
        .values()
        .forEach(seed -> all.add(new Named(seed.name(), seed.tableName(), seed.location())));
    models.values().stream()
        .filter(model -> model.materialization().built())
        .forEach(model -> all.add(new Named(model.name(), model.tableName(), model.location())));
    Map<String, Named> byTable = new LinkedHashMap<>();
    for (Named asset : all) {
      Named previous =
          byTable.putIfAbsent(asset.table().toString().toLowerCase(Locale.ROOT), asset);
      if (previous != null) {
        problems.add(
            asset.location(),
            "'"
                + asset.name()
                + "' and '"
                + previous.name()
                + "' are both the table "
                + asset.table()
                + " (also "
                + previous.location()
                + ")",
            "dbt refuses two resources with one table too: give one of them another alias or"
                + " schema");
      }
    }
  }

  private ModelProperties modelProperties(
      ModelFile model,
      DbtProperties.Entry entry,
      Map<String, Setting> settings,
      Problems problems) {
    checkModelSettings(model.name(), settings, problems);
    ModelProperties.Builder builder =
        ModelProperties.builder(model.name(), entry == null ? model.location() : entry.location());
    if (entry != null) {
      builder.description(entry.description()).columns(entry.columns()).checks(entry.checks());
    }
    Setting materialized = settings.get("materialized");
    if (snapshots.contains(model.name())) {
      builder.materialized("snapshot", model.location());
      Map<String, Setting> snapshot = new LinkedHashMap<>();
      settings.forEach(
          (key, setting) -> {
            if (SnapshotDef.KEYS.contains(key)) {
              snapshot.put(key, setting);
            }
          });
      builder.snapshot(snapshot);
    } else if (materialized != null) {
      builder.materialized(String.valueOf(materialized.value()), materialized.location());
    } else {
      // dbt's default materialization (a model's config() may still set another)
      builder.materialized("view", model.location());
    }
    Setting uniqueKey = settings.get("unique_key");
    if (uniqueKey != null) {
      builder.uniqueKey(strings(uniqueKey.value()));
    }
    Setting onSchemaChange = settings.get("on_schema_change");
    if (onSchemaChange != null) {
      builder.onSchemaChange(String.valueOf(onSchemaChange.value()), onSchemaChange.location());
    }
    Setting tags = settings.get("tags");
    if (tags != null) {
      builder.tags(strings(tags.value()));
    }
    return builder.build();
  }

  /**
   * Whether the model's {@code incremental_strategy} is {@code append}, which inserts every new row
   * and ignores a {@code unique_key}, as dbt-duckdb's does.
   */
  private static boolean appends(Map<String, Setting> settings) {
    Setting strategy = settings.get("incremental_strategy");
    return strategy != null
        && String.valueOf(strategy.value()).toLowerCase(Locale.ROOT).equals("append");
  }

  private static void checkModelSettings(
      String model, Map<String, Setting> settings, Problems problems) {
    for (Map.Entry<String, Setting> entry : settings.entrySet()) {
      String key = entry.getKey();
      Setting setting = entry.getValue();
      if (UNSUPPORTED_MODEL_CONFIGS.contains(key)
          && !DbtConfigTree.asList(setting.value()).isEmpty()) {
        problems.add(
            setting.location(),
            "'" + key + "' of model '" + model + "' is not supported by Sluice yet",
            "remove it, or run its SQL as a model of its own (docs/dbt.md)");
      }
    }
    Setting strategy = settings.get("incremental_strategy");
    if (strategy != null) {
      String text = String.valueOf(strategy.value()).toLowerCase(Locale.ROOT);
      if (text.equals("insert_overwrite")) {
        problems.add(
            strategy.location(),
            "incremental_strategy 'insert_overwrite' of model '"
                + model
                + "' is not one of dbt-duckdb's strategies",
            "dbt-duckdb refuses it too: use append, merge or delete+insert (docs/dbt.md)");
      } else if (!STRATEGIES.contains(text)) {
        problems.add(
            strategy.location(),
            "incremental_strategy '"
                + strategy.value()
                + "' of model '"
                + model
                + "' is not supported by Sluice yet",
            "use append, merge or delete+insert (docs/dbt.md)");
      }
    }
  }

  /**
   * How a seed's file is read, from its {@code delimiter} and {@code column_types} (a type in
   * DuckDB's names, which dbt-duckdb passes on; a bad one is a problem at its line). {@code
   * quote_columns} needs nothing: Sluice always quotes a seed's column names.
   */
  private static SeedDef.Format seedFormat(
      String seed, Map<String, Setting> settings, Problems problems) {
    String delimiter = ",";
    Setting delimiterSetting = settings.get("delimiter");
    if (delimiterSetting != null) {
      String text = String.valueOf(delimiterSetting.value());
      if (text.length() == 1) {
        delimiter = text;
      } else {
        problems.add(
            delimiterSetting.location(),
            "The delimiter of seed '" + seed + "' must be one character, got '" + text + "'",
            "write e.g. delimiter: \"|\" or delimiter: \"\\t\"");
      }
    }
    Map<String, String> types = new LinkedHashMap<>();
    Setting columnTypes = settings.get("column_types");
    if (columnTypes != null && columnTypes.value() instanceof Map<?, ?> map) {
      map.forEach(
          (column, type) -> {
            String text = type == null ? "" : String.valueOf(type).strip();
            try {
              ColumnTypes.parse(withoutLength(text), columnTypes.location());
              types.put(String.valueOf(column), withoutLength(text));
            } catch (dev.sluice.api.ProjectException e) {
              problems.add(
                  columnTypes.location(),
                  "column_types of seed '"
                      + seed
                      + "' gives column '"
                      + column
                      + "' the type '"
                      + text
                      + "', which Sluice does not know",
                  Suggestions.hint(
                      text.toLowerCase(Locale.ROOT), ColumnTypes.typeNames(), "the types are"));
            }
          });
    } else if (columnTypes != null && columnTypes.value() != null) {
      problems.add(
          columnTypes.location(),
          "column_types of seed '" + seed + "' must map column names to types",
          "write e.g. column_types: {zip: varchar, amount: decimal(10,2)}");
    }
    return new SeedDef.Format(delimiter, types);
  }

  /** A character type without its length ({@code varchar(5)}), which DuckDB ignores too. */
  private static String withoutLength(String type) {
    String lower = type.toLowerCase(Locale.ROOT);
    for (String name : List.of("varchar", "char", "character varying", "character", "text")) {
      if (lower.startsWith(name + "(") && lower.endsWith(")")) {
        return "varchar";
      }
    }
    return type;
  }

  /** How a seed's file is read ({@link #properties} read its settings). */
  SeedDef.Format seedFormat(String seed) {
    return seedFormats.getOrDefault(seed, SeedDef.Format.DEFAULT);
  }

  /** Entries of one kind by name; an entry given twice is a problem, as in dbt. */
  private static void collect(
      List<DbtProperties.Entry> entries,
      Map<String, DbtProperties.Entry> byName,
      String kind,
      Problems problems) {
    for (DbtProperties.Entry entry : entries) {
      DbtProperties.Entry previous = byName.putIfAbsent(entry.name(), entry);
      if (previous != null) {
        problems.add(
            entry.location(),
            "Properties of " + kind + " '" + entry.name() + "' are given twice",
            "merge them with the ones at " + previous.location());
      }
    }
  }

  /** dbt warns of properties for a resource it does not find, and goes on: so does Sluice. */
  private static void warnOfUnknown(
      Map<String, DbtProperties.Entry> entries, Set<String> names, String kind) {
    entries.values().stream()
        .filter(entry -> !names.contains(entry.name()))
        .forEach(
            entry ->
                LOG.warn(
                    "{}: properties for {} '{}', which the project does not have{}",
                    entry.location(),
                    kind,
                    entry.name(),
                    Suggestions.closest(entry.name(), names)
                        .map(name -> " (did you mean '" + name + "'?)")
                        .orElse("")));
  }

  /** A resource's path in the config tree: the package, its directories, its name. */
  private List<String> path(Path relativeFile, List<Path> directories) {
    return path(relativeFile, directories, file.name());
  }

  /** A file's path in a config tree: the package, the file's directories, its name. */
  private List<String> path(Path relativeFile, List<Path> directories, String packageName) {
    Path absolute = root.resolve(relativeFile).normalize();
    List<String> path = new ArrayList<>();
    path.add(packageName);
    for (Path each : directories) {
      Path directory = each.normalize();
      if (absolute.startsWith(directory)) {
        Path inside = directory.relativize(absolute);
        for (int i = 0; i < inside.getNameCount() - 1; i++) {
          path.add(inside.getName(i).toString());
        }
        break;
      }
    }
    String fileName = absolute.getFileName().toString();
    int dot = fileName.lastIndexOf('.');
    path.add(dot < 0 ? fileName : fileName.substring(0, dot));
    return path;
  }

  private static void merge(Map<String, Setting> settings, Map<String, Setting> over) {
    over.forEach(
        (key, setting) -> {
          if (DbtHooks.KEYS.containsKey(key)) {
            DbtHooks.append(settings, key, setting); // dbt runs them all
          } else if (key.equals("tags") && settings.containsKey("tags")) {
            List<Object> tags = new ArrayList<>(DbtConfigTree.asList(settings.get(key).value()));
            DbtConfigTree.asList(setting.value()).stream()
                .filter(tag -> !tags.contains(tag))
                .forEach(tags::add);
            settings.put(key, new Setting(List.copyOf(tags), setting.location()));
          } else if (key.equals("column_types")
              && settings.get(key) != null
              && settings.get(key).value() instanceof Map<?, ?> under
              && setting.value() instanceof Map<?, ?> types) {
            // dbt updates a seed's column_types key by key
            Map<Object, Object> merged = new LinkedHashMap<>(under);
            merged.putAll(types);
            settings.put(key, new Setting(merged, setting.location()));
          } else {
            settings.put(key, setting);
          }
        });
  }

  /**
   * Renders the settings whose value is a template, as dbt renders dbt_project.yml's configs with
   * {@code var()}, {@code env_var()} and {@code target} ({@code +enabled: "{{
   * var('load_source_data', false) }}"}); a rendered {@code True} or {@code false} is a boolean, as
   * dbt's config validation reads it. Hooks are left as they are: they render when they run.
   */
  private void render(Map<String, Setting> settings, Problems problems) {
    settings.replaceAll(
        (key, setting) ->
            key.replace('_', '-').endsWith("-hook")
                ? setting
                : new Setting(
                    renderConfig(setting.value(), setting.location(), problems),
                    setting.location()));
  }

  /**
   * A config value as dbt renders it: a text holding a template rendered with {@code var()}, {@code
   * env_var()}, {@code target} and the macros, a rendered {@code True} or {@code false} being a
   * boolean; any other value as it is.
   */
  Object renderConfig(Object value, Location location, Problems problems) {
    if (value instanceof Map<?, ?> map) {
      // a mapping's values too: a seed's column_types written as templates
      Map<Object, Object> rendered = new LinkedHashMap<>();
      map.forEach((key, each) -> rendered.put(key, renderConfig(each, location, problems)));
      return rendered;
    }
    if (!(value instanceof String text) || !text.contains("{{")) {
      return value;
    }
    TemplateSession session =
        new TemplateSession(
                location,
                false,
                false,
                false,
                config().vars(),
                name -> null,
                (source, table) -> null,
                problems)
            .withDbt(macros, globals);
    String rendered = SqlRenderer.renderBound(text, session, Map.of()).strip();
    return rendered.equalsIgnoreCase("true") || rendered.equalsIgnoreCase("false")
        ? Boolean.valueOf(rendered.toLowerCase(Locale.ROOT))
        : rendered;
  }

  /**
   * The declared columns with each {@code data_type} written as a template rendered, as dbt renders
   * it ({@code "{{ 'UInt8' if target.type in ['clickhouse'] else 'int' }}"}).
   */
  private DbtProperties.Declared renderedTypes(
      DbtProperties.Declared declared, List<ColumnDef> columns, Problems problems) {
    if (declared == null
        || declared.columns().values().stream()
            .noneMatch(column -> column.dataType() != null && column.dataType().contains("{{"))) {
      return declared;
    }
    Map<String, DbtProperties.DeclaredColumn> rendered = new LinkedHashMap<>();
    declared
        .columns()
        .forEach(
            (name, column) -> {
              if (column.dataType() == null || !column.dataType().contains("{{")) {
                rendered.put(name, column);
                return;
              }
              Location line =
                  columns.stream()
                      .filter(each -> each.name().equals(name))
                      .map(ColumnDef::location)
                      .findFirst()
                      .orElse(Location.of(name));
              rendered.put(
                  name,
                  new DbtProperties.DeclaredColumn(
                      String.valueOf(renderConfig(column.dataType(), line, problems)),
                      column.constraints(),
                      column.quote(),
                      column.meta(),
                      column.tags()));
            });
    return new DbtProperties.Declared(declared.constraints(), rendered);
  }

  /**
   * A value that is one template ({@code "{{ var('model_types') }}"}) as dbt's native rendering
   * gives it: the expression's value (a list, a number, a text), with the project's vars, target
   * and macros; other values as they are.
   */
  Object renderNative(Object value, Location location, Problems problems) {
    if (!(value instanceof String text)) {
      return value;
    }
    java.util.regex.Matcher expression =
        java.util.regex.Pattern.compile("^\\{\\{(.*)\\}\\}$", java.util.regex.Pattern.DOTALL)
            .matcher(text.strip());
    if (!expression.matches()) {
      return value;
    }
    TemplateSession session =
        new TemplateSession(
                location,
                false,
                false,
                false,
                config().vars(),
                name -> null,
                (source, table) -> null,
                problems)
            .withDbt(macros, globals);
    int before = problems.size();
    String json =
        SqlRenderer.renderBound("{{ tojson(" + expression.group(1) + ") }}", session, Map.of());
    if (problems.size() > before) {
      return value;
    }
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().readValue(json, Object.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return renderConfig(value, location, problems);
    }
  }

  /**
   * A rendered text as dbt's native rendering of dbt_project.yml gives it: a whole number, a
   * decimal or a boolean as that value, else the text.
   */
  private static Object nativeValue(String rendered) {
    String text = rendered.strip();
    if (text.matches("-?\\d{1,18}")) {
      return Long.valueOf(text);
    }
    if (text.matches("-?\\d+\\.\\d+")) {
      return Double.valueOf(text);
    }
    if (text.equals("True") || text.equals("False")) {
      return Boolean.valueOf(text.toLowerCase(Locale.ROOT));
    }
    return text;
  }

  private static boolean disabled(Map<String, Setting> settings) {
    Setting enabled = settings.get("enabled");
    return enabled != null && Boolean.FALSE.equals(enabled.value());
  }

  private static List<String> strings(Object value) {
    return DbtConfigTree.asList(value).stream().map(String::valueOf).toList();
  }
}
