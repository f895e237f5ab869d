package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import dev.sluice.api.TableName;
import dev.sluice.api.Zone;
import dev.sluice.api.engine.ParquetCompression;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * A SQL model: one {@code models/**}{@code /<name>.sql} file and its properties.
 *
 * @param sqlFile the SQL file, relative to the project root
 * @param sqlTemplate the file's text: a Jinja template, rendered by {@link SqlRenderer}
 * @param materialization from {@code config()} in the SQL, else the properties, else TABLE
 * @param uniqueKey the key columns an incremental model merges on; empty to append
 * @param description the description, or null
 * @param owner the owner, or null
 * @param tier the tier (e.g. gold), or null
 * @param refs the models and seeds the SQL refers to with {@code ref()}
 * @param sources the source tables the SQL refers to with {@code source()}
 * @param partitions how the table is partitioned, or null for an unpartitioned model
 * @param onSchemaChange what an incremental update does when the SQL's columns change
 * @param retention how long the table keeps its rows ({@code retention:} in its properties), or
 *     null
 * @param maintenance the table's own {@code maintenance:} settings, or null
 * @param contract the contract the table is built to, or null
 * @param freshness {@code freshness:} and {@code slo:} of its properties, or null
 * @param table the table it writes when that is not {@code <zone>.<name>}, else null: a dbt model's
 *     table is named by its schema and alias, as dbt names it (docs/dbt.md)
 * @param snapshot how a model materialized as a snapshot keeps history (a dbt snapshot, or {@code
 *     materialized: snapshot}), else null
 * @param parquet how the table's data files are compressed ({@code parquet:} in its properties or
 *     config()), or null for the project's {@code parquet:}
 */
public record ModelDef(
    String name,
    Path sqlFile,
    String sqlTemplate,
    Zone zone,
    Materialization materialization,
    List<String> uniqueKey,
    String description,
    String owner,
    String tier,
    List<String> tags,
    List<ColumnDef> columns,
    List<CheckDef> checks,
    Set<String> refs,
    Set<SourceRef> sources,
    Location location,
    Execution execution,
    PartitionsDef partitions,
    OnSchemaChange onSchemaChange,
    RetentionDef retention,
    MaintenanceDef maintenance,
    ContractDef contract,
    FreshnessDef freshness,
    TableName table,
    SnapshotDef snapshot,
    ParquetCompression parquet)
    implements AssetDefinition {
  public ModelDef {
    requireNonNull(name, "name is null");
    requireNonNull(sqlFile, "sqlFile is null");
    requireNonNull(sqlTemplate, "sqlTemplate is null");
    requireNonNull(zone, "zone is null");
    requireNonNull(materialization, "materialization is null");
    requireNonNull(uniqueKey, "uniqueKey is null");
    requireNonNull(tags, "tags is null");
    requireNonNull(columns, "columns is null");
    requireNonNull(checks, "checks is null");
    requireNonNull(refs, "refs is null");
    requireNonNull(sources, "sources is null");
    requireNonNull(location, "location is null");
    requireNonNull(onSchemaChange, "onSchemaChange is null");
    uniqueKey = List.copyOf(uniqueKey);
    tags = List.copyOf(tags);
    columns = List.copyOf(columns);
    checks = List.copyOf(checks);
    refs = Copies.orderedSet(refs);
    sources = Copies.orderedSet(sources);
  }

  /** Whether the model is built one partition at a time. */
  public boolean partitioned() {
    return partitions != null;
  }

  @Override
  public TableName tableName() {
    return table != null ? table : new TableName(zone.namespace(), name);
  }

  /** This model with these checks (a dbt project's singular tests added). */
  public ModelDef withChecks(List<CheckDef> checks) {
    return toBuilder().checks(checks).build();
  }

  /**
   * This model reading these models and seeds (a dbt source another asset builds added, a dbt
   * model's hooks' refs).
   */
  public ModelDef withRefs(Set<String> refs) {
    return toBuilder().refs(refs).build();
  }

  /** This model, writing {@code table} instead of {@code <zone>.<name>}. */
  public ModelDef withTable(TableName table) {
    return withTable(table, contract);
  }

  /**
   * This model, writing {@code table} instead of {@code <zone>.<name>}, built to {@code contract}
   * (a dbt model's, from its config and properties), or to none when null.
   */
  public ModelDef withTable(TableName table, ContractDef contract) {
    Builder builder = toBuilder();
    builder.table = table;
    return builder.contract(contract).build();
  }

  /** This model with this {@code unique_key} (none: a dbt model that appends whatever its key). */
  public ModelDef withUniqueKey(List<String> uniqueKey) {
    return toBuilder().uniqueKey(uniqueKey).build();
  }

  /**
   * This model, built partition by partition as {@code materialization} with {@code partitions} (a
   * dbt microbatch model's batches), without a unique key: partitions are replaced whole.
   */
  public ModelDef partitionedAs(Materialization materialization, PartitionsDef partitions) {
    return toBuilder()
        .materialization(materialization)
        .uniqueKey(List.of())
        .partitions(requireNonNull(partitions, "partitions is null"))
        .build();
  }

  /** A builder holding every setting of this model, to build it with some of them changed. */
  private Builder toBuilder() {
    Builder builder =
        builder(name, sqlFile, sqlTemplate, zone, location)
            .materialization(materialization)
            .uniqueKey(uniqueKey)
            .tier(tier)
            .refs(refs)
            .sources(sources)
            .partitions(partitions)
            .onSchemaChange(onSchemaChange)
            .snapshot(snapshot)
            .parquet(parquet)
            .description(description)
            .owner(owner)
            .tags(tags)
            .columns(columns)
            .checks(checks)
            .execution(execution)
            .retention(retention)
            .maintenance(maintenance)
            .contract(contract)
            .freshness(freshness);
    builder.table = table;
    return builder;
  }

  /** The SQL file as shown in messages: relative, with forward slashes. */
  public String sqlFileName() {
    return sqlFile.toString().replace('\\', '/');
  }

  /**
   * A builder of the model {@code name} of {@code sqlFile} (whose text is {@code sqlTemplate}),
   * declared at {@code location} and written to {@code zone}: a table with no key, properties,
   * references or checks, on the default execution settings, until set.
   */
  public static Builder builder(
      String name, Path sqlFile, String sqlTemplate, Zone zone, Location location) {
    return new Builder(name, sqlFile, sqlTemplate, zone, location);
  }

  /** Builds a {@link ModelDef}. */
  public static final class Builder extends AssetBuilder<Builder> {
    private final String name;
    private final Path sqlFile;
    private final String sqlTemplate;
    private final Zone zone;
    private Materialization materialization = Materialization.TABLE;
    private List<String> uniqueKey = List.of();
    private String tier;
    private Set<String> refs = Set.of();
    private Set<SourceRef> sources = Set.of();
    private final Location location;
    private PartitionsDef partitions;
    private OnSchemaChange onSchemaChange = OnSchemaChange.IGNORE;
    private SnapshotDef snapshot;
    private TableName table;

    private Builder(String name, Path sqlFile, String sqlTemplate, Zone zone, Location location) {
      super(Execution.DEFAULT);
      this.name = requireNonNull(name, "name is null");
      this.sqlFile = requireNonNull(sqlFile, "sqlFile is null");
      this.sqlTemplate = requireNonNull(sqlTemplate, "sqlTemplate is null");
      this.zone = requireNonNull(zone, "zone is null");
      this.location = requireNonNull(location, "location is null");
    }

    /** TABLE unless set. */
    public Builder materialization(Materialization materialization) {
      this.materialization = materialization;
      return this;
    }

    public Builder uniqueKey(List<String> uniqueKey) {
      this.uniqueKey = uniqueKey;
      return this;
    }

    public Builder tier(String tier) {
      this.tier = tier;
      return this;
    }

    public Builder refs(Set<String> refs) {
      this.refs = refs;
      return this;
    }

    public Builder sources(Set<SourceRef> sources) {
      this.sources = sources;
      return this;
    }

    /** How the table is partitioned, or null (the default) for an unpartitioned model. */
    public Builder partitions(PartitionsDef partitions) {
      this.partitions = partitions;
      return this;
    }

    /** IGNORE (dbt's default) unless set. */
    public Builder onSchemaChange(OnSchemaChange onSchemaChange) {
      this.onSchemaChange = onSchemaChange;
      return this;
    }

    /** How a snapshot keeps history; null (the default) for other models. */
    public Builder snapshot(SnapshotDef snapshot) {
      this.snapshot = snapshot;
      return this;
    }

    @Override
    protected Builder self() {
      return this;
    }

    /**
     * The model.
     *
     * @throws NullPointerException when a list, set or setting that must be given was set to null
     */
    public ModelDef build() {
      return new ModelDef(
          name,
          sqlFile,
          sqlTemplate,
          zone,
          materialization,
          uniqueKey,
          description,
          owner,
          tier,
          tags,
          columns,
          checks,
          refs,
          sources,
          location,
          execution,
          partitions,
          onSchemaChange,
          retention,
          maintenance,
          contract,
          freshness,
          table,
          snapshot,
          parquet);
    }
  }
}
