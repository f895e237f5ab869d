package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import java.net.URI;
import java.util.List;

/**
 * The {@code server.oidc:} block of sluice.yaml: the OpenID Connect provider people sign in through
 * (authorization code flow with PKCE). With a provider, people sign in only through it; API tokens
 * still serve scripts and BI tools.
 *
 * @param issuer the provider's issuer URL; its {@code /.well-known/openid-configuration} is read
 * @param clientId the client registered at the provider for this server
 * @param clientSecret the client's secret, resolved from its reference, or null for a public client
 * @param redirectUri where the provider sends people back ({@code /auth/oidc/callback} of this
 *     server as the provider knows it), or null: the URL the request came to
 * @param principalClaim the ID token claim that names the principal of policies.yaml ({@code
 *     preferred_username} by default; {@code email} or {@code sub} are common)
 * @param scopes the scopes asked for; always with {@code openid}
 * @param location where the block is, for messages
 */
public record OidcSettings(
    URI issuer,
    String clientId,
    String clientSecret,
    URI redirectUri,
    String principalClaim,
    List<String> scopes,
    Location location) {
  /** The claim that names the principal unless {@code principal_claim:} says otherwise. */
  public static final String DEFAULT_PRINCIPAL_CLAIM = "preferred_username";

  public OidcSettings {
    requireNonNull(issuer, "issuer is null");
    requireNonNull(clientId, "clientId is null");
    requireNonNull(principalClaim, "principalClaim is null");
    scopes = List.copyOf(scopes);
    requireNonNull(location, "location is null");
  }

  /** Shows the settings without the client secret. */
  @Override
  public String toString() {
    return "OidcSettings[issuer="
        + issuer
        + ", clientId="
        + clientId
        + ", clientSecret="
        + (clientSecret == null ? "null" : "***")
        + ", redirectUri="
        + redirectUri
        + ", principalClaim="
        + principalClaim
        + ", scopes="
        + scopes
        + "]";
  }
}
