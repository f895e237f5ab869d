package dev.sluice.api;

/** The user asked for something that cannot be done as asked: a bad argument or unknown name. */
public class InvalidInputException extends SluiceException {
  private static final long serialVersionUID = 1L;

  public InvalidInputException(String message) {
    super(message);
  }

  public InvalidInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
