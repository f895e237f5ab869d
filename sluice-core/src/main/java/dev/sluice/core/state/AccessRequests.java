package dev.sluice.core.state;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Requests for access to tables and their decisions, in a {@link RunStore}. A request is created
 * pending and decided at most once: {@link #decide} changes only a pending request, so two deciders
 * racing (in two processes) cannot both decide it.
 */
public final class AccessRequests {
  private static final String COLUMNS =
      "id, principal, table_name, column_names, reason, period_seconds, requested_at, status,"
          + " decided_by, decided_at, decision_reason, expires_at";

  private final StateTransactions transactions;

  AccessRequests(StateTransactions transactions) {
    this.transactions = requireNonNull(transactions, "transactions is null");
  }

  /** Records a pending request and returns it with its number. */
  public AccessRequest create(
      String principal,
      TableName table,
      List<String> columns,
      String reason,
      Duration period,
      Instant at) {
    requireNonNull(principal, "principal is null");
    requireNonNull(table, "table is null");
    requireNonNull(columns, "columns is null");
    requireNonNull(reason, "reason is null");
    requireNonNull(period, "period is null");
    requireNonNull(at, "at is null");
    long millis = at.toEpochMilli();
    long id =
        transactions.write(
            "record an access request",
            connection -> {
              try (PreparedStatement insert =
                  connection.prepareStatement(
                      "INSERT INTO sluice_access_requests (principal, table_name, column_names,"
                          + " reason, period_seconds, requested_at, status)"
                          + " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id")) {
                insert.setString(1, principal);
                insert.setString(2, table.toString());
                insert.setString(3, StateRows.toJson(columns));
                insert.setString(4, reason);
                insert.setLong(5, period.toSeconds());
                insert.setLong(6, millis);
                insert.setString(7, AccessRequestStatus.PENDING.name());
                try (ResultSet keys = insert.executeQuery()) {
                  keys.next();
                  return keys.getLong(1);
                }
              }
            });
    return new AccessRequest(
        id,
        principal,
        table,
        columns,
        reason,
        Duration.ofSeconds(period.toSeconds()),
        Instant.ofEpochMilli(millis),
        Optional.empty());
  }

  /** The request numbered {@code id}, if there is one. */
  public Optional<AccessRequest> find(long id) {
    return transactions.read(
        "read access request " + id,
        connection -> {
          try (PreparedStatement query =
              connection.prepareStatement(
                  "SELECT " + COLUMNS + " FROM sluice_access_requests WHERE id = ?")) {
            query.setLong(1, id);
            try (ResultSet rows = query.executeQuery()) {
              return rows.next() ? Optional.of(request(rows)) : Optional.<AccessRequest>empty();
            }
          }
        });
  }

  /** Every request, oldest first. */
  public List<AccessRequest> all() {
    return select("read the access requests", "", null);
  }

  /**
   * The approved requests whose grant holds at {@code now}: approved at or before it, ending after
   * it.
   */
  public List<AccessRequest> approvedAt(Instant now) {
    requireNonNull(now, "now is null");
    return select(
        "read the time-bound grants",
        " WHERE status = 'APPROVED' AND decided_at <= ? AND expires_at > ?",
        now.toEpochMilli());
  }

  /**
   * Decides a pending request: approves it (its grant lasts from {@code at} for its period) or
   * denies it.
   *
   * @return the request as decided, or empty when it is not pending (decided already, or no such
   *     request): nothing was changed
   */
  public Optional<AccessRequest> decide(
      long id, boolean approve, String by, Instant at, Optional<String> reason) {
    requireNonNull(by, "by is null");
    requireNonNull(at, "at is null");
    requireNonNull(reason, "reason is null");
    return transactions.write(
        "decide access request " + id,
        connection -> {
          AccessRequest pending;
          try (PreparedStatement query =
              connection.prepareStatement(
                  "SELECT "
                      + COLUMNS
                      + " FROM sluice_access_requests WHERE id = ? AND status = 'PENDING'")) {
            query.setLong(1, id);
            try (ResultSet rows = query.executeQuery()) {
              if (!rows.next()) {
                return Optional.<AccessRequest>empty();
              }
              pending = request(rows);
            }
          }
          long decidedAt = at.toEpochMilli();
          Instant expiresAt =
              approve ? Instant.ofEpochMilli(decidedAt).plus(pending.period()) : null;
          try (PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE sluice_access_requests SET status = ?, decided_by = ?, decided_at = ?,"
                      + " decision_reason = ?, expires_at = ? WHERE id = ? AND status = 'PENDING'")) {
            update.setString(
                1, (approve ? AccessRequestStatus.APPROVED : AccessRequestStatus.DENIED).name());
            update.setString(2, by);
            update.setLong(3, decidedAt);
            update.setString(4, reason.orElse(null));
            StateRows.setNullableLong(
                update, 5, expiresAt == null ? null : expiresAt.toEpochMilli());
            update.setLong(6, id);
            if (update.executeUpdate() != 1) {
              return Optional.<AccessRequest>empty();
            }
          }
          return Optional.of(
              new AccessRequest(
                  pending.id(),
                  pending.principal(),
                  pending.table(),
                  pending.columns(),
                  pending.reason(),
                  pending.period(),
                  pending.requestedAt(),
                  Optional.of(
                      new AccessRequest.Decision(
                          approve, by, Instant.ofEpochMilli(decidedAt), reason, expiresAt))));
        });
  }

  private List<AccessRequest> select(String action, String where, Long parameter) {
    return transactions.read(
        action,
        connection -> {
          List<AccessRequest> requests = new ArrayList<>();
          try (PreparedStatement query =
              connection.prepareStatement(
                  "SELECT " + COLUMNS + " FROM sluice_access_requests" + where + " ORDER BY id")) {
            if (parameter != null) {
              // every ? of the condition is the same moment
              long count = where.chars().filter(c -> c == '?').count();
              for (int i = 1; i <= count; i++) {
                query.setLong(i, parameter);
              }
            }
            try (ResultSet rows = query.executeQuery()) {
              while (rows.next()) {
                requests.add(request(rows));
              }
            }
          }
          return requests;
        });
  }

  private static List<String> columns(String json, long id) throws SQLException {
    try {
      return List.of(StateRows.JSON.readValue(json, String[].class));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new SQLException(
          "The columns of access request " + id + " are not a JSON list of names: " + json, e);
    }
  }

  private static AccessRequest request(ResultSet rows) throws SQLException {
    long id = rows.getLong("id");
    AccessRequestStatus status = StateRows.enumValue(rows, "status", AccessRequestStatus.class);
    Optional<AccessRequest.Decision> decision =
        status == AccessRequestStatus.PENDING
            ? Optional.empty()
            : Optional.of(
                new AccessRequest.Decision(
                    status == AccessRequestStatus.APPROVED,
                    rows.getString("decided_by"),
                    StateRows.instantOrNull(rows, "decided_at"),
                    Optional.ofNullable(rows.getString("decision_reason")),
                    StateRows.instantOrNull(rows, "expires_at")));
    return new AccessRequest(
        id,
        rows.getString("principal"),
        TableName.parse(rows.getString("table_name")),
        columns(rows.getString("column_names"), id),
        rows.getString("reason"),
        Duration.ofSeconds(rows.getLong("period_seconds")),
        Instant.ofEpochMilli(rows.getLong("requested_at")),
        decision);
  }
}
