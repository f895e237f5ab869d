package dev.sluice.api;

/**
 * A statement failed in a way that may pass when it runs again: the engine could not read or write
 * a file (one not there yet, storage that did not answer). Steps retry these as they retry a {@link
 * TransientException}. It stays a {@link QueryException}, so that a query that fails so is reported
 * as a failed query.
 */
public class TransientQueryException extends QueryException {
  private static final long serialVersionUID = 1L;

  public TransientQueryException(String message, Throwable cause) {
    super(message, cause);
  }
}
