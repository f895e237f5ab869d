package dev.sluice.lineage;

import dev.sluice.api.TableName;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import net.sf.jsqlparser.expression.Alias;
import net.sf.jsqlparser.expression.AllValue;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.expression.operators.relational.ExpressionList;
import net.sf.jsqlparser.expression.operators.relational.ParenthesedExpressionList;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.AllTableColumns;
import net.sf.jsqlparser.statement.select.FromItem;
import net.sf.jsqlparser.statement.select.GroupByElement;
import net.sf.jsqlparser.statement.select.Join;
import net.sf.jsqlparser.statement.select.LateralSubSelect;
import net.sf.jsqlparser.statement.select.ParenthesedFromItem;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SelectItem;
import net.sf.jsqlparser.statement.select.SetOperationList;
import net.sf.jsqlparser.statement.select.TableFunction;
import net.sf.jsqlparser.statement.select.Values;
import net.sf.jsqlparser.statement.select.WithItem;

/**
 * Walks a parsed query: resolves every column reference through the query's scopes (CTEs,
 * subqueries, joins, correlated outer queries) down to the warehouse tables it reads, and records
 * the conditions of every part. Not thread-safe: one instance analyses one query.
 */
final class QueryAnalyzer {
  private final Function<TableName, Optional<RelationSchema>> schemas;
  private final Set<ConditionDependency> conditions = new TreeSet<>();

  QueryAnalyzer(Function<TableName, Optional<RelationSchema>> schemas) {
    this.schemas = schemas;
  }

  List<ConditionDependency> conditions() {
    return List.copyOf(conditions);
  }

  /** The output columns of a query (with its WITH clause), seen from {@code outer}. */
  List<OutputColumn> query(Select select, Scope outer, Map<String, Relation> ctes) {
    Map<String, Relation> visible = new HashMap<>(ctes);
    if (select.getWithItemsList() != null) {
      for (WithItem<?> item : select.getWithItemsList()) {
        String name = Names.unquote(item.getAliasName());
        ParenthesedSelect body = item.getSelect();
        if (body == null) {
          throw new NotDerivableException("the WITH item '" + name + "' is not a SELECT");
        }
        if (item.isRecursive() && body.getSelect() instanceof SetOperationList set) {
          // a recursive CTE reads itself: its columns are those of its first branch
          List<OutputColumn> first = query(set.getSelects().get(0), outer, visible);
          visible.put(name, Relation.derived(name, renamed(first, item.getWithItemList())));
        }
        List<OutputColumn> columns = query(body.getSelect(), outer, visible);
        visible.put(name, Relation.derived(name, renamed(columns, item.getWithItemList())));
      }
    }
    return body(select, outer, visible);
  }

  private List<OutputColumn> body(Select select, Scope outer, Map<String, Relation> ctes) {
    if (select instanceof PlainSelect plain) {
      return plain(plain, outer, ctes);
    }
    if (select instanceof SetOperationList set) {
      return setOperation(set, outer, ctes);
    }
    if (select instanceof ParenthesedSelect parenthesed) {
      return query(parenthesed.getSelect(), outer, ctes);
    }
    if (select instanceof Values values) {
      return values(values);
    }
    throw new NotDerivableException("a query of the form '" + shortText(select) + "'");
  }

  private static List<OutputColumn> values(Values values) {
    ExpressionList<?> rows = values.getExpressions();
    int width = 1;
    if (!rows.isEmpty() && rows.get(0) instanceof ExpressionList<?> first) {
      width = first.size();
    }
    List<OutputColumn> columns = new ArrayList<>();
    for (int i = 0; i < width; i++) {
      columns.add(new OutputColumn("col" + i, List.of()));
    }
    return columns;
  }

  private List<OutputColumn> setOperation(
      SetOperationList set, Scope outer, Map<String, Relation> ctes) {
    List<OutputColumn> first = null;
    List<Dependencies> merged = new ArrayList<>();
    for (Select branch : set.getSelects()) {
      List<OutputColumn> columns = query(branch, outer, ctes);
      if (first == null) {
        first = columns;
        columns.forEach(column -> merged.add(new Dependencies()));
      } else if (columns.size() != first.size()) {
        throw new NotDerivableException(
            "the branches of a set operation return "
                + first.size()
                + " and "
                + columns.size()
                + " columns");
      }
      for (int i = 0; i < columns.size(); i++) {
        merged.get(i).addAll(columns.get(i).inputs());
      }
    }
    List<OutputColumn> result = new ArrayList<>();
    for (int i = 0; i < merged.size(); i++) {
      result.add(new OutputColumn(first.get(i).name(), merged.get(i).sorted()));
    }
    return result;
  }

  private List<OutputColumn> plain(PlainSelect select, Scope outer, Map<String, Relation> ctes) {
    Scope scope = new Scope(outer);
    if (select.getFromItem() != null) {
      from(select.getFromItem(), scope, outer, ctes);
    }
    if (select.getJoins() != null) {
      for (Join join : select.getJoins()) {
        from(join.getRightItem(), scope, outer, ctes);
        scope.addJoin(join);
      }
    }
    if (select.getLateralViews() != null && !select.getLateralViews().isEmpty()) {
      throw new NotDerivableException("LATERAL VIEW is not analysed");
    }
    List<OutputColumn> output = new ArrayList<>();
    for (SelectItem<?> item : select.getSelectItems()) {
      Expression expression = item.getExpression();
      if (expression instanceof AllTableColumns tableColumns) {
        Table table = tableColumns.getTable();
        Relation relation =
            scope
                .relation(Names.unquote(table.getSchemaName()), Names.unquote(table.getName()))
                .orElseThrow(
                    () ->
                        new NotDerivableException(
                            "'" + table + ".*' names no table of the query's FROM clause"));
        star(List.of(relation), tableColumns, scope, ctes, output);
      } else if (expression instanceof AllColumns all) {
        star(scope.relations(), all, scope, ctes, output);
      } else {
        OutputColumn column =
            new OutputColumn(outputName(item), dependencies(expression, scope, ctes, null));
        output.add(column);
        scope.addAlias(column.name(), column.inputs());
      }
    }
    for (Join join : scope.joins()) {
      if (join.getOnExpressions() != null) {
        for (Expression on : join.getOnExpressions()) {
          condition(on, scope, ctes, ConditionClause.JOIN);
        }
      }
      if (join.getUsingColumns() != null) {
        for (Column using : join.getUsingColumns()) {
          String name = Names.unquote(using.getColumnName());
          for (Relation relation : scope.relations()) {
            relation
                .column(name)
                .or(() -> relation.assumedColumn(name))
                .ifPresent(found -> addConditions(found.dependencies(), ConditionClause.JOIN));
          }
        }
      }
    }
    condition(select.getWhere(), scope, ctes, ConditionClause.WHERE);
    groupBy(select.getGroupBy(), output, scope, ctes);
    condition(select.getHaving(), scope, ctes, ConditionClause.HAVING);
    condition(select.getQualify(), scope, ctes, ConditionClause.QUALIFY);
    return output;
  }

  private void groupBy(
      GroupByElement groupBy, List<OutputColumn> output, Scope scope, Map<String, Relation> ctes) {
    if (groupBy == null) {
      return;
    }
    List<Expression> expressions = new ArrayList<>();
    if (groupBy.getGroupByExpressionList() != null) {
      for (Object expression : groupBy.getGroupByExpressionList()) {
        expressions.add((Expression) expression);
      }
    }
    if (groupBy.getGroupingSets() != null) {
      groupBy.getGroupingSets().forEach(expressions::addAll);
    }
    for (Expression expression : expressions) {
      if (expression instanceof LongValue position) {
        int index = (int) position.getValue() - 1;
        if (index < 0 || index >= output.size()) {
          throw new NotDerivableException("GROUP BY " + position + " names no output column");
        }
        addConditions(output.get(index).inputs(), ConditionClause.GROUP_BY);
      } else if (isAll(expression, scope)) {
        // GROUP BY ALL groups by every output column that is not an aggregate
        for (OutputColumn column : output) {
          if (column.inputs().stream().noneMatch(d -> d.kind() == DependencyKind.AGGREGATION)) {
            addConditions(column.inputs(), ConditionClause.GROUP_BY);
          }
        }
      } else {
        condition(expression, scope, ctes, ConditionClause.GROUP_BY);
      }
    }
  }

  private static boolean isAll(Expression expression, Scope scope) {
    if (expression instanceof AllValue) {
      return true;
    }
    return expression instanceof Column column
        && column.getTable() == null
        && "all".equalsIgnoreCase(column.getColumnName())
        && scope.relations().stream().noneMatch(relation -> relation.column("all").isPresent());
  }

  private void star(
      List<Relation> relations,
      AllColumns star,
      Scope scope,
      Map<String, Relation> ctes,
      List<OutputColumn> output) {
    Set<String> excluded = new HashSet<>();
    if (star.getExceptColumns() != null) {
      star.getExceptColumns()
          .forEach(column -> excluded.add(Names.unquote(column.getColumnName())));
    }
    Map<String, SelectItem<?>> replaced = new HashMap<>();
    if (star.getReplaceExpressions() != null) {
      star.getReplaceExpressions()
          .forEach(item -> replaced.put(Names.unquote(item.getAliasName()), item));
    }
    for (Relation relation : relations) {
      if (!relation.complete() && relation.columns().isEmpty()) {
        throw new NotDerivableException(
            "'*' reads "
                + describe(relation)
                + ", whose columns are not known; declare its columns or list them in the select");
      }
      for (Relation.Column column : relation.columns()) {
        String name = column.name().toLowerCase(Locale.ROOT);
        if (excluded.contains(name)) {
          continue;
        }
        SelectItem<?> replacement = replaced.get(name);
        List<ColumnDependency> inputs =
            replacement == null
                ? column.dependencies()
                : dependencies(replacement.getExpression(), scope, ctes, null);
        output.add(new OutputColumn(column.name(), inputs));
        scope.addAlias(column.name(), inputs);
      }
    }
  }

  private static String describe(Relation relation) {
    return relation.table() != null ? relation.table().toString() : "'" + relation.name() + "'";
  }

  private void from(FromItem item, Scope scope, Scope outer, Map<String, Relation> ctes) {
    if (item.getPivot() != null || item.getUnPivot() != null) {
      throw new NotDerivableException("PIVOT and UNPIVOT are not analysed");
    }
    String alias = item.getAlias() == null ? null : Names.unquote(item.getAlias().getName());
    if (item instanceof Table table) {
      String name = Names.unquote(table.getName());
      String schema = Names.unquote(table.getSchemaName());
      String as = alias == null ? name : alias;
      if (schema == null) {
        Relation cte = ctes.get(name);
        if (cte == null) {
          throw new NotDerivableException(
              "the query reads '"
                  + name
                  + "', which is neither a CTE nor a zone.table name of the warehouse");
        }
        scope.add(cte.renamed(as));
        return;
      }
      TableName tableName;
      try {
        tableName = new TableName(schema, name);
      } catch (IllegalArgumentException e) {
        throw new NotDerivableException("the query reads '" + table + "': " + e.getMessage());
      }
      RelationSchema schemaOfTable =
          schemas.apply(tableName).orElse(new RelationSchema(List.of(), false));
      scope.add(Relation.table(as, tableName, schemaOfTable));
    } else if (item instanceof LateralSubSelect lateral) {
      List<OutputColumn> columns = query(lateral.getSelect(), scope, ctes);
      scope.add(Relation.derived(alias == null ? "lateral" : alias, aliased(columns, item)));
    } else if (item instanceof ParenthesedSelect subquery) {
      List<OutputColumn> columns = query(subquery.getSelect(), outer, ctes);
      scope.add(Relation.derived(alias == null ? "" : alias, aliased(columns, item)));
    } else if (item instanceof ParenthesedFromItem nested) {
      from(nested.getFromItem(), scope, outer, ctes);
      if (nested.getJoins() != null) {
        for (Join join : nested.getJoins()) {
          from(join.getRightItem(), scope, outer, ctes);
          scope.addJoin(join);
        }
      }
    } else if (item instanceof TableFunction function) {
      // JSqlParser names an unaliased table function (FROM range(10)) by its function only
      String name =
          function.getName() != null
              ? function.getName()
              : function.getFunction() == null ? null : function.getFunction().getName();
      scope.add(Relation.opaque(alias != null ? alias : name == null ? "" : Names.unquote(name)));
    } else {
      throw new NotDerivableException("the FROM item '" + item + "' is not analysed");
    }
  }

  /** The columns renamed by an alias's column list ({@code as t(a, b)}), if it has one. */
  private static List<OutputColumn> aliased(List<OutputColumn> columns, FromItem item) {
    Alias alias = item.getAlias();
    if (alias == null || alias.getAliasColumns() == null || alias.getAliasColumns().isEmpty()) {
      return columns;
    }
    List<OutputColumn> renamed = new ArrayList<>(columns);
    for (int i = 0; i < alias.getAliasColumns().size() && i < columns.size(); i++) {
      renamed.set(
          i,
          new OutputColumn(
              Names.withoutQuotes(alias.getAliasColumns().get(i).name), columns.get(i).inputs()));
    }
    return renamed;
  }

  /** The columns renamed by a CTE's column list ({@code with t(a, b) as ...}). */
  private static List<OutputColumn> renamed(List<OutputColumn> columns, List<SelectItem<?>> names) {
    if (names == null || names.isEmpty()) {
      return columns;
    }
    List<OutputColumn> renamed = new ArrayList<>(columns);
    for (int i = 0; i < names.size() && i < columns.size(); i++) {
      renamed.set(
          i,
          new OutputColumn(
              Names.withoutQuotes(names.get(i).getExpression().toString()),
              columns.get(i).inputs()));
    }
    return renamed;
  }

  static String outputName(SelectItem<?> item) {
    if (item.getAlias() != null) {
      return Names.withoutQuotes(item.getAlias().getName());
    }
    Expression expression = unwrap(item.getExpression());
    if (expression instanceof Column column) {
      return Names.withoutQuotes(column.getColumnName());
    }
    return item.getExpression().toString();
  }

  /** What an expression's value depends on. */
  List<ColumnDependency> dependencies(
      Expression expression, Scope scope, Map<String, Relation> ctes, ConditionClause clause) {
    boolean copy = unwrap(expression) instanceof Column;
    ExpressionWalker walker =
        new ExpressionWalker(
            this, scope, ctes, copy ? DependencyKind.DIRECT : DependencyKind.TRANSFORMATION);
    expression.accept(walker, null);
    return walker.result();
  }

  private void condition(
      Expression expression, Scope scope, Map<String, Relation> ctes, ConditionClause clause) {
    if (expression != null) {
      addConditions(dependencies(expression, scope, ctes, clause), clause);
    }
  }

  private void addConditions(List<ColumnDependency> dependencies, ConditionClause clause) {
    dependencies.forEach(
        dependency -> conditions.add(new ConditionDependency(dependency.column(), clause)));
  }

  private static Expression unwrap(Expression expression) {
    Expression current = expression;
    while (true) {
      if (current instanceof ParenthesedExpressionList<?> list && list.size() == 1) {
        current = list.get(0);
      } else {
        return current;
      }
    }
  }

  private static String shortText(Object node) {
    String text = String.valueOf(node).replaceAll("\\s+", " ");
    return text.length() > 60 ? text.substring(0, 57) + "..." : text;
  }
}
