package dev.sluice.connectors.file;

import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.sql.Identifiers;
import dev.sluice.api.sql.SqlLiterals;
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
    /** Values that DuckDB casts to {@code type} and that match the regular expression fully. */
    static Candidate matching(String type, String pattern) {
      return new Candidate(
          type,
          "(TRY_CAST($v AS " + type + ") IS NOT NULL AND regexp_full_match($v, '" + pattern + "'))",
          "CAST($v AS " + type + ")");
    }

    /** Values that parse with the strptime {@code format}, converted to {@code type}. */
    static Candidate formatted(String type, String format) {
      String literal = SqlLiterals.literal(format);
      return new Candidate(
          type,
          "try_strptime($v, " + literal + ") IS NOT NULL",
          "CAST(strptime($v, " + literal + ") AS " + type + ")");
    }

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
    list.add(Candidate.matching("BIGINT", INTEGER));
    list.add(Candidate.matching("DOUBLE", DECIMAL));
    if (options.dateFormat() != null) {
      list.add(Candidate.formatted("DATE", options.dateFormat()));
    } else {
      list.add(Candidate.matching("DATE", DATE));
    }
    if (options.timestampFormat() != null) {
      list.add(Candidate.formatted("TIMESTAMP", options.timestampFormat()));
    } else {
      list.add(Candidate.matching("TIMESTAMP", DATE + TIME));
      list.add(Candidate.matching("TIMESTAMPTZ", DATE + TIME + ZONE));
    }
    this.candidates = List.copyOf(list);
  }

  /**
   * A SELECT list converting each column of {@code table} to its inferred type, one expression per
   * column, aliased to the column's name. Each candidate is tested by looking for one value that
   * does not match it, so a wrong candidate usually costs a few rows, and only the chosen one reads
   * the whole column.
   */
  List<String> conversions(EngineSession session, String table, List<String> columns) {
    List<String> conversions = new ArrayList<>();
    if (columns.isEmpty()) {
      return conversions;
    }
    StringJoiner counts = new StringJoiner(", ", "SELECT ", " FROM " + Identifiers.quote(table));
    columns.forEach(column -> counts.add("count(" + Identifiers.quote(column) + ")"));
    List<Object> nonNull = session.query(counts.toString(), 1).rows().get(0);
    for (int i = 0; i < columns.size(); i++) {
      String value = Identifiers.quote(columns.get(i));
      String conversion = value;
      if (((Number) nonNull.get(i)).longValue() > 0) {
        for (Candidate candidate : candidates) {
          if (allMatch(session, table, value, candidate)) {
            conversion = candidate.conversion(value);
            break;
          }
        }
      }
      conversions.add(conversion + " AS " + value);
    }
    return conversions;
  }

  private static boolean allMatch(
      EngineSession session, String table, String value, Candidate candidate) {
    return session
        .query(
            "SELECT 1 FROM "
                + Identifiers.quote(table)
                + " WHERE "
                + value
                + " IS NOT NULL AND NOT ("
                + candidate.test(value)
                + ") LIMIT 1",
            1)
        .rows()
        .isEmpty();
  }
}
