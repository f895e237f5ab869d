package dev.sluice.flight;

import static java.util.Objects.requireNonNull;

import com.google.common.cache.CacheBuilder;
import dev.sluice.core.Workspace;
import dev.sluice.core.state.ApiToken;
import dev.sluice.governance.Principal;
import dev.sluice.server.auth.AuthenticationException;
import dev.sluice.server.auth.Authenticator;
import dev.sluice.server.auth.Credentials;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightProducer.CallContext;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.auth2.Auth2Constants;
import org.apache.arrow.flight.auth2.AuthUtilities;
import org.apache.arrow.flight.auth2.BasicCallHeaderAuthenticator;
import org.apache.arrow.flight.auth2.CallHeaderAuthenticator;
import org.apache.arrow.flight.auth2.GeneratedBearerTokenAuthenticator;

/**
 * Who a Flight SQL client is, with the HTTP server's credentials ({@link Authenticator}):
 *
 * <ul>
 *   <li>Flight's basic authentication (the JDBC driver's {@code user} and {@code password}): the
 *       user of policies.yaml and its password, or an API token as the password (the user then is
 *       the token's principal or {@code token}). A success opens a bearer session that ends after
 *       {@link #SESSION_IDLE_TIMEOUT} without a call; sign-ins by password are rate-limited and
 *       audited as the HTTP server's are.
 *   <li>An API token sent as the bearer token itself ({@code Authorization: Bearer sluice_...}, the
 *       JDBC driver's {@code token} property, ADBC's authorization header), checked at every call.
 *   <li>In development mode (loopback only), a call without credentials acts as the project's
 *       owner.
 * </ul>
 *
 * <p>Every call is checked again ({@link #principal(CallContext)}): a session opened with a token
 * ends when the token is revoked or expires, one opened with a password when the password is
 * removed, and either when policies.yaml no longer declares its principal.
 */
final class FlightAuthentication implements CallHeaderAuthenticator {
  /** A bearer session ends after this long without a call, as an HTTP session does. */
  static final Duration SESSION_IDLE_TIMEOUT = Duration.ofHours(8);

  /** The client the sign-in throttle and audit log name: Flight does not tell the address. */
  static final String CLIENT = "flight-sql";

  private static final String TOKEN_USER = "token";

  private final Supplier<Workspace> workspace;
  private final Authenticator authenticator;
  private final Clock clock;
  private final boolean dev;
  private final CallHeaderAuthenticator basic;

  FlightAuthentication(
      Supplier<Workspace> workspace, Authenticator authenticator, Clock clock, boolean dev) {
    this.workspace = requireNonNull(workspace, "workspace is null");
    this.authenticator = requireNonNull(authenticator, "authenticator is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.dev = dev;
    this.basic =
        new GeneratedBearerTokenAuthenticator(
            new BasicCallHeaderAuthenticator(this::signIn),
            CacheBuilder.newBuilder()
                .expireAfterAccess(SESSION_IDLE_TIMEOUT.toMinutes(), TimeUnit.MINUTES));
  }

  @Override
  public AuthResult authenticate(CallHeaders headers) {
    String bearer = AuthUtilities.getValueFromAuthHeader(headers, Auth2Constants.BEARER_PREFIX);
    if (bearer != null) {
      Optional<String> tokenId = Credentials.tokenId(bearer.strip());
      if (tokenId.isPresent()) {
        Principal principal = checked(() -> authenticator.token(bearer));
        return identified(FlightIdentity.token(principal.name(), tokenId.get()));
      }
    }
    String basicHeader = AuthUtilities.getValueFromAuthHeader(headers, Auth2Constants.BASIC_PREFIX);
    if (dev && bearer == null && basicHeader == null) {
      return identified(FlightIdentity.dev());
    }
    if (bearer == null && basicHeader == null) {
      throw CallStatus.UNAUTHENTICATED
          .withDescription(
              "Sign in first: give a user and password (or an API token as the password, from"
                  + " 'sluice token create PRINCIPAL')")
          .toRuntimeException();
    }
    try {
      return basic.authenticate(headers);
    } catch (FlightRuntimeException e) {
      if (e.status().code() == org.apache.arrow.flight.FlightStatusCode.UNAUTHENTICATED
          && (e.status().description() == null || e.status().description().isEmpty())) {
        throw CallStatus.UNAUTHENTICATED
            .withDescription(
                "The session is unknown or has ended (after "
                    + SESSION_IDLE_TIMEOUT.toHours()
                    + " hours without a call, or a restart of the server): connect again")
            .toRuntimeException();
      }
      throw e;
    }
  }

  /**
   * The principal a call acts as, checked again now.
   *
   * @throws FlightRuntimeException UNAUTHENTICATED when the session's token was revoked or expired,
   *     its password removed, or its principal is no longer declared
   */
  Principal principal(CallContext context) {
    FlightIdentity identity =
        FlightIdentity.decode(context.peerIdentity())
            .orElseThrow(
                () ->
                    CallStatus.UNAUTHENTICATED
                        .withDescription("Sign in first: no session")
                        .toRuntimeException());
    if (identity.isDev()) {
      return Principal.projectOwner();
    }
    return checked(
        () -> {
          if (identity.tokenId() != null) {
            ApiToken token =
                workspace
                    .get()
                    .runStore()
                    .tokens()
                    .find(identity.tokenId())
                    .orElseThrow(
                        () ->
                            new AuthenticationException(
                                "API token " + identity.tokenId() + " no longer exists"));
            if (token.revokedAt() != null || !token.activeAt(clock.instant())) {
              throw new AuthenticationException(
                  "API token "
                      + identity.tokenId()
                      + " was revoked or has expired: create a new one ('sluice token create')");
            }
          } else if (workspace.get().runStore().passwords().hash(identity.principal()).isEmpty()) {
            throw new AuthenticationException(
                "The password of '" + identity.principal() + "' was removed: sign in again");
          }
          return authenticator.principal(identity.principal());
        });
  }

  /** Flight's basic authentication: a user and a password, or an API token as the password. */
  private AuthResult signIn(String user, String password) {
    Optional<String> tokenId = Credentials.tokenId(password.strip());
    if (tokenId.isPresent()) {
      Principal principal = checked(() -> authenticator.token(password));
      if (!user.isEmpty() && !user.equals(TOKEN_USER) && !user.equals(principal.name())) {
        throw CallStatus.UNAUTHENTICATED
            .withDescription(
                "The API token is for '"
                    + principal.name()
                    + "', not '"
                    + user
                    + "': give user "
                    + principal.name()
                    + " (or "
                    + TOKEN_USER
                    + ")")
            .toRuntimeException();
      }
      return identified(FlightIdentity.token(principal.name(), tokenId.get()));
    }
    if (workspace.get().project().config().server().oidc() != null) {
      // people sign in through the provider, as on the HTTP server; tools use API tokens
      throw CallStatus.UNAUTHENTICATED
          .withDescription(
              "This server signs people in through OpenID Connect, not with passwords: give an"
                  + " API token as the password ('sluice token create PRINCIPAL')")
          .toRuntimeException();
    }
    Principal principal =
        checked(() -> authenticator.password(user, password.toCharArray(), CLIENT));
    return identified(FlightIdentity.password(principal.name()));
  }

  private static Principal checked(Supplier<Principal> check) {
    try {
      return check.get();
    } catch (AuthenticationException e) {
      throw CallStatus.UNAUTHENTICATED.withDescription(e.getMessage()).toRuntimeException();
    }
  }

  private static AuthResult identified(FlightIdentity identity) {
    String encoded = identity.encode();
    return new AuthResult() {
      @Override
      public String getPeerIdentity() {
        return encoded;
      }

      @Override
      public void appendToOutgoingHeaders(CallHeaders outgoingHeaders) {}
    };
  }
}
