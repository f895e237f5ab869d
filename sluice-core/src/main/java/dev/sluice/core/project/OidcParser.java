package dev.sluice.core.project;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Reads {@code server.oidc:} of sluice.yaml: {@code {issuer: https://login.example.com, client_id:
 * sluice, client_secret: ${env:SLUICE_OIDC_SECRET}}}.
 */
final class OidcParser {
  private static final Set<String> KEYS =
      Set.of("issuer", "client_id", "client_secret", "redirect_uri", "principal_claim", "scopes");

  private OidcParser() {}

  /** The provider of {@code server:}'s {@code oidc:} block, or null without one (or invalid). */
  static OidcSettings parse(YamlMap server, Secrets secrets) {
    Optional<YamlMap> block = server.map("oidc", "'server.oidc:' of sluice.yaml", KEYS);
    if (block.isEmpty()) {
      return null;
    }
    YamlMap oidc = block.get();
    URI issuer =
        url(
            oidc,
            "issuer",
            oidc.requiredString(
                "issuer", "add the provider's issuer URL, e.g. issuer: https://login.example.com"));
    String clientId =
        oidc.requiredString(
            "client_id", "add the client registered at the provider, e.g. client_id: sluice");
    String clientSecret = null;
    String secretReference = oidc.string("client_secret");
    if (secretReference != null) {
      clientSecret =
          secrets
              .resolve(secretReference, "server.oidc.client_secret", oidc.location("client_secret"))
              .orElse(null);
    }
    URI redirectUri = null;
    if (oidc.string("redirect_uri") != null) {
      redirectUri = url(oidc, "redirect_uri", oidc.string("redirect_uri"));
      if (redirectUri != null && !redirectUri.getPath().endsWith("/auth/oidc/callback")) {
        oidc.problems()
            .add(
                oidc.location("redirect_uri"),
                "server.oidc.redirect_uri must end in /auth/oidc/callback, got " + redirectUri,
                "write this server's address as the provider reaches it, e.g."
                    + " https://sluice.example.com/auth/oidc/callback");
        redirectUri = null;
      }
    }
    String claim = oidc.string("principal_claim");
    if (claim != null && claim.isBlank()) {
      oidc.problems()
          .add(
              oidc.location("principal_claim"),
              "server.oidc.principal_claim is empty",
              "write the ID token claim that names the principal, e.g. principal_claim: email");
      claim = null;
    }
    List<String> scopes = new ArrayList<>(List.of("openid"));
    if (oidc.has("scopes")) {
      for (String scope : oidc.stringList("scopes")) {
        if (!scopes.contains(scope.strip())) {
          scopes.add(scope.strip());
        }
      }
    } else {
      scopes.addAll(List.of("profile", "email"));
    }
    if (issuer == null || clientId == null) {
      return null;
    }
    return new OidcSettings(
        issuer,
        clientId.strip(),
        clientSecret,
        redirectUri,
        claim == null ? OidcSettings.DEFAULT_PRINCIPAL_CLAIM : claim.strip(),
        scopes,
        oidc.location());
  }

  /**
   * An https URL, or http on a loopback host (a provider on the same machine); null when absent or
   * invalid (reported).
   */
  private static URI url(YamlMap map, String key, String text) {
    if (text == null) {
      return null;
    }
    String where = "server.oidc." + key;
    try {
      URI uri = new URI(text.strip());
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
        map.problems()
            .add(
                map.location(key),
                where + " must be an https URL, got '" + text.strip() + "'",
                "write e.g. https://login.example.com/realms/main");
        return null;
      }
      if (scheme.equals("http") && !loopback(uri.getHost())) {
        map.problems()
            .add(
                map.location(key),
                where
                    + " must use https: sign-ins and ID tokens would cross the network in clear"
                    + " text ("
                    + uri
                    + ")",
                "use the provider's https address; http is allowed only on localhost");
        return null;
      }
      return uri;
    } catch (URISyntaxException e) {
      map.problems()
          .add(
              map.location(key), where + " is not a URL: " + e.getMessage(), "write e.g. https://");
      return null;
    }
  }

  private static boolean loopback(String host) {
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    try {
      // a literal address only: resolving a name here would reach DNS at every load
      return host.matches("[0-9.]+|\\[?[0-9a-fA-F:]+]?")
          && InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
