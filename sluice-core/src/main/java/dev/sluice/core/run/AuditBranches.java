package dev.sluice.core.run;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import dev.sluice.core.state.RunStatus;
import dev.sluice.core.state.RunSummary;
import dev.sluice.core.state.Runs;
import dev.sluice.lake.Lake;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.iceberg.ManageSnapshots;
import org.apache.iceberg.Table;

/**
 * The branches a run's steps write to before they publish: {@code audit-<run>} (write-audit-
 * publish, {@link AuditedWrite}) and {@code audit-<run>-merge} (an engine's own {@code MERGE INTO},
 * {@link IcebergMerge}). A step removes them when it publishes or fails; a run killed in between
 * leaves them behind, holding snapshots that nothing publishes and that snapshot expiry keeps while
 * a branch holds them. A resumed run runs under a new id, so they are never reused: they are
 * removed when the run is resumed ({@link #removeRunBranches}: the old run's branches of the tables
 * the resume builds again) and by maintenance ({@link #stale}: branches whose run is finished in
 * the run store, for longer than a grace period; never a branch of a run the store has as running).
 */
public final class AuditBranches {
  /**
   * How long after its run finished a branch is left alone by maintenance: a process paused past
   * its heartbeat whose run was taken over stops at its next heartbeat, long before.
   */
  public static final Duration DEFAULT_GRACE = Duration.ofHours(1);

  private static final String PREFIX = "audit-";
  private static final String MERGE_SUFFIX = "-merge";
  private static final Pattern BRANCH = Pattern.compile("audit-(.+?)(-merge)?");

  /**
   * A branch left by a finished run.
   *
   * @param finishedAt when its run finished
   */
  public record Stale(
      TableName table, String branch, String runId, RunStatus status, Instant finishedAt) {
    public Stale {
      requireNonNull(table, "table is null");
      requireNonNull(branch, "branch is null");
      requireNonNull(runId, "runId is null");
      requireNonNull(status, "status is null");
      requireNonNull(finishedAt, "finishedAt is null");
    }
  }

  private AuditBranches() {}

  /** The audit branch of a run: {@code audit-<run>}. */
  static String of(String runId) {
    return PREFIX + requireNonNull(runId, "runId is null");
  }

  /** The branch of a run's engine {@code MERGE INTO}: {@code audit-<run>-merge}. */
  static String mergeOf(String runId) {
    return of(runId) + MERGE_SUFFIX;
  }

  /** The run a branch belongs to, if it is a run's audit or merge branch. */
  public static Optional<String> runOf(String branch) {
    Matcher matcher = BRANCH.matcher(requireNonNull(branch, "branch is null"));
    return matcher.matches() ? Optional.of(matcher.group(1)) : Optional.empty();
  }

  /**
   * Removes run {@code runId}'s audit and merge branches from {@code tables} (those that exist and
   * have them), in one commit per table.
   *
   * @return how many branches were removed
   */
  static int removeRunBranches(Lake lake, Collection<TableName> tables, String runId) {
    List<String> branches = List.of(of(runId), mergeOf(runId));
    int removed = 0;
    for (TableName name : tables) {
      Optional<Table> table = lake.findTable(name);
      if (table.isEmpty()) {
        continue;
      }
      List<String> present = branches.stream().filter(table.get().refs()::containsKey).toList();
      if (!present.isEmpty()) {
        remove(table.get(), present);
        removed += present.size();
      }
    }
    return removed;
  }

  /**
   * The audit and merge branches of {@code table} whose run finished (succeeded, failed, was
   * cancelled or interrupted) before {@code finishedBefore}. A branch of a run the store has as
   * running, or does not know (another state database), is never stale.
   *
   * @param finishedRuns looked-up runs, by id, shared across tables (empty: not known)
   */
  public static List<Stale> stale(
      Lake lake,
      Runs runs,
      TableName table,
      Instant finishedBefore,
      Map<String, Optional<RunSummary>> finishedRuns) {
    requireNonNull(finishedBefore, "finishedBefore is null");
    List<Stale> stale = new ArrayList<>();
    for (String branch : lake.loadTable(table).refs().keySet()) {
      Optional<String> runId = runOf(branch);
      if (runId.isEmpty()) {
        continue;
      }
      Optional<RunSummary> run =
          finishedRuns.computeIfAbsent(
              runId.get(),
              id ->
                  runs.findRun(id)
                      .map(detail -> detail.summary())
                      .filter(summary -> summary.id().equals(id)));
      if (run.isPresent()
          && run.get().status() != RunStatus.RUNNING
          && run.get().finishedAt() != null
          && run.get().finishedAt().isBefore(finishedBefore)) {
        stale.add(
            new Stale(table, branch, runId.get(), run.get().status(), run.get().finishedAt()));
      }
    }
    return stale;
  }

  /** A cache of run look-ups for {@link #stale}. */
  public static Map<String, Optional<RunSummary>> runLookups() {
    return new HashMap<>();
  }

  /** Removes the given stale branches of one table, in one commit. */
  public static void remove(Lake lake, TableName table, List<Stale> branches) {
    if (!branches.isEmpty()) {
      remove(lake.loadTable(table), branches.stream().map(Stale::branch).toList());
    }
  }

  private static void remove(Table table, List<String> branches) {
    ManageSnapshots update = table.manageSnapshots();
    for (String branch : branches) {
      update = update.removeBranch(branch);
    }
    update.commit();
  }
}
