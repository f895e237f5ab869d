package dev.sluice.core.state;

import java.time.Instant;

/**
 * Which records of the {@link AuditLog} to read; a null criterion matches every record.
 *
 * @param principal only this principal's records
 * @param table only records concerning this table ({@code zone.table})
 * @param since only records at or after this time
 * @param action only records of this action
 * @param limit at most this many records, the newest of those that match (0: no limit)
 */
public record AuditFilter(
    String principal, String table, Instant since, AuditAction action, int limit) {
  public AuditFilter {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative: " + limit);
    }
  }

  /** Every record. */
  public static AuditFilter all() {
    return new AuditFilter(null, null, null, null, 0);
  }

  public AuditFilter withPrincipal(String value) {
    return new AuditFilter(value, table, since, action, limit);
  }

  public AuditFilter withTable(String value) {
    return new AuditFilter(principal, value, since, action, limit);
  }

  public AuditFilter withSince(Instant value) {
    return new AuditFilter(principal, table, value, action, limit);
  }

  public AuditFilter withAction(AuditAction value) {
    return new AuditFilter(principal, table, since, value, limit);
  }

  public AuditFilter withLimit(int value) {
    return new AuditFilter(principal, table, since, action, value);
  }
}
