package dev.sluice.api;

/** A run finished with failed steps or failed blocking checks; the details are in the run. */
public class RunFailedException extends SluiceException {
  private static final long serialVersionUID = 1L;

  public RunFailedException(String message) {
    super(message);
  }

  /**
   * @param cause what failed the run's steps when they all failed alike (e.g. a {@link
   *     DataException}), so that the exit code can say why; null otherwise
   */
  public RunFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
