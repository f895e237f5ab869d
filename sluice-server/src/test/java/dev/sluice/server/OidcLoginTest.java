package dev.sluice.server;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.core.Workspace;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.Runner;
import dev.sluice.core.state.AuditAction;
import dev.sluice.core.state.AuditFilter;
import dev.sluice.core.state.AuditRecord;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.http.OAuth2HttpRequest;
import no.nav.security.mock.oauth2.http.OAuth2HttpResponse;
import no.nav.security.mock.oauth2.http.Route;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signing in through OpenID Connect (issue 14 item 2) against a real OAuth 2.0 / OpenID Connect
 * server started by the test (NAV's mock-oauth2-server: discovery, authorization, token endpoint,
 * JWKS, signed ID tokens), with the JDK's HTTP client as the browser.
 */
class OidcLoginTest {
  @TempDir static Path project;
  private static MockOAuth2Server provider;
  private static Workspace workspace;
  private SluiceServer server;

  private static final HttpClient BROWSER =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(10))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  @BeforeAll
  static void serve() throws Exception {
    provider = new MockOAuth2Server(new OAuth2Config(), new ForgedTokenRoute());
    provider.start();
    write(project, "oidc-secret.txt", "client-secret-value\n");
    write(
        project,
        "sluice.yaml",
        "name: shop\nserver:\n  oidc:\n    issuer: "
            + provider.issuerUrl("default")
            + "\n    client_id: sluice\n    client_secret: ${file:oidc-secret.txt}\n");
    write(project, "seeds/people.csv", "id,email\n1,alice.secret@hidden-mail.com\n");
    write(project, "models/published/customers.sql", "select * from {{ ref('people') }}\n");
    write(
        project,
        "policies.yaml",
        "users:\n  - {name: analyst, roles: [analyst]}\n"
            + "roles:\n  - {name: analyst}\n"
            + "grants:\n  - {role: analyst, privileges: [read], on: [published.customers]}\n"
            + "masks:\n  - {column: published.customers.email, mask: email_domain}\n");
    workspace = Workspace.open(project);
    assertThat(new Runner(workspace).run(RunOptions.all(), RunListener.NONE).succeeded()).isTrue();
  }

  /** A server per test: each has its own count of failed sign-ins. */
  @BeforeEach
  void startServer() {
    server =
        SluiceServer.start(ServerOptions.plain("127.0.0.1", 0), () -> workspace, Clock.systemUTC());
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  /** The ID token the provider's token endpoint answers with next instead of its own, if set. */
  private static final AtomicReference<String> FORGED_ID_TOKEN = new AtomicReference<>();

  /**
   * A token endpoint answering once with {@link #FORGED_ID_TOKEN}: a token response the provider
   * would not give, as a man in the middle or a confused provider could.
   */
  private static final class ForgedTokenRoute implements Route {
    @Override
    public boolean match(OAuth2HttpRequest request) {
      return FORGED_ID_TOKEN.get() != null && request.getUrl().encodedPath().endsWith("/token");
    }

    @Override
    public OAuth2HttpResponse invoke(OAuth2HttpRequest request) {
      String idToken = FORGED_ID_TOKEN.getAndSet(null);
      String body =
          "{\"access_token\": \"opaque\", \"token_type\": \"Bearer\", \"expires_in\": 3600,"
              + " \"id_token\": \""
              + idToken
              + "\"}";
      return new OAuth2HttpResponse(
          okhttp3.Headers.of("Content-Type", "application/json"), 200, body, null);
    }
  }

  @AfterAll
  static void stop() {
    workspace.close();
    provider.shutdown();
  }

  /** What a browser keeps between requests: the cookies, by name. */
  private record SignIn(String callback, String stateCookie, String nonce) {}

  /** Starts a sign-in and follows the provider's answer back to the callback URL. */
  private SignIn start() throws Exception {
    HttpResponse<String> login = get(server.url() + "/auth/oidc/login", null);
    assertThat(login.statusCode()).isEqualTo(302);
    String authorize = login.headers().firstValue("Location").orElseThrow();
    assertThat(authorize)
        .startsWith(provider.authorizationEndpointUrl("default").toString())
        .contains("code_challenge_method=S256", "code_challenge=", "nonce=", "state=")
        .contains("client_id=sluice");
    String setCookie = cookieHeader(login, OidcEndpoints.STATE_COOKIE).orElseThrow();
    assertThat(setCookie).contains("HttpOnly").containsIgnoringCase("SameSite=Lax");
    HttpResponse<String> atProvider = get(authorize, null);
    assertThat(atProvider.statusCode()).as(atProvider.body()).isEqualTo(302);
    String callback = atProvider.headers().firstValue("Location").orElseThrow();
    assertThat(callback).startsWith(server.url() + "/auth/oidc/callback?");
    String nonce =
        java.net.URLDecoder.decode(
            authorize.replaceAll(".*[?&]nonce=([^&]*).*", "$1"),
            java.nio.charset.StandardCharsets.UTF_8);
    return new SignIn(callback, cookieValue(setCookie), nonce);
  }

  /**
   * Comes back to the callback; the provider issues an ID token with these claims and audience when
   * the server exchanges the code.
   */
  private HttpResponse<String> back(
      SignIn signIn, Map<String, Object> claims, List<String> audience) throws Exception {
    provider.enqueueCallback(
        new DefaultOAuth2TokenCallback("default", "subject-1", "JWT", audience, claims, 3600));
    return back(signIn);
  }

  /** Comes back to the callback without the server reaching the provider's token endpoint. */
  private HttpResponse<String> back(SignIn signIn) throws Exception {
    return get(
        signIn.callback(),
        signIn.stateCookie() == null
            ? null
            : OidcEndpoints.STATE_COOKIE + "=" + signIn.stateCookie());
  }

  @Test
  void aPersonSignsInThroughTheProviderAndGetsASession() throws Exception {
    SignIn signIn = start();
    HttpResponse<String> callback =
        back(signIn, Map.of("preferred_username", "analyst"), List.of("sluice"));

    assertThat(callback.statusCode()).as(callback.body()).isEqualTo(200);
    assertThat(callback.body()).contains("url=/ui");
    String session = cookieHeader(callback, "sluice_session").orElseThrow();
    assertThat(session).contains("HttpOnly").containsIgnoringCase("SameSite=Strict");
    String sessionCookie = "sluice_session=" + cookieValue(session);
    HttpResponse<String> me = get(server.url() + "/api/v1/me", sessionCookie);
    assertThat(me.statusCode()).isEqualTo(200);
    JsonNode who = new ObjectMapper().readTree(me.body());
    assertThat(who.path("principal").asText()).isEqualTo("analyst");
    assertThat(who.path("csrfToken").asText()).isNotBlank();

    // the session reads through the query service: the analyst's mask applies
    HttpResponse<String> query =
        BROWSER.send(
            HttpRequest.newBuilder(URI.create(server.url() + "/api/v1/query"))
                .header("Cookie", sessionCookie)
                .header("X-CSRF-Token", who.path("csrfToken").asText())
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"sql\": \"select email from published.customers\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(query.statusCode()).as(query.body()).isEqualTo(200);
    assertThat(query.body()).doesNotContain("alice.secret").contains("hidden-mail.com");

    // the same answer of the provider cannot be used twice
    HttpResponse<String> replay = back(signIn);
    assertThat(replay.statusCode()).isEqualTo(401);
    assertThat(replay.body()).contains("unknown, was used already");

    List<AuditRecord> logins =
        workspace.runStore().audit().records(AuditFilter.all().withAction(AuditAction.LOGIN));
    assertThat(logins)
        .anySatisfy(
            record ->
                assertThat(record.details())
                    .contains("\"method\":\"oidc\"", "\"user\":\"analyst\"", "succeeded"))
        .allSatisfy(record -> assertThat(record.details()).doesNotContain("client-secret-value"));
  }

  @Test
  void aSignInFromAnotherBrowserIsRefused() throws Exception {
    SignIn signIn = start();
    HttpResponse<String> withoutCookie = back(new SignIn(signIn.callback(), null, null));
    assertThat(withoutCookie.statusCode()).isEqualTo(401);
    assertThat(withoutCookie.body()).contains("started in another browser");
    assertThat(cookieHeader(withoutCookie, "sluice_session")).isEmpty();

    SignIn other = start();
    HttpResponse<String> swapped = back(new SignIn(other.callback(), signIn.stateCookie(), null));
    assertThat(swapped.statusCode()).isEqualTo(401);
  }

  @Test
  void anIdTokenForAnotherClientOrFromAnotherIssuerIsRefused() throws Exception {
    // the provider's token endpoint answers with an ID token signed by the provider, with the
    // sign-in's nonce, but for another client: the audience does not match
    SignIn signIn = start();
    String forAnotherClient =
        provider
            .issueToken(
                "default",
                "another-app",
                new DefaultOAuth2TokenCallback(
                    "default",
                    "subject-1",
                    "JWT",
                    List.of("another-app"),
                    Map.of("preferred_username", "analyst", "nonce", signIn.nonce()),
                    3600))
            .serialize();
    FORGED_ID_TOKEN.set(forAnotherClient);
    HttpResponse<String> callback = back(signIn);
    assertThat(callback.statusCode()).isEqualTo(401);
    assertThat(callback.body()).contains("did not verify");
    assertThat(cookieHeader(callback, "sluice_session")).isEmpty();

    // and one that another issuer signed
    SignIn again = start();
    String fromAnotherIssuer =
        provider
            .issueToken(
                "elsewhere",
                "sluice",
                new DefaultOAuth2TokenCallback(
                    "elsewhere",
                    "subject-1",
                    "JWT",
                    List.of("sluice"),
                    Map.of("preferred_username", "analyst", "nonce", again.nonce()),
                    3600))
            .serialize();
    FORGED_ID_TOKEN.set(fromAnotherIssuer);
    HttpResponse<String> other = back(again);
    assertThat(other.statusCode()).isEqualTo(401);
    assertThat(other.body()).contains("did not verify");
  }

  @Test
  void aPersonPoliciesDoNotDeclareIsRefused() throws Exception {
    HttpResponse<String> callback =
        back(start(), Map.of("preferred_username", "mallory"), List.of("sluice"));
    assertThat(callback.statusCode()).isEqualTo(401);
    assertThat(callback.body()).contains("'mallory'", "policies.yaml");
    assertThat(
            workspace.runStore().audit().records(AuditFilter.all().withAction(AuditAction.LOGIN)))
        .anySatisfy(
            record ->
                assertThat(record.details())
                    .contains("\"user\":\"mallory\"", "\"outcome\":\"failed\""));
  }

  @Test
  void aRefusalOfTheProviderIsSaid() throws Exception {
    HttpResponse<String> refused =
        get(
            server.url()
                + "/auth/oidc/callback?error=access_denied&error_description=denied+by+user",
            null);
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(refused.body()).contains("refused the sign-in: access_denied (denied by user)");
  }

  @Test
  void failedSignInsAreRateLimitedPerClientAndAudited() throws Exception {
    for (int attempt = 0; attempt < 5; attempt++) {
      HttpResponse<String> failed =
          get(server.url() + "/auth/oidc/callback?code=guess&state=guess-" + attempt, null);
      assertThat(failed.statusCode()).isEqualTo(401);
    }
    // refused before the server reaches the provider's token endpoint
    HttpResponse<String> limited = back(start());
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.headers().firstValue("Retry-After")).isPresent();
    assertThat(limited.body())
        .contains("Too many failed sign-ins through the OpenID Connect provider from 127.0.0.1");
    assertThat(
            workspace.runStore().audit().records(AuditFilter.all().withAction(AuditAction.LOGIN)))
        .anySatisfy(
            record ->
                assertThat(record.details())
                    .contains("\"method\":\"oidc\"", "\"outcome\":\"rate_limited\""));
  }

  @Test
  void passwordsAreNotTakenWhenAProviderIsConfigured() throws Exception {
    HttpResponse<String> login =
        BROWSER.send(
            HttpRequest.newBuilder(URI.create(server.url() + "/api/v1/login"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"user\": \"analyst\", \"password\": \"x\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(login.statusCode()).isEqualTo(403);
    assertThat(login.body()).contains("/auth/oidc/login");
  }

  @Test
  void theWebUiSendsPeopleToTheProviderAndTakesNoPassword() throws Exception {
    HttpResponse<String> page = get(server.url() + "/login", null);
    assertThat(page.statusCode()).isEqualTo(302);
    assertThat(page.headers().firstValue("Location")).contains("/auth/oidc/login");

    HttpResponse<String> form =
        BROWSER.send(
            HttpRequest.newBuilder(URI.create(server.url() + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("user=analyst&password=anything"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(form.statusCode()).isEqualTo(401);
    assertThat(form.body()).contains("signs people in through OpenID Connect");
    assertThat(cookieHeader(form, "sluice_session")).isEmpty();
  }

  @Test
  void anUnreachableProviderIsSaidWithWhereToLook(@TempDir Path other) throws Exception {
    write(
        other,
        "sluice.yaml",
        "name: shop\nserver:\n  oidc: {issuer: \"http://127.0.0.1:9/nowhere\", client_id: sluice}\n");
    try (Workspace down = Workspace.open(other);
        SluiceServer unreachable =
            SluiceServer.start(
                ServerOptions.plain("127.0.0.1", 0), () -> down, Clock.systemUTC())) {
      HttpResponse<String> login = get(unreachable.url() + "/auth/oidc/login", null);
      assertThat(login.statusCode()).isEqualTo(503);
      assertThat(login.body())
          .contains("Cannot read the OpenID Connect provider's configuration at")
          .contains("server.oidc.issuer");
    }
  }

  private static HttpResponse<String> get(String url, String cookie)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET();
    if (cookie != null) {
      request.header("Cookie", cookie);
    }
    return BROWSER.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Optional<String> cookieHeader(HttpResponse<String> response, String name) {
    return response.headers().allValues("Set-Cookie").stream()
        .filter(header -> header.startsWith(name + "=") && !header.startsWith(name + "=;"))
        .findFirst();
  }

  private static String cookieValue(String setCookie) {
    String pair = setCookie.split(";", 2)[0];
    return pair.substring(pair.indexOf('=') + 1);
  }
}
