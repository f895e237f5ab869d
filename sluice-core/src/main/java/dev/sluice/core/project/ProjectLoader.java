package dev.sluice.core.project;

import dev.sluice.api.Location;
import dev.sluice.api.ProjectException;
import dev.sluice.api.TableName;
import dev.sluice.api.Zone;
import dev.sluice.core.project.ModelParser.ModelFile;
import dev.sluice.core.project.ModelParser.ParsedModel;
import dev.sluice.core.project.PropertiesParser.ModelProperties;
import dev.sluice.core.project.PropertiesParser.Properties;
import dev.sluice.core.project.PropertiesParser.SeedProperties;
import dev.sluice.governance.Policies;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Loads a project directory: reads every file, collects every problem, then builds the model. */
final class ProjectLoader {
  private static final Logger LOG = LoggerFactory.getLogger(ProjectLoader.class);

  private final Path root;
  private final Function<String, String> environment;
  private final String target;
  private final Invocation invocation;
  private final Problems problems = new Problems();
  private final List<UnitTestDef> unitTests = new ArrayList<>();

  /**
   * @param invocation what the invocation asks: its target (of sluice.yaml's {@code targets:}, or
   *     null for {@code SLUICE_TARGET}, else {@code default_target:}; of a dbt profile's outputs),
   *     vars over the project's, dbt's flags
   */
  ProjectLoader(Path root, Function<String, String> environment, Invocation invocation) {
    this.root = root.toAbsolutePath().normalize();
    this.environment = environment;
    this.invocation = invocation;
    this.target = invocation.target();
  }

  /** sluice.yaml read with the chosen target's settings, and the secrets it resolves with. */
  private record SluiceConfig(ProjectConfig config, Secrets secrets) {}

  private SluiceConfig sluiceConfig(Path configFile) {
    TargetsParser.Selection selection =
        YamlFiles.read(root, configFile, problems)
            .map(node -> TargetsParser.select(root, node, target, environment, problems))
            .orElse(null);
    ProjectConfig.Target chosen =
        selection == null ? ProjectConfig.Target.NONE : selection.target();
    Secrets secrets = secrets(chosen);
    ProjectConfig config =
        selection == null
            ? ConfigParser.defaults(root, "invalid")
            : ConfigParser.parse(root, selection.node(), secrets, chosen, problems);
    return new SluiceConfig(config, secrets);
  }

  /** Within a target, {@code ${env:NAME}} reads the target's secrets first. */
  private Secrets secrets(ProjectConfig.Target chosen) {
    return new Secrets(
        root,
        name -> {
          String secret = chosen.secrets().get(name);
          return secret != null ? secret : environment.apply(name);
        },
        problems);
  }

  /**
   * The project's settings alone (sluice.yaml with the target's settings), without reading its
   * sources, models, seeds or policies: for commands that need only where the project's state and
   * warehouse are ({@code sluice runs}). A dbt project is loaded whole.
   *
   * @throws ProjectException listing the problems of sluice.yaml
   */
  ProjectConfig loadConfig() {
    Path configFile = root.resolve(ConfigParser.FILE);
    if (!Files.isDirectory(root) || !Files.isRegularFile(configFile)) {
      return load().config();
    }
    ProjectConfig config = sluiceConfig(configFile).config();
    problems.throwIfAny();
    return config;
  }

  Project load() {
    if (!Files.isDirectory(root)) {
      throw new ProjectException(
          Location.of(root.toString()),
          "Project directory " + root + " does not exist",
          "create a project with `sluice init <name>`");
    }
    Path configFile = root.resolve(ConfigParser.FILE);
    DbtProject dbt = null;
    if (!Files.isRegularFile(configFile)) {
      if (!Files.isRegularFile(root.resolve(DbtProjectFile.FILE))) {
        throw new ProjectException(
            Location.of(ConfigParser.FILE),
            "No sluice.yaml in " + root + ": this is not a Sluice project",
            "create one with `sluice init <name>`, or run sluice in a project directory");
      }
      // a dbt project, read into the same model (docs/dbt.md)
      dbt = DbtProject.read(root, environment, invocation, problems);
    }
    SluiceConfig sluiceConfig = dbt != null ? null : sluiceConfig(configFile);
    Secrets secrets =
        sluiceConfig != null ? sluiceConfig.secrets() : secrets(ProjectConfig.Target.NONE);
    ProjectConfig config =
        dbt != null ? dbt.config() : sluiceConfig.config().withVars(invocation.vars());

    Map<String, SourceDef> sources =
        dbt != null ? new TreeMap<>() : loadSources(config.execution(), config.s3());
    checkPools(sources, config);
    Map<String, ModelFile> modelFiles =
        dbt != null
            ? loadModelFiles(concat(dbt.modelDirectories(), dbt.packageModelDirectories()), false)
            : loadModelFiles(List.of(root.resolve("models")), true);
    if (dbt != null) {
      // dbt's snapshots are models materialized as snapshots
      for (ModelFile snapshot : dbt.snapshotFiles(problems).values()) {
        ModelFile model = modelFiles.putIfAbsent(snapshot.name(), snapshot);
        if (model != null) {
          problems.add(
              snapshot.location(),
              "Snapshot '" + snapshot.name() + "' has the name of model " + model.fileName(),
              "rename one of them: dbt refuses two resources of one name too");
        }
      }
    }
    Map<String, Path> seedFiles =
        loadSeedFiles(
            dbt != null
                ? concat(dbt.seedDirectories(), dbt.packageSeedDirectories())
                : List.of(root.resolve("seeds")),
            dbt);
    reportModelsThatAreSeeds(modelFiles, seedFiles);

    Map<String, ModelProperties> modelProperties = new LinkedHashMap<>();
    Map<String, SeedProperties> seedProperties = new LinkedHashMap<>();
    if (dbt != null) {
      List<Path> propertyFiles = new ArrayList<>();
      for (Path directory : concat(dbt.propertyDirectories(), dbt.packagePropertyDirectories())) {
        propertyFiles.addAll(files(directory, true, ".yml", ".yaml"));
      }
      dbt.properties(
          propertyFiles, modelFiles, seedFiles, modelProperties, seedProperties, problems);
      sources.putAll(dbt.sources());
      unitTests.addAll(dbt.unitTests());
    } else {
      loadProperties(modelFiles, seedFiles, modelProperties, seedProperties);
    }
    DbtTemplates dbtTemplates = dbt == null ? null : dbt.templates();

    Map<String, ModelDef> models = new TreeMap<>();
    Map<String, ParsedModel> parsed = new TreeMap<>();
    Map<String, FullBuildRenderings.ParseRendering> renderings = new java.util.HashMap<>();
    // while loading, a ref() renders as the table its model's directory gives it (or a seed's),
    // the table it has unless its properties say otherwise: the rendering is then a full build's
    Map<String, TableName> expectedTables = new java.util.HashMap<>();
    seedFiles.keySet().forEach(name -> expectedTables.put(name, new TableName("curated", name)));
    modelFiles
        .values()
        .forEach(
            file ->
                expectedTables.put(
                    file.name(),
                    new TableName(
                        file.directoryZone().orElse(Zone.CURATED).namespace(), file.name())));
    // Rendering templates dominates loading time; models are independent, so parse in parallel.
    List<Map.Entry<ParsedModel, Problems>> results =
        modelFiles.values().parallelStream()
            .map(
                file -> {
                  Problems modelProblems = new Problems();
                  ParsedModel model =
                      ModelParser.parse(
                          file,
                          modelProperties.get(file.name()),
                          config,
                          dbtTemplates,
                          name -> expectedTables.getOrDefault(name, new TableName("curated", name)),
                          modelProblems);
                  return Map.entry(model, modelProblems);
                })
            .collect(Collectors.toList());
    for (Map.Entry<ParsedModel, Problems> result : results) {
      ParsedModel model = result.getKey();
      if (dbt != null) {
        model = dbt.finish(model, result.getValue());
        if (model == null) {
          continue; // disabled by config(enabled=false) in its SQL
        }
      }
      problems.addAll(result.getValue());
      models.put(model.model().name(), model.model());
      parsed.put(model.model().name(), model);
      if (model.rendering() != null) {
        renderings.put(model.model().name(), model.rendering());
      }
    }
    Map<String, SeedDef> seeds = new TreeMap<>();
    DbtTemplates projectTemplates = dbtTemplates;
    seedFiles.forEach((name, path) -> seeds.put(name, seed(name, path, seedProperties.get(name))));
    if (dbt != null) {
      DbtProject dbtProject = dbt;
      seeds.replaceAll(
          (name, seed) ->
              seed.withTable(dbtProject.seedTable(name)).withFormat(dbtProject.seedFormat(name)));
      DbtProject.checkTables(models, seeds, problems);
      dbt.singularTests(models, seeds, problems);
      dbt.checkHooks(models, seeds, problems);
      dbt.checkResources(models, seeds, sources, problems);
      dbt.dependOnSourceRelations(models, seeds);
      projectTemplates =
          dbt.templates()
              .withEphemeralModels(EphemeralModels.of(models))
              .withSourceRelations(dbt.sourceRelations());
    }

    new ReferenceValidator(sources, seeds, models, config.vars(), projectTemplates, problems)
        .validate(parsed.values());
    for (SourceDef source : sources.values()) {
      for (SourceTableDef table : source.tables()) {
        checkRetention(table.retention(), table.columns(), "source table " + table.assetName());
      }
    }
    for (ModelDef model : models.values()) {
      checkRetention(model.retention(), model.columns(), "model " + model.name());
    }
    Map<String, UnitTestDef> tests =
        new UnitTestValidator(
                sources,
                seeds,
                models,
                dbt == null ? Map.of() : dbt.sourceRelations(),
                dbt != null,
                problems)
            .validate(unitTests);
    Map<TableName, List<ColumnDef>> tables = Project.tables(sources, models, seeds);
    Policies policies =
        PoliciesParser.load(root, tables, Project.classification(tables), secrets, problems);
    problems.throwIfAny();
    AssetGraph graph = AssetGraph.of(sources, seeds, models, dbt != null);
    LOG.debug(
        "Loaded project {} from {}: {} sources, {} seeds, {} models",
        config.name(),
        root,
        sources.size(),
        seeds.size(),
        models.size());
    return new Project(
        root,
        config,
        sources,
        models,
        seeds,
        graph,
        policies,
        projectTemplates,
        tests,
        invocation,
        new FullBuildRenderings(renderings));
  }

  /**
   * A retention's column must be one of the table's declared columns (when it declares them), of a
   * date or timestamp type (when declared); tables without declared columns are checked against
   * their schema when maintenance runs.
   */
  private void checkRetention(RetentionDef retention, List<ColumnDef> columns, String what) {
    if (retention == null || columns.isEmpty()) {
      return;
    }
    List<String> names = columns.stream().map(ColumnDef::name).toList();
    ColumnDef column =
        columns.stream()
            .filter(candidate -> candidate.name().equalsIgnoreCase(retention.column()))
            .findFirst()
            .orElse(null);
    if (column == null) {
      problems.add(
          retention.location(),
          "Retention column '" + retention.column() + "' is not a column of " + what,
          Suggestions.hint(retention.column(), names, "its columns are"));
      return;
    }
    String type = column.type() == null ? "" : column.type().strip().toLowerCase(Locale.ROOT);
    if (!type.isEmpty() && !type.startsWith("date") && !type.startsWith("timestamp")) {
      problems.add(
          retention.location(),
          "Retention column '"
              + retention.column()
              + "' of "
              + what
              + " is a "
              + column.type()
              + ": rows expire by a date or timestamp column",
          "name a date or timestamp column, e.g. the time each row's event happened");
    }
  }

  /** Every source table's pool must be declared in sluice.yaml. */
  private void checkPools(Map<String, SourceDef> sources, ProjectConfig config) {
    for (SourceDef source : sources.values()) {
      for (SourceTableDef table : source.tables()) {
        String pool = table.execution().pool();
        if (pool != null && !config.pools().containsKey(pool)) {
          problems.add(
              table.location(),
              "Unknown pool '" + pool + "' for " + table.assetName(),
              config.pools().isEmpty()
                  ? "declare it in sluice.yaml, e.g. pools: {" + pool + ": 2}"
                  : Suggestions.hint(pool, config.pools().keySet(), "the pools are"));
        }
      }
    }
  }

  private Map<String, SourceDef> loadSources(Execution defaults, S3Block s3) {
    Map<String, SourceDef> sources = new TreeMap<>();
    for (Path path : files(root.resolve("sources"), false, ".yaml", ".yml")) {
      String file = YamlFiles.relative(root, path);
      YamlFiles.read(root, path, problems)
          .flatMap(node -> SourceParser.parse(file, node, defaults, s3, problems))
          .ifPresent(
              source -> {
                SourceDef previous = sources.putIfAbsent(source.name(), source);
                if (previous != null) {
                  problems.add(
                      source.location(),
                      "Source '" + source.name() + "' is declared twice",
                      "also in " + previous.location() + "; source names must be unique");
                }
              });
    }
    return sources;
  }

  /**
   * The models' SQL files in the directories.
   *
   * @param zonesFromDirectories whether a first directory named after a zone sets the models' zone
   *     ({@code models/published/revenue.sql}), as in Sluice's own projects
   */
  private Map<String, ModelFile> loadModelFiles(
      List<Path> directories, boolean zonesFromDirectories) {
    Map<String, ModelFile> models = new TreeMap<>();
    Map<String, List<ModelFile>> byName = new TreeMap<>();
    List<Map.Entry<Path, Path>> sqlFiles = new ArrayList<>();
    for (Path directory : directories) {
      files(directory, true, ".sql").forEach(path -> sqlFiles.add(Map.entry(directory, path)));
    }
    // read on every core: one file after the other was a fifth of loading 10,000 models
    // (docs/benchmarks.md); the problems are reported in the files' order all the same
    List<FileText> contents =
        sqlFiles.parallelStream().map(sqlFile -> FileText.read(sqlFile.getValue())).toList();
    for (int i = 0; i < sqlFiles.size(); i++) {
      Map.Entry<Path, Path> sqlFile = sqlFiles.get(i);
      Path path = sqlFile.getValue();
      String fileName = path.getFileName().toString();
      String name = fileName.substring(0, fileName.length() - ".sql".length());
      Path relative = root.relativize(path);
      Path underModels = sqlFile.getKey().relativize(path);
      Optional<Zone> directoryZone =
          zonesFromDirectories && underModels.getNameCount() > 1
              ? Zone.fromName(underModels.getName(0).toString())
              : Optional.empty();
      if (contents.get(i).failure() != null) {
        problems.add(
            Location.of(YamlFiles.relative(root, path)),
            "Cannot read the file: " + contents.get(i).failure().getMessage());
        continue;
      }
      String template = contents.get(i).text();
      ModelFile file = new ModelFile(name, relative, template, directoryZone);
      byName.computeIfAbsent(name.toLowerCase(Locale.ROOT), key -> new ArrayList<>()).add(file);
      models.putIfAbsent(name, file);
    }
    byName.values().stream()
        .filter(files -> files.size() > 1)
        .forEach(
            files -> {
              for (int i = 0; i < files.size(); i++) {
                ModelFile file = files.get(i);
                List<String> others = new ArrayList<>();
                for (int j = 0; j < files.size(); j++) {
                  if (j != i) {
                    others.add(files.get(j).fileName());
                  }
                }
                problems.add(
                    file.location(),
                    "Model '"
                        + file.name()
                        + "' is defined twice: also in "
                        + String.join(", ", others),
                    "model names must be unique in the project and its installed packages"
                        + " (Sluice reads them into one name space, where dbt lets the project's"
                        + " model shadow a package's); rename one of the files");
                if (!file.name().equals(files.get(0).name())) {
                  models.remove(file.name());
                }
              }
            });
    return models;
  }

  /** A file's text, or the failure to read it. */
  private record FileText(String text, IOException failure) {
    static FileText read(Path path) {
      try {
        return new FileText(Files.readString(path, StandardCharsets.UTF_8), null);
      } catch (IOException e) {
        return new FileText(null, e);
      }
    }
  }

  private static List<Path> concat(List<Path> first, List<Path> second) {
    List<Path> all = new ArrayList<>(first);
    all.addAll(second);
    return all;
  }

  private Map<String, Path> loadSeedFiles(List<Path> directories, DbtProject dbt) {
    Map<String, Path> seeds = new TreeMap<>();
    List<Path> csvFiles = new ArrayList<>();
    directories.forEach(directory -> csvFiles.addAll(files(directory, true, ".csv")));
    for (Path path : csvFiles) {
      String fileName = path.getFileName().toString();
      String name = fileName.substring(0, fileName.length() - ".csv".length());
      Path relative = root.relativize(path);
      Location location = new Location(YamlFiles.relative(root, path), 1);
      Path previous = seeds.putIfAbsent(name, relative);
      if (previous != null && dbt != null && dbt.seedDisabledByTree(relative)) {
        continue; // a disabled seed is no node in dbt: it clashes with none
      }
      if (previous != null && dbt != null && dbt.seedDisabledByTree(previous)) {
        seeds.put(name, relative);
        continue;
      }
      if (previous != null) {
        String previousFile = previous.toString().replace('\\', '/');
        problems.add(
            location,
            "Seed '" + name + "' is defined twice: also in " + previousFile,
            "seed names must be unique in the project; rename one of the files");
        problems.add(
            new Location(previousFile, 1),
            "Seed '" + name + "' is defined twice: also in " + location.file(),
            "seed names must be unique in the project; rename one of the files");
        continue;
      }
      if (!TableName.isIdentifier(name)) {
        problems.add(
            location,
            "Invalid seed name '" + name + "'",
            "a seed's name is its file name: letters, digits and '_'; rename the file");
      }
      if (!hasHeader(path)) {
        problems.add(
            location,
            "Seed file " + location.file() + " is empty",
            "a seed is a CSV file whose first line names the columns");
      }
    }
    return seeds;
  }

  private void reportModelsThatAreSeeds(Map<String, ModelFile> models, Map<String, Path> seeds) {
    for (ModelFile model : models.values()) {
      Path seed = seeds.get(model.name());
      if (seed != null) {
        String seedFile = seed.toString().replace('\\', '/');
        String hint = "ref('" + model.name() + "') must name one table; rename one of them";
        problems.add(
            model.location(),
            "'" + model.name() + "' is both a model and a seed (" + seedFile + ")",
            hint);
        problems.add(
            new Location(seedFile, 1),
            "'" + model.name() + "' is both a seed and a model (" + model.fileName() + ")",
            hint);
      }
    }
  }

  private void loadProperties(
      Map<String, ModelFile> modelFiles,
      Map<String, Path> seedFiles,
      Map<String, ModelProperties> modelProperties,
      Map<String, SeedProperties> seedProperties) {
    List<Path> files = new ArrayList<>(files(root.resolve("models"), true, ".yaml", ".yml"));
    files.addAll(files(root.resolve("seeds"), true, ".yaml", ".yml"));
    for (Path path : files) {
      String file = YamlFiles.relative(root, path);
      Optional<Properties> properties =
          YamlFiles.read(root, path, problems)
              .map(node -> PropertiesParser.parse(root, file, node, problems));
      if (properties.isEmpty()) {
        continue;
      }
      unitTests.addAll(properties.get().unitTests());
      for (ModelProperties model : properties.get().models()) {
        if (!modelFiles.containsKey(model.name())) {
          String hint =
              seedFiles.containsKey(model.name())
                  ? "'" + model.name() + "' is a seed: list it under 'seeds:'"
                  : Suggestions.closest(model.name(), modelFiles.keySet())
                      .map(name -> "did you mean '" + name + "'?")
                      .orElse(
                          "create models/<zone>/" + model.name() + ".sql, or remove this entry");
          problems.add(
              model.location(),
              "Properties for model '" + model.name() + "', which has no .sql file",
              hint);
          continue;
        }
        ModelProperties previous = modelProperties.putIfAbsent(model.name(), model);
        if (previous != null) {
          problems.add(
              model.location(),
              "Properties of model '" + model.name() + "' are given twice",
              "merge them with the ones at " + previous.location());
        }
      }
      for (SeedProperties seed : properties.get().seeds()) {
        if (!seedFiles.containsKey(seed.name())) {
          String hint =
              modelFiles.containsKey(seed.name())
                  ? "'" + seed.name() + "' is a model: list it under 'models:'"
                  : Suggestions.closest(seed.name(), seedFiles.keySet())
                      .map(name -> "did you mean '" + name + "'?")
                      .orElse("create seeds/" + seed.name() + ".csv, or remove this entry");
          problems.add(
              seed.location(),
              "Properties for seed '" + seed.name() + "', which has no .csv file in seeds/",
              hint);
          continue;
        }
        SeedProperties previous = seedProperties.putIfAbsent(seed.name(), seed);
        if (previous != null) {
          problems.add(
              seed.location(),
              "Properties of seed '" + seed.name() + "' are given twice",
              "merge them with the ones at " + previous.location());
        }
      }
    }
  }

  private SeedDef seed(String name, Path csvFile, SeedProperties properties) {
    Location location = new Location(csvFile.toString().replace('\\', '/'), 1);
    if (properties == null) {
      return new SeedDef(name, csvFile, null, List.of(), List.of(), location);
    }
    ChecksParser.reportDuplicateNames(
        properties.checks(), properties.columns(), "seed '" + name + "'", problems);
    return new SeedDef(
        name,
        csvFile,
        properties.description(),
        properties.columns(),
        properties.checks(),
        location);
  }

  private static boolean hasHeader(Path csv) {
    try (BufferedReader reader = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
      String line = reader.readLine();
      return line != null && !line.isBlank();
    } catch (IOException e) {
      return false;
    }
  }

  /** The files with one of the extensions in a directory, sorted; hidden entries are skipped. */
  private List<Path> files(Path directory, boolean recursive, String... extensions) {
    if (!Files.isDirectory(directory)) {
      return List.of();
    }
    // the attributes the walk read already say which entries are files (a stat of each of 10,000
    // files again cost a tenth of loading them); a link is followed, as Files.isRegularFile does
    try (Stream<Path> stream =
        Files.find(
            directory,
            recursive ? Integer.MAX_VALUE : 1,
            (path, attributes) ->
                attributes.isRegularFile()
                    || (attributes.isSymbolicLink() && Files.isRegularFile(path)))) {
      return stream
          .filter(path -> !isHidden(directory.relativize(path)))
          .filter(path -> hasExtension(path, extensions))
          .sorted()
          .collect(Collectors.toList());
    } catch (IOException | UncheckedIOException e) {
      problems.add(
          Location.of(YamlFiles.relative(root, directory)),
          "Cannot list the directory: " + e.getMessage());
      return List.of();
    }
  }

  private static boolean isHidden(Path relative) {
    for (Path part : relative) {
      if (part.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  private static boolean hasExtension(Path path, String... extensions) {
    String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
    for (String extension : extensions) {
      if (name.endsWith(extension)) {
        return true;
      }
    }
    return false;
  }
}
