package dev.sluice.lineage;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A column a query returns, with the input columns its values are computed from (sorted, one entry
 * per input column: the closest dependency when it is used several ways).
 */
public record OutputColumn(String name, List<ColumnDependency> inputs) {
  public OutputColumn {
    requireNonNull(name, "name is null");
    requireNonNull(inputs, "inputs is null");
    inputs = List.copyOf(inputs);
  }
}
