package dev.sluice.lineage;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import net.sf.jsqlparser.JSQLParserException;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.select.Select;

/**
 * Derives the column-level lineage of a SQL query (a model's rendered SELECT) by parsing it with
 * JSqlParser (docs/adr/0006-column-lineage-with-jsqlparser.md): for every output column its input
 * columns with the kind of dependency, and the columns its filters, joins and grouping use.
 *
 * <p>Handles CTEs (recursive ones too), subqueries in FROM and in expressions (correlated or not),
 * joins with aliases and {@code using}, {@code select *} and {@code t.*} (with DuckDB's {@code
 * exclude} and {@code replace}) expanded from the schemas it is given, set operations (column by
 * position), window functions, {@code case}, casts ({@code ::}), lambdas, {@code group by all} and
 * positions, {@code qualify}. What it cannot analyse it says, never guesses: a query the parser
 * cannot read, an ambiguous column, {@code COLUMNS(...)}, {@code PIVOT}, a table that is neither a
 * CTE nor a {@code zone.table} name.
 *
 * <p>Stateless and safe to share between threads.
 */
public final class ColumnLineage {
  private ColumnLineage() {}

  /**
   * Analyses one query.
   *
   * @param sql a single SELECT (DuckDB's dialect as far as JSqlParser reads it)
   * @param schemas the columns of a warehouse table the query reads; empty for a table whose
   *     columns are not known (its columns are then taken from what the query names)
   * @return the lineage, or why it cannot be derived (the parser's message with its line, or the
   *     construct that is not analysed)
   */
  public static LineageResult analyze(
      String sql, Function<TableName, Optional<RelationSchema>> schemas) {
    requireNonNull(sql, "sql is null");
    requireNonNull(schemas, "schemas is null");
    Statement statement;
    try {
      statement = SqlParsing.parse(sql);
    } catch (JSQLParserException e) {
      return new LineageResult.NotDerivable("the SQL parser cannot read it: " + parserMessage(e));
    }
    if (!(statement instanceof Select select)) {
      return new LineageResult.NotDerivable("it is not a SELECT");
    }
    try {
      QueryAnalyzer analyzer = new QueryAnalyzer(schemas);
      List<OutputColumn> columns = analyzer.query(select, null, Map.of());
      return new LineageResult.Derived(new QueryLineage(columns, analyzer.conditions()));
    } catch (NotDerivableException e) {
      return new LineageResult.NotDerivable(e.getMessage());
    }
  }

  /** The parser's message without its list of expected tokens: what it met and where. */
  private static String parserMessage(JSQLParserException e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
    String prefix = cause.getClass().getName() + ": ";
    if (message.startsWith(prefix)) {
      message = message.substring(prefix.length());
    }
    StringBuilder text = new StringBuilder();
    for (String line : message.lines().toList()) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("Was expecting")) {
        break;
      }
      if (text.length() > 0) {
        text.append(' ');
      }
      text.append(trimmed);
    }
    int end = text.length();
    while (end > 0 && text.charAt(end - 1) == '.') {
      end--;
    }
    return text.substring(0, end);
  }
}
