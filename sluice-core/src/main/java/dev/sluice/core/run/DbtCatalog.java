package dev.sluice.core.run;

import dev.sluice.api.TableName;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.ColumnTypes;
import dev.sluice.core.project.DbtArtifacts;
import dev.sluice.core.project.Materialization;
import dev.sluice.core.project.ModelDef;
import dev.sluice.core.project.Project;
import dev.sluice.core.project.SeedDef;
import dev.sluice.core.project.SourceDef;
import dev.sluice.core.project.SourceTableDef;
import dev.sluice.lake.Lake;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * What {@code dbt docs generate} writes for a dbt project: {@code catalog.json} (dbt's v1 catalog:
 * each model's, seed's, snapshot's and source table's columns with their types and positions, read
 * from its Iceberg table or view (a source without a location: the warehouse's relation it names),
 * and the table's row count and size) and {@code manifest.json}, whose columns then carry their
 * tables' types.
 */
public final class DbtCatalog {
  /**
   * The columns Sluice's load adds to a source table, which dbt-duckdb, reading the file, has not.
   */
  private static final Set<String> LOAD_COLUMNS = Set.of("_source_file", "_loaded_at");

  private DbtCatalog() {}

  /**
   * What was written.
   *
   * @param nodes how many models, seeds and snapshots the catalog describes (those built)
   * @param sources how many source tables it describes (those loaded)
   */
  public record Written(Path catalog, Path manifest, int nodes, int sources) {}

  /**
   * Reads the project's tables and writes catalog.json and manifest.json into its target path.
   * Column types are the engine's names ({@code INTEGER}, {@code VARCHAR}, {@code DECIMAL(12,2)}),
   * as dbt-duckdb's catalog gives them.
   *
   * @throws IllegalArgumentException when the project is not a dbt project
   */
  public static Written generate(Workspace workspace, Instant generatedAt) {
    try (EngineSession session = workspace.engine().openSession()) {
      return generate(workspace, new EngineTypeNames(session), generatedAt);
    }
  }

  private static Written generate(
      Workspace workspace, Function<Type, String> typeNames, Instant generatedAt) {
    Project project = workspace.project();
    DbtArtifacts artifacts = new DbtArtifacts(project);
    Lake lake = workspace.lake();
    List<DbtArtifacts.Relation> nodes = new ArrayList<>();
    for (SeedDef seed : project.seeds().values()) {
      read(lake, seed.name(), seed.tableName(), false, typeNames).ifPresent(nodes::add);
    }
    for (ModelDef model : project.models().values()) {
      boolean view = model.materialization() == Materialization.VIEW;
      read(lake, model.name(), model.tableName(), view, typeNames).ifPresent(nodes::add);
    }
    List<DbtArtifacts.Relation> sources = new ArrayList<>();
    for (SourceDef source : project.sources().values()) {
      for (SourceTableDef table : source.tables()) {
        read(lake, table.assetName(), table.tableName(), false, typeNames)
            .map(relation -> relation.without(LOAD_COLUMNS))
            .ifPresent(sources::add);
      }
    }
    // a source read as the warehouse's relation: its columns as the relation has them, when it is
    // there (a seed or model of the project, or another tool, builds it), as dbt's catalog has them
    artifacts
        .warehouseSourceTables()
        .forEach(
            (asset, relation) ->
                read(lake, asset, relation, lake.findView(relation).isPresent(), typeNames)
                    .ifPresent(sources::add));
    String invocationId = UUID.randomUUID().toString();
    Path catalog =
        artifacts.write(
            "catalog.json", artifacts.catalog(invocationId, generatedAt, nodes, sources));
    List<DbtArtifacts.Relation> all = new ArrayList<>(nodes);
    all.addAll(sources);
    com.fasterxml.jackson.databind.node.ObjectNode written =
        artifacts.manifest(invocationId, generatedAt, all);
    // each model's compiled_code: the SQL its last run ran (target/run/)
    artifacts.addCompiledCode(written, DbtRunFiles.ranSince(workspace.project(), Instant.EPOCH));
    DbtRunFiles.addTestsRan(workspace.project(), artifacts, written);
    Path manifest = artifacts.write("manifest.json", written);
    return new Written(catalog, manifest, nodes.size(), sources.size());
  }

  /** An asset's table or view, as the catalog describes it; empty when it is not built yet. */
  private static Optional<DbtArtifacts.Relation> read(
      Lake lake, String asset, TableName name, boolean view, Function<Type, String> typeNames) {
    if (view) {
      return lake.findView(name)
          .map(
              found ->
                  new DbtArtifacts.Relation(
                      asset, name, true, columns(found.schema().columns(), typeNames), null, null));
    }
    Optional<Table> table = lake.findTable(name);
    if (table.isEmpty()) {
      return Optional.empty();
    }
    Snapshot current = table.get().currentSnapshot();
    Map<String, String> summary = current == null ? Map.of() : current.summary();
    return Optional.of(
        new DbtArtifacts.Relation(
            asset,
            name,
            false,
            columns(table.get().schema().columns(), typeNames),
            number(summary.get("total-records")),
            number(summary.get("total-files-size"))));
  }

  private static List<DbtArtifacts.Column> columns(
      List<Types.NestedField> fields, Function<Type, String> typeNames) {
    List<DbtArtifacts.Column> columns = new ArrayList<>();
    for (Types.NestedField field : fields) {
      columns.add(
          new DbtArtifacts.Column(field.name(), typeNames.apply(field.type()), field.doc()));
    }
    return columns;
  }

  /**
   * A column type as the engine names it: asked of the engine for a primitive type (a cast's type,
   * which DuckDB gives in its canonical form: {@code int} is {@code INTEGER}), once per type; as
   * Sluice shows it for a nested type, or where the engine cannot tell.
   */
  private static final class EngineTypeNames implements Function<Type, String> {
    private final EngineSession session;
    private final Map<Type, String> names = new java.util.HashMap<>();

    EngineTypeNames(EngineSession session) {
      this.session = session;
    }

    @Override
    public String apply(Type type) {
      return names.computeIfAbsent(type, this::ask);
    }

    private String ask(Type type) {
      if (!type.isPrimitiveType()) {
        return ColumnTypes.display(type);
      }
      try {
        return session
            .prepare("SELECT CAST(NULL AS " + ColumnTypes.sqlName(type) + ") AS c")
            .types()
            .get(0);
      } catch (RuntimeException e) {
        return ColumnTypes.sqlName(type).toUpperCase(java.util.Locale.ROOT);
      }
    }
  }

  private static Long number(String text) {
    return text == null ? null : Long.valueOf(text);
  }
}
