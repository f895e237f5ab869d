package dev.sluice.server.auth;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Limits failed sign-ins: after {@code maxFailures} failures for one user name from one client
 * within {@code window}, further attempts are refused until the oldest failure leaves the window,
 * so a password cannot be guessed quickly. A success clears the user's failures from that client.
 */
public final class LoginThrottle {
  /** The default: 5 failures in 15 minutes. */
  public static final int DEFAULT_MAX_FAILURES = 5;

  public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(15);

  private final int maxFailures;
  private final Duration window;
  private final Clock clock;
  private final Map<String, Deque<Instant>> failures = new ConcurrentHashMap<>();

  public LoginThrottle(int maxFailures, Duration window, Clock clock) {
    if (maxFailures < 1) {
      throw new IllegalArgumentException("maxFailures must be at least 1: " + maxFailures);
    }
    this.maxFailures = maxFailures;
    this.window = requireNonNull(window, "window is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  /**
   * Refuses an attempt when the user already failed too often from this client.
   *
   * @throws TooManyLoginAttemptsException saying when to try again
   */
  public void checkAllowed(String user, String client) {
    Deque<Instant> times = failures.get(key(user, client));
    if (times == null) {
      return;
    }
    synchronized (times) {
      Instant now = clock.instant();
      prune(times, now);
      if (times.size() >= maxFailures) {
        Duration retryAfter = Duration.between(now, times.peekFirst().plus(window));
        throw new TooManyLoginAttemptsException(
            "Too many failed sign-ins for '"
                + user
                + "': try again in "
                + Math.max(1, retryAfter.toSeconds())
                + " s, or ask an administrator to set a new password (sluice user set-password)",
            retryAfter);
      }
    }
  }

  /** Notes a failed attempt. */
  public void failed(String user, String client) {
    Deque<Instant> times = failures.computeIfAbsent(key(user, client), any -> new ArrayDeque<>());
    synchronized (times) {
      Instant now = clock.instant();
      prune(times, now);
      times.addLast(now);
    }
  }

  /** Clears the failures of a user from a client after a successful sign-in. */
  public void succeeded(String user, String client) {
    failures.remove(key(user, client));
  }

  private void prune(Deque<Instant> times, Instant now) {
    while (!times.isEmpty() && !times.peekFirst().plus(window).isAfter(now)) {
      times.removeFirst();
    }
  }

  private static String key(String user, String client) {
    return user.toLowerCase(Locale.ROOT) + "\u0000" + client;
  }
}
