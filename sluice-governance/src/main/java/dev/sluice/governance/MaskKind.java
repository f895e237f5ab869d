package dev.sluice.governance;

import java.util.Locale;
import java.util.Optional;

/** How a mask hides a column's values. */
public enum MaskKind {
  /** A constant of the column's type ({@code value:}, or a default such as {@code [redacted]}). */
  REDACT,
  /** NULL of the column's type. */
  NULL,
  /** The hex keyed SHA-256 (HMAC-SHA256) of the value's text: not reversible, not joinable. */
  HASH,
  /**
   * A deterministic keyed token (HMAC-SHA256): equal values get equal tokens, so joins and counts
   * on a tokenized key still work. Whole numbers stay whole numbers.
   */
  TOKENIZE,
  /** Only the last {@code last:} characters shown, the rest as {@code *}. */
  PARTIAL,
  /** Only the domain of an email address: {@code ***@example.com}. */
  EMAIL_DOMAIN,
  /** A SQL expression over the table's columns ({@code expression:}). */
  CUSTOM;

  /** The name written in policies.yaml. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether the kind needs a key ({@code key: ${env:NAME}}). */
  public boolean keyed() {
    return this == HASH || this == TOKENIZE;
  }

  public static Optional<MaskKind> fromLabel(String label) {
    for (MaskKind kind : values()) {
      if (kind.label().equalsIgnoreCase(label)) {
        return Optional.of(kind);
      }
    }
    return Optional.empty();
  }
}
