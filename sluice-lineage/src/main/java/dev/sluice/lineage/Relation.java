package dev.sluice.lineage;

import dev.sluice.api.TableName;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A relation in a query's FROM clause (a table, a CTE, a subquery, a table function) under the name
 * the query uses for it, with what each of its columns depends on.
 */
final class Relation {
  private final String name;
  private final TableName table;
  private final Map<String, Column> columns = new LinkedHashMap<>();
  private final boolean complete;

  /** A column of the relation and the base columns its values come from. */
  record Column(String name, List<ColumnDependency> dependencies) {}

  private Relation(String name, TableName table, boolean complete) {
    this.name = name.toLowerCase(Locale.ROOT);
    this.table = table;
    this.complete = complete;
  }

  /** A table of the warehouse: each column depends directly on itself. */
  static Relation table(String name, TableName table, RelationSchema schema) {
    Relation relation = new Relation(name, table, schema.complete());
    for (String column : schema.columns()) {
      relation.add(column, List.of(ColumnDependency.direct(new ColumnRef(table, column))));
    }
    return relation;
  }

  /** A derived relation (CTE, subquery) with the given columns. */
  static Relation derived(String name, List<OutputColumn> columns) {
    Relation relation = new Relation(name, null, true);
    columns.forEach(column -> relation.add(column.name(), column.inputs()));
    return relation;
  }

  /** A relation whose columns depend on no table (a table function, VALUES). */
  static Relation opaque(String name) {
    return new Relation(name, null, false);
  }

  /** The same relation under another name (a CTE read with an alias). */
  Relation renamed(String newName) {
    Relation relation = new Relation(newName, table, complete);
    relation.columns.putAll(columns);
    return relation;
  }

  private void add(String column, List<ColumnDependency> dependencies) {
    columns.putIfAbsent(column.toLowerCase(Locale.ROOT), new Column(column, dependencies));
  }

  String name() {
    return name;
  }

  /** The warehouse table, for a table; null for derived and opaque relations. */
  TableName table() {
    return table;
  }

  boolean complete() {
    return complete;
  }

  List<Column> columns() {
    return List.copyOf(columns.values());
  }

  /** The known column of that name. */
  Optional<Column> column(String column) {
    return Optional.ofNullable(columns.get(column.toLowerCase(Locale.ROOT)));
  }

  /**
   * A column that is not known but may exist, as the relation's columns are not all known: a
   * table's column depends on itself, an opaque relation's on nothing.
   */
  Optional<Column> assumedColumn(String column) {
    if (complete) {
      return Optional.empty();
    }
    return Optional.of(
        new Column(
            column,
            table == null
                ? List.of()
                : List.of(ColumnDependency.direct(new ColumnRef(table, column)))));
  }
}
