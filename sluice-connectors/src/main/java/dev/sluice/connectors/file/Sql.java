package dev.sluice.connectors.file;

import dev.sluice.api.sql.SqlLiterals;
import java.util.List;
import java.util.StringJoiner;

/** Small helpers to write DuckDB SQL text. */
final class Sql {
  private Sql() {}

  /** A DuckDB list literal of strings, e.g. {@code ['a', 'b']}. */
  static String stringList(List<String> values) {
    StringJoiner list = new StringJoiner(", ", "[", "]");
    values.forEach(value -> list.add(SqlLiterals.literal(value)));
    return list.toString();
  }

  /** The first line of an engine error message, without DuckDB's "LINE 1: ..." context. */
  static String firstLine(String message) {
    if (message == null) {
      return "unknown error";
    }
    String trimmed = message.strip();
    int newline = trimmed.indexOf('\n');
    return shortened(newline < 0 ? trimmed : trimmed.substring(0, newline).strip(), 1000);
  }

  /**
   * A text from a file (a column name, a header) shortened for a message: a file's values can be
   * megabytes long, and messages are shown and kept in the run history.
   */
  static String shortened(String text, int maxCharacters) {
    return text.length() <= maxCharacters
        ? text
        : text.substring(0, maxCharacters) + "... (" + text.length() + " characters)";
  }
}
