package dev.sluice.connectors.file;

import dev.sluice.api.engine.EngineSession;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * Chooses column types for CSV text read without declared columns. A column gets the first of
 * BOOLEAN, BIGINT, DOUBLE, DATE, TIMESTAMP and TIMESTAMPTZ that every one of its values in every
 * file matches, else VARCHAR; a column without values is VARCHAR. Patterns are strict so that no
 * value changes on loading: {@code 007} or {@code 1_000} stay text, {@code 12.5} is not rounded
 * into an integer, and only {@code true}/{@code false} make a boolean.
 */
final class CsvTypeInference {
  private static final String INTEGER = "[+-]?(0|[1-9][0-9]*)";
  private static final String DECIMAL =
      "[+-]?((0|[1-9][0-9]*)(\\.[0-9]+)?|\\.[0-9]+)([eE][+-]?[0-9]+)?";
  private static final String DATE = "[0-9]{4}-[0-9]{2}-[0-9]{2}";
  private static final String TIME = "([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?)?";
  private static final String ZONE = " ?(Z|[+-][0-9]{2}(:?[0-9]{2})?)";

  /** A candidate type: how to test a value (never null) and how to convert it. */
  private record Candidate(String type, String test, String conversion) {
    String test(String value) {
      return test.replace("$v", value);
    }

    String conversion(String value) {
      return conversion.replace("$v", value);
    }
  }

  private final List<Candidate> candidates;

  CsvTypeInference(CsvOptions options) {
    List<Candidate> list = new ArrayList<>();
    list.add(new Candidate("BOOLEAN", "lower($v) IN ('true', 'false')", "CAST($v AS BOOLEAN)"));
    list.add(
        new Candidate(
            "BIGINT",
            "(regexp_full_match($v, '" + INTEGER + "') AND TRY_CAST($v AS BIGINT) IS NOT NULL)",
            "CAST($v AS BIGINT)"));
    list.add(
        new Candidate(
            "DOUBLE",
            "(regexp_full_match($v, '" + DECIMAL + "') AND TRY_CAST($v AS DOUBLE) IS NOT NULL)",
            "CAST($v AS DOUBLE)"));
    if (options.dateFormat() != null) {
      String format = Sql.literal(options.dateFormat());
      list.add(
          new Candidate(
              "DATE",
              "try_strptime($v, " + format + ") IS NOT NULL",
              "CAST(strptime($v, " + format + ") AS DATE)"));
    } else {
      list.add(
          new Candidate(
              "DATE",
              "(regexp_full_match($v, '" + DATE + "') AND TRY_CAST($v AS DATE) IS NOT NULL)",
              "CAST($v AS DATE)"));
    }
    if (options.timestampFormat() != null) {
      String format = Sql.literal(options.timestampFormat());
      list.add(
          new Candidate(
              "TIMESTAMP",
              "try_strptime($v, " + format + ") IS NOT NULL",
              "CAST(strptime($v, " + format + ") AS TIMESTAMP)"));
    } else {
      list.add(
          new Candidate(
              "TIMESTAMP",
              "(regexp_full_match($v, '"
                  + DATE
                  + TIME
                  + "') AND TRY_CAST($v AS TIMESTAMP) IS NOT NULL)",
              "CAST($v AS TIMESTAMP)"));
      list.add(
          new Candidate(
              "TIMESTAMPTZ",
              "(regexp_full_match($v, '"
                  + DATE
                  + TIME
                  + ZONE
                  + "') AND TRY_CAST($v AS TIMESTAMPTZ) IS NOT NULL)",
              "CAST($v AS TIMESTAMPTZ)"));
    }
    this.candidates = List.copyOf(list);
  }

  /**
   * A SELECT list converting each column of {@code table} to its inferred type, one expression
   * per column, aliased to the column's name.
   */
  List<String> conversions(EngineSession session, String table, List<String> columns) {
    List<String> conversions = new ArrayList<>();
    if (columns.isEmpty()) {
      return conversions;
    }
    StringJoiner tests = new StringJoiner(", ", "SELECT ", " FROM " + Sql.identifier(table));
    for (String column : columns) {
      String value = Sql.identifier(column);
      tests.add("count(" + value + ")");
      for (Candidate candidate : candidates) {
        tests.add("bool_and(" + value + " IS NULL OR " + candidate.test(value) + ")");
      }
    }
    List<Object> results = session.query(tests.toString(), 1).rows().get(0);
    int index = 0;
    for (String column : columns) {
      String value = Sql.identifier(column);
      long nonNull = ((Number) results.get(index++)).longValue();
      String conversion = value;
      for (Candidate candidate : candidates) {
        boolean matches = Boolean.TRUE.equals(results.get(index++));
        if (matches && nonNull > 0 && conversion.equals(value)) {
          conversion = candidate.conversion(value);
        }
      }
      conversions.add(conversion + " AS " + value);
    }
    return conversions;
  }
}
