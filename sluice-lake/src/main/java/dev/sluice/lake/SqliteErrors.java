package dev.sluice.lake;

import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/** What SQLite's result codes say about a failure. */
public final class SqliteErrors {
  private SqliteErrors() {}

  /**
   * Whether a failure, or one of its causes, is SQLite's {@code SQLITE_BUSY} or {@code
   * SQLITE_LOCKED} (or one of their extended codes): another connection held the database for
   * longer than the busy timeout, so the same work may pass when tried again. The run store and the
   * Iceberg catalog on SQLite (which wraps it in its own exceptions) fail so.
   */
  public static boolean isBusy(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof SQLiteException sqlite) {
        int primary = sqlite.getResultCode().code & 0xff;
        if (primary == SQLiteErrorCode.SQLITE_BUSY.code
            || primary == SQLiteErrorCode.SQLITE_LOCKED.code) {
          return true;
        }
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return false;
  }
}
