package dev.sluice.core.project;

import dev.sluice.api.engine.QueryResult;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The rows of a query as dbt's templates see them ({@code run_query(...)}, {@code
 * load_result(...).table}, an agate table in dbt): {@code columns} (each with {@code name} and
 * {@code values()}), {@code column_names}, {@code column_types} and {@code rows} (each indexable by
 * position).
 */
public final class DbtAgateTable {
  private final List<String> columnNames;
  private final List<String> columnTypes;
  private final List<Row> rows;

  DbtAgateTable(QueryResult result) {
    this.columnNames = List.copyOf(result.columns());
    this.columnTypes = List.copyOf(result.types());
    List<Row> all = new ArrayList<>();
    for (List<Object> values : result.rows()) {
      List<Object> python = new ArrayList<>(values.size());
      values.forEach(value -> python.add(pythonValue(value)));
      all.add(new Row(columnNames, python));
    }
    this.rows = List.copyOf(all);
  }

  /**
   * A value as agate gives it to dbt's templates: a date is Python's {@code date}, a timestamp
   * Python's {@code datetime} ({@link DbtModules}), with {@code strftime()}, {@code isoformat()}
   * and Python's text ({@code 2021-10-19 00:00:00}), as dbt_expectations' tests read them.
   */
  static Object pythonValue(Object value) {
    if (value instanceof java.sql.Date date) {
      return new DbtModules.Date(date.toLocalDate());
    }
    if (value instanceof java.sql.Timestamp timestamp) {
      return new DbtModules.DateTime(timestamp.toLocalDateTime(), false);
    }
    if (value instanceof java.time.LocalDate date) {
      return new DbtModules.Date(date);
    }
    if (value instanceof java.time.LocalDateTime dateTime) {
      return new DbtModules.DateTime(dateTime, false);
    }
    if (value instanceof java.time.OffsetDateTime dateTime) {
      return new DbtModules.DateTime(
          dateTime.withOffsetSameInstant(java.time.ZoneOffset.UTC).toLocalDateTime(), true);
    }
    return value;
  }

  public List<String> getColumnNames() {
    return columnNames;
  }

  /** The engine's names of the columns' types ({@code VARCHAR}, {@code BIGINT}, ...). */
  public List<String> getColumnTypes() {
    return columnTypes;
  }

  public List<Row> getRows() {
    return rows;
  }

  public List<Column> getColumns() {
    List<Column> columns = new ArrayList<>();
    for (int i = 0; i < columnNames.size(); i++) {
      columns.add(new Column(columnNames.get(i), i, rows));
    }
    return columns;
  }

  /** The rows as dbt's {@code load_result(...)['data']} gives them: lists of values. */
  List<List<Object>> data() {
    List<List<Object>> data = new ArrayList<>();
    rows.forEach(row -> data.add(new ArrayList<>(row)));
    return data;
  }

  /**
   * The result as dbt's {@code load_result(name)} gives it: {@code response}, {@code data}, {@code
   * table}.
   */
  Map<String, Object> asResult() {
    Map<String, Object> result = new java.util.LinkedHashMap<>();
    result.put("response", "OK " + rows.size());
    result.put("data", data());
    result.put("table", this);
    return result;
  }

  @Override
  public String toString() {
    return "<agate.Table " + columnNames + ", " + rows.size() + " rows>";
  }

  /** One row: its values by position ({@code row[0]}), and {@code row.get('name')} by column. */
  public static final class Row extends AbstractList<Object> {
    private final List<String> names;
    private final List<Object> values;

    Row(List<String> names, List<Object> values) {
      this.names = names;
      this.values = java.util.Collections.unmodifiableList(new ArrayList<>(values));
    }

    @Override
    public Object get(int index) {
      return values.get(index);
    }

    /** The value of a column by its name, or none. */
    public Object get(String name) {
      int index = names.indexOf(name);
      return index < 0 ? null : values.get(index);
    }

    @Override
    public int size() {
      return values.size();
    }

    @Override
    public boolean equals(Object other) {
      return super.equals(other);
    }

    @Override
    public int hashCode() {
      return super.hashCode();
    }
  }

  /** One column: {@code name}, {@code values()}, {@code values_distinct()}. */
  public static final class Column {
    private final String name;
    private final int index;
    private final List<Row> rows;

    Column(String name, int index, List<Row> rows) {
      this.name = name;
      this.index = index;
      this.rows = rows;
    }

    public String getName() {
      return name;
    }

    public List<Object> values() {
      List<Object> values = new ArrayList<>();
      rows.forEach(row -> values.add(row.get(index)));
      return values;
    }

    public List<Object> valuesDistinct() {
      return new ArrayList<>(new LinkedHashSet<>(values()));
    }

    @Override
    public String toString() {
      return "<agate.Column name='" + name + "'>";
    }
  }
}
