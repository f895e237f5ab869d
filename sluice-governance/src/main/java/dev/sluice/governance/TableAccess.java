package dev.sluice.governance;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import java.util.List;
import java.util.Map;

/**
 * What one principal may read of one table, and why: the grants that allow it, the columns it sees,
 * the mask of each masked column, the row filters that hold, and the rules that do not apply to it
 * (with the reason). Built by {@link AccessPolicy#access}.
 *
 * @param readable whether the principal may read the table at all
 * @param grants the grants that allow reading it
 * @param columns the columns the principal sees, in the table's order
 * @param deniedColumns the table's columns no grant of the principal covers
 * @param masks the mask applied to each masked column, by column
 * @param roleFilters the role filters that hold (the principal reads rows any of them allows);
 *     empty when no role filter applies
 * @param mandatoryFilters the filters that hold for everyone but the exempt roles
 * @param notes why other rules do not apply, e.g. "mask email_domain (policies.yaml:20) not
 *     applied: role admin is exempt"
 */
public record TableAccess(
    TableName table,
    Principal principal,
    boolean readable,
    List<GrantDef> grants,
    List<String> columns,
    List<String> deniedColumns,
    Map<String, MaskDef> masks,
    List<RowFilterDef> roleFilters,
    List<RowFilterDef> mandatoryFilters,
    List<String> notes) {
  public TableAccess {
    requireNonNull(table, "table is null");
    requireNonNull(principal, "principal is null");
    grants = List.copyOf(grants);
    columns = List.copyOf(columns);
    deniedColumns = List.copyOf(deniedColumns);
    masks = Map.copyOf(masks);
    roleFilters = List.copyOf(roleFilters);
    mandatoryFilters = List.copyOf(mandatoryFilters);
    notes = List.copyOf(notes);
  }

  /**
   * That the principal may not read the table at all.
   *
   * @param columns the table's columns, all of them denied
   * @param notes why
   */
  static TableAccess denied(
      TableName table, Principal principal, List<String> columns, List<String> notes) {
    return new TableAccess(
        table, principal, false, List.of(), List.of(), columns, Map.of(), List.of(), List.of(),
        notes);
  }

  /** Whether the principal reads the table as stored: every column, unmasked, every row. */
  public boolean unrestricted() {
    return readable
        && deniedColumns.isEmpty()
        && masks.isEmpty()
        && roleFilters.isEmpty()
        && mandatoryFilters.isEmpty();
  }

  /** Whether some rows are filtered out. */
  public boolean filtered() {
    return !roleFilters.isEmpty() || !mandatoryFilters.isEmpty();
  }

  /**
   * The combined predicate: the role filters OR-ed, AND-ed with every mandatory filter; {@code
   * principal.NAME} is left for the reader to bind (see {@link PrincipalAttributes}).
   */
  public String predicate() {
    StringBuilder sql = new StringBuilder();
    if (!roleFilters.isEmpty()) {
      sql.append('(');
      for (int i = 0; i < roleFilters.size(); i++) {
        sql.append(i == 0 ? "" : " OR ").append('(').append(roleFilters.get(i).where()).append(')');
      }
      sql.append(')');
    }
    for (RowFilterDef filter : mandatoryFilters) {
      sql.append(sql.length() == 0 ? "" : " AND ").append('(').append(filter.where()).append(')');
    }
    return sql.length() == 0 ? "TRUE" : sql.toString();
  }
}
