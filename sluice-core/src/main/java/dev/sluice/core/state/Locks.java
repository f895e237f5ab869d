package dev.sluice.core.state;

import static dev.sluice.core.state.StateSql.first;
import static dev.sluice.core.state.StateSql.update;
import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Locks and leases on resources (tables, the scheduler) in a {@link RunStore}, shared by every
 * process that uses the state database.
 */
public final class Locks {
  private static final String RENEW =
      "UPDATE sluice_locks SET expires_at = ? WHERE resource = ? AND owner = ?";

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
    Instant expires = now.plus(ttl);
    return transactions.write(
        "lock " + resource,
        connection -> {
          update(
              connection,
              "DELETE FROM sluice_locks WHERE resource = ? AND expires_at < ?",
              resource,
              now);
          if (update(connection, RENEW, expires, resource, owner) == 1) {
            return true;
          }
          // ON CONFLICT rather than catching the unique violation: in PostgreSQL a failed
          // statement would abort the transaction.
          return update(
                  connection,
                  "INSERT INTO sluice_locks (resource, owner, acquired_at, expires_at)"
                      + " VALUES (?, ?, ?, ?) ON CONFLICT (resource) DO NOTHING",
                  resource,
                  owner,
                  now,
                  expires)
              == 1;
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
        connection -> update(connection, RENEW, now.plus(ttl), resource, owner) == 1);
  }

  /** Releases a lock held by {@code owner}; a lock held by someone else is left alone. */
  public void unlock(String resource, String owner) {
    transactions.read(
        "unlock " + resource,
        connection ->
            update(
                connection,
                "DELETE FROM sluice_locks WHERE resource = ? AND owner = ?",
                resource,
                owner));
  }

  /**
   * Releases every lock an owner holds, e.g. those of a run whose process was killed.
   *
   * @return how many locks were released
   */
  public int unlockAll(String owner) {
    return transactions.read(
        "unlock the locks of " + owner,
        connection -> update(connection, "DELETE FROM sluice_locks WHERE owner = ?", owner));
  }

  /** Who holds the lock on a resource, if anyone (expired locks included). */
  public Optional<LockHolder> lockHolder(String resource) {
    return transactions.read(
        "read lock " + resource,
        connection ->
            first(
                connection,
                "SELECT owner, acquired_at, expires_at FROM sluice_locks WHERE resource = ?",
                row ->
                    new LockHolder(
                        resource,
                        row.getString(1),
                        Instant.ofEpochMilli(row.getLong(2)),
                        Instant.ofEpochMilli(row.getLong(3))),
                resource));
  }
}
