package dev.sluice.engine.duckdb;

import dev.sluice.api.QueryCancelledException;
import dev.sluice.api.QueryException;
import dev.sluice.api.TransientQueryException;
import java.sql.SQLException;
import java.util.Locale;

/**
 * Turns DuckDB's errors into Sluice's typed ones, so that nothing past the engine reads DuckDB's
 * messages: DuckDB's JDBC driver raises every error as a plain {@link SQLException} whose message
 * starts with the error's type ({@code IO Error: ...}, {@code Binder Error: ...}).
 */
final class DuckDbErrors {
  private DuckDbErrors() {}

  /**
   * The exception for a failed statement.
   *
   * @param cancelled whether the session was cancelled: its statement then fails with an interrupt,
   *     or with whatever error the interrupted work left behind
   * @return a {@link QueryCancelledException} for a cancelled statement, a {@link
   *     TransientQueryException} for a failure to read or write a file or over HTTP (a file not
   *     there yet, storage that did not answer), else a {@link QueryException}
   */
  static QueryException translate(SQLException e, boolean cancelled) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    String type = errorType(message);
    if (cancelled || type.equals("interrupt")) {
      return new QueryCancelledException("cancelled: " + message, e);
    }
    if (type.equals("io") || type.equals("http")) {
      return new TransientQueryException(message, e);
    }
    return new QueryException(message, e);
  }

  /** DuckDB's error type, lower case ({@code io}, {@code binder}), or empty when there is none. */
  private static String errorType(String message) {
    int colon = message.indexOf(':');
    if (colon < 0) {
      return "";
    }
    String head = message.substring(0, colon).strip().toLowerCase(Locale.ROOT);
    return head.endsWith(" error") ? head.substring(0, head.length() - " error".length()) : head;
  }
}
