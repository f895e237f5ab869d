package dev.sluice.governance;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import dev.sluice.api.TableName;
import java.util.List;

/**
 * A row filter on a table: a SQL predicate over the table's columns that may read the principal's
 * attributes as {@code principal.NAME}. A filter with roles limits what those roles read (a
 * principal holding several such roles reads the rows any of them allows); a filter without roles
 * is mandatory: it holds for everyone but the exempt roles, on top of the role filters.
 */
public record RowFilterDef(
    TableName table, List<String> roles, String where, List<String> exempt, Location location) {
  public RowFilterDef {
    requireNonNull(table, "table is null");
    roles = List.copyOf(roles);
    requireNonNull(where, "where is null");
    exempt = List.copyOf(exempt);
    requireNonNull(location, "location is null");
  }

  /** Whether the filter holds for everyone (but the exempt roles) rather than for some roles. */
  public boolean mandatory() {
    return roles.isEmpty();
  }
}
