package dev.sluice.api;

/** Input data that cannot be loaded as declared: a malformed row, a type mismatch. */
public class DataException extends SluiceException {
  private static final long serialVersionUID = 1L;

  public DataException(String message) {
    super(message);
  }

  public DataException(String message, Throwable cause) {
    super(message, cause);
  }
}
