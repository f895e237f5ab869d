package dev.sluice.api;

/**
 * A statement was cancelled while it ran ({@link dev.sluice.api.engine.EngineSession#cancel()}): by
 * a timeout, a cancelled run or an interrupted command.
 */
public class QueryCancelledException extends QueryException {
  private static final long serialVersionUID = 1L;

  public QueryCancelledException(String message, Throwable cause) {
    super(message, cause);
  }
}
