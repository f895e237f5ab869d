package dev.sluice.governance;

import java.util.Locale;
import java.util.Optional;

/** What a grant allows on a table. {@code admin} implies every other privilege. */
public enum Privilege {
  READ,
  WRITE,
  GRANT,
  ADMIN;

  /** The name written in policies.yaml, e.g. {@code read}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether holding this privilege allows {@code other}. */
  public boolean implies(Privilege other) {
    return this == other || this == ADMIN;
  }

  public static Optional<Privilege> fromLabel(String label) {
    for (Privilege privilege : values()) {
      if (privilege.label().equalsIgnoreCase(label)) {
        return Optional.of(privilege);
      }
    }
    return Optional.empty();
  }
}
