package dev.sluice.core.state;

/** How a data check came out. */
public enum CheckStatus {
  /** No row failed it. */
  PASSED,
  /** Some rows failed it. */
  FAILED,
  /** It could not run (e.g. a SQL error). */
  ERROR;

  /** How the run store and the CLI write it: {@code passed}, {@code failed} or {@code error}. */
  public String label() {
    return Labels.of(this);
  }

  /**
   * The status written as {@code label}.
   *
   * @throws IllegalArgumentException naming the value and the allowed ones
   */
  public static CheckStatus parse(String label) {
    return Labels.parse(CheckStatus.class, label, "check status");
  }
}
