package dev.sluice.core.access;

import dev.sluice.api.TableName;
import dev.sluice.core.project.ColumnDef;
import dev.sluice.core.project.Project;
import dev.sluice.lake.Lake;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.types.Types;

/**
 * The columns of a project's tables as a reader sees them: the stored table's current schema, or
 * the columns its files declare while it has not been built.
 */
public final class TableColumns {
  private TableColumns() {}

  /** The columns of one table: its schema in the lake, else its declared columns (maybe none). */
  public static List<String> of(Project project, Lake lake, TableName table) {
    return columns(lake, table, project.tables().getOrDefault(table, List.of()));
  }

  /** Every table the project defines, with its columns as {@link #of} reads them. */
  public static Map<TableName, List<String>> all(Project project, Lake lake) {
    Map<TableName, List<String>> tables = new LinkedHashMap<>();
    project
        .tables()
        .forEach((table, declared) -> tables.put(table, columns(lake, table, declared)));
    return tables;
  }

  private static List<String> columns(Lake lake, TableName table, List<ColumnDef> declared) {
    return lake.findTable(table)
        .map(found -> found.schema().columns().stream().map(Types.NestedField::name).toList())
        .orElseGet(() -> declared.stream().map(ColumnDef::name).toList());
  }
}
