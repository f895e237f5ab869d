package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.ProjectException;
import dev.sluice.api.TableName;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A loaded and validated project: its settings, sources, models, seeds and their asset graph.
 *
 * @param root the project directory, absolute
 * @param sources the sources by name
 * @param models the models by name
 * @param seeds the seeds by name
 */
public record Project(
    Path root,
    ProjectConfig config,
    Map<String, SourceDef> sources,
    Map<String, ModelDef> models,
    Map<String, SeedDef> seeds,
    AssetGraph graph) {
  public Project {
    requireNonNull(root, "root is null");
    requireNonNull(config, "config is null");
    requireNonNull(sources, "sources is null");
    requireNonNull(models, "models is null");
    requireNonNull(seeds, "seeds is null");
    requireNonNull(graph, "graph is null");
    sources = Copies.orderedMap(sources);
    models = Copies.orderedMap(models);
    seeds = Copies.orderedMap(seeds);
  }

  /**
   * Loads and validates the project in a directory. Secret references are resolved from the process
   * environment.
   *
   * @throws ProjectException listing every problem found, each with its file (relative to the root)
   *     and line, what is wrong and how to fix it
   */
  public static Project load(Path root) {
    requireNonNull(root, "root is null");
    return new ProjectLoader(root, System::getenv).load();
  }

  /** As {@link #load(Path)}, with the environment variables that {@code ${env:NAME}} reads. */
  static Project load(Path root, Map<String, String> environment) {
    requireNonNull(environment, "environment is null");
    return new ProjectLoader(root, environment::get).load();
  }

  /** A table of a source, by source and table name. */
  public Optional<SourceTableDef> sourceTable(String source, String table) {
    SourceDef definition = sources.get(source);
    return definition == null ? Optional.empty() : definition.table(table);
  }

  /** The table {@code ref(name)} stands for: a model's or a seed's. */
  public Optional<TableName> refTable(String name) {
    ModelDef model = models.get(name);
    if (model != null) {
      return Optional.of(model.tableName());
    }
    return Optional.ofNullable(seeds.get(name)).map(SeedDef::tableName);
  }
}
