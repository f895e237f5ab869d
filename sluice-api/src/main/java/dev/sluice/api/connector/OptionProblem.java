package dev.sluice.api.connector;

import static java.util.Objects.requireNonNull;

/**
 * A problem with a source table's options found by {@link SourceConnector#check}: the project
 * loader reports it at the line where {@link #option()} is written, with the connector's message
 * and hint as they are.
 *
 * @param option the option the problem is about, or the key of a block of options (e.g. {@code
 *     csv}); the table itself when the option is not written
 * @param message what is wrong, e.g. {@code Cannot tell the format of 'a.txt' from its extension};
 *     never a secret's value
 * @param hint how to fix it, or empty
 */
public record OptionProblem(String option, String message, String hint) {
  public OptionProblem {
    requireNonNull(option, "option is null");
    requireNonNull(message, "message is null");
    requireNonNull(hint, "hint is null");
  }
}
