package dev.sluice.lake;

import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import dev.failsafe.function.CheckedSupplier;
import java.sql.SQLException;
import java.time.Duration;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.exceptions.AlreadyExistsException;

/**
 * Sets the catalog up when several processes may do it at once: workers started together on a new
 * catalog, a dbt schema's first two models in parallel. The catalog checks and then inserts, so a
 * namespace another process created in between is not a failure (whether the catalog's own check
 * saw it or its primary key refused the second insert). A SQLite catalog another connection is
 * setting up answers {@code SQLITE_BUSY} at once rather than after its busy timeout (creating
 * tables, or writing after reading a snapshot another connection has since written to: {@code
 * SQLITE_BUSY_SNAPSHOT}); the catalog's setup is tried again, and sees what the other one did.
 */
final class Namespaces {
  private static final RetryPolicy<Object> SQLITE_BUSY =
      RetryPolicy.builder()
          .handleIf(SqliteErrors::isBusy)
          .withMaxRetries(30)
          .withBackoff(Duration.ofMillis(10), Duration.ofMillis(500))
          .withJitter(0.25)
          .build();

  private static final RetryPolicy<Object> CONCURRENT_SETUP =
      RetryPolicy.builder()
          .handleIf(failure -> !SqliteErrors.isBusy(failure) && !isUnreachable(failure))
          .withMaxRetries(3)
          .withDelay(Duration.ofMillis(50))
          .withJitter(0.5)
          .build();

  private Namespaces() {}

  /**
   * {@code setup}'s result, where {@code setup} opens a catalog and creates its tables if they are
   * missing. Iceberg's catalog creates and upgrades its tables without a lock, so two processes
   * doing it at once on a new catalog may see the other's table, column or row appear between their
   * check and their statement (a duplicate column, a violated primary key); the next attempt sees
   * the catalog set up. So a failure is tried again a few times, unless the catalog could not be
   * reached or refused the credentials, which would fail alike; a busy SQLite catalog is tried
   * again up to 30 times. Each attempt must open its own catalog: a SQLite connection that failed
   * so keeps failing.
   */
  @SuppressWarnings("unchecked")
  static <T> T concurrentSetup(CheckedSupplier<T> setup) {
    return Failsafe.with(
            (RetryPolicy<T>) (RetryPolicy<?>) CONCURRENT_SETUP,
            (RetryPolicy<T>) (RetryPolicy<?>) SQLITE_BUSY)
        .get(setup);
  }

  /** A database that did not answer (SQLState class 08) or refused the credentials (28). */
  private static boolean isUnreachable(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof SQLException sql
          && sql.getSQLState() != null
          && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("28"))) {
        return true;
      }
      if (cause instanceof java.net.ConnectException
          || cause instanceof java.net.UnknownHostException) {
        return true;
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return false;
  }

  /**
   * Creates {@code namespace} in {@code catalog} unless it exists (or comes to exist meanwhile).
   */
  static void createIfMissing(SupportsNamespaces catalog, Namespace namespace) {
    if (!catalog.namespaceExists(namespace)) {
      try {
        catalog.createNamespace(namespace);
      } catch (AlreadyExistsException e) {
        // created meanwhile by another process, seen by the catalog's own check
      } catch (RuntimeException e) {
        // or inserted meanwhile, after that check: a violated primary key
        if (SqliteErrors.isBusy(e) || !catalog.namespaceExists(namespace)) {
          throw e;
        }
      }
    }
  }
}
