package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import dev.sluice.api.TableName;
import dev.sluice.api.Zone;
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
    OnSchemaChange onSchemaChange) {
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

  public TableName tableName() {
    return new TableName(zone.namespace(), name);
  }

  /** The SQL file as shown in messages: relative, with forward slashes. */
  public String sqlFileName() {
    return sqlFile.toString().replace('\\', '/');
  }
}
