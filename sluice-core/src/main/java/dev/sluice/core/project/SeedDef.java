package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import dev.sluice.api.TableName;
import java.nio.file.Path;
import java.util.List;

/**
 * A seed: a small CSV file (with a header) in {@code seeds/}, reloaded into {@code curated.<name>}
 * on every run.
 *
 * @param csvFile the CSV file, relative to the project root
 * @param description the description from a {@code seeds:} properties entry, or null
 * @param table the table it is loaded into when that is not {@code curated.<name>}, else null: a
 *     dbt seed's table is named by its schema and alias, as dbt names it
 */
public record SeedDef(
    String name,
    Path csvFile,
    String description,
    List<ColumnDef> columns,
    List<CheckDef> checks,
    Location location,
    TableName table)
    implements AssetDefinition {
  public SeedDef {
    requireNonNull(name, "name is null");
    requireNonNull(csvFile, "csvFile is null");
    requireNonNull(columns, "columns is null");
    requireNonNull(checks, "checks is null");
    requireNonNull(location, "location is null");
    columns = List.copyOf(columns);
    checks = List.copyOf(checks);
  }

  public SeedDef(
      String name,
      Path csvFile,
      String description,
      List<ColumnDef> columns,
      List<CheckDef> checks,
      Location location) {
    this(name, csvFile, description, columns, checks, location, null);
  }

  /** This seed, loaded into {@code table} instead of {@code curated.<name>}. */
  public SeedDef withTable(TableName table) {
    return new SeedDef(name, csvFile, description, columns, checks, location, table);
  }

  @Override
  public TableName tableName() {
    return table != null ? table : new TableName("curated", name);
  }
}
