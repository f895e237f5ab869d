package dev.sluice.governance;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import java.util.List;
import java.util.Map;

/**
 * A user or a group declared in policies.yaml: the roles it holds directly, the groups a user
 * belongs to, and its attributes (e.g. {@code region: EU}) that row filters read as {@code
 * principal.region}.
 */
public record PrincipalDef(
    String name,
    Kind kind,
    List<String> roles,
    List<String> groups,
    Map<String, String> attributes,
    Location location) {

  /** A person or a service account ({@code users:}), or a set of users ({@code groups:}). */
  public enum Kind {
    USER,
    GROUP
  }

  public PrincipalDef {
    requireNonNull(name, "name is null");
    requireNonNull(kind, "kind is null");
    roles = List.copyOf(roles);
    groups = List.copyOf(groups);
    attributes = Map.copyOf(attributes);
    requireNonNull(location, "location is null");
  }
}
