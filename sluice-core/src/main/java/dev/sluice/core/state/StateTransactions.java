package dev.sluice.core.state;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one connection to the state database that the parts of a {@link RunStore} share, and the
 * transactions they write in.
 *
 * <p>Safe for use by many threads: they share the connection, one statement at a time. A connection
 * found closed (a PostgreSQL server restart, for example) is opened again.
 */
final class StateTransactions implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StateTransactions.class);

  /** Work on the database that may fail as JDBC does. */
  @FunctionalInterface
  interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
  }

  private final StateDatabase database;
  private final Object lock = new Object();
  // Guarded by lock. Null before the first use and after a connection was found closed.
  private Connection sharedConnection;
  // Guarded by lock.
  private boolean closed;

  StateTransactions(StateDatabase database, Connection connection) {
    this.database = requireNonNull(database, "database is null");
    this.sharedConnection = connection;
  }

  /**
   * Runs work on the shared connection, one caller at a time, outside any transaction of its own
   * (in the caller's, if {@link #inOneTransaction} opened one).
   *
   * @throws dev.sluice.api.SluiceException naming {@code action} when the database fails
   * @throws IllegalStateException once closed
   */
  <T> T read(String action, SqlWork<T> work) {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException(
            "Cannot " + action + ": the run store of " + database.describe() + " is closed");
      }
      try {
        if (sharedConnection == null || sharedConnection.isClosed()) {
          sharedConnection = database.getConnection();
        }
        return work.run(sharedConnection);
      } catch (SQLException e) {
        throw database.failure(action, e);
      }
    }
  }

  /**
   * Runs work in one transaction (so that a run and its steps are read as of one moment, or a
   * fenced write is checked and made at once), or in the caller's if one is open ({@link
   * #inOneTransaction}).
   */
  <T> T write(String action, SqlWork<T> work) {
    return read(action, connection -> inTransaction(connection, work));
  }

  /**
   * Makes the records of {@code work} (calls of the store's parts on this thread) in one
   * transaction: one commit, and one write of SQLite's log, instead of one each. Other threads wait
   * for the transaction, as they wait for any record. Nested calls join the outer transaction.
   */
  <T> T inOneTransaction(String action, Supplier<T> work) {
    requireNonNull(work, "work is null");
    synchronized (lock) {
      Connection connection = read(action, shared -> shared.getAutoCommit() ? shared : null);
      if (connection == null) {
        return work.get();
      }
      try {
        connection.setAutoCommit(false);
      } catch (SQLException e) {
        throw database.failure(action, e);
      }
      try {
        T result = work.get();
        connection.commit();
        return result;
      } catch (SQLException e) {
        rollback(connection, e);
        throw database.failure(action, e);
      } catch (RuntimeException e) {
        rollback(connection, e);
        throw e;
      } finally {
        try {
          connection.setAutoCommit(true);
        } catch (SQLException e) {
          log.debug("Cannot end the transaction to {}: {}", action, e.getMessage());
        }
      }
    }
  }

  private static <T> T inTransaction(Connection connection, SqlWork<T> work) throws SQLException {
    if (!connection.getAutoCommit()) {
      return work.run(connection);
    }
    connection.setAutoCommit(false);
    try {
      T result = work.run(connection);
      connection.commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      rollback(connection, e);
      throw e;
    } finally {
      connection.setAutoCommit(true);
    }
  }

  private static void rollback(Connection connection, Exception cause) {
    try {
      connection.rollback();
    } catch (SQLException rollbackFailure) {
      cause.addSuppressed(rollbackFailure);
    }
  }

  /** The database's URL with any password masked. */
  String describe() {
    return database.describe();
  }

  /** Closes the connection. Closing twice does nothing. */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      if (sharedConnection == null) {
        return;
      }
      try {
        sharedConnection.close();
      } catch (SQLException e) {
        throw database.failure("close the connection", e);
      } finally {
        sharedConnection = null;
      }
    }
  }
}
