package dev.sluice.core.cost;

import dev.sluice.api.SluiceException;

/** A run refused before it started, because it would exceed a hard budget; says the figures. */
public final class BudgetExceededException extends SluiceException {
  private static final long serialVersionUID = 1L;

  public BudgetExceededException(String message) {
    super(message);
  }
}
