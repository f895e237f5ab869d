package dev.sluice.core.query;

import dev.sluice.lineage.SqlParsing;
import net.sf.jsqlparser.JSQLParserException;
import net.sf.jsqlparser.expression.DateTimeLiteralExpression;
import net.sf.jsqlparser.expression.DoubleValue;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.expression.StringValue;
import net.sf.jsqlparser.expression.operators.conditional.AndExpression;
import net.sf.jsqlparser.expression.operators.relational.Between;
import net.sf.jsqlparser.expression.operators.relational.ComparisonOperator;
import net.sf.jsqlparser.expression.operators.relational.EqualsTo;
import net.sf.jsqlparser.expression.operators.relational.GreaterThan;
import net.sf.jsqlparser.expression.operators.relational.GreaterThanEquals;
import net.sf.jsqlparser.expression.operators.relational.IsNullExpression;
import net.sf.jsqlparser.expression.operators.relational.MinorThan;
import net.sf.jsqlparser.expression.operators.relational.MinorThanEquals;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;

/**
 * Turns the WHERE clause of a single-table query into an Iceberg filter, so that scan planning
 * skips the files whose partition values and column metrics cannot match. Only conjunctions of
 * simple comparisons between a column and a literal are used; anything else prunes nothing. The
 * engine still applies the whole WHERE clause, so pruning never changes a result.
 */
final class FilePruning {
  private FilePruning() {}

  /** The filter for the query's only table, or {@code alwaysTrue()}. */
  static Expression filterFor(String sql) {
    Statement statement;
    try {
      statement = SqlParsing.parse(sql);
    } catch (JSQLParserException | RuntimeException e) {
      return Expressions.alwaysTrue();
    }
    if (!(statement instanceof Select select)
        || !(select instanceof PlainSelect plain)
        || (select.getWithItemsList() != null && !select.getWithItemsList().isEmpty())
        || !(plain.getFromItem() instanceof net.sf.jsqlparser.schema.Table table)
        || table.getSchemaName() == null
        || (plain.getJoins() != null && !plain.getJoins().isEmpty())
        || plain.getWhere() == null) {
      return Expressions.alwaysTrue();
    }
    return convert(plain.getWhere());
  }

  private static Expression convert(net.sf.jsqlparser.expression.Expression where) {
    if (where instanceof AndExpression and) {
      return Expressions.and(convert(and.getLeftExpression()), convert(and.getRightExpression()));
    }
    if (where instanceof Between between
        && !between.isNot()
        && between.getLeftExpression() instanceof Column column) {
      Object low = literal(between.getBetweenExpressionStart());
      Object high = literal(between.getBetweenExpressionEnd());
      if (low != null && high != null) {
        return Expressions.and(
            Expressions.greaterThanOrEqual(name(column), low),
            Expressions.lessThanOrEqual(name(column), high));
      }
    }
    if (where instanceof IsNullExpression isNull
        && isNull.getLeftExpression() instanceof Column c) {
      return isNull.isNot() ? Expressions.notNull(name(c)) : Expressions.isNull(name(c));
    }
    if (where instanceof ComparisonOperator comparison) {
      return comparison(comparison);
    }
    return Expressions.alwaysTrue();
  }

  private static Expression comparison(ComparisonOperator comparison) {
    boolean columnLeft = comparison.getLeftExpression() instanceof Column;
    // a comparison of no plain column (a function of one, say) prunes nothing
    if (!(columnLeft || comparison.getRightExpression() instanceof Column)) {
      return Expressions.alwaysTrue();
    }
    Column column =
        (Column) (columnLeft ? comparison.getLeftExpression() : comparison.getRightExpression());
    Object value =
        literal(columnLeft ? comparison.getRightExpression() : comparison.getLeftExpression());
    if (value == null) {
      return Expressions.alwaysTrue();
    }
    String name = name(column);
    if (comparison instanceof EqualsTo) {
      return Expressions.equal(name, value);
    }
    // with the column on the right, the comparison is the other way round: 5 < x is x > 5
    if (comparison instanceof GreaterThan || comparison instanceof MinorThan) {
      return (comparison instanceof GreaterThan) == columnLeft
          ? Expressions.greaterThan(name, value)
          : Expressions.lessThan(name, value);
    }
    if (comparison instanceof GreaterThanEquals || comparison instanceof MinorThanEquals) {
      return (comparison instanceof GreaterThanEquals) == columnLeft
          ? Expressions.greaterThanOrEqual(name, value)
          : Expressions.lessThanOrEqual(name, value);
    }
    return Expressions.alwaysTrue();
  }

  private static String name(Column column) {
    return column.getColumnName().replace("\"", "");
  }

  private static Object literal(net.sf.jsqlparser.expression.Expression expression) {
    if (expression instanceof LongValue value) {
      return value.getValue();
    }
    if (expression instanceof DoubleValue) {
      // a fractional literal would be rounded to a decimal column's scale: do not prune on it
      return null;
    }
    if (expression instanceof StringValue value) {
      return value.getValue();
    }
    if (expression instanceof DateTimeLiteralExpression value) {
      String text = value.getValue();
      return text.length() >= 2 ? text.substring(1, text.length() - 1) : null;
    }
    return null;
  }
}
