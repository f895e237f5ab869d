package dev.sluice.api.connector;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;

/**
 * What a connector finds out about one source table without loading it: the columns and types it
 * would stage, and the columns that could identify a row or order new rows.
 *
 * @param schema the columns a load would stage, in order, with the types they would have in the
 *     lake (without columns Sluice adds to every loaded row, such as {@code _source_file})
 * @param primaryKey the columns that identify a row, as the source declares them (a database's
 *     primary key), or empty when it declares none
 * @param cursorCandidates columns fit to be an incremental {@code cursor}: increasing values such
 *     as timestamps, dates or whole numbers; empty when none fits
 */
public record DiscoveredSchema(
    Schema schema, List<String> primaryKey, List<String> cursorCandidates) {
  public DiscoveredSchema {
    requireNonNull(schema, "schema is null");
    primaryKey = List.copyOf(primaryKey);
    cursorCandidates = List.copyOf(cursorCandidates);
    for (String column : primaryKey) {
      if (schema.findField(column) == null) {
        throw new IllegalArgumentException("Primary key column " + column + " is not in " + schema);
      }
    }
  }

  /** The column names, in order. */
  public List<String> columnNames() {
    return schema.columns().stream().map(Types.NestedField::name).toList();
  }
}
