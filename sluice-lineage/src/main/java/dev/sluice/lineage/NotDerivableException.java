package dev.sluice.lineage;

/** Raised inside the analysis when a query's lineage cannot be derived; says why. */
final class NotDerivableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  NotDerivableException(String reason) {
    super(reason);
  }
}
