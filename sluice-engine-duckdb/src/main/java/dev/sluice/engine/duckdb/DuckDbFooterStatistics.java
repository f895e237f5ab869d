package dev.sluice.engine.duckdb;

import static dev.sluice.api.sql.SqlLiterals.literal;

import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.engine.FooterStatistics;
import dev.sluice.api.engine.QueryResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Reads row counts, null counts and exact minimums and maximums from the footers of Parquet files
 * with DuckDB's {@code parquet_metadata}, one query over the footers' row groups, without reading a
 * value. A bound counts only where every row group with a non-null value has one that DuckDB marks
 * exact ({@code min_is_exact}, {@code max_is_exact}): DuckDB truncates a text bound longer than its
 * statistics limit and marks it inexact, and writes no bound for a column holding NaN or infinity.
 * Floating-point bounds are never taken: the footer keeps 0.0 where the values' minimum is -0.0.
 * The bounds are cast back to the column's type and aggregated there, so they render as {@code
 * CAST(min(column) AS VARCHAR)} over the values would, in the session's time zone too.
 */
final class DuckDbFooterStatistics {
  private DuckDbFooterStatistics() {}

  static FooterStatistics read(EngineSession session, Schema schema, List<String> dataFiles) {
    StringJoiner files = new StringJoiner(", ", "[", "]");
    dataFiles.forEach(file -> files.add(literal(file)));
    StringJoiner select = new StringJoiner(", ");
    select.add("sum(row_group_num_rows) FILTER (WHERE column_id = 0)");
    List<Measured> measured = new ArrayList<>();
    int leaf = 0;
    for (Types.NestedField column : schema.columns()) {
      if (column.type().isPrimitiveType()) {
        boolean range = hasExactBounds(column.type());
        String only = " FILTER (WHERE column_id = " + leaf + ")";
        select.add("sum(stats_null_count)" + only);
        // the footer's column is this one: its path is the column's name, and every row group
        // counts
        select.add(
            "bool_and(path_in_schema = "
                + literal(column.name())
                + " AND stats_null_count IS NOT NULL)"
                + only);
        if (range) {
          select.add(
              "bool_and(stats_null_count = row_group_num_rows OR (stats_min_value IS NOT NULL"
                  + " AND stats_max_value IS NOT NULL AND min_is_exact AND max_is_exact))"
                  + only);
          String type = DuckDbTypes.toDuckDb(column.type());
          select.add(bound("min", "stats_min_value", leaf, type));
          select.add(bound("max", "stats_max_value", leaf, type));
        }
        measured.add(new Measured(column.name(), range));
      }
      leaf += leaves(column.type());
    }
    QueryResult result =
        session.query("SELECT " + select + " FROM parquet_metadata(" + files + ")", 1);
    List<Object> row = result.rows().get(0);
    long rows = row.get(0) == null ? 0 : ((Number) row.get(0)).longValue();
    Map<String, FooterStatistics.Column> columns = new HashMap<>();
    int index = 1;
    for (Measured column : measured) {
      Object nulls = row.get(index++);
      boolean counted = Boolean.TRUE.equals(row.get(index++));
      boolean exact = false;
      String min = null;
      String max = null;
      if (column.range()) {
        exact = counted && Boolean.TRUE.equals(row.get(index++));
        min = exact ? (String) row.get(index) : null;
        max = exact ? (String) row.get(index + 1) : null;
        index += 2;
      }
      if (counted) {
        columns.put(
            column.name(),
            new FooterStatistics.Column(((Number) nulls).longValue(), min, max, exact));
      }
    }
    return new FooterStatistics(rows, columns);
  }

  private static String bound(String aggregate, String statistic, int leaf, String type) {
    return "CAST("
        + aggregate
        + "(CAST(CASE WHEN column_id = "
        + leaf
        + " THEN "
        + statistic
        + " END AS "
        + type
        + ")) AS VARCHAR)";
  }

  /**
   * Whether the footer's bounds of a column of this type are its values' exact minimum and maximum
   * (when DuckDB marks them exact): not for floating point (signed zero, NaN, infinities), nor for
   * binary (not profiled) or nanosecond timestamps (not checked against the values).
   */
  private static boolean hasExactBounds(Type type) {
    return switch (type.typeId()) {
      case BOOLEAN, INTEGER, LONG, DECIMAL, STRING, DATE, TIME, TIMESTAMP, UUID -> true;
      default -> false;
    };
  }

  /** How many Parquet leaf columns a column of this type is written as. */
  private static int leaves(Type type) {
    if (type.isPrimitiveType()) {
      return 1;
    }
    int leaves = 0;
    for (Types.NestedField field : type.asNestedType().fields()) {
      leaves += leaves(field.type());
    }
    return leaves;
  }

  private record Measured(String name, boolean range) {}
}
