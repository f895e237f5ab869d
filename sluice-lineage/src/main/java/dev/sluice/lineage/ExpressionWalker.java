package dev.sluice.lineage;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.sf.jsqlparser.expression.AnalyticExpression;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.ExpressionVisitorAdapter;
import net.sf.jsqlparser.expression.LambdaExpression;
import net.sf.jsqlparser.expression.WindowDefinition;
import net.sf.jsqlparser.expression.operators.relational.ExpressionList;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.OrderByElement;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.Select;

/**
 * Collects the input columns of one expression with the kind of each dependency: the walk starts as
 * a direct copy (a bare column) or a transformation, and turns into an aggregation under an
 * aggregate or window function.
 */
final class ExpressionWalker extends ExpressionVisitorAdapter<Void> {
  /** Aggregates and window functions whose result is one of the input values, or holds them. */
  static final Set<String> CARRYING =
      Set.of(
          "min",
          "max",
          "first",
          "last",
          "any_value",
          "arbitrary",
          "string_agg",
          "group_concat",
          "listagg",
          "list",
          "array_agg",
          "mode",
          "histogram",
          "first_value",
          "last_value",
          "nth_value",
          "lag",
          "lead",
          "arg_min",
          "arg_max",
          "argmin",
          "argmax",
          "min_by",
          "max_by");

  /** Of these, only the first argument is carried: {@code arg_max(method, amount)}. */
  private static final Set<String> CARRYING_FIRST_ARGUMENT =
      Set.of("arg_min", "arg_max", "argmin", "argmax", "min_by", "max_by");

  /** Aggregates and window functions whose result is a new value computed from the inputs. */
  static final Set<String> COMPUTING =
      Set.of(
          "count",
          "count_star",
          "sum",
          "avg",
          "mean",
          "median",
          "quantile",
          "quantile_cont",
          "quantile_disc",
          "percentile_cont",
          "percentile_disc",
          "approx_quantile",
          "approx_count_distinct",
          "count_if",
          "countif",
          "bool_and",
          "bool_or",
          "bit_and",
          "bit_or",
          "bit_xor",
          "product",
          "stddev",
          "stddev_pop",
          "stddev_samp",
          "variance",
          "var_pop",
          "var_samp",
          "corr",
          "covar_pop",
          "covar_samp",
          "entropy",
          "kurtosis",
          "skewness",
          "mad",
          "fsum",
          "favg",
          "sumkahan",
          "kahan_sum",
          "row_number",
          "rank",
          "dense_rank",
          "percent_rank",
          "cume_dist",
          "ntile",
          "regr_slope",
          "regr_intercept",
          "regr_count",
          "regr_r2");

  /** Bare names that are functions, not columns. */
  private static final Set<String> KEYWORDS =
      Set.of(
          "current_date",
          "current_time",
          "current_timestamp",
          "localtime",
          "localtimestamp",
          "current_user",
          "current_role",
          "current_schema",
          "true",
          "false",
          "null");

  private final QueryAnalyzer analyzer;
  private final Scope scope;
  private final Map<String, Relation> ctes;
  private final Dependencies result = new Dependencies();
  private final Set<String> lambdaParameters = new HashSet<>();
  private DependencyKind kind;
  private boolean carries = true;

  ExpressionWalker(
      QueryAnalyzer analyzer, Scope scope, Map<String, Relation> ctes, DependencyKind kind) {
    this.analyzer = analyzer;
    this.scope = scope;
    this.ctes = ctes;
    this.kind = kind;
  }

  List<ColumnDependency> result() {
    return result.sorted();
  }

  @Override
  public <S> Void visit(Column column, S context) {
    String name = Names.unquote(column.getColumnName());
    Table table = column.getTable();
    String qualifier = table == null ? null : Names.unquote(table.getName());
    if (qualifier == null) {
      if (lambdaParameters.contains(name)) {
        return null;
      }
      Optional<List<ColumnDependency>> found = scope.resolve(name);
      if (found.isEmpty()) {
        if (KEYWORDS.contains(name)) {
          return null;
        }
        throw new NotDerivableException(
            "column '" + name + "' is not a column of any table the query reads");
      }
      add(found.get());
      return null;
    }
    Optional<Relation> relation = scope.relation(Names.unquote(table.getSchemaName()), qualifier);
    if (relation.isPresent()) {
      Relation.Column found =
          relation
              .get()
              .column(name)
              .or(() -> relation.get().assumedColumn(name))
              .orElseThrow(
                  () ->
                      new NotDerivableException(
                          "column '"
                              + qualifier
                              + "."
                              + name
                              + "': "
                              + qualifier
                              + " has no column "
                              + name));
      add(found.dependencies());
      return null;
    }
    if (table.getSchemaName() == null && !lambdaParameters.contains(qualifier)) {
      // not a relation: a field of a struct column (address.city)
      Optional<List<ColumnDependency>> struct = scope.resolve(qualifier);
      if (struct.isPresent()) {
        withKind(
            kind == DependencyKind.DIRECT ? DependencyKind.TRANSFORMATION : kind,
            carries,
            () -> add(struct.get()));
        return null;
      }
    }
    if (lambdaParameters.contains(qualifier)) {
      return null;
    }
    if (table.getSchemaName() != null) {
      // a field of a struct column of a relation (c.address.city)
      Optional<Relation> owner = scope.relation(null, Names.unquote(table.getSchemaName()));
      Optional<Relation.Column> struct =
          owner.flatMap(r -> r.column(qualifier).or(() -> r.assumedColumn(qualifier)));
      if (struct.isPresent()) {
        withKind(
            kind == DependencyKind.DIRECT ? DependencyKind.TRANSFORMATION : kind,
            carries,
            () -> add(struct.get().dependencies()));
        return null;
      }
    }
    throw new NotDerivableException("'" + column + "' names no table or column the query reads");
  }

  @Override
  public <S> Void visit(net.sf.jsqlparser.expression.Function function, S context) {
    String name = Names.unquote(function.getName());
    if ("columns".equals(name) || "unpack".equals(name)) {
      throw new NotDerivableException(
          "COLUMNS(...) expressions are not analysed; list the columns instead");
    }
    boolean aggregate = CARRYING.contains(name) || COMPUTING.contains(name);
    DependencyKind inner = aggregate ? DependencyKind.AGGREGATION : kind;
    boolean innerCarries = carries && (!aggregate || CARRYING.contains(name));
    ExpressionList<?> parameters = function.getParameters();
    if (parameters != null) {
      for (int i = 0; i < parameters.size(); i++) {
        boolean carried = innerCarries && !(i > 0 && CARRYING_FIRST_ARGUMENT.contains(name));
        Expression parameter = (Expression) parameters.get(i);
        withKind(inner, carried, () -> parameter.accept(this, context));
      }
    }
    if (function.getNamedParameters() != null) {
      withKind(inner, innerCarries, () -> function.getNamedParameters().accept(this, context));
    }
    orderBy(function.getOrderByElements(), aggregate ? DependencyKind.AGGREGATION : inner, context);
    return null;
  }

  @Override
  public <S> Void visit(AnalyticExpression analytic, S context) {
    String name = Names.unquote(analytic.getName());
    boolean valueCarried = carries && CARRYING.contains(name);
    Expression argument = analytic.getExpression();
    if (argument instanceof ExpressionList<?> list) {
      for (int i = 0; i < list.size(); i++) {
        boolean carried = valueCarried && !(i > 0 && CARRYING_FIRST_ARGUMENT.contains(name));
        Expression parameter = (Expression) list.get(i);
        withKind(DependencyKind.AGGREGATION, carried, () -> parameter.accept(this, context));
      }
    } else if (argument != null) {
      withKind(DependencyKind.AGGREGATION, valueCarried, () -> argument.accept(this, context));
    }
    if (analytic.getDefaultValue() != null) {
      withKind(
          DependencyKind.AGGREGATION,
          valueCarried,
          () -> analytic.getDefaultValue().accept(this, context));
    }
    withKind(
        DependencyKind.AGGREGATION,
        false,
        () -> {
          if (analytic.getOffset() != null) {
            analytic.getOffset().accept(this, context);
          }
          if (analytic.getFilterExpression() != null) {
            analytic.getFilterExpression().accept(this, context);
          }
          if (analytic.getPartitionExpressionList() != null) {
            analytic.getPartitionExpressionList().accept(this, context);
          }
        });
    orderBy(analytic.getOrderByElements(), DependencyKind.AGGREGATION, context);
    orderBy(analytic.getFuncOrderBy(), DependencyKind.AGGREGATION, context);
    WindowDefinition window = analytic.getWindowDefinition();
    if (window != null) {
      withKind(
          DependencyKind.AGGREGATION,
          false,
          () -> {
            ExpressionList<?> partitions = window.getPartitionExpressionList();
            if (partitions != null) {
              partitions.accept(this, context);
            }
          });
      orderBy(window.getOrderByElements(), DependencyKind.AGGREGATION, context);
    }
    if (analytic.getWindowName() != null && window == null) {
      throw new NotDerivableException(
          "the named window '" + analytic.getWindowName() + "' is not analysed; write it inline");
    }
    return null;
  }

  private <S> void orderBy(List<OrderByElement> elements, DependencyKind orderKind, S context) {
    if (elements == null) {
      return;
    }
    withKind(
        orderKind,
        false,
        () -> elements.forEach(element -> element.getExpression().accept(this, context)));
  }

  @Override
  public <S> Void visit(ParenthesedSelect subquery, S context) {
    return subquery(subquery.getSelect());
  }

  @Override
  public <S> Void visit(Select select, S context) {
    return subquery(
        select instanceof ParenthesedSelect parenthesed ? parenthesed.getSelect() : select);
  }

  private Void subquery(Select select) {
    List<OutputColumn> columns = analyzer.query(select, scope, ctes);
    DependencyKind outer = kind == DependencyKind.DIRECT ? DependencyKind.TRANSFORMATION : kind;
    for (OutputColumn column : columns) {
      for (ColumnDependency dependency : column.inputs()) {
        result.add(dependency.through(outer, carries));
      }
    }
    return null;
  }

  @Override
  public <S> Void visit(LambdaExpression lambda, S context) {
    List<String> names =
        lambda.getIdentifiers().stream().map(n -> n.toLowerCase(Locale.ROOT)).toList();
    Set<String> added = new HashSet<>();
    for (String name : names) {
      if (lambdaParameters.add(name)) {
        added.add(name);
      }
    }
    lambda.getExpression().accept(this, context);
    lambdaParameters.removeAll(added);
    return null;
  }

  @Override
  public <S> Void visit(AllColumns allColumns, S context) {
    // count(*): depends on no column
    return null;
  }

  private void add(List<ColumnDependency> dependencies) {
    for (ColumnDependency dependency : dependencies) {
      result.add(dependency.through(kind, carries));
    }
  }

  private void withKind(DependencyKind newKind, boolean newCarries, Runnable walk) {
    DependencyKind previousKind = kind;
    boolean previousCarries = carries;
    kind = newKind;
    carries = newCarries;
    try {
      walk.run();
    } finally {
      kind = previousKind;
      carries = previousCarries;
    }
  }
}
