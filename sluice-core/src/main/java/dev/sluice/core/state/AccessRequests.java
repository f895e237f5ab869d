package dev.sluice.core.state;

import static dev.sluice.core.state.StateSql.first;
import static dev.sluice.core.state.StateSql.list;
import static dev.sluice.core.state.StateSql.nullableMillis;
import static dev.sluice.core.state.StateSql.update;
import static java.util.Objects.requireNonNull;

import dev.sluice.api.TableName;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
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
            connection ->
                first(
                        connection,
                        "INSERT INTO sluice_access_requests (principal, table_name, column_names,"
                            + " reason, period_seconds, requested_at, status)"
                            + " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                        row -> row.getLong(1),
                        principal,
                        table.toString(),
                        StateRows.toJson(columns),
                        reason,
                        period.toSeconds(),
                        millis,
                        AccessRequestStatus.PENDING)
                    .orElseThrow(
                        () -> new SQLException("The insert of an access request returned no id")));
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
        connection ->
            first(
                connection,
                "SELECT " + COLUMNS + " FROM sluice_access_requests WHERE id = ?",
                AccessRequests::request,
                id));
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
          Optional<AccessRequest> found =
              first(
                  connection,
                  "SELECT "
                      + COLUMNS
                      + " FROM sluice_access_requests WHERE id = ? AND status = 'PENDING'",
                  AccessRequests::request,
                  id);
          if (found.isEmpty()) {
            return Optional.<AccessRequest>empty();
          }
          AccessRequest pending = found.get();
          long decidedAt = at.toEpochMilli();
          Instant expiresAt =
              approve ? Instant.ofEpochMilli(decidedAt).plus(pending.period()) : null;
          if (update(
                  connection,
                  "UPDATE sluice_access_requests SET status = ?, decided_by = ?, decided_at = ?,"
                      + " decision_reason = ?, expires_at = ? WHERE id = ? AND status = 'PENDING'",
                  approve ? AccessRequestStatus.APPROVED : AccessRequestStatus.DENIED,
                  by,
                  decidedAt,
                  reason.orElse(null),
                  nullableMillis(expiresAt),
                  id)
              != 1) {
            return Optional.<AccessRequest>empty();
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
          // every ? of the condition is the same moment
          Object[] values = new Object[(int) where.chars().filter(c -> c == '?').count()];
          Arrays.fill(values, parameter);
          return list(
              connection,
              "SELECT " + COLUMNS + " FROM sluice_access_requests" + where + " ORDER BY id",
              AccessRequests::request,
              values);
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
