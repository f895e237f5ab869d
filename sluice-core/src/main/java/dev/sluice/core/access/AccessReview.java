package dev.sluice.core.access;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import dev.sluice.core.Workspace;
import dev.sluice.core.lineage.ColumnClassification;
import dev.sluice.core.lineage.ColumnTags;
import dev.sluice.core.project.Project;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.state.AccessRequest;
import dev.sluice.governance.AccessPolicy;
import dev.sluice.governance.GrantDef;
import dev.sluice.governance.MaskDef;
import dev.sluice.governance.Principal;
import dev.sluice.governance.PrincipalDef;
import dev.sluice.governance.Privilege;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reviews a project's access for a platform team ({@code sluice access report}): for every table
 * its owner, every column with its classification tags (declared or inherited along column
 * lineage), and the grants that are over-broad ({@link AccessReport.FindingKind}): a whole-table
 * grant that reads a PII column no mask covers, a grant whose zone is a wildcard, a grant to a role
 * every user holds. The time-bound grants of approved access requests that hold now are reviewed
 * like declared grants; those that ended are listed, and grant nothing.
 *
 * <p>A mask that a role is exempt from counts as covering the column: the exemption is declared, so
 * reading the column unmasked is intended (and {@code sluice access explain} shows it).
 */
public final class AccessReview {
  private static final String PII = "pii";
  private static final String REJECTED = "__rejected";

  /**
   * The columns the connectors add to a loaded table (when it was loaded, from which file): they
   * hold no source data and no project file can classify them, so they are left out.
   */
  private static final Set<String> LOAD_COLUMNS = Set.of("_loaded_at", "_source_file");

  private final Workspace workspace;

  public AccessReview(Workspace workspace) {
    this.workspace = requireNonNull(workspace, "workspace is null");
  }

  /** Reviews every table the project defines (but the {@code __rejected} tables). */
  public AccessReport report() {
    Project project = workspace.project();
    AccessPolicy policy = new QueryService(workspace).policy();
    ColumnTags tags = ColumnTags.of(project);
    Set<String> everyone = rolesOfEveryone(policy);
    List<AccessReport.TableReport> tables = new ArrayList<>();
    TableColumns.all(project, workspace.lake())
        .forEach(
            (table, columns) -> {
              if (!table.name().endsWith(REJECTED)) {
                tables.add(table(project, policy, tags, everyone, table, columns));
              }
            });
    List<AccessRequest> grants =
        workspace.runStore().accessRequests().all().stream()
            .filter(request -> request.decision().map(d -> d.approved()).orElse(false))
            .toList();
    return new AccessReport(tables, grants);
  }

  private static AccessReport.TableReport table(
      Project project,
      AccessPolicy policy,
      ColumnTags tags,
      Set<String> everyone,
      TableName table,
      List<String> columns) {
    List<AccessReport.ColumnReport> reports = new ArrayList<>();
    List<String> pii = new ArrayList<>();
    for (String column : columns) {
      if (LOAD_COLUMNS.contains(column)) {
        continue;
      }
      Optional<ColumnClassification> classification = tags.classification(table, column);
      Set<String> held = classification.map(ColumnClassification::tags).orElse(Set.of());
      reports.add(new AccessReport.ColumnReport(column, held, classification.isPresent()));
      if (dev.sluice.governance.ColumnClassification.covers(PII, held)) {
        pii.add(column);
      }
    }
    List<AccessReport.Finding> findings = new ArrayList<>();
    for (GrantDef grant : policy.grants()) {
      if (!grant.allows(Privilege.READ) || !grant.on().matches(table)) {
        continue;
      }
      String described = grant.describe() + " (" + grant.location() + ")";
      if (!grant.on().zone().equals(table.zone())) {
        findings.add(
            new AccessReport.Finding(
                AccessReport.FindingKind.WILDCARD_ZONE,
                table,
                grant.role(),
                described,
                "the pattern " + grant.on() + " covers tables of every zone (but raw)"));
      }
      if (everyone.contains(grant.role())) {
        findings.add(
            new AccessReport.Finding(
                AccessReport.FindingKind.EVERYONE,
                table,
                grant.role(),
                described,
                "every user holds role " + grant.role()));
      }
      if (grant.columns().isEmpty()) {
        List<String> unmasked = new ArrayList<>();
        for (String column : pii) {
          if (!masked(policy, table, column)) {
            unmasked.add(
                column + " (" + String.join(", ", new TreeSet<>(tags.tags(table, column))) + ")");
          }
        }
        if (!unmasked.isEmpty()) {
          findings.add(
              new AccessReport.Finding(
                  AccessReport.FindingKind.UNMASKED_PII,
                  table,
                  grant.role(),
                  described,
                  "reads the whole table, and no mask covers its PII columns "
                      + String.join(", ", unmasked)));
        }
      }
    }
    return new AccessReport.TableReport(table, TableOwners.of(project, table), reports, findings);
  }

  /** Whether a mask covers the column (for some roles at least: exemptions are declared). */
  private static boolean masked(AccessPolicy policy, TableName table, String column) {
    for (MaskDef mask : policy.policies().masks()) {
      boolean covers =
          mask.tag().isPresent()
              ? dev.sluice.governance.ColumnClassification.covers(
                  mask.tag().get(), policy.classification().tags(table, column))
              : mask.table().orElseThrow().equals(table)
                  && mask.column().orElseThrow().equalsIgnoreCase(column);
      if (covers) {
        return true;
      }
    }
    return false;
  }

  /** The roles every declared user holds, when there are at least two users. */
  private static Set<String> rolesOfEveryone(AccessPolicy policy) {
    List<PrincipalDef> users = policy.policies().users();
    if (users.size() < 2) {
      return Set.of();
    }
    Set<String> common =
        new LinkedHashSet<>(
            policy.principal(users.get(0).name()).map(Principal::roles).orElse(Set.of()));
    for (PrincipalDef user : users) {
      common.retainAll(policy.principal(user.name()).map(Principal::roles).orElse(Set.of()));
    }
    return common;
  }
}
