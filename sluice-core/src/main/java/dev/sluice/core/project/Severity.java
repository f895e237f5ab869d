package dev.sluice.core.project;

import java.util.Locale;

/** What a failing check does. */
public enum Severity {
  /** The run fails and the new data is not published (the default). */
  ERROR,
  /** The failure is reported and the data is published. */
  WARN;

  /** How project files, the run store and the CLI write it: {@code error} or {@code warn}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The severity written as {@code label}, in any case.
   *
   * @throws IllegalArgumentException naming the value and the allowed ones
   */
  public static Severity parse(String label) {
    for (Severity severity : values()) {
      if (severity.label().equalsIgnoreCase(label)) {
        return severity;
      }
    }
    throw new IllegalArgumentException("Invalid severity: " + label + " (expected error or warn)");
  }
}
