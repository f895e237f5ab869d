package dev.sluice.server.auth;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import dev.sluice.core.Workspace;
import dev.sluice.core.query.QueryService;
import dev.sluice.core.state.ApiToken;
import dev.sluice.core.state.AuditAction;
import dev.sluice.core.state.RunStore;
import dev.sluice.governance.Principal;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Checks credentials and says who they stand for: API tokens (scripts, BI tools) and passwords
 * (people), against the hashes in the state database, resolving the principal in the project's
 * policies.yaml. Every endpoint that takes credentials uses it: the HTTP API now, the Flight SQL
 * endpoint next. Sign-ins by password are rate-limited ({@link LoginThrottle}) and audited ({@link
 * AuditAction#LOGIN}); a token or password never appears in a message or the log.
 *
 * <p>An OpenID Connect sign-in ({@link OidcLogin}) names a user by a verified ID token's claim,
 * resolved by {@link #principal(String)} like a password's, and is throttled and audited here too.
 */
public final class Authenticator {
  private static final String PASSWORD = "password";

  private final Supplier<Workspace> workspace;
  private final LoginThrottle throttle;
  private final Clock clock;

  public Authenticator(Supplier<Workspace> workspace, LoginThrottle throttle, Clock clock) {
    this.workspace = requireNonNull(workspace, "workspace is null");
    this.throttle = requireNonNull(throttle, "throttle is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  /**
   * The principal an API token acts as.
   *
   * @throws AuthenticationException for a token that is malformed, unknown, revoked or expired, or
   *     whose principal policies.yaml no longer declares
   */
  public Principal token(String token) {
    requireNonNull(token, "token is null");
    String id =
        Credentials.tokenId(token.strip())
            .orElseThrow(
                () ->
                    new AuthenticationException(
                        "The bearer token is not a Sluice API token: create one with 'sluice"
                            + " token create PRINCIPAL' and send it as 'Authorization: Bearer"
                            + " sluice_...'"));
    Optional<ApiToken> stored = store().tokens().find(id);
    if (stored.isEmpty() || !Credentials.matches(token.strip(), stored.get())) {
      throw new AuthenticationException(
          "Unknown API token " + id + ": 'sluice token list' shows the tokens that exist");
    }
    ApiToken record = stored.get();
    if (record.revokedAt() != null) {
      throw new AuthenticationException(
          "API token " + id + " was revoked at " + record.revokedAt() + ": create a new one");
    }
    if (!record.activeAt(clock.instant())) {
      throw new AuthenticationException(
          "API token " + id + " expired at " + record.expiresAt() + ": create a new one");
    }
    return principal(record.principal());
  }

  /**
   * The principal a user name and password sign in as. Failures are counted per user and client,
   * and every attempt is audited.
   *
   * @param client the client's address, for the rate limit and the audit log
   * @throws TooManyLoginAttemptsException after too many failures
   * @throws AuthenticationException for an unknown user or a wrong password (one message for both,
   *     so that user names cannot be probed)
   */
  public Principal password(String user, char[] password, String client) {
    requireNonNull(user, "user is null");
    requireNonNull(password, "password is null");
    try {
      throttle.checkAllowed(user, client);
    } catch (TooManyLoginAttemptsException e) {
      audit(user, client, PASSWORD, "rate_limited");
      throw e;
    }
    Optional<String> hash = store().passwords().hash(user);
    if (hash.isEmpty() || !Credentials.passwordMatches(password, hash.get())) {
      throttle.failed(user, client);
      audit(user, client, PASSWORD, "failed");
      throw new AuthenticationException(
          "Wrong user name or password; an administrator sets passwords with 'sluice user"
              + " set-password USER'");
    }
    Principal principal = principal(user);
    throttle.succeeded(user, client);
    audit(user, client, PASSWORD, "succeeded");
    return principal;
  }

  /**
   * The principal of policies.yaml a credential names.
   *
   * @throws AuthenticationException when policies.yaml no longer declares it
   */
  public Principal principal(String name) {
    try {
      return new QueryService(workspace.get()).principal(name);
    } catch (InvalidInputException e) {
      throw new AuthenticationException(
          "The credentials are for '"
              + name
              + "', whom policies.yaml no longer declares: "
              + e.getMessage());
    }
  }

  /**
   * Whether anyone can sign in with a token or a password: an active API token or a password
   * exists.
   */
  public boolean anyCredential() {
    RunStore store = store();
    return store.tokens().anyActive(clock.instant()) || !store.passwords().principals().isEmpty();
  }

  private RunStore store() {
    return workspace.get().runStore();
  }

  /**
   * Refuses a sign-in attempt of {@code key} (a user, or a sign-in method) from {@code client}
   * after too many failures.
   */
  void checkAllowed(String key, String client) {
    throttle.checkAllowed(key, client);
  }

  /** Counts a failed sign-in attempt of {@code key} from {@code client} toward the rate limit. */
  void attemptFailed(String key, String client) {
    throttle.failed(key, client);
  }

  /** Clears the failures of {@code key} from {@code client} after a sign-in. */
  void attemptSucceeded(String key, String client) {
    throttle.succeeded(key, client);
  }

  /** Records a sign-in attempt in the audit log. */
  void audit(String user, String client, String method, String outcome) {
    workspace
        .get()
        .audit()
        .record(
            workspace
                .get()
                .audit()
                .entry(AuditAction.LOGIN)
                .detail("user", user)
                .detail("client", client)
                .detail("method", method)
                .detail("outcome", outcome)
                .build());
  }
}
