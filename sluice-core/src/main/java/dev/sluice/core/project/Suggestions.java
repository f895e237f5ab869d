package dev.sluice.core.project;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;

/** "Did you mean ...?" suggestions for misspelt names, by edit distance. */
public final class Suggestions {
  private Suggestions() {}

  /** The candidate closest to the input, if one is close enough to be a likely typo. */
  public static Optional<String> closest(String input, Collection<String> candidates) {
    String normalized = input.toLowerCase(Locale.ROOT);
    // Short names allow one edit, longer ones a third of their length; never a complete rewrite.
    int limit = Math.min(normalized.length() - 1, Math.max(2, normalized.length() / 3));
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : new TreeSet<>(candidates)) {
      int distance = distance(normalized, candidate.toLowerCase(Locale.ROOT));
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return bestDistance <= limit ? Optional.ofNullable(best) : Optional.empty();
  }

  /**
   * A hint for an unknown name: "did you mean 'x'?" when a candidate is close, else the list of
   * what is allowed, introduced by {@code listIntro} (e.g. "allowed keys").
   */
  static String hint(String input, Collection<String> candidates, String listIntro) {
    Optional<String> closest = closest(input, candidates);
    if (closest.isPresent()) {
      return "did you mean '" + closest.get() + "'?";
    }
    if (candidates.isEmpty()) {
      return "";
    }
    return listIntro + ": " + String.join(", ", new TreeSet<>(candidates));
  }

  /** Levenshtein distance: insertions, deletions and substitutions each cost one. */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
