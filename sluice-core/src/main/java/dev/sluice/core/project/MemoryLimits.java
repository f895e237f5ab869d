package dev.sluice.core.project;

import dev.sluice.api.Location;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a memory limit as {@code sluice.yaml} ({@code engine: {memory_limit: ...}}) and a model
 * ({@code memory_limit}) write it: a size such as {@code 4GB} or {@code 512MiB}, or a share of the
 * machine's memory such as {@code 50%}, in the form DuckDB's {@code memory_limit} accepts.
 */
final class MemoryLimits {
  /**
   * The smallest limit accepted: below it DuckDB cannot run a query at all (it needs a few blocks
   * of 256 KiB per thread; with 1 MB it starts and then fails every query for lack of memory).
   */
  static final long MINIMUM_BYTES = 16L << 20;

  private static final Pattern SIZE =
      Pattern.compile(
          "(\\d+(?:\\.\\d+)?)\\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)", Pattern.CASE_INSENSITIVE);
  private static final Pattern SHARE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*%");
  private static final String HINT =
      "write e.g. memory_limit: 4GB (units B, KB, MB, GB, TB, KiB, MiB, GiB, TiB; at least 16MB)"
          + " or a share of the machine's memory, e.g. memory_limit: 50%";

  private MemoryLimits() {}

  /**
   * The limit as the engine is given it (stripped), or null, with a problem at {@code location},
   * when the text is not a size or share the engine accepts.
   *
   * @param what what is being set, for the message, e.g. {@code engine.memory_limit}
   */
  static String read(String text, Location location, String what, Problems problems) {
    if (text == null) {
      return null;
    }
    String limit = text.strip();
    Matcher share = SHARE.matcher(limit);
    if (share.matches()) {
      double percent = Double.parseDouble(share.group(1));
      if (percent > 0 && percent <= 100) {
        return limit;
      }
      problems.add(
          location,
          "Invalid "
              + what
              + " '"
              + text
              + "': a share of memory must be above 0% and at most 100%",
          HINT);
      return null;
    }
    Matcher size = SIZE.matcher(limit);
    if (!size.matches()) {
      problems.add(location, "Invalid " + what + " '" + text + "': expected a size", HINT);
      return null;
    }
    if (bytes(Double.parseDouble(size.group(1)), size.group(2)) < MINIMUM_BYTES) {
      problems.add(
          location,
          "Invalid " + what + " '" + text + "': too small for the engine to run a query",
          HINT);
      return null;
    }
    return limit;
  }

  private static double bytes(double amount, String unit) {
    return amount
        * switch (unit.toUpperCase(Locale.ROOT)) {
          case "B" -> 1d;
          case "KB" -> 1e3;
          case "MB" -> 1e6;
          case "GB" -> 1e9;
          case "TB" -> 1e12;
          case "KIB" -> 1024d;
          case "MIB" -> 1024d * 1024;
          case "GIB" -> 1024d * 1024 * 1024;
          default -> 1024d * 1024 * 1024 * 1024;
        };
  }
}
