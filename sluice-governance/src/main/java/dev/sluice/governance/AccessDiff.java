package dev.sluice.governance;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Who gains and who loses access when policies change: every principal of either version against
 * every table of the project, compared by what it may read (the table, its columns), how it is
 * masked and which rows its filters leave.
 */
public final class AccessDiff {
  private AccessDiff() {}

  /** One change of one principal's access to one table. */
  public record Change(String principal, TableName table, Kind kind, String detail) {
    public Change {
      requireNonNull(principal, "principal is null");
      requireNonNull(table, "table is null");
      requireNonNull(kind, "kind is null");
      requireNonNull(detail, "detail is null");
    }

    /** "+ ana gains read on published.orders" */
    public String describe() {
      return (kind == Kind.GAINS ? "+ " : kind == Kind.LOSES ? "- " : "~ ")
          + principal
          + " "
          + detail;
    }
  }

  /** Whether a change widens, narrows or otherwise alters access. */
  public enum Kind {
    GAINS,
    LOSES,
    CHANGES
  }

  /**
   * The changes from {@code before} to {@code after} over {@code tables} (each with its columns).
   */
  public static List<Change> between(
      AccessPolicy before, AccessPolicy after, Map<TableName, List<String>> tables) {
    Set<String> principals = new LinkedHashSet<>(before.principalNames());
    principals.addAll(after.principalNames());
    List<Change> changes = new ArrayList<>();
    for (String name : principals) {
      Optional<Principal> old = before.principal(name);
      Optional<Principal> now = after.principal(name);
      tables.forEach(
          (table, columns) -> {
            TableAccess was =
                old.map(p -> before.access(p, table, columns)).orElse(denied(name, table, columns));
            TableAccess is =
                now.map(p -> after.access(p, table, columns)).orElse(denied(name, table, columns));
            compare(name, table, was, is, changes);
          });
    }
    return changes;
  }

  private static TableAccess denied(String name, TableName table, List<String> columns) {
    return TableAccess.denied(
        table, new Principal(name, Set.of(), Map.of(), false), columns, List.of());
  }

  private static void compare(
      String name, TableName table, TableAccess was, TableAccess is, List<Change> changes) {
    if (was.readable() != is.readable()) {
      changes.add(
          new Change(
              name,
              table,
              is.readable() ? Kind.GAINS : Kind.LOSES,
              (is.readable() ? "gains" : "loses") + " read on " + table));
      if (!is.readable()) {
        return;
      }
    }
    if (!is.readable()) {
      return;
    }
    for (String column : is.columns()) {
      if (was.readable() && !was.columns().contains(column)) {
        changes.add(new Change(name, table, Kind.GAINS, "gains column " + table + "." + column));
      }
    }
    for (String column : was.columns()) {
      if (!is.columns().contains(column)) {
        changes.add(new Change(name, table, Kind.LOSES, "loses column " + table + "." + column));
      }
    }
    for (String column : is.columns()) {
      MaskDef before = was.readable() ? was.masks().get(column) : null;
      MaskDef after = is.masks().get(column);
      String where = table + "." + column;
      if (before != null && after == null) {
        changes.add(
            new Change(
                name,
                table,
                Kind.GAINS,
                "reads " + where + " unmasked (was " + before.kind().label() + ")"));
      } else if (before == null && after != null && was.readable()) {
        changes.add(
            new Change(
                name,
                table,
                Kind.LOSES,
                "reads " + where + " masked (" + after.kind().label() + ")"));
      } else if (before != null && before.kind() != after.kind()) {
        changes.add(
            new Change(
                name,
                table,
                Kind.CHANGES,
                "reads "
                    + where
                    + " masked "
                    + after.kind().label()
                    + " (was "
                    + before.kind().label()
                    + ")"));
      }
    }
    if (was.readable() && !Objects.equals(was.predicate(), is.predicate())) {
      Kind kind = !is.filtered() ? Kind.GAINS : !was.filtered() ? Kind.LOSES : Kind.CHANGES;
      changes.add(
          new Change(
              name,
              table,
              kind,
              "reads rows of "
                  + table
                  + (is.filtered() ? " where " + is.predicate() : " unfiltered")
                  + " (was "
                  + (was.filtered() ? was.predicate() : "unfiltered")
                  + ")"));
    }
  }
}
