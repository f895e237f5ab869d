package dev.sluice.core.state;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Makes run ids such as "20261121-193300-a1b2": the start time in UTC to the second, so that ids
 * sort by start time and say when a run started, then four random hex digits, so that runs started
 * in the same second differ.
 */
final class RunIds {
  private static final DateTimeFormatter START_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  private RunIds() {}

  static String next(Instant startedAt) {
    int suffix = ThreadLocalRandom.current().nextInt(0x10000);
    return START_TIME.format(startedAt) + "-" + String.format("%04x", suffix);
  }
}
