package dev.sluice.flight;

/**
 * A SQL {@code LIKE} pattern of Flight SQL's metadata requests ({@code db_schema_filter_pattern},
 * {@code table_name_filter_pattern}): {@code %} matches any characters, {@code _} one, and {@code
 * \} makes the next character literal. Matched exactly, character by character.
 */
final class LikePattern {
  private final String pattern;

  private LikePattern(String pattern) {
    this.pattern = pattern;
  }

  /** The pattern, or one that matches everything when the request has none. */
  static LikePattern of(String pattern) {
    return new LikePattern(pattern == null || pattern.isEmpty() ? "%" : pattern);
  }

  boolean matches(String value) {
    return matches(0, value, 0);
  }

  private boolean matches(int at, String value, int from) {
    int p = at;
    int v = from;
    while (p < pattern.length()) {
      char c = pattern.charAt(p);
      if (c == '%') {
        while (p < pattern.length() && pattern.charAt(p) == '%') {
          p++;
        }
        if (p == pattern.length()) {
          return true;
        }
        for (int next = v; next <= value.length(); next++) {
          if (matches(p, value, next)) {
            return true;
          }
        }
        return false;
      }
      if (v >= value.length()) {
        return false;
      }
      if (c == '_') {
        p++;
        v++;
        continue;
      }
      if (c == '\\' && p + 1 < pattern.length()) {
        c = pattern.charAt(++p);
      }
      if (c != value.charAt(v)) {
        return false;
      }
      p++;
      v++;
    }
    return v == value.length();
  }
}
