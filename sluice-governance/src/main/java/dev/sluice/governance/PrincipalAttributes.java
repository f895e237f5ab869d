package dev.sluice.governance;

import static dev.sluice.api.sql.SqlLiterals.literal;

import dev.sluice.api.sql.Identifiers;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * Binds a principal's attributes for row filters. A filter reads them as {@code principal.NAME}:
 * the read path joins the stored table with a one-row relation whose only column, {@code
 * principal}, is a struct of the attributes (and {@code name}), each value a quoted SQL literal
 * ({@link dev.sluice.api.sql.SqlLiterals}), so an attribute's value is data, never SQL, whatever it
 * contains.
 */
public final class PrincipalAttributes {
  /** The name a filter reads the attributes under. */
  public static final String ALIAS = "principal";

  private PrincipalAttributes() {}

  /** {@code {'name': 'ana', 'region': 'EU'}}. */
  public static String struct(Principal principal) {
    Map<String, String> values = new TreeMap<>(principal.attributes());
    values.putIfAbsent("name", principal.name());
    StringJoiner struct = new StringJoiner(", ", "{", "}");
    values.forEach((name, value) -> struct.add(literal(name) + ": " + literal(value)));
    return struct.toString();
  }

  /**
   * A row filter's {@code where} applied to the rows of {@code select} (a query ending with its
   * {@code FROM}): the one-row relation of the principal's attributes joined, as {@value #ALIAS}.
   */
  public static String filtered(String select, Principal principal, String where) {
    return select
        + ", (SELECT "
        + struct(principal)
        + " AS "
        + Identifiers.quote(ALIAS)
        + ") AS "
        + Identifiers.quote("__sluice_principal")
        + " WHERE "
        + where;
  }
}
