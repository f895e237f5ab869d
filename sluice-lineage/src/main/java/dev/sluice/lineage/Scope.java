package dev.sluice.lineage;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.sf.jsqlparser.statement.select.Join;

/**
 * The names one SELECT can use: the relations of its FROM clause, the names of its output columns
 * (DuckDB lets later clauses use them) and, for a correlated subquery, the enclosing query's scope.
 */
final class Scope {
  private final Scope parent;
  private final List<Relation> relations = new ArrayList<>();
  private final Set<String> usingColumns = new HashSet<>();
  private final Map<String, List<ColumnDependency>> aliases = new LinkedHashMap<>();
  private final List<Join> joins = new ArrayList<>();

  Scope(Scope parent) {
    this.parent = parent;
  }

  void add(Relation relation) {
    relations.add(relation);
  }

  void addJoin(Join join) {
    joins.add(join);
    if (join.getUsingColumns() != null) {
      join.getUsingColumns()
          .forEach(column -> usingColumns.add(Names.unquote(column.getColumnName())));
    }
  }

  void addAlias(String name, List<ColumnDependency> dependencies) {
    aliases.putIfAbsent(name.toLowerCase(Locale.ROOT), dependencies);
  }

  List<Relation> relations() {
    return List.copyOf(relations);
  }

  List<Join> joins() {
    return List.copyOf(joins);
  }

  /** The relation a qualifier names, here or in an enclosing scope. */
  Optional<Relation> relation(String schema, String name) {
    for (Scope scope = this; scope != null; scope = scope.parent) {
      for (Relation relation : scope.relations) {
        boolean matches =
            schema == null
                ? relation.name().equals(name)
                : relation.table() != null
                    && relation.table().zone().equalsIgnoreCase(schema)
                    && relation.table().name().equalsIgnoreCase(name);
        if (matches) {
          return Optional.of(relation);
        }
      }
    }
    return Optional.empty();
  }

  /**
   * What an unqualified column name depends on: the one relation that has it, else an output column
   * of that name, else the one relation whose columns are not all known, else the same in the
   * enclosing scope.
   *
   * @throws NotDerivableException when the name is ambiguous or no relation can hold it
   */
  Optional<List<ColumnDependency>> resolve(String column) {
    for (Scope scope = this; scope != null; scope = scope.parent) {
      List<Relation.Column> known = new ArrayList<>();
      List<String> holders = new ArrayList<>();
      for (Relation relation : scope.relations) {
        relation
            .column(column)
            .ifPresent(
                found -> {
                  known.add(found);
                  holders.add(relation.name());
                });
      }
      if (known.size() == 1) {
        return Optional.of(known.get(0).dependencies());
      }
      if (known.size() > 1) {
        if (!scope.usingColumns.contains(column)) {
          throw new NotDerivableException(
              "column '"
                  + column
                  + "' is ambiguous: "
                  + String.join(" and ", holders)
                  + " both have it; qualify it (e.g. "
                  + holders.get(0)
                  + "."
                  + column
                  + ")");
        }
        Dependencies union = new Dependencies();
        known.forEach(found -> union.addAll(found.dependencies()));
        return Optional.of(union.sorted());
      }
      List<ColumnDependency> alias = scope.aliases.get(column);
      if (alias != null) {
        return Optional.of(alias);
      }
      List<Relation> open = scope.relations.stream().filter(r -> !r.complete()).toList();
      if (open.size() == 1) {
        return open.get(0).assumedColumn(column).map(Relation.Column::dependencies);
      }
      if (open.size() > 1) {
        throw new NotDerivableException(
            "column '"
                + column
                + "' may come from "
                + String.join(" or ", open.stream().map(Relation::name).toList())
                + ", whose columns are not all declared; qualify it or declare the columns");
      }
    }
    return Optional.empty();
  }
}
