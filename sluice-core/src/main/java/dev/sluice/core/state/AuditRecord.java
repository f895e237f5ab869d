package dev.sluice.core.state;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/**
 * A record of the {@link AuditLog} as stored.
 *
 * @param sequence its place in the log, from 1, without gaps
 * @param details the details as canonical JSON (keys sorted), exactly as hashed
 * @param previousHash the hash of record {@code sequence - 1}; 64 zeros for the first record
 * @param hash SHA-256 (hex) of the record's canonical encoding, which includes {@code previousHash}
 */
public record AuditRecord(
    long sequence,
    Instant at,
    String principal,
    AuditAction action,
    List<String> tables,
    List<String> columns,
    String details,
    String previousHash,
    String hash) {
  public AuditRecord {
    requireNonNull(at, "at is null");
    requireNonNull(principal, "principal is null");
    requireNonNull(action, "action is null");
    tables = List.copyOf(tables);
    columns = List.copyOf(columns);
    requireNonNull(details, "details is null");
    requireNonNull(previousHash, "previousHash is null");
    requireNonNull(hash, "hash is null");
  }

  /** One line for people: {@code #12 2026-12-06T09:00:00Z alice query published.orders}. */
  public String describe() {
    return "#"
        + sequence
        + " ("
        + at
        + ", "
        + action.label()
        + " by "
        + principal
        + (tables.isEmpty() ? "" : " on " + String.join(", ", tables))
        + ")";
  }
}
