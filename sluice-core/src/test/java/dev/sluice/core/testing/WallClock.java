package dev.sluice.core.testing;

import static org.awaitility.Awaitility.await;

import java.time.Duration;

/**
 * Waits on the system clock, for what Sluice does not time itself: Iceberg stamps snapshots, and
 * the file system stamps files, with the wall clock.
 */
public final class WallClock {
  private WallClock() {}

  /** Returns once the wall clock reads later than {@code epochMillis}. */
  public static void awaitPast(long epochMillis) {
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(1))
        .until(() -> System.currentTimeMillis() > epochMillis);
  }
}
