package dev.sluice.api;

/**
 * SQL that Sluice refuses before running it: not one SELECT, a syntax error, or a reach outside the
 * tables Sluice makes readable (files, URLs, settings, other databases). The message says what is
 * refused; {@link #line()} is where, in the SQL as given.
 */
public class SqlRejectedException extends InvalidInputException {
  private static final long serialVersionUID = 1L;

  private final int line;

  /**
   * @param line the 1-based line of the SQL the problem is on, or 0 when the parser does not say
   */
  public SqlRejectedException(String message, int line) {
    super(message);
    this.line = line;
  }

  /** The 1-based line of the SQL the problem is on, or 0 when unknown. */
  public int line() {
    return line;
  }
}
