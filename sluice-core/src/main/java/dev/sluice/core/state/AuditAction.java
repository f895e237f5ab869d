package dev.sluice.core.state;

/** What an {@link AuditRecord} records. Kept in the state database by constant name. */
public enum AuditAction {
  /** A read through the query service: tables and columns read, masks and filters applied. */
  QUERY,
  /** A run started or finished (details: run id, command, event, status). */
  RUN,
  /** A commit to a table (details: snapshot id, operation, branch, run id). */
  COMMIT,
  /** A change of policies.yaml (details: file hash, previous hash, diff). */
  POLICY_CHANGE,
  /** A request for access to a table or columns. */
  ACCESS_REQUEST,
  /** An approval or denial of an access request. */
  ACCESS_DECISION,
  /** A read or action that was refused, with what was refused and why. */
  REFUSED,
  /** Table maintenance that removes data: expired snapshots, removed files. */
  MAINTENANCE,
  /** An erasure of a data subject: tables, rows removed, snapshots expired (never the value). */
  ERASURE,
  /** A sign-in to the server: succeeded, failed (and why), or refused by the rate limit. */
  LOGIN,
  /** An API token created or revoked, or a password set or removed (never the secret). */
  CREDENTIAL,
  /** An alert sent, or that could not be sent: rule, subject, firing or resolved, channels. */
  ALERT,
  /** A development environment built or dropped: its tables, branches and files removed. */
  ENVIRONMENT,
  /** A promotion of an environment to production, or its rollback: started, promoted, refused. */
  PROMOTION;

  /** The name people read and type: {@code policy_change}. */
  public String label() {
    return Labels.of(this);
  }

  /**
   * The action a label names, in either case.
   *
   * @throws IllegalArgumentException naming the allowed labels when none matches
   */
  public static AuditAction fromLabel(String label) {
    return Labels.find(AuditAction.class, label)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "Unknown audit action '"
                        + label
                        + "': use one of "
                        + Labels.all(AuditAction.class)));
  }
}
