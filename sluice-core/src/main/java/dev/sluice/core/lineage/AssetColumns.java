package dev.sluice.core.lineage;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import dev.sluice.api.TableName;
import dev.sluice.lineage.ConditionDependency;
import dev.sluice.lineage.OutputColumn;
import java.util.List;
import java.util.Optional;

/**
 * The columns of one asset with what each is computed from: a model's derived from its SQL, a
 * source table's or seed's as declared (with no inputs).
 *
 * @param asset the asset's name (a model, a seed, {@code source.table})
 * @param table the table it writes
 * @param columns its columns in order; for a model whose lineage cannot be derived, the columns its
 *     properties declare, with no inputs
 * @param conditions the columns its SQL filters, joins and groups on
 * @param notDerivable why a model's lineage cannot be derived, or null
 * @param location the model's SQL file (or the source table's or seed's declaration)
 */
public record AssetColumns(
    String asset,
    TableName table,
    List<OutputColumn> columns,
    List<ConditionDependency> conditions,
    String notDerivable,
    Location location) {
  public AssetColumns {
    requireNonNull(asset, "asset is null");
    requireNonNull(table, "table is null");
    requireNonNull(columns, "columns is null");
    requireNonNull(conditions, "conditions is null");
    requireNonNull(location, "location is null");
    columns = List.copyOf(columns);
    conditions = List.copyOf(conditions);
  }

  /** Whether the columns come from the SQL (true), or were declared or are unknown (false). */
  public boolean derived() {
    return notDerivable == null;
  }

  /** The column of that name (not case-sensitive). */
  public Optional<OutputColumn> column(String name) {
    return columns.stream().filter(column -> column.name().equalsIgnoreCase(name)).findFirst();
  }
}
