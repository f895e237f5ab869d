package dev.sluice.objectstore;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.SluiceException;
import dev.sluice.api.TransientException;

/**
 * An exception whose message already explains a failure of the object storage (it names the
 * endpoint and bucket and how to fix it), so that nothing explains it a second time. Made by {@link
 * ObjectStore#failure} and {@link #of}; callers test for it with {@link #isExplained}, never by
 * reading messages.
 */
public interface StorageFailure {
  /**
   * An exception of {@code kind}'s kind (transient, invalid input, or other), marked as explained,
   * with {@code message}.
   */
  static SluiceException of(SluiceException kind, String message, Throwable cause) {
    if (kind instanceof TransientException) {
      return new Transient(message, cause);
    }
    if (kind instanceof InvalidInputException) {
      return new InvalidInput(message, cause);
    }
    return new Other(message, cause);
  }

  /** Whether {@code failure}, or one of its causes, already explains a storage failure. */
  static boolean isExplained(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof StorageFailure) {
        return true;
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return false;
  }

  /** The storage did not answer or failed on its side: it may pass when tried again. */
  final class Transient extends TransientException implements StorageFailure {
    private static final long serialVersionUID = 1L;

    Transient(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The settings are wrong: a missing bucket, refused credentials. */
  final class InvalidInput extends InvalidInputException implements StorageFailure {
    private static final long serialVersionUID = 1L;

    InvalidInput(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Any other failure of the storage. */
  final class Other extends SluiceException implements StorageFailure {
    private static final long serialVersionUID = 1L;

    Other(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
