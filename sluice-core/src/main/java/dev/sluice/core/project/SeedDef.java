package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import dev.sluice.api.TableName;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A seed: a small CSV file (with a header) in {@code seeds/}, reloaded into {@code curated.<name>}
 * on every run.
 *
 * @param csvFile the CSV file, relative to the project root
 * @param description the description from a {@code seeds:} properties entry, or null
 * @param table the table it is loaded into when that is not {@code curated.<name>}, else null: a
 *     dbt seed's table is named by its schema and alias, as dbt names it
 * @param format how the file is read: its delimiter and the types of some of its columns
 */
public record SeedDef(
    String name,
    Path csvFile,
    String description,
    List<ColumnDef> columns,
    List<CheckDef> checks,
    Location location,
    TableName table,
    Format format)
    implements AssetDefinition {
  /**
   * How a seed's file is read (a dbt seed's {@code delimiter} and {@code column_types}).
   *
   * @param delimiter the character between values
   * @param columnTypes the types of columns by name, in DuckDB's names as dbt-duckdb takes them;
   *     the other columns' types are inferred from their values
   */
  public record Format(String delimiter, Map<String, String> columnTypes) {
    /** Comma-separated, every type inferred. */
    public static final Format DEFAULT = new Format(",", Map.of());

    public Format {
      requireNonNull(delimiter, "delimiter is null");
      columnTypes = Copies.orderedMap(columnTypes);
    }
  }

  public SeedDef {
    requireNonNull(format, "format is null");
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
    this(name, csvFile, description, columns, checks, location, null, Format.DEFAULT);
  }

  /** This seed, loaded into {@code table} instead of {@code curated.<name>}. */
  public SeedDef withTable(TableName table) {
    return new SeedDef(name, csvFile, description, columns, checks, location, table, format);
  }

  /** This seed, read as {@code format} says. */
  public SeedDef withFormat(Format format) {
    return new SeedDef(name, csvFile, description, columns, checks, location, table, format);
  }

  /** This seed with these checks. */
  public SeedDef withChecks(List<CheckDef> checks) {
    return new SeedDef(name, csvFile, description, columns, checks, location, table, format);
  }

  @Override
  public TableName tableName() {
    return table != null ? table : new TableName("curated", name);
  }
}
