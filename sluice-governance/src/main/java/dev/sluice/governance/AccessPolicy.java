package dev.sluice.governance;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Decides what a principal may do with a table from the project's {@link Policies}: default deny
 * (no grant, no access; the {@code raw} zone only by a grant that names it), grants by role with
 * roles inherited, column masks by column or tag with exempt roles, row filters OR-ed across the
 * principal's roles and AND-ed with the table's mandatory filters. The {@link TimeBoundGrant}s of
 * approved access requests add to the declared grants while they last ({@link
 * #withTimeBoundGrants}).
 */
public final class AccessPolicy {
  /** A principal that holds no role: what values kept outside the tables are masked for. */
  private static final Principal NO_ROLES = new Principal("anyone", Set.of(), Map.of(), false);

  private final Policies policies;
  private final ColumnClassification classification;
  private final List<TimeBoundGrant> timeBound;

  public AccessPolicy(Policies policies, ColumnClassification classification) {
    this(policies, classification, List.of());
  }

  private AccessPolicy(
      Policies policies, ColumnClassification classification, List<TimeBoundGrant> timeBound) {
    this.policies = requireNonNull(policies, "policies is null");
    this.classification = requireNonNull(classification, "classification is null");
    this.timeBound = List.copyOf(timeBound);
  }

  /**
   * This policy with the time-bound grants that still hold at {@code now} added: each is a grant of
   * {@code read} to a role of its own that only its principal (and, for a group, its members)
   * holds; the others are left out, so an ended grant allows nothing.
   */
  public AccessPolicy withTimeBoundGrants(List<TimeBoundGrant> grants, Instant now) {
    requireNonNull(now, "now is null");
    List<TimeBoundGrant> all = new ArrayList<>(timeBound);
    for (TimeBoundGrant grant : grants) {
      if (grant.activeAt(now)) {
        all.add(grant);
      }
    }
    return new AccessPolicy(policies, classification, all);
  }

  public Policies policies() {
    return policies;
  }

  /** The time-bound grants this policy holds (see {@link #withTimeBoundGrants}). */
  public List<TimeBoundGrant> timeBoundGrants() {
    return timeBound;
  }

  /** The classification of the columns that masks by tag read. */
  public ColumnClassification classification() {
    return classification;
  }

  /** The declared grants, then those of the time-bound grants. */
  public List<GrantDef> grants() {
    List<GrantDef> all = new ArrayList<>(policies.grants());
    timeBound.forEach(grant -> all.add(grant.grant()));
    return all;
  }

  /** The groups a declared user belongs to (none for a group or an unknown name). */
  public List<String> groupsOf(String name) {
    return policies.user(name).map(PrincipalDef::groups).orElse(List.of());
  }

  /** The names of the declared users and groups. */
  public List<String> principalNames() {
    return Stream.concat(policies.users().stream(), policies.groups().stream())
        .map(PrincipalDef::name)
        .toList();
  }

  /**
   * Resolves a user or group name to a principal with every role it holds, or empty when
   * policies.yaml declares no such user or group.
   */
  public Optional<Principal> principal(String name) {
    requireNonNull(name, "name is null");
    Optional<PrincipalDef> user = policies.user(name);
    Optional<PrincipalDef> found = user.isPresent() ? user : policies.group(name);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    PrincipalDef principal = found.get();
    Set<String> direct = new LinkedHashSet<>(principal.roles());
    Map<String, String> attributes = new LinkedHashMap<>();
    for (String groupName : principal.groups()) {
      policies
          .group(groupName)
          .ifPresent(
              group -> {
                direct.addAll(group.roles());
                attributes.putAll(group.attributes());
              });
    }
    attributes.putAll(principal.attributes());
    Set<String> roles = withInherited(direct);
    // roles of time-bound grants are not inherited and inherit nothing: each reads one table
    for (TimeBoundGrant grant : timeBound) {
      if (grant.principal().equals(principal.name())
          || principal.groups().contains(grant.principal())) {
        roles.add(grant.role());
      }
    }
    return Optional.of(new Principal(principal.name(), roles, attributes, false));
  }

  /** The roles and every role they inherit, transitively (cycles are reported by validation). */
  public Set<String> withInherited(Set<String> roles) {
    Set<String> all = new LinkedHashSet<>();
    Deque<String> pending = new ArrayDeque<>(roles);
    while (!pending.isEmpty()) {
      String role = pending.pop();
      if (all.add(role)) {
        policies.role(role).ifPresent(definition -> pending.addAll(definition.inherits()));
      }
    }
    return all;
  }

  /**
   * What {@code principal} may read of {@code table}, whose current columns are {@code columns}.
   */
  public TableAccess access(Principal principal, TableName table, List<String> columns) {
    requireNonNull(principal, "principal is null");
    requireNonNull(table, "table is null");
    if (principal.owner()) {
      return new TableAccess(
          table,
          principal,
          true,
          List.of(),
          columns,
          List.of(),
          Map.of(),
          List.of(),
          List.of(),
          List.of("the project's owner reads every table as stored"));
    }
    List<String> notes = new ArrayList<>();
    List<GrantDef> grants = grantsOf(principal, table, Privilege.READ);
    if (grants.isEmpty()) {
      return TableAccess.denied(table, principal, columns, List.of(noGrant(principal, table)));
    }
    Set<String> granted = new LinkedHashSet<>();
    boolean allColumns = false;
    for (GrantDef grant : grants) {
      if (grant.columns().isEmpty()) {
        allColumns = true;
      }
      grant.columns().forEach(column -> granted.add(column.toLowerCase(java.util.Locale.ROOT)));
    }
    List<String> visible = new ArrayList<>();
    List<String> denied = new ArrayList<>();
    for (String column : columns) {
      if (allColumns || granted.contains(column.toLowerCase(java.util.Locale.ROOT))) {
        visible.add(column);
      } else {
        denied.add(column);
      }
    }
    Map<String, MaskDef> masks = new LinkedHashMap<>();
    for (String column : visible) {
      mask(principal, table, column, notes).ifPresent(mask -> masks.put(column, mask));
    }
    List<RowFilterDef> roleFilters = new ArrayList<>();
    List<RowFilterDef> mandatory = new ArrayList<>();
    for (RowFilterDef filter : policies.rowFilters()) {
      if (!filter.table().equals(table)) {
        continue;
      }
      if (principal.holdsAny(filter.exempt())) {
        notes.add(
            "row filter ("
                + filter.location()
                + ") not applied: "
                + exemptRole(principal, filter.exempt())
                + " is exempt");
      } else if (filter.mandatory()) {
        mandatory.add(filter);
      } else if (principal.holdsAny(filter.roles())) {
        roleFilters.add(filter);
      }
    }
    return new TableAccess(
        table, principal, true, grants, visible, denied, masks, roleFilters, mandatory, notes);
  }

  /**
   * The mask of a column's values kept outside its table, such as the sample of failing rows a
   * check records: the mask that applies to a principal holding no role (whom no exemption lifts),
   * or empty when no mask covers the column.
   */
  public Optional<MaskDef> storedMask(TableName table, String column) {
    requireNonNull(table, "table is null");
    requireNonNull(column, "column is null");
    return mask(NO_ROLES, table, column, new ArrayList<>());
  }

  /** The grants of the principal's roles that allow {@code privilege} on {@code table}. */
  public List<GrantDef> grantsOf(Principal principal, TableName table, Privilege privilege) {
    List<GrantDef> grants = new ArrayList<>();
    for (GrantDef grant : grants()) {
      if (principal.roles().contains(grant.role())
          && grant.allows(privilege)
          && grant.on().matches(table)) {
        grants.add(grant);
      }
    }
    return grants;
  }

  /**
   * Why {@code principal} may approve or deny requests for access to {@code table}: it is the
   * table's owner (its name, or a group it belongs to, is the table's {@code owner:}), or a role it
   * holds is granted {@code grant} (or {@code admin}) on the table. Empty when it may not. Whether
   * it asked itself is the caller's to check (separation of duties).
   *
   * @param owner the table's {@code owner:}, or empty when it declares none
   */
  public Optional<String> decisionRight(
      Principal principal, TableName table, Optional<String> owner) {
    requireNonNull(principal, "principal is null");
    requireNonNull(table, "table is null");
    requireNonNull(owner, "owner is null");
    if (owner.isPresent()) {
      String name = owner.get();
      if (name.equals(principal.name())) {
        return Optional.of("owner of " + table);
      }
      if (groupsOf(principal.name()).contains(name)) {
        return Optional.of("member of " + name + ", the owner of " + table);
      }
    }
    List<GrantDef> grants = grantsOf(principal, table, Privilege.GRANT);
    if (grants.isEmpty()) {
      return Optional.empty();
    }
    GrantDef grant = grants.get(0);
    return Optional.of(
        "role " + grant.role() + " has " + grant.describe() + " (" + grant.location() + ")");
  }

  private Optional<MaskDef> mask(
      Principal principal, TableName table, String column, List<String> notes) {
    Optional<MaskDef> chosen = Optional.empty();
    Set<String> tags = null;
    for (MaskDef mask : policies.masks()) {
      boolean applies;
      if (mask.tag().isPresent()) {
        if (tags == null) {
          tags = classification.tags(table, column);
        }
        applies = ColumnClassification.covers(mask.tag().get(), tags);
      } else {
        applies =
            mask.table().orElseThrow().equals(table)
                && mask.column().orElseThrow().equalsIgnoreCase(column);
      }
      if (!applies) {
        continue;
      }
      if (principal.holdsAny(mask.exempt())) {
        notes.add(
            "mask "
                + mask.describe()
                + " on "
                + column
                + " not applied: "
                + exemptRole(principal, mask.exempt())
                + " is exempt");
        continue;
      }
      // a column mask wins over a tag mask; of several of one kind, the first declared
      if (chosen.isEmpty() || (chosen.get().tag().isPresent() && mask.tag().isEmpty())) {
        chosen = Optional.of(mask);
      }
    }
    return chosen;
  }

  private static String exemptRole(Principal principal, List<String> exempt) {
    return "role " + exempt.stream().filter(principal.roles()::contains).findFirst().orElse("?");
  }

  private static String noGrant(Principal principal, TableName table) {
    return "no role of "
        + principal.name()
        + (principal.roles().isEmpty()
            ? " (it holds none)"
            : " (" + String.join(", ", new TreeSet<>(principal.roles())) + ")")
        + " is granted read on "
        + table
        + (table.zone().equals("raw")
            ? " (the raw zone is read only through a grant that names it)"
            : "");
  }
}
