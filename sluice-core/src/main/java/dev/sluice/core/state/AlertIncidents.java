package dev.sluice.core.state;

import static dev.sluice.core.state.StateSql.list;
import static dev.sluice.core.state.StateSql.update;
import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/**
 * The open incidents of the alert rules, in a {@link RunStore}: an incident opens once (the
 * database's primary key decides between processes that see the same failure) and is resolved once.
 */
public final class AlertIncidents {
  private final StateTransactions transactions;

  AlertIncidents(StateTransactions transactions) {
    this.transactions = transactions;
  }

  /** An open incident of a rule about a subject (an asset, an asset's check). */
  public record Incident(String rule, String subject, Instant openedAt, String detail) {
    public Incident {
      requireNonNull(rule, "rule is null");
      requireNonNull(subject, "subject is null");
      requireNonNull(openedAt, "openedAt is null");
      requireNonNull(detail, "detail is null");
    }
  }

  /**
   * Opens an incident unless one is open for the rule and subject.
   *
   * @return whether this call opened it (then its alert is to be sent)
   */
  public boolean open(String rule, String subject, String detail, Instant at) {
    requireNonNull(rule, "rule is null");
    requireNonNull(subject, "subject is null");
    requireNonNull(detail, "detail is null");
    requireNonNull(at, "at is null");
    return change(
        "open alert incident " + rule + " " + subject,
        "INSERT INTO sluice_alert_incidents (rule, subject, opened_at, detail)"
            + " VALUES (?, ?, ?, ?) ON CONFLICT (rule, subject) DO NOTHING",
        rule,
        subject,
        at,
        detail);
  }

  /**
   * Resolves the open incident of a rule about a subject.
   *
   * @return whether one was open and this call resolved it (then its resolved message is sent)
   */
  public boolean resolve(String rule, String subject) {
    requireNonNull(rule, "rule is null");
    requireNonNull(subject, "subject is null");
    return change(
        "resolve alert incident " + rule + " " + subject,
        "DELETE FROM sluice_alert_incidents WHERE rule = ? AND subject = ?",
        rule,
        subject);
  }

  /** Runs the statement that opens or resolves an incident: whether it changed one. */
  private boolean change(String action, String sql, Object... values) {
    return transactions.write(action, connection -> update(connection, sql, values) == 1);
  }

  /** The open incidents, oldest first. */
  public List<Incident> open() {
    return transactions.read(
        "read alert incidents",
        connection ->
            list(
                connection,
                "SELECT rule, subject, opened_at, detail FROM sluice_alert_incidents"
                    + " ORDER BY opened_at, rule, subject",
                row ->
                    new Incident(
                        row.getString(1),
                        row.getString(2),
                        Instant.ofEpochMilli(row.getLong(3)),
                        row.getString(4))));
  }
}
