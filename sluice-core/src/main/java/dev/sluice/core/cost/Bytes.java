package dev.sluice.core.cost;

import java.util.Locale;

/** Byte counts for people: decimal units, as storage is billed. */
public final class Bytes {
  private Bytes() {}

  /** E.g. {@code 1.2 GB}, {@code 512 B}. */
  public static String describe(long bytes) {
    String[] units = {"B", "kB", "MB", "GB", "TB", "PB"};
    double value = bytes;
    int unit = 0;
    while (value >= 1000 && unit < units.length - 1) {
      value /= 1000;
      unit++;
    }
    return unit == 0
        ? bytes + " B"
        : String.format(Locale.ROOT, value >= 100 ? "%.0f %s" : "%.1f %s", value, units[unit]);
  }
}
