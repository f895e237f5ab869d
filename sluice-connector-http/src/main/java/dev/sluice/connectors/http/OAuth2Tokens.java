package dev.sluice.connectors.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sluice.api.InvalidInputException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Access tokens of the OAuth2 client credentials grant (RFC 6749, section 4.4), fetched from the
 * token URL and kept, in memory only, until shortly before they expire, so that loads of the same
 * client share one token. The cache key holds a hash of the client secret, never the secret.
 */
final class OAuth2Tokens {
  /** How long before its expiry a token is no longer used, for clocks and slow requests. */
  private static final Duration MARGIN = Duration.ofSeconds(30);

  private static final Map<String, Token> CACHE = new ConcurrentHashMap<>();
  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  private record Token(String value, Instant expiresAt) {
    @Override
    public String toString() {
      return "Token[expiresAt=" + expiresAt + "]";
    }
  }

  private final HttpOptions.Auth auth;
  private final String key;
  private final Clock clock;

  /** Tokens of {@code auth}, valid until their expiry by {@code clock}. */
  OAuth2Tokens(HttpOptions.Auth auth, Clock clock) {
    this.auth = auth;
    this.clock = clock;
    this.key =
        auth.tokenUrl()
            + "\n"
            + auth.clientId()
            + "\n"
            + (auth.scope() == null ? "" : auth.scope())
            + "\n"
            + sha256(auth.clientSecret());
  }

  /** A valid access token: the cached one, or a new one from the token URL. */
  String token(HttpFetcher fetcher) {
    Token cached = CACHE.get(key);
    if (cached != null && clock.instant().isBefore(cached.expiresAt())) {
      return cached.value();
    }
    Token fresh = fetch(fetcher);
    CACHE.put(key, fresh);
    return fresh.value();
  }

  /** Forgets the cached token, e.g. after the API refused it. */
  void invalidate() {
    CACHE.remove(key);
  }

  private Token fetch(HttpFetcher fetcher) {
    URI uri;
    try {
      uri = URI.create(auth.tokenUrl().strip());
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(
          "'token_url' of source '" + fetcher.source() + "' is not a valid URL");
    }
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "client_credentials");
    if (auth.scope() != null && !auth.scope().isBlank()) {
      form.put("scope", auth.scope());
    }
    Map<String, String> headers = new LinkedHashMap<>();
    if (auth.clientAuthInBody()) {
      form.put("client_id", auth.clientId());
      form.put("client_secret", auth.clientSecret());
    } else {
      // RFC 6749 2.3.1: the client id and secret are form-encoded before Basic encoding
      headers.put(
          "Authorization", HttpFetcher.basic(encode(auth.clientId()), encode(auth.clientSecret())));
    }
    StringJoiner body = new StringJoiner("&");
    form.forEach((name, value) -> body.add(encode(name) + "=" + encode(value)));
    String what = "POST " + uri + " (the OAuth2 token URL)";
    Instant requested = clock.instant();
    HttpResponse<byte[]> response = fetcher.postForm(uri, body.toString(), headers, what);
    int status = response.statusCode();
    if (status < 200 || status >= 300) {
      String error = errorCode(response);
      throw new InvalidInputException(
          "Cannot get an access token for source '"
              + fetcher.source()
              + "': "
              + what
              + " answered HTTP "
              + status
              + (error == null ? "" : " (" + error + ")")
              + "; check token_url, client_id, client_secret and scope");
    }
    JsonNode json;
    try {
      json = MAPPER.readTree(response.body());
    } catch (IOException e) {
      json = null;
    }
    JsonNode token = json == null ? null : json.get("access_token");
    if (token == null || !token.isTextual() || token.asText().isEmpty()) {
      throw new InvalidInputException(
          "Cannot get an access token for source '"
              + fetcher.source()
              + "': the answer of "
              + what
              + " has no access_token");
    }
    JsonNode expiresIn = json.get("expires_in");
    Instant expiresAt =
        expiresIn != null && expiresIn.canConvertToLong()
            ? requested.plusSeconds(expiresIn.asLong()).minus(MARGIN)
            // without expires_in, a token serves the pages of this load only
            : requested.plus(Duration.ofMinutes(1));
    return new Token(token.asText(), expiresAt);
  }

  /** The OAuth2 {@code error} code of a refusal, e.g. {@code invalid_client}; never a secret. */
  private static String errorCode(HttpResponse<byte[]> response) {
    try {
      JsonNode error = MAPPER.readTree(response.body()).get("error");
      return error != null && error.isTextual() && error.asText().matches("[A-Za-z0-9_.-]{1,64}")
          ? error.asText()
          : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JDK", e);
    }
  }
}
