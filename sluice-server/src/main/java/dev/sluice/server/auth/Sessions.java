package dev.sluice.server.auth;

import static java.util.Objects.requireNonNull;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The signed-in people of one server process: a random session id (the HTTP-only cookie) with the
 * principal's name and a CSRF token that state-changing requests must repeat in a header. Sessions
 * live in memory: a restart signs everyone out. A session ends after {@code idleTimeout} without a
 * request.
 */
public final class Sessions {
  /** A signed-in person. */
  public record Session(String id, String principal, String csrfToken, Instant lastUsed) {
    public Session {
      requireNonNull(id, "id is null");
      requireNonNull(principal, "principal is null");
      requireNonNull(csrfToken, "csrfToken is null");
    }

    /** Whether {@code token} is this session's CSRF token (in constant time). */
    public boolean csrfMatches(String token) {
      return token != null
          && MessageDigest.isEqual(
              token.getBytes(java.nio.charset.StandardCharsets.UTF_8),
              csrfToken.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
      return "Session[principal=" + principal + ", lastUsed=" + lastUsed + "]";
    }
  }

  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofHours(8);

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final Duration idleTimeout;
  private final Clock clock;

  public Sessions(Duration idleTimeout, Clock clock) {
    this.idleTimeout = requireNonNull(idleTimeout, "idleTimeout is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  /** Starts a session for {@code principal}. */
  public Session start(String principal) {
    Session session = new Session(random(), principal, random(), clock.instant());
    sessions.put(session.id(), session);
    return session;
  }

  /** The live session with this id, its idle time reset; empty when unknown or idle too long. */
  public Optional<Session> find(String id) {
    if (id == null) {
      return Optional.empty();
    }
    Session session = sessions.get(id);
    if (session == null) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    if (!session.lastUsed().plus(idleTimeout).isAfter(now)) {
      sessions.remove(id);
      return Optional.empty();
    }
    Session used = new Session(session.id(), session.principal(), session.csrfToken(), now);
    sessions.put(id, used);
    return Optional.of(used);
  }

  /** Ends a session (sign-out). */
  public void end(String id) {
    if (id != null) {
      sessions.remove(id);
    }
  }

  private static String random() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
