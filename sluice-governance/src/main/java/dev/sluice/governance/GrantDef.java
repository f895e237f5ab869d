package dev.sluice.governance;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import java.util.List;
import java.util.Set;

/**
 * A grant of privileges to a role on the tables a pattern covers, optionally only on some columns
 * ({@code columns} empty: every column).
 */
public record GrantDef(
    String role,
    Set<Privilege> privileges,
    TablePattern on,
    List<String> columns,
    Location location) {
  public GrantDef {
    requireNonNull(role, "role is null");
    privileges = Set.copyOf(privileges);
    requireNonNull(on, "on is null");
    columns = List.copyOf(columns);
    requireNonNull(location, "location is null");
  }

  /** Whether the grant allows {@code privilege}. */
  public boolean allows(Privilege privilege) {
    return privileges.stream().anyMatch(held -> held.implies(privilege));
  }

  /** "read on published.* (columns id, country)" */
  public String describe() {
    StringBuilder text = new StringBuilder();
    text.append(String.join(", ", privileges.stream().sorted().map(Privilege::label).toList()));
    text.append(" on ").append(on);
    if (!columns.isEmpty()) {
      text.append(" (columns ").append(String.join(", ", columns)).append(')');
    }
    return text.toString();
  }
}
