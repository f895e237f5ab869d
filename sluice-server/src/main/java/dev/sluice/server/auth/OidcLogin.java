package dev.sluice.server.auth;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jwt.JWT;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.GeneralException;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import dev.sluice.core.project.OidcSettings;
import dev.sluice.governance.Principal;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Signs people in through an OpenID Connect provider: the authorization code flow with PKCE ({@code
 * S256}), a state bound to the browser and used once, a nonce, and the ID token's signature
 * verified against the provider's JWKS, its issuer, audience, expiry and nonce checked, all by the
 * Nimbus OAuth 2.0 / OpenID Connect SDK. The ID token's {@code principal_claim} names the principal
 * of policies.yaml, which {@link Authenticator} resolves as for a password. Every sign-in, failed
 * or not, is audited; failures are rate-limited per client.
 */
public final class OidcLogin {
  /** How long a sign-in started at the provider may take to come back. */
  static final Duration PENDING_FOR = Duration.ofMinutes(10);

  /** At most this many sign-ins wait at once; more are refused (a flood of started sign-ins). */
  static final int MAX_PENDING = 10_000;

  private static final int TIMEOUT_MILLIS = 10_000;
  private static final String METHOD = "oidc";

  /** A sign-in sent to the provider, waiting for it to come back. */
  private record Pending(CodeVerifier verifier, Nonce nonce, URI redirectUri, Instant startedAt) {}

  /**
   * Where to send the browser to sign in.
   *
   * @param uri the provider's authorization endpoint with this sign-in's parameters
   * @param state the value the browser must come back with (kept in a cookie)
   */
  public record Start(URI uri, String state) {}

  private final OidcSettings settings;
  private final Authenticator authenticator;
  private final Clock clock;
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private volatile OIDCProviderMetadata provider;

  public OidcLogin(OidcSettings settings, Authenticator authenticator, Clock clock) {
    this.settings = requireNonNull(settings, "settings is null");
    this.authenticator = requireNonNull(authenticator, "authenticator is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  /** The provider's issuer, for messages. */
  public URI issuer() {
    return settings.issuer();
  }

  /**
   * Starts a sign-in: a new state, nonce and PKCE verifier, kept until the browser comes back.
   *
   * @param requestRedirectUri the callback URL as this request reached the server; {@code
   *     redirect_uri:} of the settings wins
   * @throws OidcUnavailableException when the provider's discovery document cannot be read
   */
  public Start start(URI requestRedirectUri) {
    OIDCProviderMetadata metadata = provider();
    removeExpired();
    if (pending.size() >= MAX_PENDING) {
      throw new AuthenticationException(
          "Too many sign-ins in progress; try again in a few minutes");
    }
    URI redirectUri = settings.redirectUri() != null ? settings.redirectUri() : requestRedirectUri;
    State state = new State();
    Nonce nonce = new Nonce();
    CodeVerifier verifier = new CodeVerifier();
    AuthenticationRequest request =
        new AuthenticationRequest.Builder(
                ResponseType.CODE,
                new Scope(settings.scopes().toArray(String[]::new)),
                new ClientID(settings.clientId()),
                redirectUri)
            .endpointURI(metadata.getAuthorizationEndpointURI())
            .state(state)
            .nonce(nonce)
            .codeChallenge(verifier, CodeChallengeMethod.S256)
            .build();
    pending.put(state.getValue(), new Pending(verifier, nonce, redirectUri, clock.instant()));
    return new Start(request.toURI(), state.getValue());
  }

  /**
   * Completes a sign-in when the provider sends the browser back: checks the state against the one
   * the browser kept, exchanges the code (with the PKCE verifier) for tokens and verifies the ID
   * token.
   *
   * @param parameters the callback's query parameters ({@code code}, {@code state}, or {@code
   *     error})
   * @param browserState the state the browser kept in its cookie, or null
   * @param client the client's address, for the rate limit and the audit log
   * @return the principal signed in
   * @throws AuthenticationException when anything does not match; audited
   */
  public Principal complete(Map<String, String> parameters, String browserState, String client) {
    try {
      authenticator.checkAllowed(METHOD, client);
    } catch (TooManyLoginAttemptsException e) {
      authenticator.audit("unknown", client, METHOD, "rate_limited");
      throw new TooManyLoginAttemptsException(
          "Too many failed sign-ins through the OpenID Connect provider from "
              + client
              + ": try again in "
              + Math.max(1, e.retryAfter().toSeconds())
              + " s",
          e.retryAfter());
    }
    String user = "unknown";
    try {
      String error = parameters.get("error");
      String stateValue = parameters.get("state");
      Pending started = stateValue == null ? null : pending.remove(stateValue);
      if (error != null) {
        throw new AuthenticationException(
            "The OpenID Connect provider refused the sign-in: "
                + error
                + Optional.ofNullable(parameters.get("error_description"))
                    .map(description -> " (" + description + ")")
                    .orElse("")
                + "; sign in again at /auth/oidc/login");
      }
      if (started == null
          || browserState == null
          || !java.security.MessageDigest.isEqual(
              stateValue.getBytes(java.nio.charset.StandardCharsets.UTF_8),
              browserState.getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
        throw new AuthenticationException(
            "This sign-in is unknown, was used already, or was started in another browser: sign"
                + " in again at /auth/oidc/login");
      }
      if (started.startedAt().plus(PENDING_FOR).isBefore(clock.instant())) {
        throw new AuthenticationException(
            "This sign-in took longer than "
                + PENDING_FOR.toMinutes()
                + " minutes: sign in again at /auth/oidc/login");
      }
      String code = parameters.get("code");
      if (code == null || code.isBlank()) {
        throw new AuthenticationException(
            "The provider sent no authorization code: sign in again at /auth/oidc/login");
      }
      IDTokenClaimsSet claims = exchange(new AuthorizationCode(code), started);
      Object named = claims.getClaim(settings.principalClaim());
      if (!(named instanceof String name) || name.isBlank()) {
        throw new AuthenticationException(
            "The ID token has no '"
                + settings.principalClaim()
                + "' claim to name a principal by: set server.oidc.principal_claim to a claim the"
                + " provider sends (e.g. email or sub)");
      }
      user = name;
      Principal principal = authenticator.principal(name);
      authenticator.attemptSucceeded(METHOD, client);
      authenticator.audit(name, client, METHOD, "succeeded");
      return principal;
    } catch (AuthenticationException | OidcUnavailableException e) {
      // failures count per client: the user is not known before the ID token is verified
      authenticator.attemptFailed(METHOD, client);
      authenticator.audit(user, client, METHOD, "failed");
      throw e;
    }
  }

  /** Exchanges the code for tokens and verifies the ID token; returns its claims. */
  private IDTokenClaimsSet exchange(AuthorizationCode code, Pending started) {
    OIDCProviderMetadata metadata = provider();
    AuthorizationCodeGrant grant =
        new AuthorizationCodeGrant(code, started.redirectUri(), started.verifier());
    ClientID clientId = new ClientID(settings.clientId());
    TokenRequest request =
        settings.clientSecret() == null
            ? new TokenRequest.Builder(metadata.getTokenEndpointURI(), clientId, grant).build()
            : new TokenRequest.Builder(
                    metadata.getTokenEndpointURI(),
                    new ClientSecretBasic(clientId, new Secret(settings.clientSecret())),
                    grant)
                .build();
    TokenResponse response;
    try {
      HTTPRequest http = request.toHTTPRequest();
      http.setConnectTimeout(TIMEOUT_MILLIS);
      http.setReadTimeout(TIMEOUT_MILLIS);
      response = OIDCTokenResponseParser.parse(http.send());
    } catch (IOException | ParseException e) {
      throw new OidcUnavailableException(
          "Cannot exchange the sign-in code at the provider's token endpoint "
              + metadata.getTokenEndpointURI()
              + ": "
              + e.getMessage(),
          e);
    }
    if (!response.indicatesSuccess()) {
      ErrorObject error = response.toErrorResponse().getErrorObject();
      throw new AuthenticationException(
          "The provider refused the sign-in code: "
              + error.getCode()
              + (error.getDescription() == null ? "" : " (" + error.getDescription() + ")")
              + "; sign in again at /auth/oidc/login");
    }
    JWT idToken = ((OIDCTokenResponse) response.toSuccessResponse()).getOIDCTokens().getIDToken();
    try {
      return validator(metadata).validate(idToken, started.nonce());
    } catch (BadJOSEException | JOSEException e) {
      throw new AuthenticationException(
          "The provider's ID token did not verify (" + e.getMessage() + "): sign-in refused", e);
    }
  }

  private IDTokenValidator validator(OIDCProviderMetadata metadata) {
    List<JWSAlgorithm> offered = metadata.getIDTokenJWSAlgs();
    JWSAlgorithm algorithm =
        offered == null || offered.isEmpty() || offered.contains(JWSAlgorithm.RS256)
            ? JWSAlgorithm.RS256
            : offered.get(0);
    try {
      return new IDTokenValidator(
          metadata.getIssuer(),
          new ClientID(settings.clientId()),
          algorithm,
          metadata.getJWKSetURI().toURL());
    } catch (MalformedURLException e) {
      throw new OidcUnavailableException(
          "The provider's JWKS address " + metadata.getJWKSetURI() + " is not a URL", e);
    }
  }

  /** The provider's discovery document, read once it is first needed. */
  private OIDCProviderMetadata provider() {
    OIDCProviderMetadata known = provider;
    if (known != null) {
      return known;
    }
    try {
      known =
          OIDCProviderMetadata.resolve(
              new Issuer(settings.issuer()), TIMEOUT_MILLIS, TIMEOUT_MILLIS);
    } catch (GeneralException | IOException e) {
      throw new OidcUnavailableException(
          "Cannot read the OpenID Connect provider's configuration at "
              + settings.issuer()
              + "/.well-known/openid-configuration: "
              + e.getMessage()
              + "; check server.oidc.issuer in sluice.yaml and that the provider is reachable",
          e);
    }
    provider = known;
    return known;
  }

  private void removeExpired() {
    Instant oldest = clock.instant().minus(PENDING_FOR);
    pending.values().removeIf(started -> started.startedAt().isBefore(oldest));
  }
}
