package dev.sluice.connectors.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.connector.ConnectorOption;
import dev.sluice.api.connector.SourceConnectors;
import dev.sluice.api.connector.StagedData;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every way the http connector authenticates, against a server that checks the credentials. */
class HttpAuthTest extends HttpConnectorTestBase {
  private static final String SECRET = "s3cr3t-Value_42";

  @Test
  void isFoundByServiceLoaderAndDeclaresItsSecrets() {
    assertThat(SourceConnectors.get("http")).isInstanceOf(HttpConnector.class);
    assertThat(connector.options())
        .filteredOn(ConnectorOption::secret)
        .extracting(ConnectorOption::name)
        .containsExactlyInAnyOrder("token", "password", "api_key", "client_secret");
  }

  @Test
  void bearerToken() {
    api.route(
        "/orders",
        request ->
            ("Bearer " + SECRET).equals(request.header("Authorization"))
                ? TestApi.Response.json(orders(1, 2))
                : TestApi.Response.status(401, "{\"error\":\"unauthorized\"}"));
    StagedData staged =
        stage(options("url", api.url() + "/orders", "auth", "bearer", "token", SECRET));
    assertThat(staged.rows()).isEqualTo(2);

    assertThatThrownBy(
            () -> stage(options("url", api.url() + "/orders", "auth", "bearer", "token", "wrong")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("source 'shop'")
        .hasMessageContaining("HTTP 401")
        .hasMessageContaining("auth: bearer")
        .hasMessageNotContaining("wrong");
  }

  @Test
  void basicAuth() {
    String expected =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(("ada:" + SECRET).getBytes(StandardCharsets.UTF_8));
    api.route(
        "/orders",
        request ->
            expected.equals(request.header("Authorization"))
                ? TestApi.Response.json(orders(1, 3))
                : TestApi.Response.status(401, ""));
    StagedData staged =
        stage(
            options(
                "url",
                api.url() + "/orders",
                "auth",
                "basic",
                "username",
                "ada",
                "password",
                SECRET));
    assertThat(staged.rows()).isEqualTo(3);
  }

  @Test
  void apiKeyInHeader() {
    api.route(
        "/orders",
        request ->
            SECRET.equals(request.header("X-Shop-Key"))
                ? TestApi.Response.json(orders(1, 1))
                : TestApi.Response.status(403, ""));
    StagedData staged =
        stage(
            options(
                "url",
                api.url() + "/orders",
                "auth",
                "api_key",
                "api_key",
                SECRET,
                "api_key_name",
                "X-Shop-Key"));
    assertThat(staged.rows()).isEqualTo(1);
  }

  @Test
  void apiKeyInQueryIsSentOnEveryPageButNeverShown() {
    api.route(
        "/orders",
        request -> {
          if (!SECRET.equals(request.query().get("key"))) {
            return TestApi.Response.status(403, "");
          }
          String page = request.query().getOrDefault("page", "1");
          return switch (page) {
            case "1" -> TestApi.Response.json(orders(1, 2));
            case "2" -> TestApi.Response.json(orders(3, 3));
            // the server echoes the key, as some do: it must not reach the message
            default -> TestApi.Response.status(400, "{\"error\":\"bad key " + SECRET + "\"}");
          };
        });
    StagedData staged =
        stage(
            options(
                "url",
                api.url() + "/orders",
                "auth",
                "api_key",
                "api_key",
                SECRET,
                "api_key_in",
                "query",
                "api_key_name",
                "key",
                "pagination",
                "page_number",
                "page_size",
                "2"));
    assertThat(staged.rows()).isEqualTo(3);
    assertThat(api.requests("/orders")).allSatisfy(r -> assertThat(r.query()).containsKey("key"));

    api.route(
        "/broken",
        request -> TestApi.Response.status(400, "{\"error\":\"bad key " + SECRET + "\"}"));
    assertThatThrownBy(
            () ->
                stage(
                    options(
                        "url",
                        api.url() + "/broken",
                        "auth",
                        "api_key",
                        "api_key",
                        SECRET,
                        "api_key_in",
                        "query",
                        "api_key_name",
                        "key")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("HTTP 400")
        .hasMessageContaining("key=****")
        .hasMessageNotContaining(SECRET);
  }

  @Test
  void oauth2ClientCredentialsTokenIsFetchedOnceAndCachedUntilExpiry() {
    String basic =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(("shop-client:" + SECRET).getBytes(StandardCharsets.UTF_8));
    api.route(
        "/oauth/token",
        request ->
            request.method().equals("POST")
                    && basic.equals(request.header("Authorization"))
                    && request.body().contains("grant_type=client_credentials")
                    && request.body().contains("scope=orders%3Aread")
                ? TestApi.Response.json(
                    "{\"access_token\":\"tok-1\",\"token_type\":\"Bearer\",\"expires_in\":3600}")
                : TestApi.Response.status(401, "{\"error\":\"invalid_client\"}"));
    api.route(
        "/orders",
        request ->
            "Bearer tok-1".equals(request.header("Authorization"))
                ? TestApi.Response.json(orders(1, 2))
                : TestApi.Response.status(401, ""));
    var options = oauth2Options("/oauth/token", "shop-client", SECRET, "scope", "orders:read");
    assertThat(stage(options).rows()).isEqualTo(2);
    assertThat(stage(options).rows()).isEqualTo(2);
    assertThat(api.requests("/oauth/token")).hasSize(1);
    assertThat(api.requests("/orders")).hasSize(2);

    var wrongSecret = new java.util.LinkedHashMap<>(options);
    wrongSecret.put("client_secret", "not-the-secret");
    assertThatThrownBy(() -> stage(wrongSecret))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("access token")
        .hasMessageContaining("HTTP 401 (invalid_client)")
        .hasMessageNotContaining("not-the-secret");
  }

  @Test
  void oauth2TokenWithoutLongLifeIsFetchedAgainAndClientCanAuthenticateInTheBody() {
    int[] issued = {0};
    api.route(
        "/token",
        request -> {
          if (!request.body().contains("client_secret=" + SECRET)) {
            return TestApi.Response.status(401, "{\"error\":\"invalid_client\"}");
          }
          issued[0]++;
          // expires within the safety margin: not worth keeping
          return TestApi.Response.json(
              "{\"access_token\":\"t" + issued[0] + "\",\"expires_in\":10}");
        });
    serveOrdersToBearer("t");
    var options = oauth2Options("/token", "c2", SECRET, "client_auth", "body");
    stage(options);
    stage(options);
    assertThat(api.requests("/token")).hasSize(2);
    assertThat(api.requests("/orders"))
        .extracting(r -> r.header("Authorization"))
        .containsExactly("Bearer t1", "Bearer t2");
  }

  @Test
  void optionsThatCannotWorkAreRejectedBeforeAnyRequest() {
    assertThat(
            connector.validate(
                dev.sluice.api.connector.ConnectorOptions.of(
                    connector.options(),
                    options("url", "ftp://example.com/x", "auth", "oauth2", "mode", "incremental"),
                    "t")))
        .contains(
            "'url' must be an http:// or https:// URL with a host, got 'ftp://example.com/x'",
            "auth: oauth2 needs 'token_url'",
            "mode: incremental needs a 'cursor' field, e.g. cursor: updated_at");
    assertThat(api.requests()).isEqualTo(List.of());
  }
}
