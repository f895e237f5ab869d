package dev.sluice.core.query;

import dev.sluice.api.ProjectException;
import dev.sluice.api.ProjectException.Problem;
import dev.sluice.api.QueryException;
import dev.sluice.api.SqlRejectedException;
import dev.sluice.api.TableName;
import dev.sluice.api.engine.Engine;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.api.engine.ParsedSelect;
import dev.sluice.api.engine.TableReference;
import dev.sluice.core.project.Project;
import dev.sluice.governance.AccessPolicy;
import dev.sluice.governance.MaskDef;
import dev.sluice.governance.MaskKind;
import dev.sluice.governance.Principal;
import dev.sluice.governance.PrincipalAttributes;
import dev.sluice.governance.PrincipalDef;
import dev.sluice.governance.RowFilterDef;
import dev.sluice.lake.Lake;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Checks the SQL of policies.yaml at {@code sluice validate}, before any query needs it: every row
 * filter and custom mask is parsed by the engine's own parser (one expression over its own table,
 * no other table, no host access) and, once the table has been built, bound against its columns for
 * every principal it applies to, so that a filter reading an attribute a principal lacks is
 * reported with the file and line rather than failing a query.
 */
public final class PolicyCheck {
  private PolicyCheck() {}

  /**
   * Checks every row filter's and custom mask's SQL.
   *
   * @throws ProjectException naming policies.yaml and the line of each filter or mask whose SQL
   *     does not parse or bind
   */
  public static void check(Project project, Lake lake, Engine engine) {
    if (project.policies().rowFilters().isEmpty()
        && project.policies().masks().stream().noneMatch(mask -> mask.kind() == MaskKind.CUSTOM)) {
      return; // nothing to parse: no engine session is opened
    }
    List<Problem> problems = new ArrayList<>();
    AccessPolicy policy =
        new AccessPolicy(
            project.policies(), dev.sluice.core.lineage.ColumnTags.forPolicies(project));
    try (EngineSession session = engine.openSession()) {
      for (RowFilterDef filter : project.policies().rowFilters()) {
        checkFilter(session, lake, policy, filter, problems);
      }
      for (MaskDef mask : project.policies().masks()) {
        if (mask.kind() == MaskKind.CUSTOM) {
          checkMask(session, lake, mask, problems);
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new ProjectException(problems);
    }
  }

  private static void checkFilter(
      EngineSession session,
      Lake lake,
      AccessPolicy policy,
      RowFilterDef filter,
      List<Problem> problems) {
    List<Principal> principals = appliesTo(policy, filter);
    Principal sample =
        principals.isEmpty()
            ? new Principal("sample", java.util.Set.of(), java.util.Map.of(), false)
            : principals.get(0);
    if (!parses(
        session,
        filterSql(session, filter, sample),
        filter.table(),
        filter.location(),
        "row filter",
        problems)) {
      return;
    }
    if (!register(session, lake, filter.table())) {
      return;
    }
    for (Principal principal : principals) {
      try {
        session.describe(filterSql(session, filter, principal));
      } catch (QueryException e) {
        problems.add(
            new Problem(
                filter.location(),
                "The row filter on "
                    + filter.table()
                    + " does not bind for "
                    + principal.name()
                    + " (attributes: "
                    + (principal.attributes().isEmpty()
                        ? "none"
                        : String.join(
                            ", ", new java.util.TreeSet<>(principal.attributes().keySet())))
                    + "): "
                    + e.getMessage(),
                "a filter reads the table's columns and principal.NAME for an attribute every"
                    + " principal it applies to has"));
        return;
      }
    }
  }

  private static void checkMask(
      EngineSession session, Lake lake, MaskDef mask, List<Problem> problems) {
    if (mask.table().isEmpty()) {
      // a tag mask's expression reads the column by its name in whichever table it applies to
      parses(
          session, "SELECT " + mask.expression(), null, mask.location(), "custom mask", problems);
      return;
    }
    TableName table = mask.table().get();
    String sql = "SELECT " + mask.expression() + " FROM " + table.quoted();
    if (parses(session, sql, table, mask.location(), "custom mask", problems)
        && register(session, lake, table)) {
      try {
        session.describe(sql);
      } catch (QueryException e) {
        problems.add(
            new Problem(
                mask.location(),
                "The custom mask on " + mask.target() + " does not bind: " + e.getMessage(),
                "the expression reads the table's columns by name"));
      }
    }
  }

  /** Parses with the sandbox: one SELECT naming no table but {@code table}. */
  private static boolean parses(
      EngineSession session,
      String sql,
      TableName table,
      dev.sluice.api.Location location,
      String what,
      List<Problem> problems) {
    ParsedSelect parsed;
    try {
      parsed = session.parseSelect(sql);
    } catch (SqlRejectedException e) {
      problems.add(
          new Problem(
              location,
              "The " + what + "'s SQL is not valid: " + e.getMessage(),
              "write one SQL expression, e.g. country = principal.country"));
      return false;
    }
    for (TableReference reference : parsed.tables()) {
      boolean own =
          table != null
              && reference.schema().equalsIgnoreCase(table.zone())
              && reference.name().equalsIgnoreCase(table.name());
      if (!own) {
        problems.add(
            new Problem(
                location,
                "The "
                    + what
                    + " reads "
                    + reference
                    + ": it may read only its own table's columns",
                "write an expression over the columns, without subqueries of other tables"));
        return false;
      }
    }
    return true;
  }

  private static boolean register(EngineSession session, Lake lake, TableName table) {
    if (lake.findTable(table).isEmpty()) {
      return false; // not built yet: parsed, bound once 'sluice run' has built it
    }
    // the columns only: no data file is read (a scan would fetch the files of a warehouse in
    // object storage into Sluice's cache)
    session.registerTable(table, lake.loadTable(table).schema(), List.of());
    return true;
  }

  /**
   * The filter over its table, selecting a constant: what is checked is that the {@code where}
   * binds, and a {@code *} would return the principal's struct too, which Spark cannot describe.
   */
  private static String filterSql(EngineSession session, RowFilterDef filter, Principal principal) {
    return PrincipalAttributes.filtered(
        "SELECT 1 AS bound FROM " + filter.table().quoted(),
        session.structExpression(PrincipalAttributes.values(principal)),
        filter.where());
  }

  /** The principals a filter holds for: holders of its roles, or everyone not exempt. */
  private static List<Principal> appliesTo(AccessPolicy policy, RowFilterDef filter) {
    List<Principal> principals = new ArrayList<>();
    Stream.concat(policy.policies().users().stream(), policy.policies().groups().stream())
        .map(PrincipalDef::name)
        .map(policy::principal)
        .flatMap(Optional::stream)
        .filter(principal -> !principal.holdsAny(filter.exempt()))
        .filter(principal -> filter.mandatory() || principal.holdsAny(filter.roles()))
        .forEach(principals::add);
    return principals;
  }
}
