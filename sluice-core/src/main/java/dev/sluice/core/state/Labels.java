package dev.sluice.core.state;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Enums the state database and the CLI write by a lower-case label, e.g. {@code passed}. */
final class Labels {
  private Labels() {}

  /** The label of {@code constant}: its name in lower case. */
  static String of(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT);
  }

  /**
   * The constant of {@code type} written as {@code label}.
   *
   * @param what what the value is, for the message, e.g. {@code check status}
   * @throws IllegalArgumentException naming the value and the allowed ones
   */
  static <E extends Enum<E>> E parse(Class<E> type, String label, String what) {
    E[] constants = type.getEnumConstants();
    for (E constant : constants) {
      if (of(constant).equals(label)) {
        return constant;
      }
    }
    throw new IllegalArgumentException(
        "Invalid "
            + what
            + ": "
            + label
            + " (expected "
            + Arrays.stream(constants).map(Labels::of).collect(Collectors.joining(", "))
            + ")");
  }
}
