package dev.sluice.governance;

import dev.sluice.api.sql.Identifiers;
import java.util.Map;
import java.util.TreeMap;

/**
 * Binds a principal's attributes for row filters. A filter reads them as {@code principal.NAME}:
 * the read path joins the stored table with a one-row relation whose only column, {@code
 * principal}, is a struct of the attributes (and {@code name}), each value a string literal of the
 * engine's dialect ({@code EngineSession.structExpression}), so an attribute's value is data, never
 * SQL, whatever it contains.
 */
public final class PrincipalAttributes {
  /** The name a filter reads the attributes under. */
  public static final String ALIAS = "principal";

  private PrincipalAttributes() {}

  /**
   * The principal's attributes and its {@code name}, by name, for the engine's struct expression
   * ({@code EngineSession.structExpression}), which writes each value as a literal.
   */
  public static Map<String, String> values(Principal principal) {
    Map<String, String> values = new TreeMap<>(principal.attributes());
    values.putIfAbsent("name", principal.name());
    return values;
  }

  /**
   * A row filter's {@code where} applied to the rows of {@code select} (a query ending with its
   * {@code FROM}): the one-row relation of the principal's attributes joined, as {@value #ALIAS}.
   *
   * @param attributes the engine's struct expression of {@link #values}
   */
  public static String filtered(String select, String attributes, String where) {
    return select
        + ", (SELECT "
        + attributes
        + " AS "
        + Identifiers.quote(ALIAS)
        + ") AS "
        + Identifiers.quote("__sluice_principal")
        + " WHERE "
        + where;
  }
}
