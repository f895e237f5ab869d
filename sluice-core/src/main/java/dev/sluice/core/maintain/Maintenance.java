package dev.sluice.core.maintain;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import dev.sluice.api.Zone;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.Project;
import dev.sluice.core.project.RetentionDef;
import dev.sluice.core.project.ZoneSettings;
import dev.sluice.core.state.AuditAction;
import dev.sluice.core.state.AuditEntry;
import dev.sluice.lake.ExpiredSnapshots;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Table maintenance ({@code sluice maintain}): retention deletes the rows each table keeps no
 * longer ({@code retention:} of a source table or model, else of its zone) and expires the
 * snapshots that still hold them; snapshot expiry drops the snapshots older than each zone's {@code
 * keep_snapshots:}. Every change is in the audit log: the delete commits (through the lake's write
 * path) and a {@code maintenance} record per table.
 */
public final class Maintenance {
  private final Workspace workspace;
  private final Clock clock;

  public Maintenance(Workspace workspace, Clock clock) {
    this.workspace = requireNonNull(workspace, "workspace is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  /**
   * Deletes the expired rows of every table of the warehouse that has a retention, one commit per
   * table, and expires the snapshots before each commit.
   *
   * @throws dev.sluice.api.InvalidInputException naming the retention's file and line when a table
   *     lacks its retention column or it is not a date or timestamp
   */
  public List<RetentionOutcome> applyRetention() {
    return applyRetention(Set.of());
  }

  /**
   * Deletes the expired rows of the given tables that have a retention, as {@link
   * #applyRetention()} does for every table.
   *
   * @param tables the tables; empty: every table of the warehouse
   */
  public List<RetentionOutcome> applyRetention(Set<TableName> tables) {
    requireNonNull(tables, "tables is null");
    Project project = workspace.project();
    Instant now = clock.instant();
    List<RetentionOutcome> outcomes = new ArrayList<>();
    try (EngineSession session = workspace.engine().openSession()) {
      TableRetention retention = new TableRetention(workspace.lake().readBy(session), session);
      for (TableName table : workspace.lake().listTables()) {
        if ((!tables.isEmpty() && !tables.contains(table))
            || workspace.lake().findTable(table).isEmpty()) {
          continue;
        }
        Optional<RetentionDef> definition = retentionOf(project, table);
        if (definition.isEmpty()) {
          continue;
        }
        RetentionOutcome outcome =
            retention.apply(table, definition.get(), definition.get().cutoff(now));
        outcomes.add(outcome);
        if (outcome.snapshotId() != null) {
          record(
              maintenance(table, "retention")
                  .detail("column", outcome.column())
                  .detail("cutoff", outcome.cutoff().toString())
                  .detail("rows_deleted", outcome.rowsDeleted())
                  .detail("snapshot_id", outcome.snapshotId())
                  .detail("snapshots_expired", outcome.snapshotsExpired())
                  .detail("files_deleted", outcome.filesDeleted()));
        }
      }
    }
    return outcomes;
  }

  /** Expires the snapshots older than {@code keep_snapshots:} of each table's zone. */
  public List<SnapshotExpiry> expireSnapshots() {
    Instant now = clock.instant();
    List<SnapshotExpiry> expiries = new ArrayList<>();
    for (TableName table : workspace.lake().listTables()) {
      Optional<ZoneSettings> zone =
          Zone.fromName(table.zone()).map(name -> workspace.project().config().zones().get(name));
      if (zone.isEmpty()
          || zone.get().keepSnapshots() == null
          || workspace.lake().findTable(table).isEmpty()) {
        continue;
      }
      Instant olderThan = now.minus(zone.get().keepSnapshots());
      ExpiredSnapshots expired = workspace.lake().expireSnapshots(table, olderThan);
      expiries.add(
          new SnapshotExpiry(table, olderThan, expired.snapshots(), expired.deletedFiles().size()));
      if (expired.snapshots() > 0) {
        record(
            maintenance(table, "expire_snapshots")
                .detail("older_than", olderThan.toString())
                .detail("snapshots_expired", expired.snapshots())
                .detail("files_deleted", expired.deletedFiles().size()));
      }
    }
    return expiries;
  }

  private AuditEntry.Builder maintenance(TableName table, String operation) {
    return auditEntry(workspace, table, operation);
  }

  /** The audit record of a maintenance operation on a table, to complete with its figures. */
  static AuditEntry.Builder auditEntry(Workspace workspace, TableName table, String operation) {
    return workspace
        .audit()
        .entry(AuditAction.MAINTENANCE)
        .table(table.toString())
        .detail("operation", operation);
  }

  private void record(AuditEntry.Builder entry) {
    workspace.audit().record(entry.build());
  }

  /**
   * A table's own retention, else its zone's when the table has the zone's column (a zone's tables
   * need not all have it).
   */
  private Optional<RetentionDef> retentionOf(Project project, TableName table) {
    Optional<RetentionDef> own = project.ownRetention(table);
    if (own.isPresent()) {
      return own;
    }
    return project
        .zoneRetention(table)
        .filter(
            zone ->
                workspace.lake().loadTable(table).schema().caseInsensitiveFindField(zone.column())
                    != null);
  }
}
