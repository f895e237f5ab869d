package dev.sluice.core.maintain;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import dev.sluice.api.engine.EngineSession;
import dev.sluice.core.Workspace;
import dev.sluice.core.project.MaintenanceDef;
import dev.sluice.core.run.AuditBranches;
import dev.sluice.core.state.AuditEntry;
import dev.sluice.core.state.RunSummary;
import dev.sluice.lake.ExpiredSnapshots;
import dev.sluice.lake.Housekeeping;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code sluice maintain}'s work on each table, with Iceberg's own operations, as {@code
 * maintenance:} of sluice.yaml and of each table asks: bin-pack compaction of small files,
 * rewriting partitions in {@code sort_by} or {@code cluster_by} (Z-) order, rewriting manifests,
 * expiring snapshots ({@code keep_snapshots:}, {@code min_snapshots:}; branches and tags kept) and
 * removing orphan files older than the safety window. A dry run plans and lists without changing
 * anything. Every change is in the audit log: the commits, and a {@code maintenance} record per
 * operation. Branches that killed runs left ({@link AuditBranches}) are removed first, so that the
 * snapshots only they held expire in the same pass.
 */
public final class TableMaintenance {
  /** Compaction's target file size unless {@code target_file_size:} says otherwise: 128 MiB. */
  public static final long DEFAULT_TARGET_FILE_SIZE = 128L << 20;

  /** Small files a partition needs before compaction rewrites them. */
  public static final int DEFAULT_MIN_INPUT_FILES = 5;

  /** Snapshots kept whatever their age. */
  public static final int DEFAULT_MIN_SNAPSHOTS = 5;

  /** Orphan files younger than this are never removed (they may belong to a write in progress). */
  public static final Duration DEFAULT_ORPHAN_WINDOW = Duration.ofDays(3);

  /** Audit branches of runs finished for less than this are kept. */
  public static final Duration BRANCH_GRACE = AuditBranches.DEFAULT_GRACE;

  /** What maintenance can do to a table. */
  public enum Operation {
    /** Remove the audit branches of runs finished for longer than {@link #BRANCH_GRACE}. */
    BRANCHES,
    COMPACT,
    SORT,
    MANIFESTS,
    EXPIRE,
    ORPHANS
  }

  /**
   * What to do.
   *
   * @param tables the tables to maintain; empty: every table of the warehouse
   */
  public record Request(Set<Operation> operations, boolean dryRun, Set<TableName> tables) {
    public Request {
      operations =
          operations.isEmpty() ? EnumSet.noneOf(Operation.class) : EnumSet.copyOf(operations);
      tables = Set.copyOf(tables);
    }
  }

  /**
   * What manifest rewriting did.
   *
   * @param snapshotId the rewrite's commit, or null (nothing to rewrite, or a dry run)
   */
  public record ManifestOutcome(int manifestsBefore, int manifestsAfter, Long snapshotId) {}

  /**
   * Orphan files found (dry run) or removed.
   *
   * @param olderThan only files last written before this count
   * @param files their locations
   */
  public record OrphanOutcome(Instant olderThan, List<String> files, long bytes, boolean removed) {
    public OrphanOutcome {
      files = List.copyOf(files);
    }
  }

  /**
   * Branches left by finished runs, found (dry run) or removed.
   *
   * @param finishedBefore only branches of runs finished before this count
   */
  public record BranchOutcome(
      Instant finishedBefore, List<AuditBranches.Stale> branches, boolean removed) {
    public BranchOutcome {
      branches = List.copyOf(branches);
    }

    /** "audit-20261207-101500-a1b2 (run failed)". */
    public static String describe(AuditBranches.Stale branch) {
      return branch.branch()
          + " (run "
          + branch.status().name().toLowerCase(java.util.Locale.ROOT)
          + ")";
    }
  }

  /**
   * What maintenance did (or would do) to one table; a null part was not asked for or does not
   * apply (no {@code keep_snapshots:} for expiry).
   */
  public record Report(
      TableName table,
      List<CompactionOutcome> rewrites,
      ManifestOutcome manifests,
      SnapshotExpiry expiry,
      OrphanOutcome orphans,
      BranchOutcome branches) {
    public Report {
      rewrites = List.copyOf(rewrites);
    }
  }

  private final Workspace workspace;
  private final Clock clock;
  private final Runnable beforeCommit;

  public TableMaintenance(Workspace workspace, Clock clock) {
    this(workspace, clock, () -> {});
  }

  /** As above; {@code beforeCommit} runs before each compaction commit (for tests). */
  TableMaintenance(Workspace workspace, Clock clock, Runnable beforeCommit) {
    this.workspace = requireNonNull(workspace, "workspace is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.beforeCommit = requireNonNull(beforeCommit, "beforeCommit is null");
  }

  /** Maintains each table asked for, in name order. */
  public List<Report> run(Request request) {
    List<TableName> tables = new ArrayList<>();
    for (TableName table : workspace.lake().listTables()) {
      if ((request.tables().isEmpty() || request.tables().contains(table))
          && workspace.lake().findTable(table).isPresent()) {
        tables.add(table);
      }
    }
    tables.sort(java.util.Comparator.comparing(TableName::toString));
    List<Report> reports = new ArrayList<>();
    Map<String, Optional<RunSummary>> runs = AuditBranches.runLookups();
    try (EngineSession session = workspace.engine().openSession()) {
      // an engine that reads object storage itself rewrites the files at their own locations
      Compaction compaction =
          new Compaction(workspace.lake().readBy(session), session, beforeCommit);
      for (TableName table : tables) {
        reports.add(maintain(table, request, compaction, runs));
      }
    }
    return reports;
  }

  private Report maintain(
      TableName table,
      Request request,
      Compaction compaction,
      Map<String, Optional<RunSummary>> runs) {
    MaintenanceDef settings = workspace.project().maintenance(table).orElse(null);
    Compaction.Settings compact =
        new Compaction.Settings(
            value(settings == null ? null : settings.targetFileSize(), DEFAULT_TARGET_FILE_SIZE),
            value(settings == null ? null : settings.minInputFiles(), DEFAULT_MIN_INPUT_FILES),
            settings == null || settings.sortBy() == null ? List.of() : settings.sortBy(),
            settings == null || settings.clusterBy() == null ? List.of() : settings.clusterBy());
    Set<Operation> operations = request.operations();
    boolean dryRun = request.dryRun();
    BranchOutcome branches = null;
    if (operations.contains(Operation.BRANCHES)) {
      branches = branches(table, clock.instant().minus(BRANCH_GRACE), runs, dryRun);
    }
    List<CompactionOutcome> rewrites = new ArrayList<>();
    if (operations.contains(Operation.COMPACT)) {
      rewrites.add(audited(compaction.compact(table, Compaction.Kind.COMPACT, compact, dryRun)));
    }
    if (operations.contains(Operation.SORT)) {
      Compaction.Kind kind =
          compact.clusterBy().isEmpty() ? Compaction.Kind.SORT : Compaction.Kind.CLUSTER;
      rewrites.add(audited(compaction.compact(table, kind, compact, dryRun)));
    }
    Housekeeping housekeeping = new Housekeeping(workspace.lake());
    ManifestOutcome manifests = null;
    if (operations.contains(Operation.MANIFESTS)) {
      manifests = manifests(table, housekeeping, dryRun);
    }
    SnapshotExpiry expiry = null;
    Duration keep = settings == null ? null : settings.keepSnapshots();
    if (operations.contains(Operation.EXPIRE) && keep != null) {
      expiry =
          expire(
              table,
              housekeeping,
              clock.instant().minus(keep),
              value(settings.minSnapshots(), DEFAULT_MIN_SNAPSHOTS),
              dryRun);
    }
    OrphanOutcome orphans = null;
    if (operations.contains(Operation.ORPHANS)) {
      Duration window =
          value(settings == null ? null : settings.orphanFilesOlderThan(), DEFAULT_ORPHAN_WINDOW);
      orphans = orphans(table, housekeeping, clock.instant().minus(window), dryRun);
    }
    return new Report(table, rewrites, manifests, expiry, orphans, branches);
  }

  private BranchOutcome branches(
      TableName table,
      Instant finishedBefore,
      Map<String, Optional<RunSummary>> runs,
      boolean dryRun) {
    List<AuditBranches.Stale> stale =
        AuditBranches.stale(
            workspace.lake(), workspace.runStore().runs(), table, finishedBefore, runs);
    if (!dryRun && !stale.isEmpty()) {
      AuditBranches.remove(workspace.lake(), table, stale);
      record(
          table,
          entry(table, "remove_stale_branches")
              .detail(
                  "branches",
                  String.join(", ", stale.stream().map(AuditBranches.Stale::branch).toList()))
              .detail("runs_finished_before", finishedBefore.toString()));
    }
    return new BranchOutcome(finishedBefore, stale, !dryRun);
  }

  private CompactionOutcome audited(CompactionOutcome outcome) {
    if (outcome.snapshotId() != null) {
      record(
          outcome.table(),
          entry(outcome.table(), outcome.kind())
              .detail("files_before", outcome.filesBefore())
              .detail("files_after", outcome.filesAfter())
              .detail("bytes_before", outcome.bytesBefore())
              .detail("bytes_after", outcome.bytesAfter())
              .detail("snapshot_id", outcome.snapshotId()));
    }
    return outcome;
  }

  private ManifestOutcome manifests(TableName table, Housekeeping housekeeping, boolean dryRun) {
    if (dryRun) {
      int count = housekeeping.manifestCount(table);
      return new ManifestOutcome(count, Math.min(count, 1), null);
    }
    Housekeeping.RewrittenManifests rewritten = housekeeping.rewriteManifests(table);
    if (rewritten.snapshotId() != null) {
      record(
          table,
          entry(table, "rewrite_manifests")
              .detail("manifests_before", rewritten.before())
              .detail("manifests_after", rewritten.after())
              .detail("snapshot_id", rewritten.snapshotId()));
    }
    return new ManifestOutcome(rewritten.before(), rewritten.after(), rewritten.snapshotId());
  }

  private SnapshotExpiry expire(
      TableName table, Housekeeping housekeeping, Instant olderThan, int minimum, boolean dryRun) {
    if (dryRun) {
      return new SnapshotExpiry(
          table, olderThan, housekeeping.expirable(table, olderThan, minimum).size(), 0);
    }
    ExpiredSnapshots expired = housekeeping.expireSnapshots(table, olderThan, minimum);
    if (expired.snapshots() > 0) {
      record(
          table,
          entry(table, "expire_snapshots")
              .detail("older_than", olderThan.toString())
              .detail("min_snapshots", minimum)
              .detail("snapshots_expired", expired.snapshots())
              .detail("files_deleted", expired.deletedFiles().size()));
    }
    return new SnapshotExpiry(table, olderThan, expired.snapshots(), expired.deletedFiles().size());
  }

  private OrphanOutcome orphans(
      TableName table, Housekeeping housekeeping, Instant olderThan, boolean dryRun) {
    List<Housekeeping.OrphanFile> files =
        dryRun
            ? housekeeping.orphanFiles(table, olderThan)
            : housekeeping.deleteOrphanFiles(table, olderThan);
    long bytes = files.stream().mapToLong(Housekeeping.OrphanFile::sizeInBytes).sum();
    if (!dryRun && !files.isEmpty()) {
      record(
          table,
          entry(table, "remove_orphan_files")
              .detail("older_than", olderThan.toString())
              .detail("files_deleted", files.size())
              .detail("bytes_deleted", bytes));
    }
    return new OrphanOutcome(
        olderThan, files.stream().map(Housekeeping.OrphanFile::location).toList(), bytes, !dryRun);
  }

  private AuditEntry.Builder entry(TableName table, String operation) {
    return Maintenance.auditEntry(workspace, table, operation);
  }

  private void record(TableName table, AuditEntry.Builder entry) {
    requireNonNull(table, "table is null");
    workspace.audit().record(entry.build());
  }

  private static <T> T value(T value, T fallback) {
    return Optional.ofNullable(value).orElse(fallback);
  }
}
