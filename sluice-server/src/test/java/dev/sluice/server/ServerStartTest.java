package dev.sluice.server;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.InvalidInputException;
import dev.sluice.core.Workspace;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starting the server (issue 14 item 1): health checks, the refusals of an exposed server nobody
 * could sign in to and of development mode off loopback, development mode said on every response,
 * unknown routes, all with real HTTP calls on an ephemeral port.
 */
class ServerStartTest {
  @TempDir Path project;
  private Workspace workspace;

  @BeforeEach
  void openProject() throws Exception {
    write(project, "sluice.yaml", "name: served\n");
    write(project, "models/curated/base.sql", "select 1 as x\n");
    workspace = Workspace.open(project);
  }

  @AfterEach
  void closeProject() {
    workspace.close();
  }

  private SluiceServer start(ServerOptions options) {
    return SluiceServer.start(options, () -> workspace, Clock.systemUTC());
  }

  @Test
  void healthChecksAnswerWithoutSignInAndEverythingElseNeedsIt() {
    try (SluiceServer server = start(ServerOptions.plain("127.0.0.1", 0))) {
      assertThat(server.url()).startsWith("http://127.0.0.1:").doesNotEndWith(":0");
      Http http = new Http(server.url());

      assertThat(http.get("/health/live").json().path("status").asText()).isEqualTo("live");
      Http.Response ready = http.get("/health/ready");
      assertThat(ready.status()).isEqualTo(200);
      assertThat(ready.json().path("project").asText()).isEqualTo("served");

      Http.Response me = http.get("/api/v1/me");
      assertThat(me.status()).isEqualTo(401);
      assertThat(me.header("WWW-Authenticate")).startsWith("Bearer");
      assertThat(me.json().path("message").asText()).contains("Sign in first");
      assertThat(me.json().path("fix").asText()).contains("sluice token create");
      assertThat(me.header(SluiceServer.DEV_MODE_HEADER)).isNull();
    }
  }

  @Test
  void unknownRoutesAnswer404WithJson() {
    try (SluiceServer server = start(ServerOptions.plain("127.0.0.1", 0))) {
      Http.Response missing = new Http(server.url()).get("/api/v1/nothing-here");
      assertThat(missing.status()).as(missing.body()).isEqualTo(404);
      assertThat(missing.json().path("message").asText())
          .isEqualTo("No endpoint GET /api/v1/nothing-here");
      assertThat(missing.json().path("fix").asText()).contains("openapi.json");
      assertThat(missing.body()).doesNotContain("at io.javalin").doesNotContain("Exception");
    }
  }

  @Test
  void aServerOffLoopbackWithoutCredentialsRefusesToStart() {
    assertThatThrownBy(() -> start(ServerOptions.plain("0.0.0.0", 0)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("Refusing to serve on 0.0.0.0 without authentication")
        .hasMessageContaining("sluice token create")
        .hasMessageContaining("sluice user set-password");
  }

  @Test
  void developmentModeIsRefusedOffLoopback() {
    assertThatThrownBy(() -> start(ServerOptions.plain("0.0.0.0", 0).inDevMode()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("Development mode (--dev, no sign-in) is allowed on a loopback")
        .hasMessageContaining("0.0.0.0");
  }

  @Test
  void developmentModeActsAsTheOwnerAndSaysSoOnEveryResponse() {
    try (SluiceServer server = start(ServerOptions.plain("127.0.0.1", 0).inDevMode())) {
      Http http = new Http(server.url());

      Http.Response me = http.get("/api/v1/me");
      assertThat(me.status()).isEqualTo(200);
      assertThat(me.json().path("principal").asText()).isEqualTo("owner");
      assertThat(me.json().path("dev").asBoolean()).isTrue();
      assertThat(me.header(SluiceServer.DEV_MODE_HEADER)).isEqualTo("true");

      Http.Response page = http.get("/");
      assertThat(page.header("Content-Type")).startsWith("text/html");
      assertThat(page.body()).contains("class=\"dev-banner\"").contains("Development mode");
      assertThat(page.header(SluiceServer.DEV_MODE_HEADER)).isEqualTo("true");

      assertThat(http.get("/health/live").header(SluiceServer.DEV_MODE_HEADER)).isEqualTo("true");
      assertThat(http.get("/no/such/page").header(SluiceServer.DEV_MODE_HEADER)).isEqualTo("true");
    }
  }

  @Test
  void aPortInUseIsAClearError() {
    try (SluiceServer first = start(ServerOptions.plain("127.0.0.1", 0))) {
      assertThatThrownBy(() -> start(ServerOptions.plain("127.0.0.1", first.port())))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("Cannot serve on 127.0.0.1:" + first.port())
          .hasMessageContaining("choose another --port");
    }
  }
}
