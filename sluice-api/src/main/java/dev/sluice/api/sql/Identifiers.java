package dev.sluice.api.sql;

import static java.util.Objects.requireNonNull;

/** SQL identifiers: quoting a name for SQL text and turning a name into a plain identifier. */
public final class Identifiers {
  private Identifiers() {}

  /**
   * The identifier in double quotes, each embedded double quote doubled, e.g. {@code a"b} as {@code
   * "a""b"}. A quoted identifier may be a reserved word ({@code "select"}) and keeps its case;
   * every other character is kept as it is.
   *
   * @throws NullPointerException if the identifier is null
   */
  public static String quote(String identifier) {
    requireNonNull(identifier, "identifier is null");
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  /**
   * The name with every character other than an ASCII letter, digit or underscore replaced by an
   * underscore, e.g. {@code orders-2024.csv} as {@code orders_2024_csv}: a part of a generated name
   * (a staging table's) that needs no quoting for its characters. It is not checked against
   * reserved words; quote the name where it is used.
   *
   * @throws NullPointerException if the name is null
   */
  public static String sanitize(String name) {
    requireNonNull(name, "name is null");
    return name.replaceAll("[^A-Za-z0-9_]", "_");
  }
}
