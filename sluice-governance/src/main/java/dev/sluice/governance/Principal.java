package dev.sluice.governance;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Set;

/**
 * Who reads: a resolved principal with every role it holds (directly, through its groups and by
 * inheritance) and its attributes (a user's own over its groups'). The project's owner, who runs
 * Sluice on the project directory without {@code --as}, is {@link #owner()}: an administrator that
 * no grant, mask or filter limits.
 */
public record Principal(
    String name, Set<String> roles, Map<String, String> attributes, boolean owner) {
  public Principal {
    requireNonNull(name, "name is null");
    roles = Set.copyOf(roles);
    attributes = Map.copyOf(attributes);
  }

  /** The local project owner. */
  public static Principal projectOwner() {
    return new Principal("owner", Set.of(), Map.of(), true);
  }

  /** Whether the principal holds any of {@code names}. */
  public boolean holdsAny(Iterable<String> names) {
    for (String name : names) {
      if (roles.contains(name)) {
        return true;
      }
    }
    return false;
  }
}
