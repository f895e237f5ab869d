package dev.sluice.core.state;

import static dev.sluice.core.state.StateSql.batch;
import static dev.sluice.core.state.StateSql.first;
import static dev.sluice.core.state.StateSql.list;
import static dev.sluice.core.state.StateSql.update;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.sluice.api.Secrets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The audit log of a {@link RunStore}: append-only and tamper-evident. Every query, run, commit,
 * policy change, access request and decision, and refused access is one {@link AuditRecord}, which
 * carries the SHA-256 hash of its canonical encoding including the hash of the record before it
 * (see {@link #verify()}).
 *
 * <p>Appends serialize in the database: each takes the chain's head row first, in the same
 * transaction as its insert, so writers in several threads or processes on one state database wait
 * for each other and never fork the chain. Nothing in Sluice updates or deletes a record.
 *
 * <p>Secrets never reach a record: every string of the details passes through {@link
 * Secrets#redact} (the state database's own password, the secrets given to {@link #redacting}, and
 * recognisable credentials), and the value of a detail named like a secret is masked.
 */
public final class AuditLog {
  private static final String COLUMNS =
      "sequence, at, principal, action, target_tables, target_columns, details, previous_hash,"
          + " hash";

  private final StateTransactions transactions;
  private final Secrets secrets;

  AuditLog(StateTransactions transactions, Secrets secrets) {
    this.transactions = requireNonNull(transactions, "transactions is null");
    this.secrets = requireNonNull(secrets, "secrets is null");
  }

  /**
   * This log, masking {@code more} secrets too (such as tokenization keys) in what it appends. The
   * returned log writes to the same database.
   */
  public AuditLog redacting(Secrets more) {
    return new AuditLog(transactions, secrets.and(requireNonNull(more, "more is null")));
  }

  /**
   * Appends a record at the end of the chain, in one transaction.
   *
   * @return the record as stored, with its sequence number and hashes
   * @throws dev.sluice.api.TransientException when another writer held the database too long
   */
  public AuditRecord append(AuditEntry entry) {
    requireNonNull(entry, "entry is null");
    String details = AuditChain.canonicalDetails(entry.details(), secrets);
    String principal = secrets.redact(entry.principal());
    String tables = AuditChain.names(entry.tables());
    String columns = AuditChain.names(entry.columns());
    long at = entry.at().toEpochMilli();
    return transactions.write(
        "append to the audit log",
        connection -> {
          // Taking the head row first makes every other appender wait here until this one
          // commits: in SQLite the update takes the database's write lock, in PostgreSQL the
          // row's lock, and the head read after it is the one this append extends.
          if (update(
                  connection, "UPDATE sluice_audit_head SET sequence = sequence + 1 WHERE id = 1")
              != 1) {
            throw new SQLException("The audit log's head row is missing (sluice_audit_head)");
          }
          Head head =
              head(connection)
                  .orElseThrow(
                      () ->
                          new SQLException(
                              "The audit log's head row is missing (sluice_audit_head)"));
          long sequence = head.sequence();
          String previousHash = head.hash();
          String hash =
              AuditChain.hash(
                  sequence,
                  at,
                  principal,
                  entry.action().name(),
                  tables,
                  columns,
                  details,
                  previousHash);
          update(
              connection,
              "INSERT INTO sluice_audit (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
              sequence,
              at,
              principal,
              entry.action(),
              tables,
              columns,
              details,
              previousHash,
              hash);
          batch(
              connection,
              "INSERT INTO sluice_audit_tables (table_name, sequence) VALUES (?, ?)",
              entry.tables().stream().map(table -> new Object[] {table, sequence}).toList());
          update(connection, "UPDATE sluice_audit_head SET hash = ? WHERE id = 1", hash);
          return new AuditRecord(
              sequence,
              Instant.ofEpochMilli(at),
              principal,
              entry.action(),
              entry.tables(),
              entry.columns(),
              details,
              previousHash,
              hash);
        });
  }

  /**
   * The records that match {@code filter}, oldest first (the newest {@code limit} of them when it
   * has a limit).
   */
  public List<AuditRecord> records(AuditFilter filter) {
    requireNonNull(filter, "filter is null");
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM sluice_audit a WHERE 1 = 1");
    List<Object> parameters = new ArrayList<>();
    if (filter.principal() != null) {
      sql.append(" AND principal = ?");
      parameters.add(filter.principal());
    }
    if (filter.table() != null) {
      sql.append(
          " AND EXISTS (SELECT 1 FROM sluice_audit_tables t"
              + " WHERE t.table_name = ? AND t.sequence = a.sequence)");
      parameters.add(filter.table());
    }
    if (filter.since() != null) {
      sql.append(" AND at >= ?");
      parameters.add(filter.since().toEpochMilli());
    }
    if (filter.action() != null) {
      sql.append(" AND action = ?");
      parameters.add(filter.action().name());
    }
    sql.append(" ORDER BY sequence DESC");
    if (filter.limit() > 0) {
      sql.append(" LIMIT ").append(filter.limit());
    }
    return transactions.read(
        "read the audit log",
        connection -> {
          List<AuditRecord> records =
              list(connection, sql.toString(), AuditLog::record, parameters.toArray());
          Collections.reverse(records);
          return records;
        });
  }

  /**
   * Checks the whole chain: every record's hash matches its content, every record names the hash of
   * the one before it, the sequence numbers have no gap, and the last record is the chain's head.
   * Reads the records in sequence order, one at a time.
   *
   * @return the first record that breaks the chain and why, or that the chain is intact
   */
  public AuditVerification verify() {
    return transactions.write("verify the audit log", AuditLog::verify);
  }

  private static AuditVerification verify(Connection connection) throws SQLException {
    Optional<Head> head = head(connection);
    if (head.isEmpty()) {
      return AuditVerification.broken(0, 1, "the audit log's head row is missing");
    }
    long headSequence = head.get().sequence();
    String headHash = head.get().hash();
    long checked = 0;
    long expected = 1;
    String previousHash = AuditChain.GENESIS;
    try (PreparedStatement query =
            connection.prepareStatement(
                "SELECT " + COLUMNS + " FROM sluice_audit ORDER BY sequence");
        ResultSet rows = query.executeQuery()) {
      while (rows.next()) {
        checked++;
        long sequence = rows.getLong("sequence");
        String stored = rows.getString("hash");
        String recomputed =
            AuditChain.hash(
                sequence,
                rows.getLong("at"),
                rows.getString("principal"),
                rows.getString("action"),
                rows.getString("target_tables"),
                rows.getString("target_columns"),
                rows.getString("details"),
                rows.getString("previous_hash"));
        if (sequence != expected) {
          return AuditVerification.broken(
              checked,
              expected,
              expected == sequence - 1
                  ? "record "
                      + expected
                      + " was removed: record "
                      + sequence
                      + " follows "
                      + (expected - 1)
                  : "records "
                      + expected
                      + " to "
                      + (sequence - 1)
                      + " were removed: record "
                      + sequence
                      + " follows "
                      + (expected - 1));
        }
        if (!recomputed.equals(stored)) {
          return AuditVerification.broken(
              checked,
              sequence,
              "record "
                  + sequence
                  + " was changed or moved: its content no longer matches its hash "
                  + stored);
        }
        if (!previousHash.equals(rows.getString("previous_hash"))) {
          return AuditVerification.broken(
              checked,
              sequence,
              "record "
                  + sequence
                  + " does not follow record "
                  + (sequence - 1)
                  + ": it names the previous hash "
                  + rows.getString("previous_hash")
                  + " but record "
                  + (sequence - 1)
                  + " has "
                  + previousHash
                  + " (a record before it was changed, removed or re-ordered)");
        }
        previousHash = stored;
        expected = sequence + 1;
      }
    }
    long last = expected - 1;
    if (last < headSequence) {
      return AuditVerification.broken(
          checked,
          last + 1,
          (last + 1 == headSequence
                  ? "record " + headSequence + " was removed"
                  : "records " + (last + 1) + " to " + headSequence + " were removed")
              + " from the end of the log (its head is at record "
              + headSequence
              + ")");
    }
    if (last > headSequence || !previousHash.equals(headHash)) {
      return AuditVerification.broken(
          checked,
          last,
          "record "
              + last
              + " is not the log's head (record "
              + headSequence
              + ", hash "
              + headHash
              + "): the log's end was changed");
    }
    return AuditVerification.ok(checked);
  }

  /** The head of the chain: the last record's sequence number and hash. */
  private record Head(long sequence, String hash) {}

  private static Optional<Head> head(Connection connection) throws SQLException {
    return first(
        connection,
        "SELECT sequence, hash FROM sluice_audit_head WHERE id = 1",
        row -> new Head(row.getLong(1), row.getString(2)));
  }

  private static AuditRecord record(ResultSet rows) throws SQLException {
    try {
      return new AuditRecord(
          rows.getLong("sequence"),
          Instant.ofEpochMilli(rows.getLong("at")),
          rows.getString("principal"),
          StateRows.enumValue(rows, "action", AuditAction.class),
          AuditChain.namesOf(rows.getString("target_tables")),
          AuditChain.namesOf(rows.getString("target_columns")),
          rows.getString("details"),
          rows.getString("previous_hash"),
          rows.getString("hash"));
    } catch (JsonProcessingException e) {
      throw new SQLException(
          "Audit record "
              + rows.getLong("sequence")
              + " has tables or columns that are not a"
              + " JSON list (run 'sluice audit verify')",
          e);
    }
  }
}
