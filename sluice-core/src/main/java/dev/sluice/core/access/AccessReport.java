package dev.sluice.core.access;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import dev.sluice.core.state.AccessRequest;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * A review of a project's access: per table its owner, the classification of every column and the
 * grants that are broader than they should be, and over all tables the shares a platform team
 * tracks ({@link AccessReview} builds it).
 *
 * @param tables every table of the project (but the {@code __rejected} tables), in project order
 * @param timeBoundGrants the approved access requests, those that hold and those that ended
 */
public record AccessReport(List<TableReport> tables, List<AccessRequest> timeBoundGrants) {
  public AccessReport {
    tables = List.copyOf(tables);
    timeBoundGrants = List.copyOf(timeBoundGrants);
  }

  /** Why a grant is broader than it should be. */
  public enum FindingKind {
    /**
     * A grant of the whole table (no {@code columns:}) lets a role read a column classified {@code
     * pii} (declared or inherited) that no mask covers for it.
     */
    UNMASKED_PII,
    /**
     * A grant on tables of every zone: its pattern's zone part is a wildcard ({@code *.orders}).
     */
    WILDCARD_ZONE,
    /** A grant to a role that every declared user holds: everyone reads the table. */
    EVERYONE;

    /** The name people read: {@code unmasked_pii}. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One over-broad grant on one table.
   *
   * @param role the role the grant gives to (a time-bound grant's role is {@code request#N})
   * @param grant what the grant allows and where it is declared
   * @param detail what is too broad, e.g. the unmasked columns
   */
  public record Finding(
      FindingKind kind, TableName table, String role, String grant, String detail) {
    public Finding {
      requireNonNull(kind, "kind is null");
      requireNonNull(table, "table is null");
      requireNonNull(role, "role is null");
      requireNonNull(grant, "grant is null");
      requireNonNull(detail, "detail is null");
    }
  }

  /**
   * One column and its classification.
   *
   * @param tags the tags it holds, declared or inherited
   * @param classified whether it holds a tag or declares {@code classification: []} (with a reason)
   */
  public record ColumnReport(String name, Set<String> tags, boolean classified) {
    public ColumnReport {
      requireNonNull(name, "name is null");
      tags = Set.copyOf(tags);
    }
  }

  /**
   * One table: its owner, its columns with their classification, the over-broad grants on it.
   *
   * @param owner the table's {@code owner:}, empty when it declares none
   */
  public record TableReport(
      TableName table, Optional<String> owner, List<ColumnReport> columns, List<Finding> findings) {
    public TableReport {
      requireNonNull(table, "table is null");
      requireNonNull(owner, "owner is null");
      columns = List.copyOf(columns);
      findings = List.copyOf(findings);
    }

    /** How many of its columns are classified. */
    public long classifiedColumns() {
      return columns.stream().filter(ColumnReport::classified).count();
    }

    /** The share of its columns that are classified, 0 to 1 (1 for a table without columns). */
    public double classifiedShare() {
      return columns.isEmpty() ? 1.0 : (double) classifiedColumns() / columns.size();
    }

    /** Whether the table complies: it has an owner, every column is classified, no finding. */
    public boolean compliant() {
      return owner.isPresent() && classifiedColumns() == columns.size() && findings.isEmpty();
    }
  }

  /** The share of tables with an owner, 0 to 1 (1 for a project without tables). */
  public double ownerShare() {
    return share(tables.stream().filter(table -> table.owner().isPresent()).count());
  }

  /** How many columns there are over all tables. */
  public long columns() {
    return tables.stream().mapToLong(table -> table.columns().size()).sum();
  }

  /** How many columns are classified over all tables. */
  public long classifiedColumns() {
    return tables.stream().mapToLong(TableReport::classifiedColumns).sum();
  }

  /** The share of all columns that are classified, 0 to 1. */
  public double classifiedShare() {
    long columns = columns();
    return columns == 0 ? 1.0 : (double) classifiedColumns() / columns;
  }

  /** Every finding, table by table. */
  public List<Finding> findings() {
    return tables.stream().flatMap(table -> table.findings().stream()).toList();
  }

  /** How many distinct grants are over-broad somewhere. */
  public long overBroadGrants() {
    return findings().stream()
        .map(finding -> finding.role() + " " + finding.grant())
        .distinct()
        .count();
  }

  /**
   * The access policy compliance rate: the share of tables that have an owner, a classification of
   * every column and no over-broad grant, 0 to 1.
   */
  public double complianceRate() {
    return share(tables.stream().filter(TableReport::compliant).count());
  }

  private double share(long count) {
    return tables.isEmpty() ? 1.0 : (double) count / tables.size();
  }
}
