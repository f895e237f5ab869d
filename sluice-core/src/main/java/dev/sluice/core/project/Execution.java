package dev.sluice.core.project;

import dev.sluice.api.Location;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How an asset's step runs: how often a transient failure is retried (with exponential backoff and
 * jitter) and how long one attempt may take.
 *
 * @param retries how many times to retry after a transient failure (0: never)
 * @param timeout how long one attempt may take, or null for no limit
 * @param pool the named pool whose slots limit how many such steps run at once, or null
 * @param engine the installed engine that runs the step's SQL ({@code engine: spark} on a model),
 *     or null for the project's engine
 * @param memoryLimit the memory the step's engine may use ({@code memory_limit} on a model, e.g.
 *     {@code 8GB}), or null for the engine's own limit ({@code engine: {memory_limit: ...}} of
 *     sluice.yaml)
 */
public record Execution(
    int retries, Duration timeout, String pool, String engine, String memoryLimit) {
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

  public static final Execution DEFAULT = new Execution(0, null, null, null, null);

  public Execution {
    if (retries < 0) {
      throw new IllegalArgumentException("retries must not be negative: " + retries);
    }
  }

  /** The same settings, in a pool. */
  Execution inPool(String name) {
    return new Execution(retries, timeout, name, engine, memoryLimit);
  }

  /** The same settings, run by the installed engine of a name. */
  Execution onEngine(String name) {
    return new Execution(retries, timeout, pool, name, memoryLimit);
  }

  /** The same settings, with a memory limit of the step's own. */
  Execution withMemoryLimit(String limit) {
    return new Execution(retries, timeout, pool, engine, limit);
  }

  /**
   * Reads {@code retries} and {@code timeout} texts (either may be null: then the default's value
   * is kept), adding a problem for each that cannot be read.
   */
  static Execution read(
      String retries,
      Location retriesLocation,
      String timeout,
      Location timeoutLocation,
      Execution defaults,
      Problems problems) {
    int retryCount = defaults.retries();
    if (retries != null) {
      try {
        retryCount = Integer.parseInt(retries.trim());
        if (retryCount < 0 || retryCount > 100) {
          throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        problems.add(
            retriesLocation,
            "'retries' must be a whole number from 0 to 100, got '" + retries + "'",
            "write e.g. retries: 3");
      }
    }
    Duration limit = defaults.timeout();
    if (timeout != null) {
      limit = parseDuration(timeout);
      if (limit == null) {
        problems.add(
            timeoutLocation,
            "'timeout' must be a duration like 90s, 10m or 2h, got '" + timeout + "'",
            "write e.g. timeout: 10m");
        limit = defaults.timeout();
      }
    }
    return new Execution(
        retryCount, limit, defaults.pool(), defaults.engine(), defaults.memoryLimit());
  }

  /** Parses {@code 500ms}, {@code 90s}, {@code 10m} or {@code 2h}; null when it cannot. */
  static Duration parseDuration(String text) {
    Matcher matcher = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!matcher.matches()) {
      return null;
    }
    long amount = Long.parseLong(matcher.group(1));
    Duration duration =
        switch (matcher.group(2)) {
          case "ms" -> Duration.ofMillis(amount);
          case "s" -> Duration.ofSeconds(amount);
          case "m" -> Duration.ofMinutes(amount);
          default -> Duration.ofHours(amount);
        };
    return duration.isZero() ? null : duration;
  }
}
