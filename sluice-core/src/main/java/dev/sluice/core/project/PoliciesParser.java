package dev.sluice.core.project;

import dev.sluice.api.Location;
import dev.sluice.api.TableName;
import dev.sluice.governance.ColumnClassification;
import dev.sluice.governance.GrantDef;
import dev.sluice.governance.MaskDef;
import dev.sluice.governance.MaskKind;
import dev.sluice.governance.Policies;
import dev.sluice.governance.PrincipalDef;
import dev.sluice.governance.Privilege;
import dev.sluice.governance.RoleDef;
import dev.sluice.governance.RowFilterDef;
import dev.sluice.governance.TablePattern;
import dev.sluice.governance.TimeBoundGrant;
import dev.sluice.governance.TokenKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads {@code policies.yaml} into {@link Policies} and checks it against the project: every
 * principal, role, group, table, column and tag it names must exist, masks must not overlap, keys
 * must resolve. Each problem names the file and line and, for a misspelt name, the closest one. Row
 * filters' and custom masks' SQL is checked with the engine's parser by {@code
 * dev.sluice.core.query.PolicyCheck} at {@code sluice validate}.
 */
final class PoliciesParser {
  private static final Set<String> TOP_KEYS =
      Set.of("users", "groups", "roles", "grants", "masks", "row_filters");
  private static final Set<String> PRINCIPAL_KEYS =
      Set.of("name", "roles", "groups", "attributes", "description");
  private static final Set<String> GROUP_KEYS =
      Set.of("name", "roles", "attributes", "description");
  private static final Set<String> ROLE_KEYS = Set.of("name", "inherits", "description");
  private static final Set<String> GRANT_KEYS = Set.of("role", "privileges", "on", "columns");
  private static final Set<String> MASK_KEYS =
      Set.of("column", "tag", "mask", "value", "last", "expression", "key", "exempt");
  private static final Set<String> FILTER_KEYS = Set.of("table", "roles", "where", "exempt");

  private final String file = Policies.FILE;
  private final Map<TableName, List<ColumnDef>> tables;
  private final ColumnClassification classification;
  private final Secrets secrets;
  private final Problems problems;

  private PoliciesParser(
      Map<TableName, List<ColumnDef>> tables,
      ColumnClassification classification,
      Secrets secrets,
      Problems problems) {
    this.tables = tables;
    this.classification = classification;
    this.secrets = secrets;
    this.problems = problems;
  }

  /**
   * Reads the project's policies.yaml, or {@link Policies#none()} when there is none.
   *
   * @param tables the project's tables and their declared columns (empty when not declared)
   */
  static Policies load(
      Path root,
      Map<TableName, List<ColumnDef>> tables,
      ColumnClassification classification,
      Secrets secrets,
      Problems problems) {
    Path path = root.resolve(Policies.FILE);
    if (!Files.isRegularFile(path)) {
      return Policies.none();
    }
    return YamlFiles.read(root, path, problems)
        .flatMap(node -> YamlMap.of(Policies.FILE, node, "policies.yaml", TOP_KEYS, problems))
        .map(map -> new PoliciesParser(tables, classification, secrets, problems).parse(map))
        .orElseGet(
            () ->
                new Policies(
                    Optional.of(Location.of(Policies.FILE)),
                    List.of(),
                    List.of(),
                    List.of(),
                    List.of(),
                    List.of(),
                    List.of()));
  }

  private Policies parse(YamlMap top) {
    List<RoleDef> roles = new ArrayList<>();
    for (Node node : top.list("roles")) {
      YamlMap.of(file, node, "a role", ROLE_KEYS, problems)
          .ifPresent(
              map -> {
                String name =
                    map.requiredString("name", "give the role a name, e.g. name: analyst");
                if (name != null && name.startsWith(TimeBoundGrant.ROLE_PREFIX)) {
                  problems.add(
                      map.location("name"),
                      "Role name '" + name + "' is reserved for the grants of access requests",
                      "choose a name that does not start with '"
                          + TimeBoundGrant.ROLE_PREFIX
                          + "'");
                } else if (name != null) {
                  roles.add(
                      new RoleDef(
                          name,
                          map.stringList("inherits"),
                          map.string("description"),
                          map.location()));
                }
              });
    }
    Set<String> roleNames =
        unique(roles.stream().map(r -> Map.entry(r.name(), r.location())).toList(), "Role");
    List<PrincipalDef> groups =
        principals(top, "groups", PrincipalDef.Kind.GROUP, GROUP_KEYS, roleNames);
    List<PrincipalDef> users =
        principals(top, "users", PrincipalDef.Kind.USER, PRINCIPAL_KEYS, roleNames);
    Set<String> groupNames =
        unique(groups.stream().map(g -> Map.entry(g.name(), g.location())).toList(), "Group");
    unique(users.stream().map(u -> Map.entry(u.name(), u.location())).toList(), "User");
    for (RoleDef role : roles) {
      role.inherits().forEach(name -> checkRole(name, roleNames, role.location(), "inherits"));
    }
    reportCycles(roles);
    for (PrincipalDef principal : concat(users, groups)) {
      for (String group : principal.groups()) {
        if (!groupNames.contains(group)) {
          problems.add(
              principal.location(),
              "Unknown group '" + group + "' for user " + principal.name(),
              Suggestions.hint(group, groupNames, "the groups are"));
        }
      }
    }
    List<GrantDef> grants = grants(top, roleNames);
    List<MaskDef> masks = masks(top, roleNames);
    List<RowFilterDef> filters = filters(top, roleNames);
    return new Policies(Optional.of(top.location()), users, groups, roles, grants, masks, filters);
  }

  private List<PrincipalDef> principals(
      YamlMap top, String key, PrincipalDef.Kind kind, Set<String> allowed, Set<String> roleNames) {
    List<PrincipalDef> principals = new ArrayList<>();
    String what = kind == PrincipalDef.Kind.USER ? "a user" : "a group";
    for (Node node : top.list(key)) {
      YamlMap.of(file, node, what, allowed, problems)
          .ifPresent(
              map -> {
                String name = map.requiredString("name", "give it a name, e.g. name: ana");
                if (name == null) {
                  return;
                }
                Map<String, String> attributes = new LinkedHashMap<>();
                map.freeMap("attributes")
                    .forEach(
                        (attribute, value) -> {
                          if (!TableName.isIdentifier(attribute)) {
                            problems.add(
                                map.location("attributes"),
                                "Attribute name '"
                                    + attribute
                                    + "' of "
                                    + name
                                    + " is not a plain name",
                                "use letters, digits and '_', e.g. region: EU");
                          } else if (value == null
                              || value instanceof Map
                              || value instanceof List) {
                            problems.add(
                                map.location("attributes"),
                                "Attribute '"
                                    + attribute
                                    + "' of "
                                    + name
                                    + " must be a single value",
                                "write e.g. " + attribute + ": EU");
                          } else {
                            attributes.put(attribute, String.valueOf(value));
                          }
                        });
                map.stringList("roles")
                    .forEach(role -> checkRole(role, roleNames, map.location("roles"), "roles"));
                principals.add(
                    new PrincipalDef(
                        name,
                        kind,
                        map.stringList("roles"),
                        kind == PrincipalDef.Kind.USER ? map.stringList("groups") : List.of(),
                        attributes,
                        map.location()));
              });
    }
    return principals;
  }

  private List<GrantDef> grants(YamlMap top, Set<String> roleNames) {
    List<GrantDef> grants = new ArrayList<>();
    Set<String> privilegeNames =
        Arrays.stream(Privilege.values()).map(Privilege::label).collect(Collectors.toSet());
    for (Node node : top.list("grants")) {
      Optional<YamlMap> parsed = YamlMap.of(file, node, "a grant", GRANT_KEYS, problems);
      if (parsed.isEmpty()) {
        continue;
      }
      YamlMap map = parsed.get();
      String role = map.requiredString("role", "name the role it grants to, e.g. role: analyst");
      if (role != null) {
        checkRole(role, roleNames, map.location("role"), "role");
      }
      Set<Privilege> privileges = new HashSet<>();
      List<String> privilegeList = map.stringList("privileges");
      if (privilegeList.isEmpty()) {
        problems.add(
            map.location(),
            "Missing 'privileges' in a grant",
            "write e.g. privileges: [read] (read, write, grant, admin)");
      }
      for (String name : privilegeList) {
        Optional<Privilege> privilege = Privilege.fromLabel(name);
        if (privilege.isEmpty()) {
          problems.add(
              map.location("privileges"),
              "Unknown privilege '" + name + "'",
              Suggestions.hint(name, privilegeNames, "the privileges are"));
        } else {
          privileges.add(privilege.get());
        }
      }
      List<String> targets = map.stringList("on");
      if (targets.isEmpty()) {
        problems.add(
            map.location(),
            "Missing 'on' in a grant",
            "name the tables, e.g. on: published.* or on: [curated.orders, published.revenue]");
      }
      List<String> columns = map.stringList("columns");
      for (String target : targets) {
        TablePattern pattern = new TablePattern(target);
        if (!checkPattern(pattern, map.location("on"))) {
          continue;
        }
        if (!columns.isEmpty()) {
          if (!pattern.isExact()) {
            problems.add(
                map.location("columns"),
                "A grant of columns must name one table, not " + pattern,
                "write on: zone.table for a grant with columns");
            continue;
          }
          TableName table = TableName.parse(pattern.text());
          columns.forEach(column -> checkColumn(table, column, map.location("columns")));
        }
        if (role != null && !privileges.isEmpty()) {
          grants.add(new GrantDef(role, privileges, pattern, columns, map.location()));
        }
      }
    }
    return grants;
  }

  /** Whether a grant's pattern is well formed and names tables the project has. */
  private boolean checkPattern(TablePattern pattern, Location location) {
    java.util.Set<String> schemas = new java.util.TreeSet<>();
    tables.keySet().stream()
        .map(TableName::zone)
        .filter(zone -> dev.sluice.api.Zone.fromName(zone).isEmpty())
        .forEach(schemas::add);
    String problem = pattern.problem(schemas);
    if (problem != null) {
      problems.add(
          location,
          "Invalid table pattern: " + problem,
          "write zone.table with a zone of raw, curated or published (or a dbt project's"
              + " schema); globs allowed, e.g. published.*");
      return false;
    }
    if (pattern.isExact()) {
      return checkTable(TableName.parse(pattern.text()), location);
    }
    // a glob may cover no table yet (raw.* before the first source): only exact names are checked
    return true;
  }

  private boolean checkTable(TableName table, Location location) {
    if (tables.containsKey(table)) {
      return true;
    }
    problems.add(
        location,
        "Table " + table + " is not a table of the project",
        Suggestions.hint(
            table.toString(),
            tables.keySet().stream().map(TableName::toString).toList(),
            "the tables are"));
    return false;
  }

  private void checkColumn(TableName table, String column, Location location) {
    List<ColumnDef> declared = tables.getOrDefault(table, List.of());
    if (declared.isEmpty()) {
      return; // the table declares no columns: nothing to check against before it is built
    }
    if (declared.stream().noneMatch(c -> c.name().equalsIgnoreCase(column))) {
      problems.add(
          location,
          "Column '" + column + "' is not a column of " + table,
          Suggestions.hint(
              column, declared.stream().map(ColumnDef::name).toList(), "its columns are"));
    }
  }

  private List<MaskDef> masks(YamlMap top, Set<String> roleNames) {
    List<MaskDef> masks = new ArrayList<>();
    Set<String> kinds =
        Arrays.stream(MaskKind.values()).map(MaskKind::label).collect(Collectors.toSet());
    for (Node node : top.list("masks")) {
      Optional<YamlMap> parsed = YamlMap.of(file, node, "a mask", MASK_KEYS, problems);
      if (parsed.isEmpty()) {
        continue;
      }
      YamlMap map = parsed.get();
      String kindName = map.requiredString("mask", "write e.g. mask: email_domain");
      Optional<MaskKind> kind = kindName == null ? Optional.empty() : MaskKind.fromLabel(kindName);
      if (kindName != null && kind.isEmpty()) {
        problems.add(
            map.location("mask"),
            "Unknown mask '" + kindName + "'",
            Suggestions.hint(kindName, kinds, "the masks are"));
      }
      Optional<TableName> table = Optional.empty();
      Optional<String> column = Optional.empty();
      Optional<String> tag = Optional.empty();
      String columnText = map.string("column");
      String tagText = map.string("tag");
      if ((columnText == null) == (tagText == null)) {
        problems.add(
            map.location(),
            "A mask names either a column or a tag",
            "write column: zone.table.column, or tag: pii.email");
        continue;
      }
      if (columnText != null) {
        String[] parts = columnText.split("\\.", -1);
        if (parts.length != 3 || Arrays.stream(parts).anyMatch(String::isBlank)) {
          problems.add(
              map.location("column"),
              "'" + columnText + "' is not zone.table.column",
              "write e.g. column: published.customers.email");
          continue;
        }
        TableName name = new TableName(parts[0].toLowerCase(Locale.ROOT), parts[1]);
        if (!checkTable(name, map.location("column"))) {
          continue;
        }
        checkColumn(name, parts[2], map.location("column"));
        table = Optional.of(name);
        column = Optional.of(parts[2]);
      } else {
        Set<String> known = knownTags();
        if (known.stream().noneMatch(t -> ColumnClassification.covers(tagText, Set.of(t)))) {
          problems.add(
              map.location("tag"),
              "Unknown tag '" + tagText + "': no column of the project carries it",
              known.isEmpty()
                  ? "classify columns in the sources' and models' YAML (classification: pii)"
                  : Suggestions.hint(tagText, known, "the tags are"));
          continue;
        }
        tag = Optional.of(tagText);
      }
      List<String> exempt = map.stringList("exempt");
      exempt.forEach(role -> checkRole(role, roleNames, map.location("exempt"), "exempt"));
      if (kind.isEmpty()) {
        continue;
      }
      int last = map.integer("last", 4);
      if (last < 0) {
        problems.add(map.location("last"), "'last' must not be negative", "write e.g. last: 4");
      }
      String expression = map.string("expression");
      if (kind.get() == MaskKind.CUSTOM && (expression == null || expression.isBlank())) {
        problems.add(
            map.location(),
            "A custom mask needs an expression",
            "write e.g. expression: \"left(phone, 3) || '****'\"");
        continue;
      }
      MaskDef mask =
          new MaskDef(
              table,
              column,
              tag,
              kind.get(),
              map.string("value"),
              last,
              expression,
              Optional.empty(),
              exempt,
              map.location());
      if (kind.get().keyed()) {
        String reference = map.string("key");
        if (reference == null) {
          problems.add(
              map.location(),
              "A " + kind.get().label() + " mask needs a key",
              "write key: ${env:SLUICE_TOKEN_KEY} (or ${file:path}); keep the key out of the"
                  + " project");
          continue;
        }
        Optional<String> secret = secrets.resolve(reference, "the mask's key", map.location("key"));
        if (secret.isEmpty()) {
          continue;
        }
        if (secret.get().isEmpty()) {
          problems.add(map.location("key"), "The mask's key " + reference + " is empty", "");
          continue;
        }
        mask = mask.withKey(new TokenKey(reference, secret.get()));
      }
      masks.add(mask);
    }
    reportOverlaps(masks);
    return masks;
  }

  /** Two masks that would apply to one column for the same reader. */
  private void reportOverlaps(List<MaskDef> masks) {
    Map<String, MaskDef> byColumn = new HashMap<>();
    for (MaskDef mask : masks) {
      List<String> covered = new ArrayList<>();
      if (mask.column().isPresent()) {
        covered.add(
            (mask.table().orElseThrow() + "." + mask.column().get()).toLowerCase(Locale.ROOT));
      } else {
        tables.forEach(
            (table, columns) ->
                columns.forEach(
                    column -> {
                      if (ColumnClassification.covers(
                          mask.tag().orElseThrow(), classification.tags(table, column.name()))) {
                        covered.add((table + "." + column.name()).toLowerCase(Locale.ROOT));
                      }
                    }));
      }
      for (String column : covered) {
        MaskDef previous = byColumn.putIfAbsent(column, mask);
        if (previous != null) {
          problems.add(
              mask.location(),
              "Masks overlap on "
                  + column
                  + ": this "
                  + mask.kind().label()
                  + " mask ("
                  + mask.target()
                  + ") and the "
                  + previous.kind().label()
                  + " mask on line "
                  + previous.location().line()
                  + " ("
                  + previous.target()
                  + ")",
              "keep one mask per column; exempt roles with exempt: [...] rather than a second"
                  + " mask");
        }
      }
    }
  }

  private Set<String> knownTags() {
    Set<String> known = new TreeSet<>();
    tables.forEach(
        (table, columns) ->
            columns.forEach(column -> known.addAll(classification.tags(table, column.name()))));
    return known;
  }

  private List<RowFilterDef> filters(YamlMap top, Set<String> roleNames) {
    List<RowFilterDef> filters = new ArrayList<>();
    for (Node node : top.list("row_filters")) {
      Optional<YamlMap> parsed = YamlMap.of(file, node, "a row filter", FILTER_KEYS, problems);
      if (parsed.isEmpty()) {
        continue;
      }
      YamlMap map = parsed.get();
      String tableText =
          map.requiredString("table", "name the table, e.g. table: published.customers");
      String where =
          map.requiredString(
              "where", "write the predicate, e.g. where: country = principal.country");
      List<String> roles = map.stringList("roles");
      List<String> exempt = map.stringList("exempt");
      roles.forEach(role -> checkRole(role, roleNames, map.location("roles"), "roles"));
      exempt.forEach(role -> checkRole(role, roleNames, map.location("exempt"), "exempt"));
      if (tableText == null || where == null) {
        continue;
      }
      if (where.isBlank()) {
        problems.add(map.location("where"), "The row filter's 'where' is empty", "");
        continue;
      }
      TableName table;
      try {
        TableName parsedName = TableName.parse(tableText);
        table = new TableName(parsedName.zone().toLowerCase(Locale.ROOT), parsedName.name());
      } catch (RuntimeException e) {
        problems.add(
            map.location("table"), e.getMessage(), "write e.g. table: published.customers");
        continue;
      }
      if (checkTable(table, map.location("table"))) {
        filters.add(new RowFilterDef(table, roles, where, exempt, map.location()));
      }
    }
    return filters;
  }

  private void checkRole(String role, Set<String> roleNames, Location location, String key) {
    if (!roleNames.contains(role)) {
      problems.add(
          location,
          "Unknown role '" + role + "' in " + key,
          roleNames.isEmpty()
              ? "declare it under roles: (- name: " + role + ")"
              : Suggestions.hint(role, roleNames, "the roles are"));
    }
  }

  private void reportCycles(List<RoleDef> roles) {
    Map<String, RoleDef> byName = new HashMap<>();
    roles.forEach(role -> byName.putIfAbsent(role.name(), role));
    for (RoleDef role : roles) {
      Set<String> seen = new HashSet<>();
      List<String> pending = new ArrayList<>(role.inherits());
      while (!pending.isEmpty()) {
        String next = pending.remove(pending.size() - 1);
        if (next.equals(role.name())) {
          problems.add(
              role.location(),
              "Role " + role.name() + " inherits itself",
              "remove one 'inherits' of the cycle");
          break;
        }
        RoleDef definition = byName.get(next);
        if (seen.add(next) && definition != null) {
          pending.addAll(definition.inherits());
        }
      }
    }
  }

  private Set<String> unique(List<Map.Entry<String, Location>> names, String what) {
    Map<String, Location> seen = new LinkedHashMap<>();
    for (Map.Entry<String, Location> entry : names) {
      Location previous = seen.putIfAbsent(entry.getKey(), entry.getValue());
      if (previous != null) {
        problems.add(
            entry.getValue(),
            what + " '" + entry.getKey() + "' is declared twice",
            "also on line " + previous.line() + "; names must be unique");
      }
    }
    return seen.keySet();
  }

  private static <T> List<T> concat(List<T> first, List<T> second) {
    List<T> all = new ArrayList<>(first);
    all.addAll(second);
    return all;
  }
}
