package dev.sluice.api;

/**
 * A principal asked for something its grants do not allow: the message names the principal, the
 * table or column and the privilege it lacks. Not retried; {@code sluice} exits with 6.
 */
public class AccessDeniedException extends SluiceException {
  private static final long serialVersionUID = 1L;

  public AccessDeniedException(String message) {
    super(message);
  }
}
