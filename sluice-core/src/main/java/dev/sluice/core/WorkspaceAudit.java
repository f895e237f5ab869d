package dev.sluice.core;

import static java.util.Objects.requireNonNull;

import dev.sluice.core.state.AuditAction;
import dev.sluice.core.state.AuditEntry;
import dev.sluice.core.state.AuditRecord;
import dev.sluice.core.state.RunStatus;
import dev.sluice.core.state.RunStore;
import dev.sluice.lake.TableCommit;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@link Workspace} records in the audit log of its state database: every run's start and
 * end, and every commit to a table made through the lake's write path (the workspace hears of each
 * one). Times come from the workspace's clock; the principal is the workspace's.
 *
 * <p>A record that cannot be written is logged as an error and does not fail the work it records:
 * the commit or run it describes has already happened, and failing it would make a retry repeat it.
 */
public final class WorkspaceAudit {
  private static final Logger log = LoggerFactory.getLogger(WorkspaceAudit.class);

  private final Supplier<RunStore> store;
  private final Clock clock;
  private final String principal;

  WorkspaceAudit(Supplier<RunStore> store, Clock clock, String principal) {
    this.store = requireNonNull(store, "store is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.principal = requireNonNull(principal, "principal is null");
  }

  /** The principal this workspace acts as. */
  public String principal() {
    return principal;
  }

  /** Starts an entry of this workspace's principal, now. */
  public AuditEntry.Builder entry(AuditAction action) {
    return AuditEntry.builder(action, principal, clock.instant());
  }

  /**
   * Appends an entry; a failure is logged, not thrown.
   *
   * @return the record, or empty when it could not be written
   */
  public Optional<AuditRecord> record(AuditEntry entry) {
    try {
      return Optional.of(store.get().audit().append(entry));
    } catch (RuntimeException e) {
      log.error(
          "Cannot write the audit record of a {} by {}: {}",
          entry.action().label(),
          entry.principal(),
          e.getMessage(),
          e);
      return Optional.empty();
    }
  }

  /** Records the start of a run. */
  public void runStarted(String runId, String command, List<String> selection) {
    record(
        entry(AuditAction.RUN)
            .detail("run_id", runId)
            .detail("event", "started")
            .detail("command", command)
            .detail("selection", selection)
            .build());
  }

  /** Records the end of a run with its status. */
  public void runFinished(String runId, RunStatus status, String error) {
    record(
        entry(AuditAction.RUN)
            .detail("run_id", runId)
            .detail("event", "finished")
            .detail("status", status.name().toLowerCase(java.util.Locale.ROOT))
            .detail("error", error)
            .build());
  }

  /**
   * Records a change of a policy file (such as the project's policies.yaml) since the last one
   * recorded: its SHA-256, the previous one, a line diff and the content (secrets masked). Records
   * nothing when the file is as last recorded. The runner calls it at the start of every run; the
   * policy features may call it when they load the file.
   *
   * @return the record, or empty when nothing changed (or it could not be written)
   */
  public Optional<AuditRecord> policyFile(Path file) {
    try {
      return PolicyFileChanges.record(this, filter -> store.get().audit().records(filter), file);
    } catch (RuntimeException e) {
      log.error("Cannot record a change of {} in the audit log: {}", file, e.getMessage(), e);
      return Optional.empty();
    }
  }

  /** Records a commit to a table: its snapshot, operation, branch and run. */
  public void committed(TableCommit commit) {
    dev.sluice.api.timing.PhaseTimer.run(
        dev.sluice.api.timing.StepPhase.RUN_STORE,
        () ->
            record(
                entry(AuditAction.COMMIT)
                    .table(commit.table().toString())
                    .detail("snapshot_id", commit.snapshotId())
                    .detail("operation", commit.operation())
                    .detail("branch", commit.branch())
                    .detail("run_id", commit.summary().get("sluice.run-id"))
                    .build()));
  }
}
