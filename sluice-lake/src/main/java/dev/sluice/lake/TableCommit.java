package dev.sluice.lake;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import java.util.Map;

/**
 * A commit that a {@link TableWrite} made to a table, as {@link CommitListener}s hear of it.
 *
 * @param snapshotId the snapshot the commit made (for a publish: the snapshot main moved to)
 * @param operation what it did: {@code append}, {@code replace_all}, {@code overwrite_rows}, {@code
 *     rewrite_files}, {@code delete_rows}, {@code compact}, {@code rewrite_manifests} or {@code
 *     publish} (main fast-forwarded to an audited snapshot)
 * @param branch the branch committed to: {@code main} or a write's audit branch
 * @param summary the snapshot summary properties the write set (such as {@code sluice.run-id})
 */
public record TableCommit(
    TableName table,
    long snapshotId,
    String operation,
    String branch,
    Map<String, String> summary) {
  public TableCommit {
    requireNonNull(table, "table is null");
    requireNonNull(operation, "operation is null");
    requireNonNull(branch, "branch is null");
    summary = Map.copyOf(summary);
  }
}
