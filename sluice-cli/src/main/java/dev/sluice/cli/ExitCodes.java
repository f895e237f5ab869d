package dev.sluice.cli;

import dev.sluice.api.AccessDeniedException;
import dev.sluice.api.DataException;
import dev.sluice.api.InvalidInputException;
import dev.sluice.api.ProjectException;
import dev.sluice.api.QueryException;
import dev.sluice.api.RunFailedException;
import dev.sluice.api.SluiceException;
import picocli.CommandLine;

/** The one place where failures become exit codes. */
final class ExitCodes {
  static final int OK = 0;
  static final int RUN_FAILED = 1;
  static final int USAGE = 2;
  static final int DATA = 3;
  static final int QUERY = 4;

  /** {@code sluice audit verify} found a changed, removed or re-ordered audit record. */
  static final int AUDIT_BROKEN = 5;

  /** A principal asked for a table or column its grants do not allow. */
  static final int ACCESS_DENIED = 6;

  /** A run was refused before it started: it would take a hard budget past its amount. */
  static final int BUDGET_EXCEEDED = 7;

  /** {@code sluice ci} found breaking changes and was not given {@code --allow-breaking}. */
  static final int BREAKING_CHANGES = 8;

  static final int INTERNAL = 70;

  private ExitCodes() {}

  static int forException(Throwable failure) {
    if (failure instanceof RunFailedException) {
      // a run whose steps all failed alike says why: bad input data (3), a SQL error (4)
      return failure.getCause() == null ? RUN_FAILED : forException(failure.getCause());
    }
    if (failure instanceof ProjectException
        || failure instanceof InvalidInputException
        || failure instanceof CommandLine.ParameterException) {
      return USAGE;
    }
    if (failure instanceof DataException) {
      return DATA;
    }
    if (failure instanceof QueryException) {
      return QUERY;
    }
    if (failure instanceof AccessDeniedException) {
      return ACCESS_DENIED;
    }
    if (failure instanceof dev.sluice.core.cost.BudgetExceededException) {
      return BUDGET_EXCEEDED;
    }
    if (failure instanceof SluiceException) {
      return RUN_FAILED;
    }
    return INTERNAL;
  }

  /**
   * What failed a run's steps, when they all failed alike (bad input data, a SQL error, ...): the
   * cause a {@link RunFailedException} carries, so that its exit code says why the run failed.
   *
   * @param failures each failed step's exception, or null for a step a blocking check failed
   * @return the first failure, or null when none is known or the steps failed for different reasons
   */
  static Throwable commonCause(java.util.List<Throwable> failures) {
    java.util.Set<Integer> codes = new java.util.HashSet<>();
    for (Throwable failure : failures) {
      codes.add(failure == null ? RUN_FAILED : forException(failure));
    }
    return codes.size() == 1 && failures.get(0) != null ? failures.get(0) : null;
  }
}
