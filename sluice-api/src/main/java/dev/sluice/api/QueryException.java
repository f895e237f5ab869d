package dev.sluice.api;

/** A SQL statement failed in the engine: the message names the model or query and the line. */
public class QueryException extends SluiceException {
  private static final long serialVersionUID = 1L;

  public QueryException(String message, Throwable cause) {
    super(message, cause);
  }
}
