package dev.sluice.governance;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import java.util.List;
import java.util.Optional;

/**
 * The access policy of a project, as declared in {@code policies.yaml}: principals (users and
 * groups), roles, grants, column masks and row filters. A project without the file has {@link
 * #none()}: only its owner reads, as before policies existed.
 *
 * @param file the file the policies were read from, or empty for {@link #none()}
 */
public record Policies(
    Optional<Location> file,
    List<PrincipalDef> users,
    List<PrincipalDef> groups,
    List<RoleDef> roles,
    List<GrantDef> grants,
    List<MaskDef> masks,
    List<RowFilterDef> rowFilters) {
  /** The file name at the project root. */
  public static final String FILE = "policies.yaml";

  public Policies {
    requireNonNull(file, "file is null");
    users = List.copyOf(users);
    groups = List.copyOf(groups);
    roles = List.copyOf(roles);
    grants = List.copyOf(grants);
    masks = List.copyOf(masks);
    rowFilters = List.copyOf(rowFilters);
  }

  /** No policies.yaml: nobody but the project's owner reads. */
  public static Policies none() {
    return new Policies(
        Optional.empty(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
  }

  /** Whether the project declares policies (has a policies.yaml). */
  public boolean declared() {
    return file.isPresent();
  }

  public Optional<PrincipalDef> user(String name) {
    return users.stream().filter(user -> user.name().equals(name)).findFirst();
  }

  public Optional<PrincipalDef> group(String name) {
    return groups.stream().filter(group -> group.name().equals(name)).findFirst();
  }

  public Optional<RoleDef> role(String name) {
    return roles.stream().filter(role -> role.name().equals(name)).findFirst();
  }
}
