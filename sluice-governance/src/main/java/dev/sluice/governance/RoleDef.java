package dev.sluice.governance;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import java.util.List;

/** A role: a name that grants, masks' exemptions and row filters refer to; it inherits roles. */
public record RoleDef(String name, List<String> inherits, String description, Location location) {
  public RoleDef {
    requireNonNull(name, "name is null");
    inherits = List.copyOf(inherits);
    description = description == null ? "" : description;
    requireNonNull(location, "location is null");
  }
}
