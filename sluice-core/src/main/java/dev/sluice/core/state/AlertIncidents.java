package dev.sluice.core.state;

import static java.util.Objects.requireNonNull;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
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
    return transactions.write(
        "open alert incident " + rule + " " + subject,
        connection -> {
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO sluice_alert_incidents (rule, subject, opened_at, detail)"
                      + " VALUES (?, ?, ?, ?) ON CONFLICT (rule, subject) DO NOTHING")) {
            insert.setString(1, rule);
            insert.setString(2, subject);
            insert.setLong(3, at.toEpochMilli());
            insert.setString(4, detail);
            return insert.executeUpdate() == 1;
          }
        });
  }

  /**
   * Resolves the open incident of a rule about a subject.
   *
   * @return whether one was open and this call resolved it (then its resolved message is sent)
   */
  public boolean resolve(String rule, String subject) {
    requireNonNull(rule, "rule is null");
    requireNonNull(subject, "subject is null");
    return transactions.write(
        "resolve alert incident " + rule + " " + subject,
        connection -> {
          try (PreparedStatement delete =
              connection.prepareStatement(
                  "DELETE FROM sluice_alert_incidents WHERE rule = ? AND subject = ?")) {
            delete.setString(1, rule);
            delete.setString(2, subject);
            return delete.executeUpdate() == 1;
          }
        });
  }

  /** The open incidents, oldest first. */
  public List<Incident> open() {
    return transactions.read(
        "read alert incidents",
        connection -> {
          List<Incident> incidents = new ArrayList<>();
          try (PreparedStatement query =
                  connection.prepareStatement(
                      "SELECT rule, subject, opened_at, detail FROM sluice_alert_incidents"
                          + " ORDER BY opened_at, rule, subject");
              ResultSet result = query.executeQuery()) {
            while (result.next()) {
              incidents.add(
                  new Incident(
                      result.getString(1),
                      result.getString(2),
                      Instant.ofEpochMilli(result.getLong(3)),
                      result.getString(4)));
            }
          }
          return incidents;
        });
  }
}
