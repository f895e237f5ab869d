package dev.sluice.core.state;

import static dev.sluice.core.state.StateSql.first;
import static dev.sluice.core.state.StateSql.nullableMillis;
import static dev.sluice.core.state.StateSql.update;
import static java.util.Objects.requireNonNull;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The server's API tokens in a {@link RunStore}: created, listed, found by id and revoked. Only a
 * token's hash is stored; making and checking tokens is the server's ({@code
 * dev.sluice.server.auth}).
 */
public final class ApiTokens {
  private static final String COLUMNS =
      "id, principal, token_hash, created_at, created_by, expires_at, revoked_at";

  private final StateTransactions transactions;

  ApiTokens(StateTransactions transactions) {
    this.transactions = transactions;
  }

  /** Stores a new token. */
  public void create(ApiToken token) {
    requireNonNull(token, "token is null");
    transactions.write(
        "create API token " + token.id(),
        connection ->
            update(
                connection,
                "INSERT INTO sluice_api_tokens (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?)",
                token.id(),
                token.principal(),
                token.tokenHash(),
                token.createdAt(),
                token.createdBy(),
                nullableMillis(token.expiresAt()),
                nullableMillis(token.revokedAt())));
  }

  /** The token with this id, revoked and expired ones too. */
  public Optional<ApiToken> find(String id) {
    requireNonNull(id, "id is null");
    return transactions.read(
        "read API token " + id,
        connection ->
            first(
                connection,
                "SELECT " + COLUMNS + " FROM sluice_api_tokens WHERE id = ?",
                ApiTokens::token,
                id));
  }

  /** Every token, the newest first. */
  public List<ApiToken> list() {
    return transactions.read(
        "list API tokens",
        connection ->
            StateSql.list(
                connection,
                "SELECT " + COLUMNS + " FROM sluice_api_tokens ORDER BY created_at DESC, id",
                ApiTokens::token));
  }

  /**
   * Revokes a token from {@code at} on; revoking a revoked token keeps its first time.
   *
   * @return whether a token with this id exists
   */
  public boolean revoke(String id, Instant at) {
    requireNonNull(id, "id is null");
    requireNonNull(at, "at is null");
    return transactions.write(
        "revoke API token " + id,
        connection ->
            update(
                    connection,
                    "UPDATE sluice_api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?",
                    at,
                    id)
                > 0);
  }

  /** Whether some token is active at {@code now}. */
  public boolean anyActive(Instant now) {
    return list().stream().anyMatch(token -> token.activeAt(now));
  }

  private static ApiToken token(ResultSet rows) throws SQLException {
    return new ApiToken(
        rows.getString("id"),
        rows.getString("principal"),
        rows.getString("token_hash"),
        Instant.ofEpochMilli(rows.getLong("created_at")),
        rows.getString("created_by"),
        StateRows.instantOrNull(rows, "expires_at"),
        StateRows.instantOrNull(rows, "revoked_at"));
  }
}
