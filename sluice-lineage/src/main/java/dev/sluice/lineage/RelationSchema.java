package dev.sluice.lineage;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * The columns of a table a query reads, as far as they are known.
 *
 * @param columns the known columns, in table order
 * @param complete whether these are all its columns; when not (a source whose columns are partly
 *     declared), a column the query names that is not listed is still taken to be the table's, and
 *     {@code select *} expands only the listed ones
 */
public record RelationSchema(List<String> columns, boolean complete) {
  public RelationSchema {
    requireNonNull(columns, "columns is null");
    columns = List.copyOf(columns);
  }
}
