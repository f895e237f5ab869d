package dev.sluice.server;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.connector.testkit.SelfSignedKeyStore;
import dev.sluice.core.Workspace;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS with a configured key store (issue 14 item 1): a certificate made by the JDK's keytool, a
 * client that trusts it, and one that does not.
 */
class TlsTest {
  private static final String PASSWORD = "key-store-password";
  private static final String USER_PASSWORD = "correct horse battery staple";

  @TempDir Path project;

  @Test
  void theServerServesHttpsWithItsKeyStoreAndMarksTheSessionCookieSecure() throws Exception {
    Path keyStore = project.resolve("server.p12");
    SelfSignedKeyStore.create(keyStore, PASSWORD);

    write(project, "sluice.yaml", "name: served\n");
    write(project, "policies.yaml", "users:\n  - {name: analyst}\n");
    try (Workspace workspace = Workspace.open(project);
        SluiceServer server =
            SluiceServer.start(
                ServerOptions.plain("127.0.0.1", 0).withTls(keyStore, PASSWORD),
                () -> workspace,
                Clock.systemUTC())) {
      assertThat(server.url()).startsWith("https://127.0.0.1:");
      workspace
          .runStore()
          .passwords()
          .set(
              "analyst",
              dev.sluice.server.auth.Credentials.hashPassword(USER_PASSWORD.toCharArray()),
              java.time.Instant.now());

      KeyStore trusted = SelfSignedKeyStore.load(keyStore, PASSWORD);
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trusted);
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(null, trust.getTrustManagers(), null);
      HttpClient client =
          HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(10)).build();

      HttpResponse<String> live =
          client.send(
              HttpRequest.newBuilder(URI.create(server.url() + "/health/live")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(live.statusCode()).isEqualTo(200);
      assertThat(live.body()).contains("live");

      // a client that does not trust the certificate is refused at the handshake
      HttpClient untrusting =
          HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      assertThatThrownBy(
              () ->
                  untrusting.send(
                      HttpRequest.newBuilder(URI.create(server.url() + "/health/live")).build(),
                      HttpResponse.BodyHandlers.ofString()))
          .isInstanceOf(SSLHandshakeException.class);

      // plain HTTP on the same port is not served
      HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      try {
        HttpResponse<String> clear =
            plain.send(
                HttpRequest.newBuilder(
                        URI.create(server.url().replace("https://", "http://") + "/health/live"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(clear.statusCode()).isNotEqualTo(200);
        assertThat(clear.body()).doesNotContain("live");
      } catch (java.io.IOException refused) {
        // the connection was closed: not served either
      }

      // a session's cookie is sent over HTTPS only
      HttpResponse<String> login =
          client.send(
              HttpRequest.newBuilder(URI.create(server.url() + "/api/v1/login"))
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"user\": \"analyst\", \"password\": \"" + USER_PASSWORD + "\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
      assertThat(login.headers().allValues("Set-Cookie"))
          .anySatisfy(
              cookie -> assertThat(cookie).startsWith("sluice_session=").contains("Secure"));
    }
  }
}
