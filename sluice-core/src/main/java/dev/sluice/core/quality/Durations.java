package dev.sluice.core.quality;

import java.time.Duration;

/** Durations as people read them: {@code 45m}, {@code 6h}, {@code 2d 3h}. */
public final class Durations {
  private Durations() {}

  /** {@code duration} in days, hours and minutes, the two largest units that are not zero. */
  public static String describe(Duration duration) {
    boolean negative = duration.isNegative();
    Duration positive = duration.abs();
    long days = positive.toDays();
    long hours = positive.toHoursPart();
    long minutes = positive.toMinutesPart();
    String text;
    if (days > 0) {
      text = days + "d" + (hours > 0 ? " " + hours + "h" : "");
    } else if (hours > 0) {
      text = hours + "h" + (minutes > 0 ? " " + minutes + "m" : "");
    } else {
      text = minutes + "m";
    }
    return negative ? "-" + text : text;
  }
}
