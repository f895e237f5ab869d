package dev.sluice.core.state;

import static java.util.Objects.requireNonNull;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
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
        connection -> {
          try (PreparedStatement upsert =
              connection.prepareStatement(
                  "INSERT INTO sluice_user_passwords (principal, password_hash, updated_at)"
                      + " VALUES (?, ?, ?) ON CONFLICT (principal) DO UPDATE SET"
                      + " password_hash = excluded.password_hash, updated_at ="
                      + " excluded.updated_at")) {
            upsert.setString(1, principal);
            upsert.setString(2, passwordHash);
            upsert.setLong(3, at.toEpochMilli());
            upsert.executeUpdate();
          }
          return null;
        });
  }

  /** The password hash of a principal, if it has one. */
  public Optional<String> hash(String principal) {
    requireNonNull(principal, "principal is null");
    return transactions.read(
        "read the password of " + principal,
        connection -> {
          try (PreparedStatement query =
              connection.prepareStatement(
                  "SELECT password_hash FROM sluice_user_passwords WHERE principal = ?")) {
            query.setString(1, principal);
            try (ResultSet rows = query.executeQuery()) {
              return rows.next() ? Optional.of(rows.getString(1)) : Optional.<String>empty();
            }
          }
        });
  }

  /** The principals that have a password, in order. */
  public List<String> principals() {
    return transactions.read(
        "list the users with a password",
        connection -> {
          try (PreparedStatement query =
                  connection.prepareStatement(
                      "SELECT principal FROM sluice_user_passwords ORDER BY principal");
              ResultSet rows = query.executeQuery()) {
            List<String> names = new ArrayList<>();
            while (rows.next()) {
              names.add(rows.getString(1));
            }
            return names;
          }
        });
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
        connection -> {
          try (PreparedStatement delete =
              connection.prepareStatement(
                  "DELETE FROM sluice_user_passwords WHERE principal = ?")) {
            delete.setString(1, principal);
            return delete.executeUpdate() > 0;
          }
        });
  }
}
