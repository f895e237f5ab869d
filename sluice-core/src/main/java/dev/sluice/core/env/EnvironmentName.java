package dev.sluice.core.env;

import dev.sluice.api.InvalidInputException;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The name of a development environment, which is also the name of its Iceberg branches: checked so
 * that it can never name production's branch, a run's audit branch or maintenance's branch, nor
 * carry characters a branch, a path or a shell would read differently.
 */
public final class EnvironmentName {
  private static final Pattern VALID = Pattern.compile("[a-z][a-z0-9_-]{0,39}");

  /** Names that mean production, which no environment may take. */
  private static final Set<String> PRODUCTION = Set.of("main", "master", "prod", "production");

  /** Prefixes of branches Sluice writes itself (write-audit-publish, maintenance). */
  private static final Set<String> RESERVED_PREFIXES = Set.of("audit-", "sluice-");

  private EnvironmentName() {}

  /**
   * Returns {@code name} when it may name an environment.
   *
   * @throws InvalidInputException saying why not and what a valid name looks like
   */
  public static String check(String name) {
    if (name == null || name.isBlank()) {
      throw new InvalidInputException(
          "An environment needs a name, e.g. --env dev: lower-case letters, digits, '-' and '_'");
    }
    if (PRODUCTION.contains(name.toLowerCase(Locale.ROOT))) {
      throw new InvalidInputException(
          "'"
              + name
              + "' is production, not an environment: production is built by 'sluice run'"
              + " without --env and cannot be dropped; name an environment e.g. dev");
    }
    if (!VALID.matcher(name).matches()) {
      throw new InvalidInputException(
          "Invalid environment name '"
              + printable(name)
              + "': it becomes an Iceberg branch name, so use 1 to 40 lower-case letters, digits,"
              + " '-' and '_', starting with a letter (e.g. dev, feature-orders)");
    }
    for (String prefix : RESERVED_PREFIXES) {
      if (name.startsWith(prefix)) {
        throw new InvalidInputException(
            "Invalid environment name '"
                + name
                + "': names starting with '"
                + prefix
                + "' are Sluice's own branches; choose another name");
      }
    }
    return name;
  }

  /** The name with control characters shown escaped, so a message cannot be forged by it. */
  private static String printable(String name) {
    StringBuilder text = new StringBuilder();
    name.codePoints()
        .forEach(
            c -> {
              if (Character.isISOControl(c)) {
                text.append(String.format(Locale.ROOT, "\\u%04x", c));
              } else {
                text.appendCodePoint(c);
              }
            });
    return text.length() > 80 ? text.substring(0, 80) + "..." : text.toString();
  }
}
