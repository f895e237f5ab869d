package dev.sluice.core.env;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import dev.sluice.lake.DamagedTableException;
import dev.sluice.lake.Lake;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.Table;
import org.apache.iceberg.view.View;

/**
 * The catalog's tables and production's views as one comparison of the project with the warehouse
 * found them, each loaded once. Comparing a 1,000-model project with production loaded every
 * model's table four times (the change plan, the fingerprint comparison, and two searches for the
 * environment's branches), which was two thirds of the time of {@code sluice run --env} for one
 * changed model (bench suite environments, profiled with JFR). Not for after a write: a table
 * written since is as it was when first looked up here.
 */
final class CatalogLookups {
  private final Lake lake;
  private final Map<TableName, Optional<Table>> tables = new HashMap<>();
  private final Map<TableName, Optional<View>> views = new HashMap<>();

  CatalogLookups(Lake lake) {
    this.lake = requireNonNull(lake, "lake is null");
  }

  Lake lake() {
    return lake;
  }

  /** The table so named, as {@link Lake#findTable} finds it. */
  Optional<Table> table(TableName name) {
    return tables.computeIfAbsent(name, lake::findTable);
  }

  /** Production's view so named, as {@link Lake#findView(TableName)} finds it. */
  Optional<View> view(TableName name) {
    return views.computeIfAbsent(name, lake::findView);
  }

  /**
   * The tables of the warehouse that have a branch of this name, as {@link
   * dev.sluice.lake.Branches#tablesWith} lists them (a damaged table has none).
   */
  List<TableName> tablesWith(String branch) {
    List<TableName> found = new ArrayList<>();
    for (TableName name : lake.listTables()) {
      try {
        if (table(name).map(table -> table.refs().containsKey(branch)).orElse(false)) {
          found.add(name);
        }
      } catch (DamagedTableException e) {
        // a damaged table has no readable branches: 'sluice tables' reports it
      }
    }
    return found;
  }
}
