package dev.sluice.api;

/**
 * The root of Sluice's exceptions. Each subclass stands for one kind of failure; the CLI and the
 * server map the kinds to exit codes and HTTP statuses in one place.
 */
public class SluiceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SluiceException(String message) {
    super(message);
  }

  public SluiceException(String message, Throwable cause) {
    super(message, cause);
  }
}
