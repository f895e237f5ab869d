package dev.sluice.api;

/**
 * A failure that may pass when tried again: an unreachable source, a busy database, a conflicting
 * concurrent commit. Steps retry these, with backoff, as often as their {@code retries} allow.
 */
public class TransientException extends SluiceException {
  private static final long serialVersionUID = 1L;

  public TransientException(String message) {
    super(message);
  }

  public TransientException(String message, Throwable cause) {
    super(message, cause);
  }
}
