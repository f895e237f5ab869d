package dev.sluice.lineage;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import net.sf.jsqlparser.JSQLParserException;
import net.sf.jsqlparser.expression.AllValue;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.GroupByElement;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SelectItem;

/**
 * How two versions of a query differ, column by column: the output columns whose expression
 * changed, those added and removed from the select list, and whether anything else changed (the
 * FROM, WHERE, joins, grouping, a CTE, a {@code *}), which may change every row. Both versions are
 * parsed with JSqlParser and compared as the parser prints them back, so whitespace, comments and
 * line breaks are no change; a change of letter case is.
 *
 * @param modified output columns (lower case) in both versions whose expression differs
 * @param added output columns named in the new select list only
 * @param removed output columns named in the old select list only
 * @param rowsChanged whether a part of the query other than the named output columns changed: then
 *     every column may hold other values, or other rows
 * @param reason what changed outside the select list, or why the versions could not be compared
 *     column by column; null when {@code rowsChanged} is false
 */
public record QueryChange(
    Set<String> modified,
    Set<String> added,
    Set<String> removed,
    boolean rowsChanged,
    String reason) {
  public QueryChange {
    modified = Set.copyOf(new TreeSet<>(modified));
    added = Set.copyOf(new TreeSet<>(added));
    removed = Set.copyOf(new TreeSet<>(removed));
  }

  /** Whether the two versions are the same query. */
  public boolean unchanged() {
    return modified.isEmpty() && added.isEmpty() && removed.isEmpty() && !rowsChanged;
  }

  /**
   * Compares two versions of a query.
   *
   * @param before the SQL the table was built from
   * @param after the SQL it would be built from now
   */
  public static QueryChange between(String before, String after) {
    requireNonNull(before, "before is null");
    requireNonNull(after, "after is null");
    Statement old;
    Statement current;
    try {
      old = SqlParsing.parse(before);
      current = SqlParsing.parse(after);
    } catch (JSQLParserException e) {
      return everything(
          before.strip().equals(after.strip()),
          "the SQL parser cannot read one of the versions, so every column counts as changed");
    }
    if (!(old instanceof PlainSelect oldSelect) || !(current instanceof PlainSelect newSelect)) {
      boolean same = old.toString().equals(current.toString());
      return everything(
          same,
          old instanceof Select && current instanceof Select
              ? "the query is not one SELECT (a set operation), so every column counts as changed"
              : "it is not a SELECT");
    }
    Map<String, String> oldColumns = namedColumns(oldSelect);
    Map<String, String> newColumns = namedColumns(newSelect);
    Set<String> modified = new TreeSet<>();
    Set<String> added = new TreeSet<>();
    Set<String> removed = new TreeSet<>();
    for (Map.Entry<String, String> column : newColumns.entrySet()) {
      String previous = oldColumns.get(column.getKey());
      if (previous == null) {
        added.add(column.getKey());
      } else if (!previous.equals(column.getValue())) {
        modified.add(column.getKey());
      }
    }
    for (String column : oldColumns.keySet()) {
      if (!newColumns.containsKey(column)) {
        removed.add(column);
      }
    }
    boolean listChanged = !modified.isEmpty() || !added.isEmpty() || !removed.isEmpty();
    boolean listDecidesRows =
        listChanged && (decidedBySelectList(oldSelect) || decidedBySelectList(newSelect));
    String oldRest = rest(oldSelect);
    String newRest = rest(newSelect);
    boolean rowsChanged = !oldRest.equals(newRest) || listDecidesRows;
    String reason = null;
    if (!oldRest.equals(newRest)) {
      reason =
          "the query changed outside its select list (FROM, joins, WHERE, GROUP BY, a CTE or"
              + " a *), which may change every row";
    } else if (listDecidesRows) {
      reason =
          "its rows depend on the select list (DISTINCT, GROUP BY ALL or by position), which"
              + " changed";
    }
    return new QueryChange(modified, added, removed, rowsChanged, reason);
  }

  /** Whether the select list decides which rows there are: DISTINCT, GROUP BY ALL or positions. */
  private static boolean decidedBySelectList(PlainSelect select) {
    if (select.getDistinct() != null) {
      return true;
    }
    GroupByElement groupBy = select.getGroupBy();
    if (groupBy == null || groupBy.getGroupByExpressionList() == null) {
      return false;
    }
    for (Object expression : groupBy.getGroupByExpressionList()) {
      if (expression instanceof LongValue
          || expression instanceof AllValue
          || (expression instanceof Column column
              && column.getTable() == null
              && "all".equalsIgnoreCase(column.getColumnName()))) {
        return true;
      }
    }
    return false;
  }

  private static QueryChange everything(boolean same, String reason) {
    return same
        ? new QueryChange(Set.of(), Set.of(), Set.of(), false, null)
        : new QueryChange(Set.of(), Set.of(), Set.of(), true, reason);
  }

  /** The named output columns of the outer select list (lower case) with their expressions. */
  private static Map<String, String> namedColumns(PlainSelect select) {
    Map<String, String> columns = new LinkedHashMap<>();
    for (SelectItem<?> item : select.getSelectItems()) {
      if (item.getExpression() instanceof AllColumns) {
        continue;
      }
      columns.put(
          QueryAnalyzer.outputName(item).toLowerCase(Locale.ROOT), item.getExpression().toString());
    }
    return columns;
  }

  /**
   * The query printed without its named output columns: what decides its rows (and its {@code *}
   * columns). The select list is replaced by its {@code *} items, or a constant when it has none.
   * Mutates the parsed statement, which is not used again.
   */
  private static String rest(PlainSelect select) {
    List<SelectItem<?>> stars = new ArrayList<>();
    for (SelectItem<?> item : select.getSelectItems()) {
      if (item.getExpression() instanceof AllColumns) {
        stars.add(item);
      }
    }
    if (stars.isEmpty()) {
      stars.add(new SelectItem<>(new LongValue(1)));
    }
    select.setSelectItems(stars);
    return select.toString();
  }
}
