package dev.sluice.core.project;

import dev.sluice.api.engine.ParquetCompression;
import java.util.List;

/**
 * What the builders of a model and of a source table share: the properties every asset may declare
 * (description, owner, tags, columns, checks, execution settings, retention, maintenance,
 * freshness).
 *
 * @param <B> the builder itself, which the setters return
 */
public abstract class AssetBuilder<B extends AssetBuilder<B>> {
  protected String description;
  protected String owner;
  protected List<String> tags = List.of();
  protected List<ColumnDef> columns = List.of();
  protected List<CheckDef> checks = List.of();
  protected Execution execution;
  protected RetentionDef retention;
  protected MaintenanceDef maintenance;
  protected ContractDef contract;
  protected FreshnessDef freshness;
  protected ParquetCompression parquet;

  AssetBuilder(Execution execution) {
    this.execution = execution;
  }

  /** This builder, as its own type. */
  protected abstract B self();

  public B description(String description) {
    this.description = description;
    return self();
  }

  public B owner(String owner) {
    this.owner = owner;
    return self();
  }

  public B tags(List<String> tags) {
    this.tags = tags;
    return self();
  }

  public B columns(List<ColumnDef> columns) {
    this.columns = columns;
    return self();
  }

  public B checks(List<CheckDef> checks) {
    this.checks = checks;
    return self();
  }

  /**
   * The execution settings: unless set, {@link Execution#DEFAULT} for a model, null for a table.
   */
  public B execution(Execution execution) {
    this.execution = execution;
    return self();
  }

  /** How long the table keeps its rows, or null (the default) to keep them. */
  public B retention(RetentionDef retention) {
    this.retention = retention;
    return self();
  }

  /** The table's own {@code maintenance:} settings, or null (the default) for the project's. */
  public B maintenance(MaintenanceDef maintenance) {
    this.maintenance = maintenance;
    return self();
  }

  /** The contract the table is built to ({@code contract:}), or null (the default) for none. */
  public B contract(ContractDef contract) {
    this.contract = contract;
    return self();
  }

  /** How fresh the asset must be and its SLO ({@code freshness:}, {@code slo:}), or null. */
  public B freshness(FreshnessDef freshness) {
    this.freshness = freshness;
    return self();
  }

  /**
   * How the table's data files are compressed ({@code parquet:}), or null (the default) for the
   * project's.
   */
  public B parquet(ParquetCompression parquet) {
    this.parquet = parquet;
    return self();
  }
}
