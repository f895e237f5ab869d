package dev.sluice.core.state;

import static dev.sluice.core.state.StateSql.first;
import static dev.sluice.core.state.StateSql.list;
import static dev.sluice.core.state.StateSql.update;
import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The password hashes of the people who sign in to the server, in a {@link RunStore}, by principal
 * (a user of policies.yaml). Only hashes are stored; hashing and checking is the server's ({@code
 * dev.sluice.server.auth}).
 */
public final class UserPasswords {
  private final StateTransactions transactions;

  UserPasswords(StateTransactions transactions) {
    this.transactions = transactions;
  }

  /** Sets (or replaces) the password hash of a principal. */
  public void set(String principal, String passwordHash, Instant at) {
    requireNonNull(principal, "principal is null");
    requireNonNull(passwordHash, "passwordHash is null");
    requireNonNull(at, "at is null");
    transactions.write(
        "set the password of " + principal,
        connection ->
            update(
                connection,
                "INSERT INTO sluice_user_passwords (principal, password_hash, updated_at)"
                    + " VALUES (?, ?, ?) ON CONFLICT (principal) DO UPDATE SET"
                    + " password_hash = excluded.password_hash, updated_at ="
                    + " excluded.updated_at",
                principal,
                passwordHash,
                at));
  }

  /** The password hash of a principal, if it has one. */
  public Optional<String> hash(String principal) {
    requireNonNull(principal, "principal is null");
    return transactions.read(
        "read the password of " + principal,
        connection ->
            first(
                connection,
                "SELECT password_hash FROM sluice_user_passwords WHERE principal = ?",
                row -> row.getString(1),
                principal));
  }

  /** The principals that have a password, in order. */
  public List<String> principals() {
    return transactions.read(
        "list the users with a password",
        connection ->
            list(
                connection,
                "SELECT principal FROM sluice_user_passwords ORDER BY principal",
                row -> row.getString(1)));
  }

  /**
   * Removes the password of a principal, who can then no longer sign in with one.
   *
   * @return whether it had one
   */
  public boolean remove(String principal) {
    requireNonNull(principal, "principal is null");
    return transactions.write(
        "remove the password of " + principal,
        connection ->
            update(connection, "DELETE FROM sluice_user_passwords WHERE principal = ?", principal)
                > 0);
  }
}
