package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import dev.sluice.core.state.StepKind;
import java.util.List;
import java.util.function.Function;

/**
 * Something a run materializes into a table: a model, a seed or a table of a source. Code that
 * treats the three differently asks {@link #map} (which names all three, so that adding a fourth
 * fails to compile where it is not handled) or tests the record type.
 */
public sealed interface Asset permits Asset.Model, Asset.Seed, Asset.SourceTable {
  /** The definition the asset was loaded from. */
  AssetDefinition definition();

  /** The asset's name: a model's or seed's name, or {@code source.table}. */
  default String name() {
    return map(ModelDef::name, SeedDef::name, SourceTableDef::assetName);
  }

  /** The table the asset writes. */
  default TableName tableName() {
    return definition().tableName();
  }

  /** What the run store records as the kind of a step of this asset. */
  default StepKind stepKind() {
    return map(model -> StepKind.MODEL, seed -> StepKind.SEED, sourceTable -> StepKind.SOURCE);
  }

  /**
   * How steps of this asset run (pool, retries, timeout), given the project's defaults. A seed has
   * no settings of its own: the project's apply.
   */
  default Execution execution(ProjectConfig config) {
    return map(ModelDef::execution, seed -> config.execution(), SourceTableDef::execution);
  }

  /** Its table-level checks and each column's checks. */
  default List<CheckDef> allChecks() {
    return definition().allChecks();
  }

  /** The result of {@code model}, {@code seed} or {@code sourceTable}, by what this asset is. */
  default <T> T map(
      Function<ModelDef, T> model,
      Function<SeedDef, T> seed,
      Function<SourceTableDef, T> sourceTable) {
    if (this instanceof Model asset) {
      return model.apply(asset.definition());
    }
    if (this instanceof Seed asset) {
      return seed.apply(asset.definition());
    }
    // the interface is sealed: nothing else implements it
    return sourceTable.apply(((SourceTable) this).definition());
  }

  /** A SQL model. */
  record Model(ModelDef definition) implements Asset {
    public Model {
      requireNonNull(definition, "definition is null");
    }
  }

  /** A CSV file of reference data. */
  record Seed(SeedDef definition) implements Asset {
    public Seed {
      requireNonNull(definition, "definition is null");
    }
  }

  /** A table of a source, loaded by its connector. */
  record SourceTable(SourceTableDef definition) implements Asset {
    public SourceTable {
      requireNonNull(definition, "definition is null");
    }
  }
}
