package dev.sluice.core.state;

import static java.util.Objects.requireNonNull;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Locks and leases on resources (tables, the scheduler) in a {@link RunStore}, shared by every
 * process that uses the state database.
 */
public final class Locks {
  private final StateTransactions transactions;

  Locks(StateTransactions transactions) {
    this.transactions = transactions;
  }

  /**
   * Takes a lock (or lease) on a resource for {@code ttl}, unless another owner holds it and has
   * not let it expire. Taking a lock one already holds renews it. Works across processes: the
   * database's primary key decides between owners racing for the same resource.
   *
   * @return whether {@code owner} now holds the lock
   */
  public boolean tryLock(String resource, String owner, Duration ttl, Instant now) {
    requireNonNull(resource, "resource is null");
    requireNonNull(owner, "owner is null");
    long expires = now.plus(ttl).toEpochMilli();
    return transactions.write(
        "lock " + resource,
        connection -> {
          try (PreparedStatement expired =
              connection.prepareStatement(
                  "DELETE FROM sluice_locks WHERE resource = ? AND expires_at < ?")) {
            expired.setString(1, resource);
            expired.setLong(2, now.toEpochMilli());
            expired.executeUpdate();
          }
          try (PreparedStatement renew =
              connection.prepareStatement(
                  "UPDATE sluice_locks SET expires_at = ? WHERE resource = ? AND owner = ?")) {
            renew.setLong(1, expires);
            renew.setString(2, resource);
            renew.setString(3, owner);
            if (renew.executeUpdate() == 1) {
              return true;
            }
          }
          // ON CONFLICT rather than catching the unique violation: in PostgreSQL a failed
          // statement would abort the transaction.
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO sluice_locks (resource, owner, acquired_at, expires_at)"
                      + " VALUES (?, ?, ?, ?) ON CONFLICT (resource) DO NOTHING")) {
            insert.setString(1, resource);
            insert.setString(2, owner);
            insert.setLong(3, now.toEpochMilli());
            insert.setLong(4, expires);
            return insert.executeUpdate() == 1;
          }
        });
  }

  /**
   * Renews a lock that {@code owner} holds, for {@code ttl} from {@code now}. Unlike {@link
   * #tryLock}, never takes a lock that was released or taken over meanwhile.
   *
   * @return whether {@code owner} still held the lock
   */
  public boolean renewLock(String resource, String owner, Duration ttl, Instant now) {
    requireNonNull(resource, "resource is null");
    requireNonNull(owner, "owner is null");
    return transactions.read(
        "renew lock " + resource,
        connection -> {
          try (PreparedStatement renew =
              connection.prepareStatement(
                  "UPDATE sluice_locks SET expires_at = ? WHERE resource = ? AND owner = ?")) {
            renew.setLong(1, now.plus(ttl).toEpochMilli());
            renew.setString(2, resource);
            renew.setString(3, owner);
            return renew.executeUpdate() == 1;
          }
        });
  }

  /** Releases a lock held by {@code owner}; a lock held by someone else is left alone. */
  public void unlock(String resource, String owner) {
    transactions.read(
        "unlock " + resource,
        connection -> {
          try (PreparedStatement delete =
              connection.prepareStatement(
                  "DELETE FROM sluice_locks WHERE resource = ? AND owner = ?")) {
            delete.setString(1, resource);
            delete.setString(2, owner);
            delete.executeUpdate();
          }
          return null;
        });
  }

  /**
   * Releases every lock an owner holds, e.g. those of a run whose process was killed.
   *
   * @return how many locks were released
   */
  public int unlockAll(String owner) {
    return transactions.read(
        "unlock the locks of " + owner,
        connection -> {
          try (PreparedStatement delete =
              connection.prepareStatement("DELETE FROM sluice_locks WHERE owner = ?")) {
            delete.setString(1, owner);
            return delete.executeUpdate();
          }
        });
  }

  /** Who holds the lock on a resource, if anyone (expired locks included). */
  public Optional<LockHolder> lockHolder(String resource) {
    return transactions.read(
        "read lock " + resource,
        connection -> {
          try (PreparedStatement query =
              connection.prepareStatement(
                  "SELECT owner, acquired_at, expires_at FROM sluice_locks WHERE resource = ?")) {
            query.setString(1, resource);
            try (ResultSet result = query.executeQuery()) {
              if (!result.next()) {
                return Optional.<LockHolder>empty();
              }
              return Optional.of(
                  new LockHolder(
                      resource,
                      result.getString(1),
                      Instant.ofEpochMilli(result.getLong(2)),
                      Instant.ofEpochMilli(result.getLong(3))));
            }
          }
        });
  }
}
