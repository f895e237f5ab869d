package dev.sluice.cli;

import dev.sluice.core.run.RunOptions;
import picocli.CommandLine.Option;

/**
 * {@code --threads} and {@code --fail-fast}, shared by the commands that run steps (dbt's flags).
 */
final class RunFlags {
  @Option(
      names = "--threads",
      paramLabel = "N",
      description =
          "Run at most N steps at once (default: threads: of sluice.yaml, or of the dbt profile's"
              + " target).")
  int threads;

  @Option(
      names = "--fail-fast",
      description =
          "Stop at the first step that fails: the steps not started yet are skipped (running ones"
              + " finish).")
  boolean failFast;

  /** The options, with these flags. */
  RunOptions apply(RunOptions options) {
    if (threads < 0) {
      throw new dev.sluice.api.InvalidInputException(
          "--threads must be at least 1, got " + threads);
    }
    return options.with(threads, failFast);
  }
}
