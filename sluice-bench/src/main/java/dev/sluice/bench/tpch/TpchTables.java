package dev.sluice.bench.tpch;

import io.trino.tpch.TpchColumn;
import io.trino.tpch.TpchTable;
import java.util.List;
import java.util.Locale;

/** The eight TPC-H tables and their column types, as Sluice, DuckDB and Spark spell them. */
public final class TpchTables {
  private TpchTables() {}

  /** A TPC-H column with its type in the three dialects. */
  public record Column(String name, String sluiceType, String duckDbType, String sparkType) {}

  /** The table names, smallest first. */
  public static List<String> names() {
    return TpchTable.getTables().stream().map(TpchTable::getTableName).sorted().toList();
  }

  public static TpchTable<?> table(String name) {
    return TpchTable.getTable(name);
  }

  /** The columns of a table, in file order. */
  public static List<Column> columns(String table) {
    return TpchTable.getTable(table).getColumns().stream().map(TpchTables::column).toList();
  }

  private static Column column(TpchColumn<?> column) {
    String name = column.getColumnName().toLowerCase(Locale.ROOT);
    return switch (column.getType().getBase()) {
      case IDENTIFIER -> new Column(name, "bigint", "BIGINT", "BIGINT");
      case INTEGER -> new Column(name, "int", "INTEGER", "INT");
      case DATE -> new Column(name, "date", "DATE", "DATE");
      // Money, quantities and rates: DECIMAL(15,2), as the TPC-H specification says.
      case DOUBLE -> new Column(name, "decimal(15,2)", "DECIMAL(15,2)", "DECIMAL(15,2)");
      case VARCHAR -> new Column(name, "varchar", "VARCHAR", "STRING");
    };
  }
}
