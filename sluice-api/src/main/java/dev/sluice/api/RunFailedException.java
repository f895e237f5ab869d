package dev.sluice.api;

/** A run finished with failed steps or failed blocking checks; the details are in the run. */
public class RunFailedException extends SluiceException {
  private static final long serialVersionUID = 1L;

  public RunFailedException(String message) {
    super(message);
  }
}
