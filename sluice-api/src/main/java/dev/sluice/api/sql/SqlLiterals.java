package dev.sluice.api.sql;

import static java.util.Objects.requireNonNull;

/** SQL string literals: the one place Sluice writes a value into SQL text as a string. */
public final class SqlLiterals {
  private SqlLiterals() {}

  /**
   * The value as a standard SQL string literal in single quotes, each embedded single quote
   * doubled, e.g. {@code it's} as {@code 'it''s'}. Every other character, a backslash or a NUL
   * included, is kept as it is: standard SQL (DuckDB, PostgreSQL with {@code
   * standard_conforming_strings}) gives a backslash no meaning inside such a literal.
   *
   * @throws NullPointerException if the value is null (write {@code NULL} instead)
   */
  public static String literal(String value) {
    requireNonNull(value, "value is null");
    return "'" + value.replace("'", "''") + "'";
  }
}
