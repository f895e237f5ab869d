package dev.sluice.lake;

import dev.sluice.api.TransientException;
import java.sql.SQLException;
import java.sql.SQLTransientException;
import org.apache.iceberg.exceptions.CommitFailedException;

/**
 * Which failures of the Iceberg catalog may pass when tried again, decided by the exceptions' types
 * and the databases' codes, never by their messages: a commit that lost to a concurrent one after
 * Iceberg's own retries ({@link CommitFailedException}), the SQLite catalog held by another
 * connection for longer than its busy timeout ({@link SqliteErrors#isBusy}), and a PostgreSQL
 * catalog that could not be reached or aborted a transaction for a concurrent one (SQLState class
 * {@code 08}, {@code 40001}, {@code 40P01}, or a {@link SQLTransientException}).
 */
final class CatalogFailures {
  private CatalogFailures() {}

  /**
   * {@code failure} as a {@link TransientException} with the same message when it, or one of its
   * causes, is a transient failure of the catalog; else {@code failure} itself.
   */
  static RuntimeException typed(RuntimeException failure) {
    if (failure instanceof TransientException || !isTransient(failure)) {
      return failure;
    }
    return new TransientException(String.valueOf(failure.getMessage()), failure);
  }

  /** Whether a failure, or one of its causes, is a transient failure of the catalog. */
  static boolean isTransient(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof CommitFailedException
          || cause instanceof SQLTransientException
          || (cause instanceof SQLException sql && isTransientState(sql.getSQLState()))) {
        return true;
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return SqliteErrors.isBusy(failure);
  }

  /** Connection exceptions (class 08), serialization failures and deadlocks. */
  private static boolean isTransientState(String state) {
    return state != null
        && (state.startsWith("08") || state.equals("40001") || state.equals("40P01"));
  }
}
