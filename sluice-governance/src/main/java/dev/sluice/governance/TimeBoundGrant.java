package dev.sluice.governance;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import dev.sluice.api.TableName;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * A read grant that an approved access request gives one principal on one table (optionally only
 * some columns) until a moment, after which it no longer exists. It is not written in
 * policies.yaml: the state database keeps it, and {@link AccessPolicy#withTimeBoundGrants} adds it
 * to the declared policy. It reads like a grant of {@code read} to a role of its own ({@link
 * #role()}) that only its principal holds, so the masks and row filters of policies.yaml apply as
 * they do to any grant: a mask holds unless a role of the principal is exempt, and the principal's
 * role filters still limit its rows.
 *
 * @param requestId the access request that was approved
 * @param principal the user or group that asked, and now reads
 * @param table the table it may read
 * @param columns the columns it may read; empty for every column
 * @param until the moment the grant ends (exclusive)
 * @param approvedBy who approved the request
 */
public record TimeBoundGrant(
    long requestId,
    String principal,
    TableName table,
    List<String> columns,
    Instant until,
    String approvedBy) {
  /** The prefix of the roles of time-bound grants; policies.yaml cannot declare such a name. */
  public static final String ROLE_PREFIX = "request#";

  public TimeBoundGrant {
    requireNonNull(principal, "principal is null");
    requireNonNull(table, "table is null");
    columns = List.copyOf(columns);
    requireNonNull(until, "until is null");
    requireNonNull(approvedBy, "approvedBy is null");
  }

  /** The role only this grant's principal holds, e.g. {@code request#12}. */
  public String role() {
    return ROLE_PREFIX + requestId;
  }

  /** Whether the grant holds at {@code now}: before its end. */
  public boolean activeAt(Instant now) {
    return now.isBefore(until);
  }

  /** The grant as the policy model reads it: {@code read} on the table for {@link #role()}. */
  public GrantDef grant() {
    return new GrantDef(
        role(),
        Set.of(Privilege.READ),
        new TablePattern(table.toString()),
        columns,
        Location.of(
            "access request " + requestId + ", approved by " + approvedBy + ", until " + until));
  }
}
