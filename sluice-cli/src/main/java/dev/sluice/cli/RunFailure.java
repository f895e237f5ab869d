package dev.sluice.cli;

import dev.sluice.api.RunFailedException;
import java.util.Map;

/**
 * A command's run that did not succeed, with the run's JSON report for {@code --json}: the error
 * handler prints that report, with the error and exit code added, as the command's one document.
 */
final class RunFailure extends RunFailedException {
  private static final long serialVersionUID = 1L;

  @SuppressWarnings("serial") // never serialized: it ends the command that threw it
  private final Map<String, Object> report;

  /**
   * @param cause what failed the run's steps, when they all failed alike, or null (see {@link
   *     ExitCodes#commonCause})
   * @param report the run's JSON report, or null without {@code --json}
   */
  RunFailure(String message, Throwable cause, Map<String, Object> report) {
    super(message, cause);
    this.report = report;
  }

  /** The run's JSON report, or null. */
  Map<String, Object> report() {
    return report;
  }
}
