package dev.sluice.core.project;

import dev.sluice.api.TableName;
import dev.sluice.api.engine.ParquetCompression;
import java.util.ArrayList;
import java.util.List;

/** What the definitions of a model, a seed and a source table share, for {@link Asset}. */
public interface AssetDefinition {
  /** The table the asset writes. */
  TableName tableName();

  /** The declared columns, each with its checks. */
  List<ColumnDef> columns();

  /** The table-level checks. */
  List<CheckDef> checks();

  /** How fresh the asset must be and its freshness SLO, or null when it declares none. */
  default FreshnessDef freshness() {
    return null;
  }

  /**
   * The contract ({@code contract:}) the asset's table is built to, or null when it declares none.
   */
  default ContractDef contract() {
    return null;
  }

  /**
   * How the asset's table's data files are compressed ({@code parquet:} of the table or model), or
   * null for the project's {@code parquet:}.
   */
  default ParquetCompression parquet() {
    return null;
  }

  /**
   * The table-level checks, then each column's checks, then the checks that hold an enforced
   * contract's constraints and grain.
   */
  default List<CheckDef> allChecks() {
    List<CheckDef> all = new ArrayList<>(checks());
    for (ColumnDef column : columns()) {
      all.addAll(column.checks());
    }
    if (contract() != null) {
      all.addAll(contract().checks());
    }
    return all;
  }
}
