package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Something a run materializes into a table: a model, a seed or a table of a source. Code that
 * treats the three differently asks {@link #map} (which names all three, so that adding a fourth
 * fails to compile where it is not handled) or tests the record type.
 */
public sealed interface Asset permits Asset.Model, Asset.Seed, Asset.SourceTable {
  /** The asset's name: a model's or seed's name, or {@code source.table}. */
  String name();

  /** The table the asset writes. */
  TableName tableName();

  /** What the run store records as the kind of a step of this asset. */
  String stepKind();

  /** How steps of this asset run (pool, retries, timeout), given the project's defaults. */
  Execution execution(ProjectConfig config);

  /** Its table-level checks and each column's checks. */
  List<CheckDef> allChecks();

  /** The result of {@code model}, {@code seed} or {@code sourceTable}, by what this asset is. */
  <T> T map(
      Function<ModelDef, T> model,
      Function<SeedDef, T> seed,
      Function<SourceTableDef, T> sourceTable);

  /** A SQL model. */
  record Model(ModelDef definition) implements Asset {
    public Model {
      requireNonNull(definition, "definition is null");
    }

    @Override
    public String name() {
      return definition.name();
    }

    @Override
    public TableName tableName() {
      return definition.tableName();
    }

    @Override
    public String stepKind() {
      return "model";
    }

    @Override
    public Execution execution(ProjectConfig config) {
      return definition.execution();
    }

    @Override
    public List<CheckDef> allChecks() {
      return Asset.withColumnChecks(definition.checks(), definition.columns());
    }

    @Override
    public <T> T map(
        Function<ModelDef, T> model,
        Function<SeedDef, T> seed,
        Function<SourceTableDef, T> sourceTable) {
      return model.apply(definition);
    }
  }

  /** A CSV file of reference data. */
  record Seed(SeedDef definition) implements Asset {
    public Seed {
      requireNonNull(definition, "definition is null");
    }

    @Override
    public String name() {
      return definition.name();
    }

    @Override
    public TableName tableName() {
      return definition.tableName();
    }

    @Override
    public String stepKind() {
      return "seed";
    }

    /** A seed has no settings of its own: the project's apply. */
    @Override
    public Execution execution(ProjectConfig config) {
      return config.execution();
    }

    @Override
    public List<CheckDef> allChecks() {
      return Asset.withColumnChecks(definition.checks(), definition.columns());
    }

    @Override
    public <T> T map(
        Function<ModelDef, T> model,
        Function<SeedDef, T> seed,
        Function<SourceTableDef, T> sourceTable) {
      return seed.apply(definition);
    }
  }

  /** A table of a source, loaded by its connector. */
  record SourceTable(SourceTableDef definition) implements Asset {
    public SourceTable {
      requireNonNull(definition, "definition is null");
    }

    @Override
    public String name() {
      return definition.assetName();
    }

    @Override
    public TableName tableName() {
      return definition.tableName();
    }

    @Override
    public String stepKind() {
      return "source";
    }

    @Override
    public Execution execution(ProjectConfig config) {
      return definition.execution();
    }

    @Override
    public List<CheckDef> allChecks() {
      return Asset.withColumnChecks(definition.checks(), definition.columns());
    }

    @Override
    public <T> T map(
        Function<ModelDef, T> model,
        Function<SeedDef, T> seed,
        Function<SourceTableDef, T> sourceTable) {
      return sourceTable.apply(definition);
    }
  }

  /** Table-level checks plus each column's checks. */
  static List<CheckDef> withColumnChecks(List<CheckDef> tableChecks, List<ColumnDef> columns) {
    List<CheckDef> checks = new ArrayList<>(tableChecks);
    for (ColumnDef column : columns) {
      checks.addAll(column.checks());
    }
    return checks;
  }
}
