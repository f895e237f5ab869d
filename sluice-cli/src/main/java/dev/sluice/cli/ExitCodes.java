package dev.sluice.cli;

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
  static final int INTERNAL = 70;

  private ExitCodes() {}

  static int forException(Throwable failure) {
    if (failure instanceof RunFailedException) {
      return RUN_FAILED;
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
    if (failure instanceof SluiceException) {
      return RUN_FAILED;
    }
    return INTERNAL;
  }
}
