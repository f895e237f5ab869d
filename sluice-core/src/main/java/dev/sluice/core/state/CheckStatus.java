package dev.sluice.core.state;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

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
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The status written as {@code label}.
   *
   * @throws IllegalArgumentException naming the value and the allowed ones
   */
  public static CheckStatus parse(String label) {
    for (CheckStatus status : values()) {
      if (status.label().equals(label)) {
        return status;
      }
    }
    throw new IllegalArgumentException(
        "Invalid check status: "
            + label
            + " (expected "
            + Arrays.stream(values()).map(CheckStatus::label).collect(Collectors.joining(", "))
            + ")");
  }
}
