package dev.sluice.core.state;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
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
    for (E constant : type.getEnumConstants()) {
      if (of(constant).equals(label)) {
        return constant;
      }
    }
    throw new IllegalArgumentException(
        "Invalid " + what + ": " + label + " (expected " + all(type) + ")");
  }

  /** The constant of {@code type} that {@code label} names, in any case and with spaces around. */
  static <E extends Enum<E>> Optional<E> find(Class<E> type, String label) {
    String wanted = label.strip();
    return Arrays.stream(type.getEnumConstants())
        .filter(constant -> of(constant).equalsIgnoreCase(wanted))
        .findFirst();
  }

  /** The labels of {@code type}'s constants, in order: {@code passed, failed}. */
  static <E extends Enum<E>> String all(Class<E> type) {
    return Arrays.stream(type.getEnumConstants()).map(Labels::of).collect(Collectors.joining(", "));
  }
}
